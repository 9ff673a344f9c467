namespace Controller.Application.Common.Interfaces;

/// <summary>
/// Tells every replica, this one included, that tasks were stored for these engines (after the commit), so that the
/// getwork calls held for them ask again at once: in process on one replica, through the database's notifications
/// where it has them (PostgreSQL); elsewhere the other replicas find the tasks at their held calls' next re-ask.
/// </summary>
public interface IWorkSignal
{
    Task TasksStoredAsync(IReadOnlyDictionary<Guid, int> tasksByEngine, CancellationToken cancellationToken);
}
