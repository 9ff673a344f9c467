using Controller.Application.Common.Interfaces;
using Controller.Domain.EngineInstances;
using Controller.Domain.Engines;
using Controller.Domain.Hosts;
using Controller.Domain.Work;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Controller.Infrastructure.Persistence;

/// <summary>
/// What the context saved that the placement view cares about: taken from the change tracker just before a save
/// (<see cref="Collect"/>), kept once the save succeeded (<see cref="Keep"/>), handed to the after-commit hook by the
/// unit of work once its transaction committed (<see cref="Take"/>); also the tasks it queued, for held getwork calls. An instance's heartbeat or lease is not a change
/// here; a change of its state is (its host's steady answer no longer holds).
/// </summary>
internal sealed class SavedChanges
{
    private readonly List<Host> _hosts = [];
    private readonly List<Engine> _engines = [];
    private readonly HashSet<Guid> _instanceHosts = [];
    private readonly HashSet<Guid> _enginesLeaving = [];
    private readonly List<Guid> _tasksQueued = [];
    private (List<Host> Hosts, List<Engine> Engines, List<Guid> InstanceHosts, List<Guid> EnginesLeaving, List<Guid> TasksQueued)? _collected;

    public void Collect(ChangeTracker tracker)
    {
        var hosts = tracker.Entries<Host>().Where(e => e.State is EntityState.Added or EntityState.Modified).Select(e => e.Entity).ToList();
        var engines = tracker.Entries<Engine>().Where(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted).Select(e => e.Entity).ToList();
        var instanceHosts = tracker.Entries<EngineInstance>()
            .Where(e => e.State == EntityState.Added || (e.State == EntityState.Modified && e.Property(i => i.State).IsModified))
            .Select(e => e.Entity.HostId)
            .ToList();
        var enginesLeaving = tracker.Entries<EngineInstance>()
            .Where(e => e.State == EntityState.Modified && e.Property(i => i.State).IsModified && !e.Entity.IsUp)
            .Select(e => e.Entity.EngineId)
            .ToList();
        var tasksQueued = tracker.Entries<WorkTask>()
            .Where(e => e.Entity.State == WorkTaskState.Queued && (e.State == EntityState.Added || (e.State == EntityState.Modified && e.Property(t => t.State).IsModified)))
            .Select(e => e.Entity.EngineId)
            .ToList();
        _collected = (hosts, engines, instanceHosts, enginesLeaving, tasksQueued);
    }

    /// <summary>The save that followed <see cref="Collect"/> succeeded.</summary>
    public void Keep()
    {
        if (_collected is not { } collected)
        {
            return;
        }

        _hosts.AddRange(collected.Hosts);
        _engines.AddRange(collected.Engines);
        _instanceHosts.UnionWith(collected.InstanceHosts);
        _enginesLeaving.UnionWith(collected.EnginesLeaving);
        _tasksQueued.AddRange(collected.TasksQueued);
        _collected = null;
    }

    /// <summary>What was saved since the last call (empty when nothing was); forgets it.</summary>
    public CommittedChanges Take()
    {
        var changes = new CommittedChanges([.. _hosts.Distinct()], [.. _engines.Distinct()], [.. _instanceHosts]) 
        {
            EnginesWithCopiesLeaving = [.. _enginesLeaving],
            TasksQueued = _tasksQueued.CountBy(id => id).ToDictionary(),
        };
        Clear();
        return changes;
    }

    /// <summary>Nothing saved is to be announced (the transaction rolled back, or the unit of work was reset).</summary>
    public void Clear()
    {
        _hosts.Clear();
        _engines.Clear();
        _instanceHosts.Clear();
        _enginesLeaving.Clear();
        _tasksQueued.Clear();
        _collected = null;
    }
}
