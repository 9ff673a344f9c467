using Controller.Application.Common.Telemetry;
using Controller.Application.Hosts.FastPath;
using Controller.Application.Hosts.Models;
using Mediator;

namespace Controller.Application.Hosts.Commands.UpdateHostStatus;

/// <summary>
/// One status report: answered from memory when the host is steady (<see cref="SteadyAnswers"/>), otherwise by a round
/// in the <see cref="StatusProcessor"/>, with the other reports that arrive together, answering with every order still
/// open (level-triggered).
/// </summary>
public sealed class UpdateHostStatusCommandHandler(SteadyAnswers steady, StatusProcessor processor, ControllerMetrics metrics)
    : ICommandHandler<UpdateHostStatusCommand, HostStatusAnswer>
{
    public async ValueTask<HostStatusAnswer> Handle(UpdateHostStatusCommand command, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var busy = processor.PlacementBusy;
        var lookup = await steady.LookUpAsync(command, busy, cancellationToken);
        if (lookup.Answer is { } same)
        {
            metrics.StatusReport(lookup.Deferred ? StatusOutcome.Deferred : StatusOutcome.Fast, System.Diagnostics.Stopwatch.GetElapsedTime(started));
            return same;
        }

        var call = new StatusCall(command, lookup.Fingerprint, ChangesCounts: lookup.Miss == SteadyMiss.CountsChange, DeferLaunches: busy);
        var answer = await processor.RunAsync(call, cancellationToken);
        metrics.StatusReport(StatusOutcome.Full, System.Diagnostics.Stopwatch.GetElapsedTime(started));
        return answer;
    }
}
