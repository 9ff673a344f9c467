using Controller.Domain.Common;
using Controller.Domain.Hosts;
using static Controller.Domain.Tests.Hosts.HostTestData;

namespace Controller.Domain.Tests.Hosts;

public sealed class HostTests
{
    private static readonly DateTimeOffset Later = T0.AddMinutes(5);

    [Test]
    public void Register_ValidRegistration_IsActiveAndSeenNow()
    {
        var host = NewHost();

        Assert.Multiple(() =>
        {
            Assert.That(host.State, Is.EqualTo(HostState.Active));
            Assert.That(host.LastSeenAt, Is.EqualTo(T0));
            Assert.That(host.AcceptsLaunches, Is.True);
            Assert.That(host.Labels["zone"], Is.EqualTo("a"));
        });
    }

    [Test]
    public void Register_GpuCountWithoutList_NumbersGpusFromZero()
    {
        var host = Host.Register(Guid.CreateVersion7(), Registration(gpus: 2), T0);

        Assert.That(host.Gpus.Select(g => g.Index), Is.EqualTo(new[] { 0, 1 }));
    }

    [Test]
    public void Register_GpuListDisagreesWithCount_Throws()
    {
        var registration = Registration(gpus: 2) with { Gpus = [new GpuDevice(0, "A10", 1)] };

        var ex = Assert.Throws<DomainException>(() => Host.Register(Guid.CreateVersion7(), registration, T0));
        Assert.That(ex!.ErrorId, Is.EqualTo("invalid_value"));
    }

    [Test]
    public void Register_NegativeCapacity_Throws()
    {
        var registration = Registration() with { Capacity = new Resources(-1, 1, 0, 0) };

        Assert.Throws<DomainException>(() => Host.Register(Guid.CreateVersion7(), registration, T0));
    }

    [TestCase(HostState.Active, HostState.Draining)]
    [TestCase(HostState.Draining, HostState.Draining)]
    [TestCase(HostState.Drained, HostState.Drained)]
    public void Drain_FromLegalState_Moves(HostState from, HostState to)
    {
        var host = InState(from);

        host.Drain(Later, TimeSpan.FromSeconds(30), Host.DefaultDrainDeadline);

        Assert.That(host.State, Is.EqualTo(to));
    }

    [TestCase(HostState.Terminating)]
    [TestCase(HostState.Terminated)]
    [TestCase(HostState.Lost)]
    public void Drain_FromIllegalState_ThrowsHostStateConflict(HostState from)
    {
        var host = InState(from);

        var ex = Assert.Throws<DomainException>(() => host.Drain(Later, null, Host.DefaultDrainDeadline));
        Assert.That(ex!.ErrorId, Is.EqualTo("host_state_conflict"));
        Assert.That(host.State, Is.EqualTo(from));
    }

    [Test]
    public void Drain_WithDeadline_SetsDeadlineFromNow()
    {
        var host = NewHost();

        host.Drain(Later, TimeSpan.FromSeconds(90), Host.DefaultDrainDeadline);

        Assert.That(host.DrainDeadline, Is.EqualTo(Later.AddSeconds(90)));
        Assert.That(host.AcceptsLaunches, Is.False);
    }

    [TestCase(HostState.Draining)]
    public void CompleteDrain_FromDraining_IsDrained(HostState from)
    {
        var host = InState(from);

        host.CompleteDrain(Later);

        Assert.That(host.State, Is.EqualTo(HostState.Drained));
        Assert.That(host.DrainDeadline, Is.Null);
    }

    [TestCase(HostState.Active)]
    [TestCase(HostState.Drained)]
    [TestCase(HostState.Terminating)]
    [TestCase(HostState.Terminated)]
    [TestCase(HostState.Lost)]
    public void CompleteDrain_FromOtherState_Throws(HostState from)
    {
        var host = InState(from);

        Assert.Throws<DomainException>(() => host.CompleteDrain(Later));
    }

    [TestCase(HostState.Draining)]
    [TestCase(HostState.Drained)]
    [TestCase(HostState.Active)]
    public void Undrain_FromLegalState_IsActive(HostState from)
    {
        var host = InState(from);

        host.Undrain(Later);

        Assert.That(host.State, Is.EqualTo(HostState.Active));
    }

    [TestCase(HostState.Terminating)]
    [TestCase(HostState.Terminated)]
    [TestCase(HostState.Lost)]
    public void Undrain_FromIllegalState_Throws(HostState from)
    {
        var host = InState(from);

        Assert.Throws<DomainException>(() => host.Undrain(Later));
    }

