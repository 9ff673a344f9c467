using Controller.Domain.Scheduling;

namespace Controller.Domain.Tests.Scheduling;

public sealed class HostAvoidanceTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan HealthyAfter = TimeSpan.FromSeconds(60);
    private static readonly Guid Engine = Guid.NewGuid();
    private static readonly Guid Other = Guid.NewGuid();
    private static readonly Guid HostA = Guid.NewGuid();
    private static readonly Guid HostB = Guid.NewGuid();

    private static FailedCopy CrashedAtStart(Guid engine, Guid host) => new(engine, host, null, T0);

    private static FailedCopy RanFor(Guid engine, Guid host, int seconds) => new(engine, host, T0, T0.AddSeconds(seconds));

    [Test]
    public void AnEngineThatCrashedOftenEnoughOnTheHost_IsAvoidedThere_OnlyThere()
    {
        FailedCopy[] failures = [CrashedAtStart(Engine, HostA), RanFor(Engine, HostA, 5), CrashedAtStart(Engine, HostA), CrashedAtStart(Other, HostA), CrashedAtStart(Engine, HostB)];

        Assert.That(HostAvoidance.AvoidedOn(HostA, failures, 3, HealthyAfter), Is.EqualTo(new[] { Engine }));
        Assert.That(HostAvoidance.AvoidedOn(HostB, failures, 3, HealthyAfter), Is.Empty);
    }

    [Test]
    public void CopiesThatHadRunHealthy_DoNotCount_BadLuckIsNotACrashLoop()
    {
        FailedCopy[] failures = [RanFor(Engine, HostA, 60), RanFor(Engine, HostA, 600), CrashedAtStart(Engine, HostA), RanFor(Engine, HostA, 59)];

        Assert.That(HostAvoidance.AvoidedOn(HostA, failures, 3, HealthyAfter), Is.Empty, "two crash-loop failures, two after running healthy");
        Assert.That(HostAvoidance.AvoidedOn(HostA, failures, 2, HealthyAfter), Is.EqualTo(new[] { Engine }));
    }

    [Test]
    public void HostsAvoiding_CountsPerEngineTheHostsPastTheThreshold()
    {
        FailedCopy[] failures = [CrashedAtStart(Engine, HostA), CrashedAtStart(Engine, HostA), CrashedAtStart(Engine, HostB), CrashedAtStart(Engine, HostB), CrashedAtStart(Other, HostB)];

        Assert.That(HostAvoidance.HostsAvoiding(failures, 2, HealthyAfter), Is.EqualTo(new Dictionary<Guid, int> { [Engine] = 2 }));
        Assert.That(HostAvoidance.HostsAvoiding(failures, 1, HealthyAfter), Is.EqualTo(new Dictionary<Guid, int> { [Engine] = 2, [Other] = 1 }));
    }
}
