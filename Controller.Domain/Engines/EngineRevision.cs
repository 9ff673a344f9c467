using Controller.Domain.Common;

namespace Controller.Domain.Engines;

/// <summary>
/// What the copies of one revision of an engine run: image, resources, command and environment, numbered from 1. A
/// change to any of them makes a new revision; copies of older revisions are replaced under the engine's
/// <see cref="UpdatePolicy"/>, and a rollback makes an earlier revision the engine's definition again.
/// </summary>
public sealed class EngineRevision : Entity
{
    /// <summary>How many of an engine's latest revisions are kept (its current and stable ones always are).</summary>
    public const int KeptPerEngine = 10;

    private List<string>? _command;
    private Dictionary<string, string> _environment = [];

    private EngineRevision(Guid id)
        : base(id)
    {
        Image = string.Empty;
    }

    public Guid EngineId { get; private set; }

    public int Number { get; private set; }

    public string Image { get; private set; }

    public Resources Resources { get; private set; }

    public IReadOnlyList<string>? Command => _command;

    public IReadOnlyDictionary<string, string> Environment => _environment;

    public DateTimeOffset CreatedAt { get; private set; }

    /// <summary>The engine's current revision, as its definition now says.</summary>
    public static EngineRevision Of(Engine engine, DateTimeOffset now)
    {
        var runtime = engine.Runtime;
        return new EngineRevision(Guid.CreateVersion7(now))
        {
            EngineId = engine.Id,
            Number = engine.Revision,
            Image = engine.Image,
            Resources = engine.Resources,
            _command = runtime.Command is { } command ? [.. command] : null,
            _environment = new Dictionary<string, string>(runtime.Environment, StringComparer.Ordinal),
            CreatedAt = now,
        };
    }
}
