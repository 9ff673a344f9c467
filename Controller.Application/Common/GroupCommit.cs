using System.Threading.Channels;
using Controller.Application.Common.Exceptions;
using Controller.Application.Common.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Controller.Application.Common;

/// <summary>
/// Group commit: calls queue here, and a loop (or a few) takes whatever has queued (up to <see cref="MaxBatch"/>) and
/// runs it as one round in a scope of its own (<see cref="RunBatchAsync"/>). Nothing waits for a batch to fill: under
/// light load a batch is one call, under heavy load the calls that arrived during the previous round. A null answer
/// means the call is to run on its own: the batch left it out, lost a race or failed (then every call of it runs on
/// its own, where a failure reaches its caller as the contract's error), or the loop has ended.
/// </summary>
public abstract partial class GroupCommit<TCall, TAnswer>(IServiceScopeFactory scopes, ControllerMetrics metrics, ILogger logger) : IDisposable
    where TAnswer : class
{
    /// <summary>At most this many calls per round (their ids go into one IN list).</summary>
    public const int MaxBatch = 64;

    private readonly Channel<(TCall Call, TaskCompletionSource<TAnswer?> Answer)> _queue =
        Channel.CreateUnbounded<(TCall, TaskCompletionSource<TAnswer?>)>(new UnboundedChannelOptions { SingleReader = false });

    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _start = new();
    private Task[]? _loops;

    /// <summary>False: every call runs on its own (configuration).</summary>
    protected abstract bool Enabled { get; }

    /// <summary>How many batches may run at once on this replica.</summary>
    protected virtual int Loops => 1;

    /// <summary>The name under which a batch that lost a race is counted (<c>controller.db.conflicts</c>).</summary>
    protected abstract string ConflictName { get; }

    /// <summary>One answer per call, in order; null for the calls left to run on their own. Throws to send all of them there.</summary>
    protected abstract Task<TAnswer?[]> RunBatchAsync(IServiceProvider scope, IReadOnlyList<TCall> calls, CancellationToken cancellationToken);

    /// <summary>How many calls wait for a batch now.</summary>
    public int Queued => _queue.Reader.Count;

    /// <summary>The answer from a batch, or null: the call is to run on its own.</summary>
    public Task<TAnswer?> TryRunAsync(TCall request)
    {
        if (!Enabled || _stopping.IsCancellationRequested)
        {
            return Task.FromResult<TAnswer?>(null);
        }

        EnsureStarted();
        var answer = new TaskCompletionSource<TAnswer?>(TaskCreationOptions.RunContinuationsAsynchronously);
        return _queue.Writer.TryWrite((request, answer)) ? answer.Task : Task.FromResult<TAnswer?>(null);
    }

    private void EnsureStarted()
    {
        if (_loops is not null)
        {
            return;
        }

        lock (_start)
        {
            _loops ??= [.. Enumerable.Range(0, Math.Max(1, Loops)).Select(_ => Task.Run(LoopAsync))];
        }
    }

    private async Task LoopAsync()
    {
        var batch = new List<(TCall Call, TaskCompletionSource<TAnswer?> Answer)>(MaxBatch);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(_stopping.Token))
            {
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var call))
                {
                    batch.Add(call);
                }

                var answers = await RunAsync(batch.ConvertAll(c => c.Call));
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

    private async Task<TAnswer?[]> RunAsync(List<TCall> calls)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            return await RunBatchAsync(scope.ServiceProvider, calls, _stopping.Token);
        }
        catch (ConcurrencyConflictException)
        {
            metrics.Conflict(ConflictName);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !_stopping.IsCancellationRequested)
        {
            LogBatchFailed(logger, calls.Count, ConflictName, ex);
        }

        return new TAnswer?[calls.Count];
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _queue.Writer.TryComplete();
        GC.SuppressFinalize(this);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} calls ({Batch}) failed; each runs on its own.")]
    private static partial void LogBatchFailed(ILogger logger, int count, string batch, Exception exception);
}
