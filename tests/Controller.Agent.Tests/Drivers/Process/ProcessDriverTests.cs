using System.Diagnostics;
using Controller.Agent.Drivers;
using Controller.Agent.Drivers.Process;
using Microsoft.Extensions.Logging.Abstractions;

namespace Controller.Agent.Tests.Drivers.Process;

/// <summary>The process driver against real child processes (sh, sleep): start, environment, log, stop with grace, adoption.</summary>
public sealed class ProcessDriverTests
{
    private string _data = null!;
    private readonly List<int> _pids = [];

    [SetUp]
    public void SetUp() => _data = Directory.CreateTempSubdirectory("process-driver-").FullName;

    [TearDown]
    public void TearDown()
    {
        foreach (var pid in _pids)
        {
            try
            {
                System.Diagnostics.Process.GetProcessById(pid).Kill(entireProcessTree: true);
            }
            catch (ArgumentException)
            {
                // already gone
            }
        }

        Directory.Delete(_data, recursive: true);
    }

    private ProcessDriver Driver() => new(_data, new CgroupLimits(Path.Combine(_data, "no-cgroups")), TimeProvider.System, NullLogger<ProcessDriver>.Instance);

    private static EngineLaunch Launch(Guid id, params string[] command) => new(id, Guid.NewGuid(), "local/test", command,
        new Dictionary<string, string> { ["ENGINE_INSTANCE_ID"] = id.ToString(), ["GREETING"] = "hello from the launch" }, 500, 256, [1], 30);

    private static async Task<ManagedEngine> ListedAsync(ProcessDriver driver, Guid id) => (await driver.ListAsync(CancellationToken.None)).Single(e => e.InstanceId == id);

