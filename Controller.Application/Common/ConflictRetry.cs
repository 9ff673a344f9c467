using Controller.Application.Common.Exceptions;
using Controller.Application.Common.Interfaces;

namespace Controller.Application.Common;

/// <summary>
/// The one retry policy for a round that lost a race on a shared row (it saves its rows under their versions): it runs
/// again from fresh reads, at most <see cref="Attempts"/> times in all, after a short random pause; the last loss reaches
/// the caller (409 <c>concurrent_update</c>).
/// </summary>
public static class ConflictRetry
{
    /// <summary>
    /// Tries in all. A race is lost only to another writer of the same row within the same few milliseconds, so eight
    /// losses in a row mean a row everyone writes at once, where a 409 the client retries later is the honest answer.
    /// </summary>
    public const int Attempts = 8;

    /// <summary>
    /// A short real pause (not the injected clock: a test's fake clock would never let it end), growing with the attempt,
    /// so that the losers of one race do not meet again at once.
    /// </summary>
    public static Task PauseAsync(int attempt, CancellationToken cancellationToken) =>
        Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 * attempt)), cancellationToken);

    public static async Task<T> RunAsync<T>(IUnitOfWork unitOfWork, Func<Task<T>> round, Action? onConflict = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await round();
            }
            catch (ConcurrencyConflictException) when (attempt < Attempts)
            {
                onConflict?.Invoke();
                unitOfWork.Reset();
                await PauseAsync(attempt, CancellationToken.None);
            }
        }
    }
}
