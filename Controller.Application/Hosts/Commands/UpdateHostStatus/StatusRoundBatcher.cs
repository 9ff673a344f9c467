using Controller.Application.Common;
using Controller.Application.Common.Options;
using Controller.Application.Common.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Controller.Application.Hosts.Commands.UpdateHostStatus;

/// <summary>Runs status rounds that change engine counts and arrive together as one; null: the round is to run on its own.</summary>
public interface IStatusRoundBatcher
{
    Task<HostStatusAnswer?> TryRunAsync(StatusCall report);

    /// <summary>How many rounds wait for a batch now.</summary>
    int Queued { get; }
}

/// <summary>
/// Group commit for the status rounds that change engine counts: those that queued while the previous batch ran go as
/// one <see cref="StatusBatchRound"/>. With <c>Scheduling:BatchRounds</c> off, every round runs on its own.
/// </summary>
public sealed class StatusRoundBatcher(
    IServiceScopeFactory scopes,
    ControllerMetrics metrics,
    IOptions<SchedulingOptions> options,
    ILogger<StatusRoundBatcher> logger) : GroupCommit<StatusCall, HostStatusAnswer>(scopes, metrics, logger), IStatusRoundBatcher
{
    protected override bool Enabled => options.Value.BatchRounds;

    protected override string ConflictName => "status_batch";

    protected override Task<HostStatusAnswer?[]> RunBatchAsync(IServiceProvider scope, IReadOnlyList<StatusCall> calls, CancellationToken cancellationToken) =>
        scope.GetRequiredService<StatusBatchRound>().RunAsync(calls, cancellationToken);
}
