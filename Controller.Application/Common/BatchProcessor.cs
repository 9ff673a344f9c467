using System.Threading.Channels;
using Controller.Application.Common.Exceptions;
using Controller.Application.Common.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Controller.Application.Common;

/// <summary>
/// The one way a hot call that writes is run (group commit): calls queue here, and a few loops take whatever has queued
/// (up to <see cref="MaxBatch"/>) and run it as one batch, in a scope of its own and one transaction. Nothing waits for
/// a batch to fill: under light load a batch is one call, under heavy load the calls that arrived during the previous
/// batch. The processor owns what surrounds a batch, so that its callers and its batches do not:
/// <list type="bullet">
/// <item>a batch that lost a race is run again from fresh reads (<see cref="ConflictRetry"/>); one that keeps losing, or
/// fails, runs its calls one by one, so that each call's error reaches its own caller and no other;</item>
/// <item>a call the batch left out (a <c>default</c> <see cref="BatchOutcome{TAnswer}"/>) runs in the next batch;</item>
/// <item>each caller gets its answer, or its error, once its batch has committed.</item>
/// </list>
/// </summary>
public abstract partial class BatchProcessor<TCall, TAnswer>(IServiceScopeFactory scopes, ControllerMetrics metrics, ILogger logger) : IDisposable
    where TAnswer : class
{
    /// <summary>At most this many calls per batch (their ids go into one IN list).</summary>
    public const int MaxBatch = 64;

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = false });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _start = new();
    private Task[]? _loops;

    /// <summary>How many batches may run at once on this replica.</summary>
    protected abstract int Loops { get; }

    /// <summary>The name under which a batch that lost a race is counted (<c>controller.db.conflicts</c>).</summary>
    protected abstract string Name { get; }

    /// <summary>One outcome per call, in order, after the batch's transaction committed. Throws when the batch as a whole failed.</summary>
    protected abstract Task<BatchOutcome<TAnswer>[]> RunBatchAsync(IServiceProvider scope, IReadOnlyList<TCall> calls, CancellationToken cancellationToken);

    /// <summary>A call whose every attempt lost a race: what is still true of it (its host was heard from) is kept here.</summary>
    protected virtual void GaveUp(TCall request)
    {
    }

    /// <summary>How many calls wait for a batch now.</summary>
    public int Queued => _queue.Reader.Count;

    /// <summary>The call's answer once its batch committed; its own error (the contract's) when it was refused.</summary>
    public virtual async Task<TAnswer> RunAsync(TCall request, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_stopping.IsCancellationRequested, this);
        EnsureStarted();
        var pending = new Pending(request, new TaskCompletionSource<TAnswer>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
        {
            ObjectDisposedException.ThrowIf(true, this);
        }

        // A caller that goes away stops waiting; its call still runs with its batch (it may already be in one).
        return await pending.Answer.Task.WaitAsync(cancellationToken);
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
        var batch = new List<Pending>(MaxBatch);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(_stopping.Token))
            {
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var call))
                {
                    batch.Add(call);
                }

                await ProcessAsync(batch);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        finally
        {
            // The replica stops: no call is left waiting for a loop that has ended.
            _queue.Writer.TryComplete();
            var stopped = new OperationCanceledException("The controller is stopping.");
            batch.ForEach(c => c.Answer.TrySetException(stopped));
            while (_queue.Reader.TryRead(out var call))
            {
                call.Answer.TrySetException(stopped);
            }
        }
    }

    private async Task ProcessAsync(List<Pending> batch)
    {
        while (batch.Count > 0)
        {
            if (await RunWithRetriesAsync(batch) is not { } outcomes)
            {
                // Failed as a whole: each call on its own, so that an error reaches only the caller it belongs to.
                foreach (var call in batch)
                {
                    await ProcessAsync([call]);
                }

                return;
            }

            var again = new List<Pending>();
            for (var i = 0; i < batch.Count; i++)
            {
                var (answer, error) = outcomes[i];
                if (error is not null)
                {
                    batch[i].Answer.TrySetException(error);
                }
                else if (answer is not null)
                {
                    batch[i].Answer.TrySetResult(answer);
                }
                else
                {
                    again.Add(batch[i]);
                }
            }

            batch = again;
        }
    }

    /// <summary>The batch's outcomes; null when a batch of several failed or kept losing races (its calls then run one by one).</summary>
    private async Task<BatchOutcome<TAnswer>[]?> RunWithRetriesAsync(List<Pending> batch)
    {
        var calls = batch.ConvertAll(c => c.Call);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                return await RunBatchAsync(scope.ServiceProvider, calls, _stopping.Token);
            }
            catch (ConcurrencyConflictException ex)
            {
                metrics.Conflict(Name);
                if (attempt < ConflictRetry.Attempts)
                {
                    await ConflictRetry.PauseAsync(attempt, _stopping.Token);
                    continue;
                }

                if (batch.Count > 1)
                {
                    return null;
                }

                GaveUp(calls[0]);
                return [BatchOutcome.Refused<TAnswer>(ex)];
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !_stopping.IsCancellationRequested)
            {
                if (batch.Count > 1)
                {
                    if (ex is not ApplicationProblemException)
                    {
                        LogBatchFailed(logger, batch.Count, Name, ex);
                    }

                    return null;
                }

                return [BatchOutcome.Refused<TAnswer>(ex)];
            }
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _queue.Writer.TryComplete();
        GC.SuppressFinalize(this);
    }

    private sealed record Pending(TCall Call, TaskCompletionSource<TAnswer> Answer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} calls ({Batch}) failed; each runs on its own.")]
    private static partial void LogBatchFailed(ILogger logger, int count, string batch, Exception exception);
}
