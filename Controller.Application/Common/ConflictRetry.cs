using Controller.Application.Common.Exceptions;
using Controller.Application.Common.Interfaces;

namespace Controller.Application.Common;

/// <summary>
/// Runs a round that saves its rows under their versions: a round that lost a race with another writer is run again
/// from fresh reads, at most <c>attempts</c> times in all; the last loss reaches the caller (409 <c>concurrent_update</c>).
/// </summary>
internal static class ConflictRetry
{
    public static async Task<T> RunAsync<T>(IUnitOfWork unitOfWork, int attempts, Func<Task<T>> round, Action? onConflict = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await round();
            }
            catch (ConcurrencyConflictException) when (attempt < attempts)
            {
                onConflict?.Invoke();
                unitOfWork.Reset();
            }
        }
    }
}
