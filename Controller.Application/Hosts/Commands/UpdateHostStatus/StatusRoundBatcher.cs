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

/// <summary>Runs status rounds whose containers changed and arrive together as one; null: the round is to run on its own.</summary>
public interface IStatusWriteBatcher
{
    Task<HostStatusAnswer?> TryRunAsync(StatusCall report);
}

/// <summary>
/// Group commit for the status rounds of hosts whose containers changed (a copy came up or ended): each writes, and on
/// SQLite every write transaction waits for the one writer, so those that queued while the previous batch ran go as
/// one <see cref="StatusBatchRound"/>, beside the placement batches (it enters the placement gate only for a round
/// that changes counts). With <c>Scheduling:BatchRounds</c> or <c>Scheduling:BatchWrites</c> off, every round runs on its own.
/// </summary>
public sealed class StatusWriteBatcher(
    IServiceScopeFactory scopes,
    ControllerMetrics metrics,
    IOptions<SchedulingOptions> options,
    ILogger<StatusWriteBatcher> logger) : GroupCommit<StatusCall, HostStatusAnswer>(scopes, metrics, logger), IStatusWriteBatcher
{
    protected override bool Enabled => options.Value is { BatchRounds: true, BatchWrites: true };

    protected override int Loops => options.Value.WriteBatchLoops ?? 1;

    protected override string ConflictName => "status_write_batch";

    protected override Task<HostStatusAnswer?[]> RunBatchAsync(IServiceProvider scope, IReadOnlyList<StatusCall> calls, CancellationToken cancellationToken) =>
        scope.GetRequiredService<StatusBatchRound>().RunAsync(calls, cancellationToken);
}
