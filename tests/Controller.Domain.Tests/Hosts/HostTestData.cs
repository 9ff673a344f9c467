using Controller.Domain.Common;
using Controller.Domain.Hosts;

namespace Controller.Domain.Tests.Hosts;

internal static class HostTestData
{
    public static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static HostRegistration Registration(string machineId = "machine-1", int gpus = 0) =>
        new(machineId, "worker-1", ["10.0.0.1"], "1.0.0", new Dictionary<string, string> { ["zone"] = "a" },
            new Resources(8000, 16384, gpus, 100_000), []);

    public static Host NewHost() => Host.Register(Guid.CreateVersion7(), Registration(), T0);

    /// <summary>A host brought into <paramref name="state"/> through legal transitions only.</summary>
    public static Host InState(HostState state)
    {
        var host = NewHost();
        var t = T0.AddMinutes(1);
        switch (state)
        {
            case HostState.Active:
                break;
            case HostState.Draining:
                host.Drain(t, null, Host.DefaultDrainDeadline);
                break;
            case HostState.Drained:
                host.Drain(t, null, Host.DefaultDrainDeadline);
                host.CompleteDrain(t);
                break;
            case HostState.Terminating:
                host.Terminate(t);
                break;
            case HostState.Terminated:
                host.Terminate(t);
                host.CompleteTermination(t);
                break;
            case HostState.Lost:
                host.MarkLost(t);
                break;
        }

        Assert.That(host.State, Is.EqualTo(state));
        return host;
    }
}
