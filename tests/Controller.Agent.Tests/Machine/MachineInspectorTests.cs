using Controller.Agent.Machine;
using Microsoft.Extensions.Logging.Abstractions;

namespace Controller.Agent.Tests.Machine;

public sealed class MachineInspectorTests
{
    [Test]
    public void ParseNvidiaSmi_ReadsIndexModelAndMemory_SkippingWhatIsNotAGpuLine()
    {
        var gpus = MachineInspector.ParseNvidiaSmi("0, NVIDIA A10, 24576\n1, NVIDIA A10, 24576\n\nNo devices were found\n");

        Assert.That(gpus, Is.EqualTo(new[] { new GpuFact(0, "NVIDIA A10", 24576), new GpuFact(1, "NVIDIA A10", 24576) }));
    }

    [Test]
    public void Inspect_ThisMachine_HasAnIdCpuMemoryAndDisk()
    {
        var facts = new MachineInspector(Path.GetTempPath(), NullLogger<MachineInspector>.Instance).Inspect();

        Assert.That(facts.MachineId, Is.Not.Empty);
        Assert.That(facts.CpuMillicores, Is.InRange(1, Environment.ProcessorCount * 1000));
        Assert.That(facts.MemoryMiB, Is.GreaterThan(0));
        Assert.That(facts.DiskMiB, Is.GreaterThanOrEqualTo(facts.FreeDiskMiB).And.GreaterThan(0));
    }
}
