using Controller.Application.Common.Interfaces;
using Controller.Infrastructure.Persistence;

namespace Controller.Infrastructure.Tests.Persistence;

/// <summary>The work notification's payload: read back by the other replicas, ignored by its sender and when garbled.</summary>
public sealed class WorkSignalsTests
{
    [Test]
    public void APayload_IsReadBackByAnotherReplica_NotByItsSender()
    {
        var (sender, other) = (Guid.NewGuid(), Guid.NewGuid());
        var (e1, e2, h) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var payload = PostgresWorkSignal.Format(sender, new WorkWakeups(new Dictionary<Guid, int> { [e1] = 3, [e2] = 500 }, [e2], [h]));

        var read = PostgresWorkSignal.Parse(payload, other)!;
        Assert.That(read.TasksQueued, Is.EqualTo(new Dictionary<Guid, int> { [e1] = 3, [e2] = 500 }));
        Assert.That((read.Engines, read.Hosts), Is.EqualTo((new[] { e2 }, new[] { h })));
        Assert.That(PostgresWorkSignal.Parse(payload, sender)!.IsEmpty, Is.True);
    }

    [Test]
    public void APayloadTooLongForPostgres_BecomesEveryoneAsksAgain()
    {
        var (sender, other) = (Guid.NewGuid(), Guid.NewGuid());
        var engines = Enumerable.Range(0, 300).Select(_ => Guid.NewGuid()).ToList();
        var payload = PostgresWorkSignal.Format(sender, new WorkWakeups(new Dictionary<Guid, int>(), engines, []));

        Assert.That(payload.Length, Is.LessThan(8000), "within PostgreSQL's payload limit");
        Assert.That(PostgresWorkSignal.Parse(payload, other), Is.Null, "everyone asks again");
    }

    [Test]
    public void AGarbledPayload_WakesNobody()
    {
        Assert.That(PostgresWorkSignal.Parse("not a payload", Guid.NewGuid())!.IsEmpty, Is.True);
        Assert.That(PostgresWorkSignal.Parse(Guid.NewGuid().ToString("N") + " x:1 t:" + Guid.NewGuid().ToString("N") + ":y", Guid.NewGuid())!.IsEmpty, Is.True);
    }
}
