namespace Controller.Infrastructure.Persistence;

/// <summary>
/// Serialises writes inside this process where the database has a single writer (SQLite), so that
/// requests queue in memory instead of fighting for the file lock; a no-op for server databases.
/// </summary>
public interface IDatabaseWriteGate
{
    ValueTask<IDisposable> EnterAsync(CancellationToken cancellationToken);
}

internal sealed class SingleWriterGate : IDatabaseWriteGate, IDisposable
{
    private readonly SemaphoreSlim _semaphore = new(1, 1);

    public async ValueTask<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        await _semaphore.WaitAsync(cancellationToken);
        return new Releaser(_semaphore);
    }

    public void Dispose() => _semaphore.Dispose();

    private sealed class Releaser(SemaphoreSlim semaphore) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                semaphore.Release();
            }
        }
    }
}

internal sealed class NoWriteGate : IDatabaseWriteGate
{
    private sealed class Nothing : IDisposable
    {
        public static readonly Nothing Instance = new();

        public void Dispose()
        {
        }
    }

    public ValueTask<IDisposable> EnterAsync(CancellationToken cancellationToken) => ValueTask.FromResult<IDisposable>(Nothing.Instance);
}
