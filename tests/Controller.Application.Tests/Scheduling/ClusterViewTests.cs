using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Models;
using Controller.Application.Common.Options;
using Controller.Application.Hosts.FastPath;
using Controller.Application.Hosts.Models;
using Controller.Application.Scheduling;
using Controller.Domain.Common;
using Controller.Domain.Engines;
using Controller.Domain.Hosts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace Controller.Application.Tests.Scheduling;

/// <summary>The after-commit hook: the view follows this replica's commits without a rebuild.</summary>
public sealed class ClusterViewTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly SteadyStateCache _steady = new();
    private Mock<IEngineRepository> _engines = null!;
    private Host _host = null!;
    private Engine _engine = null!;
    private ClusterView _view = null!;
    private List<HostChange> _changes = [];
    private readonly Guid _full = Guid.CreateVersion7(); // active, with no room

    [SetUp]
    public async Task SetUp()
    {
        _host = Host.Register(Guid.CreateVersion7(), new HostRegistration("m", "w", ["10.0.0.1"], "1", new Dictionary<string, string>(), new Resources(4000, 4096, 0, 0), []), _clock.GetUtcNow());
        _engine = NewEngine(Guid.CreateVersion7(), desired: 1);
        _engines = new Mock<IEngineRepository>();
        _engines.Setup(e => e.ListLiveAsync(It.IsAny<CancellationToken>())).ReturnsAsync(() => [_engine]);
        var directory = new Mock<IHostDirectory>();
        directory.Setup(d => d.ListChangedSinceAsync(It.IsAny<DateTimeOffset>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((DateTimeOffset since, CancellationToken _) => [.. _changes.Where(c => c.At >= since)]);
        directory.Setup(d => d.ListActiveAsync(It.IsAny<CancellationToken>())).ReturnsAsync(() =>
            [new ActiveHostView(_host.Id, _host.Labels, _host.Capacity, Resources.Zero), new ActiveHostView(_full, _host.Labels, Resources.Zero, Resources.Zero)]);
        var provider = new Mock<IServiceProvider>();
        provider.Setup(p => p.GetService(typeof(IEngineRepository))).Returns(_engines.Object);
        provider.Setup(p => p.GetService(typeof(IHostDirectory))).Returns(directory.Object);
        var scope = new Mock<IServiceScope>();
        scope.SetupGet(s => s.ServiceProvider).Returns(provider.Object);
        var scopes = new Mock<IServiceScopeFactory>();
        scopes.Setup(s => s.CreateScope()).Returns(scope.Object);
        _view = new ClusterView(scopes.Object, Options.Create(new SchedulingOptions()), _clock, _steady);
        Assert.That((await _view.GetAsync(CancellationToken.None)).HostsWithRoom(_engine.Id), Is.EqualTo(1));
    }

    [TearDown]
    public void TearDown() => _view.Dispose();

    [Test]
    public async Task SavedEngines_ReplaceTheirs_NewOnesJoin_DeletedOnesLeave_WithoutARebuild()
    {
        var saved = NewEngine(_engine.Id, desired: 3);
        var added = NewEngine(Guid.CreateVersion7(), desired: 2);

        _view.Committed(new CommittedChanges([], [saved, added], []));
        var view = await _view.GetAsync(CancellationToken.None);

        Assert.That(view.Engines, Is.EqualTo(new[] { saved, added }));
        Assert.That(view.HostsWithRoom(added.Id), Is.EqualTo(1));

        var deleted = NewEngine(added.Id, desired: 0);
        deleted.Delete(_clock.GetUtcNow());
        deleted.CompleteDeletion(_clock.GetUtcNow());
        _view.Committed(new CommittedChanges([], [deleted], []));

        Assert.That((await _view.GetAsync(CancellationToken.None)).Engines, Is.EqualTo(new[] { saved }));
        _engines.Verify(e => e.ListLiveAsync(It.IsAny<CancellationToken>()), Times.Once, "never rebuilt");
    }

    [Test]
    public async Task ASavedHost_TakesItsNewState_AndItsNextReportGetsAFullRound()
    {
        Remember(_host.Id);
        _host.Drain(_clock.GetUtcNow(), null, Host.DefaultDrainDeadline);

        _view.Committed(new CommittedChanges([_host], [], []));
        var view = await _view.GetAsync(CancellationToken.None);

        Assert.That(view.IsActiveHost(_host.Id), Is.False);
        Assert.That(view.HostsWithRoom(_engine.Id), Is.Zero);
        Assert.That(_steady.Answer(_host.Id, string.Empty, [], _clock.GetUtcNow(), TimeSpan.FromMinutes(1)), Is.Null);
    }

    [Test]
    public void AHostWhoseInstanceChangedState_GetsAFullRound()
    {
        var other = Guid.CreateVersion7();
        Remember(_host.Id);
        Remember(other);

        _view.Committed(new CommittedChanges([], [], [_host.Id]));

        Assert.That(_steady.Answer(_host.Id, string.Empty, [], _clock.GetUtcNow(), TimeSpan.FromMinutes(1)), Is.Null);
        Assert.That(_steady.Answer(other, string.Empty, [], _clock.GetUtcNow(), TimeSpan.FromMinutes(1)), Is.Not.Null);
    }

    [Test]
    public async Task AChangeMadeOnAnotherReplica_ForgetsTheHostsSteadyAnswer_AtTheNextRefresh()
    {
        var other = _full;
        Remember(_host.Id);
        Remember(other);
        _changes = [new HostChange(_host.Id, _clock.GetUtcNow())]; // say, a copy stopped by an admin on another replica

        _clock.Advance(TimeSpan.FromSeconds(2));
        await _view.GetAsync(CancellationToken.None); // past its age: rebuilt in the background
        for (var wait = 0; wait < 100 && _steady.Answer(_host.Id, string.Empty, [], _clock.GetUtcNow(), TimeSpan.FromMinutes(1)) is not null; wait++)
        {
            await Task.Delay(20);
        }

        Assert.That(_steady.Answer(_host.Id, string.Empty, [], _clock.GetUtcNow(), TimeSpan.FromMinutes(1)), Is.Null);
        Assert.That(_steady.Answer(other, string.Empty, [], _clock.GetUtcNow(), TimeSpan.FromMinutes(1)), Is.Not.Null);
    }

    private void Remember(Guid hostId) => _steady.Remember(hostId, new SteadyState(string.Empty, new HostStatusAnswer(HostMode.Continue, 5, [], []),
        _clock.GetUtcNow(), new HashSet<Guid>(), new Resources(4000, 4096, 0, 0), new Dictionary<string, string>()), _steady.Stamp());

    private Engine NewEngine(Guid id, int desired) =>
        Engine.Create(id, new EngineSpec("e" + id.ToString("N")[..8], "i", new Resources(1000, 256, 0, 0), 0, 0, 10, desired, new Dictionary<string, string>()), _clock.GetUtcNow());
}
