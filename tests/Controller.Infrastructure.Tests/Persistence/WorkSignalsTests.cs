using Controller.Infrastructure.Persistence;

namespace Controller.Infrastructure.Tests.Persistence;

/// <summary>The work notification's payload: read back by the other replicas, ignored by its sender and when garbled.</summary>
public sealed class WorkSignalsTests
{
    [Test]
    public void APayload_IsReadBackByAnotherReplica_NotByItsSender()
    {
        var (sender, other) = (Guid.NewGuid(), Guid.NewGuid());
        var (e1, e2) = (Guid.NewGuid(), Guid.NewGuid());
        var payload = PostgresWorkSignal.Format(sender, new Dictionary<Guid, int> { [e1] = 3, [e2] = 500 });

        Assert.That(PostgresWorkSignal.Parse(payload, other), Is.EqualTo(new[] { (e1, 3), (e2, 500) }));
        Assert.That(PostgresWorkSignal.Parse(payload, sender), Is.Empty);
        Assert.That(payload.Length, Is.LessThan(8000), "within PostgreSQL's payload limit");
    }

    [Test]
    public void AGarbledPayload_WakesNobody()
    {
        Assert.That(PostgresWorkSignal.Parse("not a payload", Guid.NewGuid()), Is.Empty);
        Assert.That(PostgresWorkSignal.Parse(Guid.NewGuid().ToString("N") + " x:1 " + Guid.NewGuid().ToString("N") + ":y", Guid.NewGuid()), Is.Empty);
    }
}
