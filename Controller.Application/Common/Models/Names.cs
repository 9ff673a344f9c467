namespace Controller.Application.Common.Models;

/// <summary>Names by id; an id that is not there (deleted, past its retention) has none.</summary>
public sealed record Names(IReadOnlyDictionary<Guid, string> Hosts, IReadOnlyDictionary<Guid, string> Engines)
{
    public static Names None { get; } = new(new Dictionary<Guid, string>(), new Dictionary<Guid, string>());
}
