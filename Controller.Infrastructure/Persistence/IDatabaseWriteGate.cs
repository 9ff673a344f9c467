namespace Controller.Infrastructure.Persistence;

/// <summary>
/// Serialises writes inside this process where the database has a single writer (SQLite), so that
/// requests queue in memory instead of fighting for the file lock; a no-op for server databases.
/// </summary>
public interface IDatabaseWriteGate
{
    ValueTask<IDisposable> EnterAsync(CancellationToken cancellationToken);
}

internal sealed class SingleWriterGate : Application.Common.AsyncGate, IDatabaseWriteGate;

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
