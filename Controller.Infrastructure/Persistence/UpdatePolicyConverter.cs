using System.Globalization;
using Controller.Domain.Engines;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Controller.Infrastructure.Persistence;

/// <summary>Stores an <see cref="UpdatePolicy"/> as "maxSurge;maxUnavailable;healthyAfterSeconds;progressDeadlineSeconds;autoRevert" in one column.</summary>
internal sealed class UpdatePolicyConverter() : ValueConverter<UpdatePolicy, string>(p => Format(p), s => Parse(s))
{
    public const int MaxLength = 64;

    private static string Format(UpdatePolicy p) =>
        string.Create(CultureInfo.InvariantCulture, $"{p.MaxSurge};{p.MaxUnavailable};{p.HealthyAfterSeconds};{p.ProgressDeadlineSeconds};{(p.AutoRevert ? 1 : 0)}");

    private static UpdatePolicy Parse(string s)
    {
        var p = s.Split(';');
        return new UpdatePolicy(
            CopyAmount.Parse(p[0])!.Value,
            CopyAmount.Parse(p[1])!.Value,
            int.Parse(p[2], CultureInfo.InvariantCulture),
            int.Parse(p[3], CultureInfo.InvariantCulture),
            p[4] == "1");
    }
}