    [TestCase(HostState.Active)]
    [TestCase(HostState.Draining)]
    [TestCase(HostState.Drained)]
    [TestCase(HostState.Lost)]
    [TestCase(HostState.Terminating)]
    public void Terminate_FromLiveState_IsTerminating(HostState from)
    {
        var host = InState(from);

        host.Terminate(Later);

        Assert.That(host.State, Is.EqualTo(HostState.Terminating));
    }

    [Test]
    public void Terminate_Terminated_Throws()
    {
        var host = InState(HostState.Terminated);

        Assert.Throws<DomainException>(() => host.Terminate(Later));
    }

    [Test]
    public void CompleteTermination_Terminating_IsTerminatedAndNotLive()
    {
        var host = InState(HostState.Terminating);

        host.CompleteTermination(Later);

        Assert.That(host.State, Is.EqualTo(HostState.Terminated));
        Assert.That(host.IsLive, Is.False);
    }

    [TestCase(HostState.Active)]
    [TestCase(HostState.Draining)]
    [TestCase(HostState.Drained)]
    [TestCase(HostState.Terminated)]
    [TestCase(HostState.Lost)]
    public void CompleteTermination_NotTerminating_Throws(HostState from)
    {
        var host = InState(from);

        Assert.Throws<DomainException>(() => host.CompleteTermination(Later));
    }

    [TestCase(HostState.Active)]
    [TestCase(HostState.Draining)]
    [TestCase(HostState.Drained)]
    public void MarkLost_FromLiveState_IsLost(HostState from)
    {
        var host = InState(from);

        host.MarkLost(Later);

        Assert.That(host.State, Is.EqualTo(HostState.Lost));
    }

    [TestCase(HostState.Lost)]
    [TestCase(HostState.Terminating)]
    [TestCase(HostState.Terminated)]
    public void MarkLost_FromOtherState_Throws(HostState from)
    {
        var host = InState(from);

        Assert.Throws<DomainException>(() => host.MarkLost(Later));
    }

    [Test]
    public void RecordStatus_LostHost_ReturnsToActiveAndSaysSo()
    {
        var host = InState(HostState.Lost);

        var cameBack = host.RecordStatus(new Resources(1, 1, 0, 0), Later);

        Assert.Multiple(() =>
        {
            Assert.That(cameBack, Is.True);
            Assert.That(host.State, Is.EqualTo(HostState.Active));
            Assert.That(host.LastSeenAt, Is.EqualTo(Later));
            Assert.That(host.LastStatusAt, Is.EqualTo(Later));
        });
    }

    [Test]
    public void RecordStatus_ActiveHost_RecordsWithoutStateChange()
    {
        var host = NewHost();

        var cameBack = host.RecordStatus(new Resources(1, 2, 0, 3), Later);

        Assert.That(cameBack, Is.False);
        Assert.That(host.Available, Is.EqualTo(new Resources(1, 2, 0, 3)));
        Assert.That(host.LastStatusAt, Is.EqualTo(Later));
    }

    [Test]
    public void RecordStatus_TerminatedHost_Throws()
    {
        var host = InState(HostState.Terminated);

        Assert.Throws<DomainException>(() => host.RecordStatus(Resources.Zero, Later));
    }

    [Test]
    public void ReRegister_SameMachine_RefreshesAndComesBackFromLost()
    {
        var host = InState(HostState.Lost);

        host.ReRegister(Registration() with { Hostname = "renamed" }, Later);

        Assert.That(host.Hostname, Is.EqualTo("renamed"));
        Assert.That(host.State, Is.EqualTo(HostState.Active));
    }

    [Test]
    public void ReRegister_OtherMachine_Throws()
    {
        var host = NewHost();

        var ex = Assert.Throws<DomainException>(() => host.ReRegister(Registration("another"), Later));
        Assert.That(ex!.ErrorId, Is.EqualTo("machine_id_mismatch"));
    }

    [Test]
    public void Drain_WithoutADeadline_EndsAtTheDefault_AndDrainingAgainWithoutOneKeepsIt()
    {
        var host = InState(HostState.Active);
        host.Drain(Later, null, TimeSpan.FromMinutes(30));
        host.Drain(Later.AddMinutes(10), null, TimeSpan.FromMinutes(30));

        Assert.That(host.DrainDeadline, Is.EqualTo(Later.AddMinutes(30)));
    }
}
