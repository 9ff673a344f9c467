using System.Text.Json;
using Controller.Application.Common.Exceptions;
using Controller.Application.Common.Interfaces;
using Controller.Application.Work.Commands.SubmitTask;
using Controller.Application.Work.Models;
using Controller.Domain.Common;
using Controller.Domain.Engines;
using Controller.Domain.Work;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace Controller.Application.Tests.Work;

public sealed class TaskSubmitterTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private Mock<ITaskRepository> _tasks = null!;
    private Mock<IEngineRepository> _engines = null!;
    private Mock<IUnitOfWork> _unitOfWork = null!;
    private Engine _engine = null!;

    [SetUp]
    public void SetUp()
    {
        _engine = Engine.Create(Guid.CreateVersion7(), new EngineSpec("asr", "i", new Resources(1000, 0, 0, 0), 0, 0, 1, 0, new Dictionary<string, string>()), _clock.GetUtcNow());
        _tasks = new Mock<ITaskRepository>();
        _engines = new Mock<IEngineRepository>();
        _unitOfWork = new Mock<IUnitOfWork>();
        _engines.Setup(r => r.FindAsync(_engine.Id, It.IsAny<CancellationToken>())).ReturnsAsync(_engine);
    }

    private TaskSubmitter Submitter() => new(_tasks.Object, _engines.Object, new Controller.Application.Work.TaskAccess(Mock.Of<Controller.Application.Common.Security.ICurrentCaller>()), _unitOfWork.Object, _clock);

    private TaskSubmission Submission(string payload = """{"uri":"a"}""", string? key = null) =>
        new(_engine.Id, JsonDocument.Parse(payload).RootElement.Clone(), 5, 2, 60, key);

    [Test]
    public async Task Submit_New_AddsAQueuedTaskAndSaves()
    {
        var result = await Submitter().SubmitAsync([Submission()], CancellationToken.None);

        Assert.That(result.Single().Created, Is.True);
        Assert.That(result.Single().Task.State, Is.EqualTo(WorkTaskState.Queued));
        _tasks.Verify(r => r.Add(It.Is<WorkTask>(t => t.Payload == """{"uri":"a"}""" && t.Priority == 5)), Times.Once);
        _unitOfWork.Verify(u => u.SaveChangesAsync(It.IsAny<CancellationToken>()), Times.Once);
    }

    [Test]
    public async Task Submit_SameKeySameTask_AnswersTheExistingOne_WithoutAdding()
    {
        var existing = WorkTask.Submit(Guid.CreateVersion7(), Submission(key: "k").ToSpec(), _clock.GetUtcNow());
        _tasks.Setup(r => r.FindByIdempotencyKeyAsync(_engine.Id, "k", It.IsAny<CancellationToken>())).ReturnsAsync(existing);

        var result = await Submitter().SubmitAsync([Submission(key: "k")], CancellationToken.None);

        Assert.That(result.Single().Created, Is.False);
        Assert.That(result.Single().Task.TaskId, Is.EqualTo(existing.Id));
        _tasks.Verify(r => r.Add(It.IsAny<WorkTask>()), Times.Never);
    }

    [Test]
    public void Submit_SameKeyOtherPayload_IsAConflict()
    {
        var existing = WorkTask.Submit(Guid.CreateVersion7(), Submission(key: "k").ToSpec(), _clock.GetUtcNow());
        _tasks.Setup(r => r.FindByIdempotencyKeyAsync(_engine.Id, "k", It.IsAny<CancellationToken>())).ReturnsAsync(existing);

        var ex = Assert.ThrowsAsync<ConflictException>(async () => await Submitter().SubmitAsync([Submission("""{"uri":"b"}""", "k")], CancellationToken.None));

        Assert.That(ex!.ErrorId, Is.EqualTo("idempotency_key_reused"));
        _unitOfWork.Verify(u => u.SaveChangesAsync(It.IsAny<CancellationToken>()), Times.Never);
    }

    [Test]
    public void Submit_ForAnEngineBeingDeleted_IsAConflict_AndStoresNothing()
    {
        _engine.Delete(_clock.GetUtcNow());

        var ex = Assert.ThrowsAsync<ConflictException>(async () => await Submitter().SubmitAsync([Submission()], CancellationToken.None));

        Assert.That(ex!.ErrorId, Is.EqualTo("engine_state_conflict"));
        _tasks.Verify(r => r.Add(It.IsAny<WorkTask>()), Times.Never);
    }

    [Test]
    public async Task Submit_LosesTheKeyRace_AnswersTheWinnersTask()
    {
        var winner = WorkTask.Submit(Guid.CreateVersion7(), Submission(key: "k").ToSpec(), _clock.GetUtcNow());
        _tasks.SetupSequence(r => r.FindByIdempotencyKeyAsync(_engine.Id, "k", It.IsAny<CancellationToken>()))
            .ReturnsAsync((WorkTask?)null)
            .ReturnsAsync(winner);
        _unitOfWork.SetupSequence(u => u.SaveChangesAsync(It.IsAny<CancellationToken>()))
            .ThrowsAsync(new UniqueConstraintViolationException("key", new InvalidOperationException()))
            .Returns(Task.CompletedTask);

        var result = await Submitter().SubmitAsync([Submission(key: "k")], CancellationToken.None);

        Assert.That(result.Single().Task.TaskId, Is.EqualTo(winner.Id));
        Assert.That(result.Single().Created, Is.False);
        _unitOfWork.Verify(u => u.Reset(), Times.Once);
    }
}
