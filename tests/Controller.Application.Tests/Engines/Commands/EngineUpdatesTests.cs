using System.Text.Json.Nodes;
using Controller.Application.Common.Exceptions;
using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Models;
using Controller.Application.Engines.Commands.DeleteEngine;
using Controller.Application.Engines.Commands.PatchEngine;
using Controller.Application.Engines.Commands.UpdateEngine;
using Controller.Application.Engines.Models;
using Controller.Domain.Common;
using Controller.Domain.Engines;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace Controller.Application.Tests.Engines.Commands;

/// <summary>
/// An admin's change to an engine that loses a race with the placement rounds (which write the engine's counts) is done
/// again on a fresh read instead of failing with 409; only a change that keeps losing reaches the caller.
/// </summary>
public sealed class EngineUpdatesTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly Guid _engineId = Guid.CreateVersion7();
    private Mock<IEngineRepository> _engines = null!;
    private Mock<IUnitOfWork> _unitOfWork = null!;
    private List<Engine> _read = null!;
    private readonly Controller.Application.Scheduling.PlacementGate _gate = new();

    [SetUp]
    public void SetUp()
    {
        _read = [];
        _engines = new Mock<IEngineRepository>();
        _engines.Setup(e => e.FindAsync(_engineId, It.IsAny<CancellationToken>())).ReturnsAsync(() =>
        {
            // Every read is the row as stored now: a copy placed meanwhile (the race that was lost) is in it.
            var engine = Engine.Create(_engineId, new EngineSpec("asr", "registry/asr:1", new Resources(100, 64, 0, 0), 0, 0, 10, 1, new Dictionary<string, string>()), _clock.GetUtcNow());
            _read.Add(engine);
            return engine;
        });
        _unitOfWork = new Mock<IUnitOfWork>();
    }

    private void LoseRaces(int times)
    {
        var lost = 0;
        _unitOfWork.Setup(u => u.SaveChangesAsync(It.IsAny<CancellationToken>())).Returns(() =>
            lost++ < times ? Task.FromException(new ConcurrencyConflictException("lost", new InvalidOperationException())) : Task.CompletedTask);
    }

    private Task<EngineDto> ScaleAsync(string how, int desired) => how switch
    {
        "put" => new UpdateEngineCommandHandler(_engines.Object, new Mock<IEngineRevisionRepository>().Object, _unitOfWork.Object, _gate, _clock).Handle(
            new UpdateEngineCommand(_engineId, new EngineDefinition("asr", "registry/asr:1", new ResourcesModel(100, 64, 0, 0), 0, 0, 10, desired, null)), CancellationToken.None).AsTask(),
        _ => new PatchEngineCommandHandler(_engines.Object, new Mock<IEngineRevisionRepository>().Object, _unitOfWork.Object, _gate, _clock).Handle(
            new PatchEngineCommand(_engineId, new JsonObject { ["desiredInstances"] = desired }), CancellationToken.None).AsTask(),
    };

    [TestCase("put")]
    [TestCase("patch")]
    public async Task AChangeThatLosesARace_IsAppliedToAFreshRead_AndSucceeds(string how)
    {
        LoseRaces(2);

        var engine = await ScaleAsync(how, desired: 7);

        Assert.That(engine.DesiredInstances, Is.EqualTo(7));
        Assert.That(_read, Has.Count.EqualTo(3), "read again after each lost race");
        Assert.That(_read.Select(e => e.DesiredInstances), Is.All.EqualTo(7), "the change was applied to every fresh read");
        _unitOfWork.Verify(u => u.Reset(), Times.Exactly(2));
    }

    [Test]
    public async Task AChange_WaitsForThePlacementRoundsOfThisReplica()
    {
        LoseRaces(0);
        var round = await _gate.EnterAsync(CancellationToken.None);

        var scaling = ScaleAsync("patch", desired: 3);
        await Task.Delay(100);
        var waited = !scaling.IsCompleted;
        round.Dispose();

        Assert.That(waited, Is.True, "it ran only once the round had left the gate");
        Assert.That((await scaling).DesiredInstances, Is.EqualTo(3));
    }

    [TestCase("put")]
    [TestCase("patch")]
    public void AChangeThatKeepsLosing_ReachesTheCaller(string how)
    {
        LoseRaces(int.MaxValue);

        Assert.ThrowsAsync<ConcurrencyConflictException>(() => ScaleAsync(how, desired: 7));
        Assert.That(_read, Has.Count.EqualTo(8));
    }

    [Test]
    public async Task ADeleteThatLosesARace_IsDoneAgain()
    {
        LoseRaces(1);

        var engine = await new DeleteEngineCommandHandler(_engines.Object, _unitOfWork.Object, _gate, _clock).Handle(new DeleteEngineCommand(_engineId), CancellationToken.None);

        Assert.That(engine.State, Is.Not.EqualTo(EngineState.Active));
        Assert.That(_read, Has.Count.EqualTo(2));
    }
}
