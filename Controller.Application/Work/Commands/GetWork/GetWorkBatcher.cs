using System.Threading.Channels;
using Controller.Application.Common.Exceptions;
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
/// Group commit for getwork: calls queue here, and one loop per replica takes whatever has queued (up to
/// <see cref="MaxBatch"/>) and runs it as one <see cref="GetWorkBatchRound"/> in a scope of its own. Nothing waits for a
/// batch to fill: under light load a batch is one call, under heavy load the calls that arrived during the previous
/// round. With <c>Work:BatchRounds</c> off, every call runs on its own.
/// </summary>
public sealed partial class GetWorkBatcher(
    IServiceScopeFactory scopes,
    ControllerMetrics metrics,
    IOptions<WorkOptions> options,
    ILogger<GetWorkBatcher> logger) : IGetWorkBatcher, IDisposable
{
    /// <summary>At most this many calls per round (their ids go into one IN list).</summary>
    public const int MaxBatch = 64;

    private readonly Channel<(GetWorkCommand Command, TaskCompletionSource<GetWorkAnswer?> Answer)> _queue =
        Channel.CreateUnbounded<(GetWorkCommand, TaskCompletionSource<GetWorkAnswer?>)>(new UnboundedChannelOptions { SingleReader = false });

    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _start = new();
    private Task[]? _loops;

    public Task<GetWorkAnswer?> TryRunAsync(GetWorkCommand command)
    {
        if (!options.Value.BatchRounds || _stopping.IsCancellationRequested)
        {
            return Task.FromResult<GetWorkAnswer?>(null);
        }

        EnsureStarted();
        var answer = new TaskCompletionSource<GetWorkAnswer?>(TaskCreationOptions.RunContinuationsAsynchronously);
        return _queue.Writer.TryWrite((command, answer)) ? answer.Task : Task.FromResult<GetWorkAnswer?>(null);
    }

    private void EnsureStarted()
    {
        if (_loops is not null)
        {
            return;
        }

        lock (_start)
        {
            _loops ??= [.. Enumerable.Range(0, options.Value.ParallelBatches).Select(_ => Task.Run(LoopAsync))];
        }
    }

    private async Task LoopAsync()
    {
        var batch = new List<(GetWorkCommand Command, TaskCompletionSource<GetWorkAnswer?> Answer)>(MaxBatch);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(_stopping.Token))
            {
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var call))
                {
                    batch.Add(call);
                }

                var answers = await RunAsync(batch.ConvertAll(c => c.Command));
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Answer.TrySetResult(answers[i]);
                }

                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        finally
        {
            // No more batches from this replica (it stops): later calls are refused at the door and run on their own,
            // and whatever is still queued runs on its own too, so that no call waits for a loop that has ended.
            _queue.Writer.TryComplete();
            batch.ForEach(c => c.Answer.TrySetResult(null));
            while (_queue.Reader.TryRead(out var call))
            {
                call.Answer.TrySetResult(null);
            }
        }
    }

    private async Task<GetWorkAnswer?[]> RunAsync(List<GetWorkCommand> commands)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<GetWorkBatchRound>().RunAsync(commands, _stopping.Token);
        }
        catch (ConcurrencyConflictException)
        {
            metrics.Conflict("getwork_batch");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !_stopping.IsCancellationRequested)
        {
            // The calls run on their own, where a failure reaches its caller as the contract's error.
            LogBatchFailed(logger, commands.Count, ex);
        }

        return new GetWorkAnswer?[commands.Count];
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _queue.Writer.TryComplete();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} getwork calls failed; each runs on its own.")]
    private static partial void LogBatchFailed(ILogger logger, int count, Exception exception);
}
