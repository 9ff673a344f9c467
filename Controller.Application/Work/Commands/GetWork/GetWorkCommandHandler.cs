using Controller.Application.Common.Interfaces;
using Controller.Application.Work.Models;
using Controller.Domain.Work;
using Mediator;

namespace Controller.Application.Work.Commands.GetWork;

/// <summary>
/// One getwork call: run in the <see cref="GetWorkProcessor"/> with the calls that arrive together (one transaction for
/// all). A long poll (<see cref="GetWorkCommand.WaitSeconds"/>) with nothing to hand out waits in <see cref="WorkWaiters"/>
/// and asks again when woken (<see cref="IWorkSignal"/>: a task queued for its engine, a copy of it stopped, its host
/// draining, on any replica), and, where wake-ups do not reach every replica, every <see cref="IWorkSignal.ReaskInterval"/>,
/// until it gets work, must stop, or its wait ends. Its outcomes were applied by the first ask.
/// </summary>
public sealed class GetWorkCommandHandler(GetWorkProcessor processor, WorkWaiters waiters, IWorkSignal signal, TimeProvider clock) : ICommandHandler<GetWorkCommand, GetWorkAnswer>
{
    public async ValueTask<GetWorkAnswer> Handle(GetWorkCommand command, CancellationToken cancellationToken)
    {
        // Taken before each ask: a wake-up that comes while the call asks is not missed by the wait that follows.
        var ticket = waiters.Ticket();
        var answer = await processor.RunAsync(command, cancellationToken);
        if (command.WaitSeconds is not > 0 || answer.Action != WorkAction.Wait || answer is not { EngineId: { } engineId, HostId: { } hostId })
        {
            return answer;
        }

        var until = clock.GetUtcNow() + TimeSpan.FromSeconds(command.WaitSeconds.Value);
        var again = command with { Completed = null, WaitSeconds = null };
        while (clock.GetUtcNow() < until)
        {
            var left = until - clock.GetUtcNow();
            var outcome = await waiters.WaitAsync(engineId, hostId, signal.ReaskInterval is { } reask && reask < left ? reask : left, ticket, cancellationToken);
            if (outcome == WaitOutcome.NotHeld || (outcome == WaitOutcome.TimedOut && clock.GetUtcNow() >= until))
            {
                break;
            }

            ticket = waiters.Ticket();
            answer = await processor.RunAsync(again with { DecideOnRows = outcome == WaitOutcome.Changed }, cancellationToken);
            if (answer.Action != WorkAction.Wait)
            {
                return answer;
            }
        }

        return answer;
    }
}
