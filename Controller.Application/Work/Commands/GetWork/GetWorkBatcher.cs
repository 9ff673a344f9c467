using Controller.Application.Common;
using Controller.Application.Common.Options;
using Controller.Application.Common.Telemetry;
using Controller.Application.Work.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Controller.Application.Work.Commands.GetWork;

/// <summary>Runs getwork calls that arrive together as one round; null: the call is to run on its own.</summary>
public interface IGetWorkBatcher
{
    Task<GetWorkAnswer?> TryRunAsync(GetWorkCommand command);
}

/// <summary>
/// Group commit for getwork: the calls that queued while the previous round ran go as one <see cref="GetWorkBatchRound"/>.
/// With <c>Work:BatchRounds</c> off, every call runs on its own.
/// </summary>
public sealed class GetWorkBatcher(
    IServiceScopeFactory scopes,
    ControllerMetrics metrics,
    IOptions<WorkOptions> options,
    ILogger<GetWorkBatcher> logger) : GroupCommit<GetWorkCommand, GetWorkAnswer>(scopes, metrics, logger), IGetWorkBatcher
{
    protected override bool Enabled => options.Value.BatchRounds;

    protected override int Loops => options.Value.ParallelBatches;

    protected override string ConflictName => "getwork_batch";

    protected override Task<GetWorkAnswer?[]> RunBatchAsync(IServiceProvider scope, IReadOnlyList<GetWorkCommand> calls, CancellationToken cancellationToken) =>
        scope.GetRequiredService<GetWorkBatchRound>().RunAsync(calls, cancellationToken);
}
