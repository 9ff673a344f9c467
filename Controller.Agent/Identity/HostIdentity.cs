using System.Text.Json;

namespace Controller.Agent.Identity;

/// <summary>Who this host is to the controller: its id and its token (and when the token was issued, for rotation by age).</summary>
public sealed record HostIdentity(Guid HostId, string Token, DateTimeOffset IssuedAt);

/// <summary>
/// The host's identity in the data directory (<c>host.json</c>, mode 0600, written to a temporary file and renamed,
/// so a crash never leaves half a token). Read again when the file changes (a token rotated by the
/// <c>rotate-token</c> verb while the agent runs).
/// </summary>
public sealed class HostIdentityStore(string dataDirectory)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly Lock _lock = new();
    private HostIdentity? _current;
    private DateTime _readAt;

    public string Path { get; } = System.IO.Path.Combine(dataDirectory, "host.json");

    /// <summary>The saved identity (re-read when the file changed), or null before the first registration.</summary>
    public HostIdentity? Current
    {
        get
        {
            lock (_lock)
            {
                if (!File.Exists(Path))
                {
                    return _current;
                }

                var written = File.GetLastWriteTimeUtc(Path);
                if (_current is null || written != _readAt)
                {
                    _current = JsonSerializer.Deserialize<HostIdentity>(File.ReadAllText(Path), Json);
                    _readAt = written;
                }

                return _current;
            }
        }
    }

    /// <summary>Saves before the caller uses the token: a token the controller issued is never lost to a crash.</summary>
    public void Save(HostIdentity identity)
    {
        lock (_lock)
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            var temporary = Path + ".tmp";
            File.Delete(temporary);
            using (var stream = new FileStream(temporary, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }))
            {
                JsonSerializer.Serialize(stream, identity, Json);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, Path, overwrite: true);
            _current = identity;
            _readAt = File.GetLastWriteTimeUtc(Path);
        }
    }
}
