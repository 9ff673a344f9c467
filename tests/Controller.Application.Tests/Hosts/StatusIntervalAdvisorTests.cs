using Controller.Application.Common.Options;
using Controller.Application.Hosts;
using Microsoft.Extensions.Options;

namespace Controller.Application.Tests.Hosts;

public sealed class StatusIntervalAdvisorTests
{
    private static StatusIntervalAdvisor Advisor(int interval = 5, int target = 100, int lostAfter = 30) =>
        new(Options.Create(new SchedulingOptions { StatusIntervalSeconds = interval, TargetStatusCallsPerSecond = target, HostLostAfterSeconds = lostAfter }));

    [Test]
    public void NextInterval_SmallFleet_BaseIntervalWithAtMostOneFifthJitter()
    {
        var advisor = Advisor();
        advisor.UpdateLiveHosts(10);

        var intervals = Enumerable.Range(0, 200).Select(_ => advisor.NextInterval()).ToList();

        Assert.That(intervals, Is.All.InRange(5, 6));
    }

    [Test]
    public void HostLostAfter_IntervalGrowsWithTheFleet_LostHostDetectionGrowsWithIt()
    {
        var advisor = Advisor(target: 100);
        advisor.UpdateLiveHosts(2_000);

        Assert.That(advisor.BaseInterval, Is.EqualTo(20));
        Assert.That(advisor.HostLostAfter, Is.EqualTo(TimeSpan.FromSeconds(3 * 24)), "three of the longest intervals an agent can be told");
        Assert.That(Enumerable.Range(0, 200).Select(_ => advisor.NextInterval()), Is.All.InRange(20, 24));
    }

    [Test]
    public void HostLostAfter_SmallFleet_IsTheConfiguredValue()
    {
        var advisor = Advisor(lostAfter: 30);
        advisor.UpdateLiveHosts(3);

        Assert.That(advisor.HostLostAfter, Is.EqualTo(TimeSpan.FromSeconds(30)));
    }
}
