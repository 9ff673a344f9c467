namespace Controller.Domain.Common;

/// <summary>A bundle of compute resources: CPU in millicores, memory, GPUs and disk in MiB.</summary>
public readonly record struct Resources(int CpuMillicores, int MemoryMiB, int GpuCount, int DiskMiB)
{
    public static Resources Zero => default;

    public static Resources operator +(Resources a, Resources b) =>
        new(a.CpuMillicores + b.CpuMillicores, a.MemoryMiB + b.MemoryMiB, a.GpuCount + b.GpuCount, a.DiskMiB + b.DiskMiB);

    public static Resources operator -(Resources a, Resources b) =>
        new(a.CpuMillicores - b.CpuMillicores, a.MemoryMiB - b.MemoryMiB, a.GpuCount - b.GpuCount, a.DiskMiB - b.DiskMiB);

    public Resources Add(Resources other) => this + other;

    public Resources Subtract(Resources other) => this - other;

    /// <summary>True when <paramref name="request"/> fits into this bundle in every dimension.</summary>
    public bool Fits(Resources request) =>
        request.CpuMillicores <= CpuMillicores
        && request.MemoryMiB <= MemoryMiB
        && request.GpuCount <= GpuCount
        && request.DiskMiB <= DiskMiB;

    /// <summary>The smaller of two bundles in every dimension.</summary>
    public static Resources Min(Resources a, Resources b) =>
        new(Math.Min(a.CpuMillicores, b.CpuMillicores), Math.Min(a.MemoryMiB, b.MemoryMiB),
            Math.Min(a.GpuCount, b.GpuCount), Math.Min(a.DiskMiB, b.DiskMiB));

    /// <summary>For people, culture-independent: "2000m CPU, 4096 MiB memory, 1 GPU, 10240 MiB disk".</summary>
    public string Describe() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"{CpuMillicores}m CPU, {MemoryMiB} MiB memory, {Wording.Count(GpuCount, "GPU")}, {DiskMiB} MiB disk");

    public bool IsNegative => CpuMillicores < 0 || MemoryMiB < 0 || GpuCount < 0 || DiskMiB < 0;
}

public static class ResourcesExtensions
{
    /// <summary>The sum of the bundles (zero when there are none).</summary>
    public static Resources Sum(this IEnumerable<Resources> resources)
    {
        var total = Resources.Zero;
        foreach (var r in resources)
        {
            total += r;
        }

        return total;
    }
}
