using System.ComponentModel.DataAnnotations;

namespace Controller.Infrastructure.Options;

/// <summary>The <c>Controller</c> configuration section.</summary>
public sealed class ControllerOptions
{
    public const string SectionName = "Controller";

    /// <summary>Admin token to create on a fresh database; when empty, one is generated and written to <see cref="AdminTokenFile"/>.</summary>
    public string? AdminToken { get; set; }

    /// <summary>Where a generated admin token is written (readable by the owner only). Relative paths are under <see cref="DataDirectory"/>.</summary>
    public string AdminTokenFile { get; set; } = "admin-token";

    /// <summary>
    /// The key engine-instance secrets are derived from (base64, at least 32 bytes), so that every replica repeats a
    /// launch order with the same secret. Never stored in the database. When empty, one is generated into
    /// <see cref="InstanceTokenKeyFile"/>; several replicas must all be given the same key.
    /// </summary>
    public string? InstanceTokenKey { get; set; }

    /// <summary>Where a generated instance-token key is kept (readable by the owner only). Relative paths are under <see cref="DataDirectory"/>.</summary>
    public string InstanceTokenKeyFile { get; set; } = "instance-token-key";

    /// <summary>How often every replica reads the cluster's sizes for the gauges of <c>/metrics</c>.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 3600)]
    public int MetricsRefreshSeconds { get; set; } = 10;

    /// <summary>Folder for the embedded database and the generated admin token.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>The URL engine instances are told to call; the first listening URL when empty.</summary>
    public string? PublicUrl { get; set; }

    /// <summary>
    /// How long a validated token is trusted before it is read again. Revocations reach every replica within
    /// <see cref="TokenEpochPollMilliseconds"/> whatever this is; it only bounds how late they are seen when the poll
    /// fails (or replica clocks are further apart than the poll's look-back).
    /// </summary>
    [Range(0, 3600)]
    public int TokenCacheSeconds { get; set; } = 60;

    /// <summary>How often every replica forgets tokens revoked anywhere, and publishes and checks shortened expiries (two small reads).</summary>
    [Range(100, 60_000)]
    public int TokenEpochPollMilliseconds { get; set; } = 1000;
}

/// <summary>The <c>Database</c> configuration section.</summary>
public sealed class DatabaseOptions
{
    public const string SectionName = "Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Apply pending migrations at start-up (turn off to migrate out of band).</summary>
    public bool MigrateOnStartup { get; set; } = true;
}

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
    SqlServer,
}
