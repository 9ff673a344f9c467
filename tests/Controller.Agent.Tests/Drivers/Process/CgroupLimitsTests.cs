using Controller.Agent.Drivers.Process;

namespace Controller.Agent.Tests.Drivers.Process;

/// <summary>The limits written for an engine, on a directory laid out as cgroup v2 or v1 (or as neither).</summary>
public sealed class CgroupLimitsTests
{
    private string _root = null!;

    [SetUp]
    public void SetUp() => _root = Directory.CreateTempSubdirectory("cgroups-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    [Test]
    public void V2_WritesCpuMaxAndMemoryMax_AndTheProcessJoinsOneGroup()
    {
        File.WriteAllText(Path.Combine(_root, "cgroup.controllers"), "cpu memory");
        var limits = new CgroupLimits(_root);
        var id = Guid.NewGuid();

        var procs = limits.Create(id, 500, 256);

        Assert.That(limits.Mode, Is.EqualTo("cgroup v2"));
        var group = Path.GetDirectoryName(procs.Single())!;
        Assert.That(File.ReadAllText(Path.Combine(group, "cpu.max")), Is.EqualTo("50000 100000"));
        Assert.That(File.ReadAllText(Path.Combine(group, "memory.max")), Is.EqualTo((256L * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Test]
    public void V1_WritesTheCfsQuotaAndTheMemoryLimit_InTheCpuAndMemoryHierarchies()
    {
        Directory.CreateDirectory(Path.Combine(_root, "cpu"));
        Directory.CreateDirectory(Path.Combine(_root, "memory"));
        var limits = new CgroupLimits(_root);

        var procs = limits.Create(Guid.NewGuid(), 1500, 1024);

        Assert.That(limits.Mode, Is.EqualTo("cgroup v1"));
        Assert.That(procs, Has.Count.EqualTo(2));
        var cpu = Path.GetDirectoryName(procs.Single(p => p.Contains("/cpu/", StringComparison.Ordinal)))!;
        var memory = Path.GetDirectoryName(procs.Single(p => p.Contains("/memory/", StringComparison.Ordinal)))!;
        Assert.That(File.ReadAllText(Path.Combine(cpu, "cpu.cfs_quota_us")), Is.EqualTo("150000"));
        Assert.That(File.ReadAllText(Path.Combine(memory, "memory.limit_in_bytes")), Is.EqualTo((1024L * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Test]
    public void Neither_EnforcesNothing_AndSaysSo()
    {
        var limits = new CgroupLimits(Path.Combine(_root, "absent"));

        Assert.That(limits.Mode, Is.EqualTo("none"));
        Assert.That(limits.Create(Guid.NewGuid(), 500, 256), Is.Empty);
    }
}
