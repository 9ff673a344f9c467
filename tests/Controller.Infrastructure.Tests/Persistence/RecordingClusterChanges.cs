using Controller.Application.Common.Interfaces;

namespace Controller.Infrastructure.Tests.Persistence;

/// <summary>The after-commit hook, recording what it is told.</summary>
internal sealed class RecordingClusterChanges : IClusterChanges
{
    public List<CommittedChanges> Commits { get; } = [];

    public void Committed(CommittedChanges changes) => Commits.Add(changes);
}
