using Controller.Application.Work.Models;
using Controller.Domain.Work;
using Mediator;

namespace Controller.Application.Work.Commands.GetWork;

/// <summary>
/// One getwork call: run in the <see cref="GetWorkProcessor"/> with the calls that arrive together (one transaction for
/// all). A long poll (<see cref="GetWorkCommand.WaitSeconds"/>) with nothing to hand out waits in <see cref="WorkWaiters"/>
/// and asks again when woken, and at least every <see cref="FallbackInterval"/> (work submitted on another replica, a
/// drain), until it gets work, must stop, or its wait ends. Its outcomes were applied by the first ask.
/// </summary>
public sealed class GetWorkCommandHandler(GetWorkProcessor processor, WorkWaiters waiters, TimeProvider clock) : ICommandHandler<GetWorkCommand, GetWorkAnswer>
{
    /// <summary>How often a held call asks again on its own: the most a change it was not woken for costs it.</summary>
    public static readonly TimeSpan FallbackInterval = TimeSpan.FromSeconds(5);

    public async ValueTask<GetWorkAnswer> Handle(GetWorkCommand command, CancellationToken cancellationToken)
    {
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
            var outcome = await waiters.WaitAsync(engineId, hostId, left < FallbackInterval ? left : FallbackInterval, cancellationToken);
            if (outcome == WaitOutcome.NotHeld || (outcome == WaitOutcome.TimedOut && clock.GetUtcNow() >= until))
            {
                break;
            }

            answer = await processor.RunAsync(again, cancellationToken);
            if (answer.Action != WorkAction.Wait)
            {
                return answer;
            }
        }

        return answer;
    }
}
