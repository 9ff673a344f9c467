using Controller.Application.Common.Models;
using Controller.Domain.Common;
using Controller.Domain.Engines;

namespace Controller.Application.Tests.Common.Models;

public sealed class ClusterSnapshotTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Dictionary<string, string> NoLabels = new();
    private static readonly Dictionary<string, string> Gpu = new() { ["gpu"] = "a100" };

    [Test]
    public void RoomIsCountedFromTheActiveHosts_AndFollowsTheirUpdates()
    {
        var small = NewEngine(Guid.CreateVersion7(), cpu: 1000);
        var big = NewEngine(Guid.CreateVersion7(), cpu: 3000);
        var onGpu = NewEngine(Guid.CreateVersion7(), cpu: 1000, labels: Gpu);
        var a = Host(free: 2000);
        var b = Host(free: 4000, labels: Gpu);
        var snapshot = new ClusterSnapshot([small, big, onGpu], [a, b], Now);

        Assert.Multiple(() =>
        {
            Assert.That(snapshot.HostsWithRoom(small.Id), Is.EqualTo(2));
            Assert.That(snapshot.HostsWithRoom(big.Id), Is.EqualTo(1));
            Assert.That(snapshot.HostsWithRoom(onGpu.Id), Is.EqualTo(1));
            Assert.That(snapshot.IsActiveHost(a.HostId), Is.True);
        });

        snapshot.UpdateHost(b.HostId, active: true, Gpu, new Resources(500, 4096, 0, 10_000));
        snapshot.UpdateHost(a.HostId, active: false, NoLabels, new Resources(2000, 4096, 0, 10_000));

        Assert.Multiple(() =>
        {
            Assert.That(snapshot.HostsWithRoom(small.Id), Is.Zero);
            Assert.That(snapshot.HostsWithRoom(big.Id), Is.Zero);
            Assert.That(snapshot.HostsWithRoom(onGpu.Id), Is.Zero);
            Assert.That(snapshot.IsActiveHost(a.HostId), Is.False);
        });
    }

    [Test]
    public void WithEngines_KeepsRoomForCountChanges_CountsChangedNewAndGoneEngines()
    {
        var kept = NewEngine(Guid.CreateVersion7(), cpu: 1000);
        var resized = NewEngine(Guid.CreateVersion7(), cpu: 1000);
        var relabelled = NewEngine(Guid.CreateVersion7(), cpu: 1000);
        var gone = NewEngine(Guid.CreateVersion7(), cpu: 1000);
        var snapshot = new ClusterSnapshot([kept, resized, relabelled, gone], [Host(free: 2000), Host(free: 4000, labels: Gpu), Host(free: 500)], Now);

        // As a round saves them: the same engines read again, one with a copy more, one grown, one moved to GPU hosts.
        var keptSaved = NewEngine(kept.Id, cpu: 1000);
        keptSaved.ReserveInstance();
        var added = NewEngine(Guid.CreateVersion7(), cpu: 3000);
        var next = snapshot.WithEngines([keptSaved, NewEngine(resized.Id, cpu: 3000), NewEngine(relabelled.Id, cpu: 1000, labels: Gpu), added]);

        Assert.Multiple(() =>
        {
            Assert.That(next.Engines, Has.Count.EqualTo(4));
            Assert.That(next.Engines[0].ActiveInstances, Is.EqualTo(1));
            Assert.That(next.HostsWithRoom(kept.Id), Is.EqualTo(2));
            Assert.That(next.HostsWithRoom(resized.Id), Is.EqualTo(1));
            Assert.That(next.HostsWithRoom(relabelled.Id), Is.EqualTo(1));
            Assert.That(next.HostsWithRoom(added.Id), Is.EqualTo(1));
            Assert.That(next.HostsWithRoom(gone.Id), Is.Zero);
            Assert.That(next.TakenAt, Is.EqualTo(snapshot.TakenAt));
        });
    }

    [Test]
    public void AHostUpdatedAfterWithEngines_IsCountedAgainstTheNewEngines()
    {
        var engine = NewEngine(Guid.CreateVersion7(), cpu: 1000);
        var host = Host(free: 2000);
        var snapshot = new ClusterSnapshot([engine], [host], Now);
        var grown = NewEngine(engine.Id, cpu: 3000);
        var next = snapshot.WithEngines([grown]);
        Assert.That(next.HostsWithRoom(engine.Id), Is.Zero);

        // A round that read the older snapshot reports the host's new allocation through it.
        snapshot.UpdateHost(host.HostId, active: true, NoLabels, new Resources(3500, 4096, 0, 10_000));
        Assert.That(next.HostsWithRoom(engine.Id), Is.EqualTo(1));

        snapshot.UpdateHost(host.HostId, active: true, NoLabels, new Resources(2000, 4096, 0, 10_000));
        Assert.That(next.HostsWithRoom(engine.Id), Is.Zero);
    }

    private static Engine NewEngine(Guid id, int cpu, Dictionary<string, string>? labels = null) =>
        Engine.Create(id, new EngineSpec("e" + id.ToString("N")[..8], "i", new Resources(cpu, 256, 0, 0), 0, 0, 10, 1, labels ?? NoLabels), Now);

    private static ActiveHostView Host(int free, Dictionary<string, string>? labels = null) =>
        new(Guid.CreateVersion7(), labels ?? NoLabels, new Resources(free, 4096, 0, 10_000), new Resources(0, 0, 0, 0));
}
