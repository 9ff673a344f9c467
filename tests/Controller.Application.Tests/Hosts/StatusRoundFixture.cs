using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Models;
using Controller.Application.Common.Options;
using Controller.Application.Common.Security;
using Controller.Application.Hosts.Commands.UpdateHostStatus;
using Controller.Application.Hosts.FastPath;
using Controller.Application.Tests.Common;
using Controller.Domain.Common;
using Controller.Domain.EngineInstances;
using Controller.Domain.Engines;
using Controller.Domain.Hosts;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace Controller.Application.Tests.Hosts;

/// <summary>A status round's collaborators, mocked: registered hosts with nothing on them, engines in the view and in the rows.</summary>
internal sealed class StatusRoundFixture
{
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public Mock<IHostRepository> Hosts { get; } = new(MockBehavior.Strict);

    public Mock<IEngineRepository> Engines { get; } = new(MockBehavior.Strict);

    public Mock<IEngineInstanceRepository> Instances { get; } = new(MockBehavior.Strict);

    public Mock<ITokenRepository> Tokens { get; } = new(MockBehavior.Strict);

    public Mock<IUnitOfWork> UnitOfWork { get; } = new(MockBehavior.Strict);

    public Mock<IClusterViewSource> View { get; } = new();

    public SteadyStateCache Steady { get; } = new();

    /// <summary>The report and answer each round kept for its host, in order.</summary>
    public List<(Guid HostId, string Report, string Answer)> Recorded { get; } = [];

    /// <summary>The copies the round launched, in order.</summary>
    public List<EngineInstance> Launched { get; } = [];

    private readonly List<Host> _registered = [];
    private readonly List<Engine> _engineRows = [];

    public Host AddHost()
    {
        var host = Host.Register(Guid.CreateVersion7(), new HostRegistration("m", "w", ["10.0.0.1"], "1", new Dictionary<string, string>(), new Resources(4000, 4096, 0, 0), []), Clock.GetUtcNow());
        _registered.Add(host);
        Hosts.Setup(h => h.FindAsync(host.Id, It.IsAny<CancellationToken>())).ReturnsAsync(host);
        Instances.Setup(i => i.ListHoldingForHostAsync(host.Id, It.IsAny<CancellationToken>())).ReturnsAsync(() => []);
        Instances.Setup(i => i.FailuresOnHostSinceAsync(host.Id, It.IsAny<DateTimeOffset>(), It.IsAny<CancellationToken>())).ReturnsAsync([]);
        return host;
    }

    /// <summary>An engine of <paramref name="copies"/> desired copies, none running: in the view as it was, and as rows read fresh each time.</summary>
    public Engine AddEngine(int copies)
    {
        var engine = Engine.Create(Guid.CreateVersion7(), new EngineSpec("asr", "i", new Resources(1000, 1024, 0, 0), 0, copies, copies, 1, new Dictionary<string, string>()), Clock.GetUtcNow());
        _engineRows.Add(engine);
        return engine;
    }

    public LastSeenBuffer LastSeen { get; } = new();

    public Mock<IPlacementGate> Gate { get; } = new(MockBehavior.Strict);

    /// <summary>How often the placement gate was entered and left.</summary>
    public (int Entered, int Left) GateUse => (_entered, _left);

    private int _entered;
    private int _left;

    public StatusRound Round()
    {
        var intervals = new Mock<IStatusIntervalAdvisor>();
        intervals.Setup(i => i.NextInterval()).Returns(7);
        var tokenService = new Mock<ITokenService>();
        tokenService.Setup(t => t.Hash(It.IsAny<string>())).Returns(new byte[32]);
        var instanceTokens = new Mock<IInstanceTokenIssuer>();
        instanceTokens.Setup(t => t.SecretFor(It.IsAny<Guid>())).Returns("ctl_secret");
        View.Setup(v => v.GetAsync(It.IsAny<CancellationToken>())).ReturnsAsync(() => new ClusterSnapshot([.. _engineRows],
            _registered.Select(h => new ActiveHostView(h.Id, h.Labels, h.Capacity, Resources.Zero)), Clock.GetUtcNow()));
        Engines.Setup(e => e.Touch(It.IsAny<Engine>()));
        Engines.Setup(e => e.ListLiveForUpdateAsync(It.IsAny<CancellationToken>())).ReturnsAsync(() => [.. _engineRows]);
        Hosts.Setup(h => h.ListAsync(It.IsAny<IReadOnlyCollection<Guid>>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((IReadOnlyCollection<Guid> ids, CancellationToken _) => [.. _registered.Where(h => ids.Contains(h.Id))]);
        Instances.Setup(i => i.ListHoldingForHostsAsync(It.IsAny<IReadOnlyCollection<Guid>>(), It.IsAny<CancellationToken>())).ReturnsAsync(() => []);
        Instances.Setup(i => i.Add(It.IsAny<EngineInstance>())).Callback<EngineInstance>(Launched.Add);
        Hosts.Setup(h => h.RecordStatus(It.IsAny<Host>(), It.IsAny<string>(), It.IsAny<string>()))
            .Callback((Host host, string report, string answer) => Recorded.Add((host.Id, report, answer)));
        Tokens.Setup(t => t.Add(It.IsAny<Domain.Tokens.Token>()));
        var scheduling = Options.Create(new SchedulingOptions());
        return new StatusRound(Hosts.Object, Instances.Object, View.Object,
            new RoundWriter(Instances.Object, Engines.Object, new TokenIssuer(Tokens.Object, tokenService.Object), instanceTokens.Object, new TokenRevoker(Tokens.Object, tokenService.Object), scheduling),
            new StatusAnswers(intervals.Object, instanceTokens.Object, Options.Create(new ControllerEndpointOptions())),
            scheduling);
    }

    /// <summary>A batch of status rounds on these mocks; the gate counts its use.</summary>
    public StatusBatch Batch()
    {
        Gate.Setup(g => g.EnterAsync(It.IsAny<CancellationToken>())).ReturnsAsync(() =>
        {
            _entered++;
            return new Releaser(() => _left++);
        });
        return new StatusBatch(Round(), new RoundCompletion(UnitOfWork.Object, Steady, TestMetrics.Create(), Clock), Engines.Object, Gate.Object, Clock);
    }

    public static StatusCall Call(Guid hostId) => new(Report(hostId), SteadyStateCache.Fingerprint([]));

    private sealed class Releaser(Action release) : IDisposable
    {
        public void Dispose() => release();
    }

    public static UpdateHostStatusCommand Report(Guid hostId) => new(hostId, new ResourcesModel(4000, 4096, 0, 0), []);
}
