using Controller.Application.Common;
using Controller.Application.Common.Telemetry;
using Controller.Application.Work.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Controller.Application.Work.Commands.GetWork;

/// <summary>
/// Every getwork call runs here, in a <see cref="GetWorkBatch"/> with the others that arrive together
/// (<see cref="BatchProcessor{TCall,TAnswer}"/>: retries, hand-back of each answer or error).
/// </summary>
public sealed class GetWorkProcessor(IServiceScopeFactory scopes, ControllerMetrics metrics, ILogger<GetWorkProcessor> logger)
    : BatchProcessor<GetWorkCommand, GetWorkAnswer>(scopes, metrics, logger)
{
    /// <summary>
    /// One batch at a time: a batch's claims are one statement per engine and its save one transaction, and a second
    /// batch at once made the tail worse on PostgreSQL (docs/benchmarks.md).
    /// </summary>
    protected override int Loops => 1;

    protected override string Name => "getwork_batch";

    protected override Task<BatchOutcome<GetWorkAnswer>[]> RunBatchAsync(IServiceProvider scope, IReadOnlyList<GetWorkCommand> calls, CancellationToken cancellationToken) =>
        scope.GetRequiredService<GetWorkBatch>().RunAsync(calls, cancellationToken);
}
