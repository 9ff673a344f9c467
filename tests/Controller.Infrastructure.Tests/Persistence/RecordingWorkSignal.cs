using Controller.Application.Common.Interfaces;

namespace Controller.Infrastructure.Tests.Persistence;

/// <summary>The held getwork calls' signal, recording the wake-ups it is sent.</summary>
internal sealed class RecordingWorkSignal : IWorkSignal
{
    public List<WorkWakeups> Sent { get; } = [];

    public TimeSpan? ReaskInterval => null;

    public Task SendAsync(WorkWakeups wakeups, CancellationToken cancellationToken)
    {
        Sent.Add(wakeups);
        return Task.CompletedTask;
    }
}
