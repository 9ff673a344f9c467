using System.Runtime.InteropServices;
using Controller.Application.Common.Security;
using Controller.Domain.Tokens;
using Controller.Infrastructure.Options;
using Controller.Infrastructure.Persistence;
using Controller.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Controller.Infrastructure.Startup;

/// <summary>Prepares the database at start-up: migrations (unless turned off), the first admin token and the instance-token key.</summary>
public sealed class DatabaseInitializer(ControllerDbContext db, AdminTokenBootstrap adminToken, InstanceTokenKeyLoader instanceTokenKey, IOptions<DatabaseOptions> databaseOptions)
{
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (databaseOptions.Value.Provider == DatabaseProvider.Sqlite)
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
            await db.Database.CloseConnectionAsync();
        }

        if (databaseOptions.Value.MigrateOnStartup)
        {
            await db.Database.MigrateAsync(cancellationToken);
        }

        await adminToken.EnsureAsync(cancellationToken);
        await instanceTokenKey.LoadAsync(cancellationToken);
    }
}

/// <summary>A secret written beside the embedded database, readable by its owner only.</summary>
internal static class SecretFile
{
    public static async Task WriteAsync(string path, string secret, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, secret + Environment.NewLine, cancellationToken);
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

}

/// <summary>The first admin token of a fresh database: the configured one, or a generated one written to a file.</summary>
public sealed class AdminTokenBootstrap(ControllerDbContext db, ITokenService tokenService, IOptions<ControllerOptions> controllerOptions, TimeProvider clock,
    ILogger<AdminTokenBootstrap> logger)
{
    public async Task EnsureAsync(CancellationToken cancellationToken)
    {
        if (await db.Tokens.AnyAsync(t => t.Kind == TokenKind.Admin, cancellationToken))
        {
            return;
        }

        var options = controllerOptions.Value;
        var configured = !string.IsNullOrWhiteSpace(options.AdminToken);
        var secret = configured ? options.AdminToken!.Trim() : tokenService.NewSecret();
        var now = clock.GetUtcNow();
        db.Tokens.Add(Token.IssueForAdmin(Guid.CreateVersion7(now), TokenKind.Admin, "bootstrap admin", tokenService.Hash(secret), now, null));
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();

        if (configured)
        {
            logger.LogInformation("Created the admin token given in configuration (Controller:AdminToken).");
            return;
        }

        var path = Path.GetFullPath(Path.Combine(options.DataDirectory, options.AdminTokenFile));
        await SecretFile.WriteAsync(path, secret, cancellationToken);

        logger.LogWarning("Generated an admin token for this fresh database and wrote it to {AdminTokenFile} (readable by its owner only).", path);
    }
}

/// <summary>Gives the instance-token issuer its key at start-up.</summary>
public sealed class InstanceTokenKeyLoader(ControllerDbContext db, InstanceTokenIssuer instanceTokens, IOptions<ControllerOptions> controllerOptions,
    ILogger<InstanceTokenKeyLoader> logger)
{
    /// <summary>
    /// The instance-token key comes from configuration or a file beside the embedded database, never from the
    /// database: a dump of the database alone must not yield working instance tokens. A key that older versions kept
    /// in the database is moved to the file (so launches in flight keep their secrets) and deleted there.
    /// </summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var options = controllerOptions.Value;
        var legacy = await db.Settings.FirstOrDefaultAsync(s => s.Name == InstanceTokenIssuer.SettingName, cancellationToken);
        if (!string.IsNullOrWhiteSpace(options.InstanceTokenKey))
        {
            instanceTokens.UseKey(options.InstanceTokenKey.Trim());
        }
        else
        {
            var path = Path.GetFullPath(Path.Combine(options.DataDirectory, options.InstanceTokenKeyFile));
            if (!File.Exists(path))
            {
                await SecretFile.WriteAsync(path, legacy?.Value ?? InstanceTokenIssuer.NewKey(), cancellationToken);
                logger.LogWarning("Wrote the instance-token key to {InstanceTokenKeyFile} (readable by its owner only); replicas sharing this database must all be given the same key (Controller:InstanceTokenKey).", path);
            }

            instanceTokens.UseKey((await File.ReadAllTextAsync(path, cancellationToken)).Trim());
        }

        if (legacy is not null)
        {
            db.Settings.Remove(legacy);
            await db.SaveChangesAsync(cancellationToken);
        }

        db.ChangeTracker.Clear();
    }
}

public static class DatabaseInitializerExtensions
{
    public static async Task InitializeDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        // The start-up grace of the sweep counts from here.
        _ = services.GetRequiredService<Application.Scheduling.ControllerLifetime>();
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().InitializeAsync(cancellationToken);
    }
}
