using System.Globalization;
using Controller.Domain.Common;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Controller.Infrastructure.Persistence;

/// <summary>Stores a <see cref="Resources"/> bundle as "cpu,memory,gpus,disk" in one column.</summary>
internal sealed class ResourcesConverter() : ValueConverter<Resources, string>(r => Format(r), s => Parse(s))
{
    public const int MaxLength = 64;

    private static string Format(Resources r) =>
        string.Create(CultureInfo.InvariantCulture, $"{r.CpuMillicores},{r.MemoryMiB},{r.GpuCount},{r.DiskMiB}");

    private static Resources Parse(string s)
    {
        var p = s.Split(',');
        return new Resources(
            int.Parse(p[0], CultureInfo.InvariantCulture),
            int.Parse(p[1], CultureInfo.InvariantCulture),
            int.Parse(p[2], CultureInfo.InvariantCulture),
            int.Parse(p[3], CultureInfo.InvariantCulture));
    }
}