    private static async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (!await condition())
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "the condition did not hold in time");
            await Task.Delay(50);
        }
    }

    [Test]
    public async Task Start_RunsTheCommandWithTheLaunchEnvironment_InAProcessGroupOfItsOwn_OutputInItsLog()
    {
        var driver = Driver();
        var id = Guid.NewGuid();

        await driver.StartAsync(Launch(id, "sh", "-c", "echo \"$GREETING gpus=$CUDA_VISIBLE_DEVICES\"; exec sleep 30"), CancellationToken.None);
        var pid = driver.PidOf(id)!.Value;
        _pids.Add(pid);

        var engine = await ListedAsync(driver, id);
        Assert.That(engine.State, Is.EqualTo(EngineRunState.Running));
        Assert.That(engine.ContainerId, Is.EqualTo($"pid-{pid}"));
        await EventuallyAsync(() =>
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var group = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[2];
            return Task.FromResult(group == pid.ToString(System.Globalization.CultureInfo.InvariantCulture)); // its own process group (setsid)
        }, TimeSpan.FromSeconds(5));
        var log = Path.Combine(_data, "engines", $"{id}.log");
        await EventuallyAsync(async () => File.Exists(log) && (await File.ReadAllTextAsync(log)).Contains("hello from the launch gpus=1", StringComparison.Ordinal),
            TimeSpan.FromSeconds(5));
    }

    [Test]
    public async Task Start_SameInstanceTwice_StartsOneProcess()
    {
        var driver = Driver();
        var id = Guid.NewGuid();

        await driver.StartAsync(Launch(id, "sleep", "30"), CancellationToken.None);
        var pid = driver.PidOf(id)!.Value;
        _pids.Add(pid);
        await driver.StartAsync(Launch(id, "sleep", "30"), CancellationToken.None);

        Assert.That((await driver.ListAsync(CancellationToken.None)).Count(e => e.InstanceId == id), Is.EqualTo(1));
        Assert.That(driver.PidOf(id), Is.EqualTo(pid));
    }

    [Test]
    public async Task Stop_AnEngineThatIgnoresTheSignal_IsKilledAfterItsGrace()
    {
        var driver = Driver();
        var id = Guid.NewGuid();
        await driver.StartAsync(Launch(id, "sh", "-c", "trap '' TERM; while true; do sleep 0.1; done"), CancellationToken.None);
        _pids.Add(driver.PidOf(id)!.Value);
        await Task.Delay(300); // the trap is set

        var watch = Stopwatch.StartNew();
        await driver.StopAsync(id, TimeSpan.FromSeconds(2), CancellationToken.None);
        await Task.Delay(1000);
        Assert.That((await ListedAsync(driver, id)).State, Is.EqualTo(EngineRunState.Running), "SIGTERM ignored: still running within the grace");
        await EventuallyAsync(async () => (await ListedAsync(driver, id)).State == EngineRunState.Exited, TimeSpan.FromSeconds(5));

        Assert.That(watch.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1.9)));
        Assert.That((await ListedAsync(driver, id)).ExitCode, Is.EqualTo(137), "killed (128 + SIGKILL)");
    }

    [Test]
    public async Task Stop_AnEngineThatHandlesTheSignal_ExitsAtOnceWithItsOwnCode()
    {
        var driver = Driver();
        var id = Guid.NewGuid();
        await driver.StartAsync(Launch(id, "sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.1; done"), CancellationToken.None);
        _pids.Add(driver.PidOf(id)!.Value);
        await Task.Delay(300);

        await driver.StopAsync(id, TimeSpan.FromSeconds(30), CancellationToken.None);

        await EventuallyAsync(async () => (await ListedAsync(driver, id)).State == EngineRunState.Exited, TimeSpan.FromSeconds(5));
        Assert.That((await ListedAsync(driver, id)).ExitCode, Is.Zero);
        await driver.ForgetAsync(id, CancellationToken.None);
        Assert.That(await driver.ListAsync(CancellationToken.None), Is.Empty);
        Assert.That(Directory.EnumerateFiles(Path.Combine(_data, "engines")), Is.Empty, "state and log removed");
    }

    [Test]
    public async Task ANewDriverOnTheSameDirectory_FindsTheRunningProcess_AndSeesWhenItEnds()
    {
        var first = Driver();
        var id = Guid.NewGuid();
        await first.StartAsync(Launch(id, "sleep", "30"), CancellationToken.None);
        var pid = first.PidOf(id)!.Value;
        _pids.Add(pid);

        var restarted = Driver(); // the agent restarted: its processes kept running
        var adopted = await ListedAsync(restarted, id);
        Assert.That(adopted.State, Is.EqualTo(EngineRunState.Running));
        Assert.That(adopted.ContainerId, Is.EqualTo($"pid-{pid}"));
        Assert.That(restarted.PidOf(id), Is.EqualTo(pid));

        await restarted.StopAsync(id, TimeSpan.FromSeconds(5), CancellationToken.None);
        // (The process is the first driver's child, reaped by the runtime; a real restarted agent's are reaped by init.)
        await EventuallyAsync(async () => (await ListedAsync(restarted, id)).State == EngineRunState.Exited, TimeSpan.FromSeconds(5));
        Assert.That((await ListedAsync(restarted, id)).ExitCode, Is.Null, "not its child: the exit code is unknown");
    }

    [Test]
    public async Task Start_WithoutACommand_IsListedExited_WithTheReason()
    {
        var driver = Driver();
        var id = Guid.NewGuid();

        await driver.StartAsync(Launch(id), CancellationToken.None);

        var engine = await ListedAsync(driver, id);
        Assert.That(engine.State, Is.EqualTo(EngineRunState.Exited));
        Assert.That(engine.ExitCode, Is.EqualTo(127));
        Assert.That(engine.Message, Does.Contain("'command'"));
    }

    [Test]
    public async Task Start_AProgramThatDoesNotExist_ExitsWith127()
    {
        var driver = Driver();
        var id = Guid.NewGuid();

        await driver.StartAsync(Launch(id, "/nonexistent/engine"), CancellationToken.None);

        await EventuallyAsync(async () => (await ListedAsync(driver, id)).State == EngineRunState.Exited, TimeSpan.FromSeconds(5));
        Assert.That((await ListedAsync(driver, id)).ExitCode, Is.EqualTo(127));
    }
}
