using Controller.Domain.Common;
using Controller.Domain.Work;

namespace Controller.Domain.Tests.Work;

public sealed class WorkTaskTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Guid EngineId = Guid.NewGuid();
    private static readonly Guid InstanceA = Guid.NewGuid();
    private static readonly Guid InstanceB = Guid.NewGuid();

    private static WorkTask NewTask(int maxAttempts = 2, int timeout = 60) =>
        WorkTask.Submit(Guid.NewGuid(), new TaskSpec(EngineId, "{\"uri\":\"a\"}", 0, maxAttempts, timeout, null), T0);

    [TestCase(0, 60)]
    [TestCase(101, 60)]
    [TestCase(1, 0)]
    [TestCase(1, 86_401)]
    public void Submit_OutOfRangeAttemptsOrTimeout_Throws(int attempts, int timeout)
    {
        var ex = Assert.Throws<DomainException>(() => NewTask(attempts, timeout));
        Assert.That(ex!.ErrorId, Is.EqualTo("invalid_value"));
    }

    [Test]
    public void Lease_CountsAnAttemptAndSetsTheLeaseEnd()
    {
        var task = NewTask();
        task.Lease(InstanceA, T0);

        Assert.Multiple(() =>
        {
            Assert.That(task.State, Is.EqualTo(WorkTaskState.Leased));
            Assert.That(task.Attempts, Is.EqualTo(1));
            Assert.That(task.LeaseExpiresAt, Is.EqualTo(T0.AddSeconds(60)));
            Assert.That(task.IsHeldBy(InstanceA, T0.AddSeconds(59)), Is.True);
            Assert.That(task.IsHeldBy(InstanceA, T0.AddSeconds(60)), Is.False);
            Assert.That(task.IsHeldBy(InstanceB, T0), Is.False);
        });
    }

    [Test]
    public void Lease_WhenAlreadyLeased_Throws()
    {
        var task = NewTask();
        task.Lease(InstanceA, T0);
        Assert.Throws<DomainException>(() => task.Lease(InstanceB, T0));
    }

    [Test]
    public void ExtendLease_ByTheHolder_MovesTheEnd_ByAnother_DoesNothing()
    {
        var task = NewTask();
        task.Lease(InstanceA, T0);

        Assert.That(task.ExtendLease(InstanceB, T0.AddSeconds(30)), Is.False);
        Assert.That(task.ExtendLease(InstanceA, T0.AddSeconds(30)), Is.True);
        Assert.That(task.LeaseExpiresAt, Is.EqualTo(T0.AddSeconds(90)));
        Assert.That(task.ExtendLease(InstanceA, T0.AddSeconds(90)), Is.False, "an expired lease is not revived");
    }

    [Test]
    public void Release_ByTheHolder_RequeuesAtOnce_ByAnotherDoesNothing_TheLastAttemptFails()
    {
        var task = NewTask(maxAttempts: 2);
        task.Lease(InstanceA, T0);

        Assert.That(task.Release(InstanceB, T0), Is.False);
        Assert.That(task.State, Is.EqualTo(WorkTaskState.Leased));
        Assert.That(task.Release(InstanceA, T0.AddSeconds(1)), Is.True);
        Assert.That(task.State, Is.EqualTo(WorkTaskState.Queued));
        Assert.That(task.Error, Is.EqualTo(WorkTask.ErrorNotHeld));
        Assert.That(task.Release(InstanceA, T0.AddSeconds(1)), Is.False, "no longer its");

        task.Lease(InstanceB, T0.AddSeconds(2));
        Assert.That(task.Release(InstanceB, T0.AddSeconds(3)), Is.True);
        Assert.That(task.State, Is.EqualTo(WorkTaskState.Failed), "every attempt used");
    }

    [Test]
    public void Complete_Succeeded_KeepsTheResult_AndARepeatChangesNothing()
    {
        var task = NewTask();
        task.Lease(InstanceA, T0);

        Assert.That(task.Complete(InstanceA, TaskOutcome.Succeeded, "{\"words\":3}", null, T0.AddSeconds(5)), Is.True);
        Assert.That(task.State, Is.EqualTo(WorkTaskState.Succeeded));
        Assert.That(task.Result, Is.EqualTo("{\"words\":3}"));
        Assert.That(task.FinishedAt, Is.EqualTo(T0.AddSeconds(5)));

        Assert.That(task.RefusalOf(InstanceA, TaskOutcome.Succeeded, T0.AddSeconds(9)), Is.Null);
        Assert.That(task.Complete(InstanceA, TaskOutcome.Succeeded, "{\"words\":4}", null, T0.AddSeconds(9)), Is.False);
        Assert.That(task.Result, Is.EqualTo("{\"words\":3}"));
    }

    [Test]
    public void Complete_Failed_WithAttemptsLeft_Requeues_ThenDeadLetters()
    {
        var task = NewTask(maxAttempts: 2);
        task.Lease(InstanceA, T0);
        task.Complete(InstanceA, TaskOutcome.Failed, null, "decoder crashed", T0.AddSeconds(1));
        Assert.That(task.State, Is.EqualTo(WorkTaskState.Queued));
        Assert.That(task.Error, Is.EqualTo("decoder crashed"));

        task.Lease(InstanceB, T0.AddSeconds(2));
        task.Complete(InstanceB, TaskOutcome.Failed, null, "again", T0.AddSeconds(3));
        Assert.That(task.State, Is.EqualTo(WorkTaskState.Failed));
        Assert.That(task.Attempts, Is.EqualTo(2));
        Assert.That(task.Error, Is.EqualTo("again"));
    }

    [Test]
    public void Complete_AfterTheLeaseExpired_IsRefused_AndChangesNothing()
    {
        var task = NewTask();
        task.Lease(InstanceA, T0);

        Assert.That(task.RefusalOf(InstanceA, TaskOutcome.Succeeded, T0.AddSeconds(61)), Is.EqualTo("lease_expired"));
        var ex = Assert.Throws<DomainException>(() => task.Complete(InstanceA, TaskOutcome.Succeeded, null, null, T0.AddSeconds(61)));
        Assert.That(ex!.ErrorId, Is.EqualTo("lease_expired"));
        Assert.That(task.State, Is.EqualTo(WorkTaskState.Leased));
    }

    [Test]
    public void Complete_ByAnInstanceThatLostTheTaskToAnother_IsRefused()
    {
        var task = NewTask();
        task.Lease(InstanceA, T0);
        task.ExpireLease(T0.AddSeconds(60));
        task.Lease(InstanceB, T0.AddSeconds(61));

        Assert.That(task.RefusalOf(InstanceA, TaskOutcome.Succeeded, T0.AddSeconds(62)), Is.EqualTo("lease_not_held"));
        Assert.That(task.RefusalOf(InstanceB, TaskOutcome.Succeeded, T0.AddSeconds(62)), Is.Null);
    }

    [Test]
    public void ExpireLease_BeforeItsEnd_DoesNothing_AfterIt_RetriesThenFails()
    {
        var task = NewTask(maxAttempts: 2);
        task.Lease(InstanceA, T0);
        Assert.That(task.ExpireLease(T0.AddSeconds(59)), Is.False);
        Assert.That(task.ExpireLease(T0.AddSeconds(60)), Is.True);
        Assert.That(task.State, Is.EqualTo(WorkTaskState.Queued));

        task.Lease(InstanceA, T0.AddSeconds(61));
        task.ExpireLease(T0.AddSeconds(121));
        Assert.That(task.State, Is.EqualTo(WorkTaskState.Failed));
        Assert.That(task.Error, Is.EqualTo(WorkTask.ErrorLeaseExpired));
    }

    [Test]
    public void Abandon_EndsTheAttemptAtOnce()
    {
        var task = NewTask(maxAttempts: 3);
        task.Lease(InstanceA, T0);
        Assert.That(task.Abandon(T0.AddSeconds(1)), Is.True);
        Assert.That(task.State, Is.EqualTo(WorkTaskState.Queued));
        Assert.That(task.Error, Is.EqualTo(WorkTask.ErrorInstanceEnded));
        Assert.That(task.Abandon(T0.AddSeconds(2)), Is.False);
    }

    [Test]
    public void Cancel_Queued_IsImmediate_AndRepeatable()
    {
        var task = NewTask();
        Assert.That(task.Cancel(T0), Is.True);
        Assert.That(task.State, Is.EqualTo(WorkTaskState.Cancelled));
        Assert.That(task.Cancel(T0), Is.False);
        Assert.That(task.IsCancellationNoticeFor(InstanceA, T0), Is.False);
    }

    [Test]
    public void Cancel_Leased_TellsTheHolderUntilItsLeaseEnd_AndRefusesItsOutcome()
    {
        var task = NewTask();
        task.Lease(InstanceA, T0);
        task.Cancel(T0.AddSeconds(1));

        Assert.That(task.IsCancellationNoticeFor(InstanceA, T0.AddSeconds(59)), Is.True);
        Assert.That(task.IsCancellationNoticeFor(InstanceA, T0.AddSeconds(60)), Is.False);
        Assert.That(task.RefusalOf(InstanceA, TaskOutcome.Succeeded, T0.AddSeconds(2)), Is.EqualTo("task_cancelled"));
    }

    [Test]
    public void Cancel_Finished_IsAConflict()
    {
        var task = NewTask();
        task.Lease(InstanceA, T0);
        task.Complete(InstanceA, TaskOutcome.Succeeded, null, null, T0);

        var ex = Assert.Throws<DomainException>(() => task.Cancel(T0));
        Assert.That(ex!.ErrorId, Is.EqualTo("task_state_conflict"));
    }

    [Test]
    public void SameAs_ComparesWhatWasSubmitted()
    {
        var spec = new TaskSpec(EngineId, "{\"uri\":\"a\"}", 0, 2, 60, "k");
        var task = WorkTask.Submit(Guid.NewGuid(), spec, T0);

        Assert.That(spec.SameAs(task), Is.True);
        Assert.That((spec with { Payload = "{\"uri\":\"b\"}" }).SameAs(task), Is.False);
        Assert.That((spec with { Priority = 1 }).SameAs(task), Is.False);
    }
}
