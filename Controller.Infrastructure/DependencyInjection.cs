using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Models;
using Controller.Application.Common.Security;
using Controller.Application.Work;
using Controller.Infrastructure.Options;
using Controller.Infrastructure.Persistence;
using Controller.Infrastructure.Persistence.Repositories;
using Controller.Infrastructure.Security;
using Controller.Infrastructure.Startup;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Controller.Infrastructure;

public static class DependencyInjection
{
    public static IServiceCollection AddInfrastructureServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ControllerOptions>().Bind(configuration.GetSection(ControllerOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<DatabaseOptions>().Bind(configuration.GetSection(DatabaseOptions.SectionName));

        services.AddDatabase(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddMemoryCache();
        services.AddSingleton<ITokenService, TokenService>();
        services.AddScoped<ITokenAuthenticator, TokenAuthenticator>();
        services.AddScoped<HostTokenFirstUse>();
        services.AddScoped<DatabaseInitializer>();
        services.AddScoped<AdminTokenBootstrap>();
        services.AddScoped<InstanceTokenKeyLoader>();
        services.AddScoped<IUnitOfWork, UnitOfWork>();
        services.AddScoped<IHostRepository, HostRepository>();
        services.AddScoped<ITokenRepository, TokenRepository>();
        services.AddScoped<IEngineRepository, EngineRepository>();
        services.AddScoped<IEngineRevisionRepository, EngineRevisionRepository>();
        services.AddScoped<IEngineInstanceRepository, EngineInstanceRepository>();
        services.AddScoped<ITaskRepository, TaskRepository>();
        services.AddScoped<IHostDirectory, HostDirectory>();
        services.AddScoped<LeaseStore>();
        services.AddScoped<Application.Audit.IAuditLog, AuditLog>();
        services.AddScoped<IEventLog, EventLog>();
        services.AddScoped<IRetentionStore, RetentionStore>();
        services.AddScoped<IClusterReader, ClusterReader>();
        services.AddSingleton<IEventSignal, EventSignal>();
        services.AddSingleton<InstanceTokenIssuer>();
        services.AddSingleton<IInstanceTokenIssuer>(sp => sp.GetRequiredService<InstanceTokenIssuer>());
        services.AddBackgroundServices();
        services.AddHealthChecks().AddDbContextCheck<ControllerDbContext>("database", tags: ["ready"]);
        return services;
    }

    /// <summary>The database of <c>Database:Provider</c>: its context, its write gate and what it allows (<see cref="DatabaseProfile"/>).</summary>
    private static void AddDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        var database = configuration.GetSection(DatabaseOptions.SectionName).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var dataDirectory = configuration[$"{ControllerOptions.SectionName}:{nameof(ControllerOptions.DataDirectory)}"] ?? new ControllerOptions().DataDirectory;
        var connectionString = configuration.GetConnectionString("Controller");

        switch (database.Provider)
        {
            case DatabaseProvider.Sqlite:
                if (string.IsNullOrWhiteSpace(connectionString))
                {
                    Directory.CreateDirectory(dataDirectory);
                    connectionString = $"Data Source={Path.Combine(dataDirectory, "controller.db")};Default Timeout=30";
                }

                services.AddDbContextPool<SqliteControllerDbContext>(o => o.UseSqlite(connectionString).AddInterceptors(new SqlitePragmas()));
                services.AddScoped<ControllerDbContext>(sp => sp.GetRequiredService<SqliteControllerDbContext>());
                services.AddSingleton<IDatabaseWriteGate, SingleWriterGate>();
                services.AddSingleton(new DatabaseProfile(ParallelWriters: 1));
                services.AddScoped<IWorkSignal>(sp => new LocalWorkSignal(sp.GetRequiredService<WorkWaiters>(), reaskInterval: null));
                break;
            case DatabaseProvider.Postgres:
                services.AddDbContextPool<PostgresControllerDbContext>(o => o.UseNpgsql(PostgresConnectionString(Required(connectionString))));
                services.AddScoped<ControllerDbContext>(sp => sp.GetRequiredService<PostgresControllerDbContext>());
                services.AddSingleton<IDatabaseWriteGate, NoWriteGate>();
                services.AddSingleton(new DatabaseProfile(ParallelWriters: 4));
                services.AddScoped<IWorkSignal, PostgresWorkSignal>();
                services.AddSingleton(new BackgroundServices.WorkNotificationSource(
                    new Npgsql.NpgsqlConnectionStringBuilder(Required(connectionString)) { Pooling = false, KeepAlive = 30 }.ConnectionString));
                services.AddHostedService<BackgroundServices.WorkNotificationListener>();
                break;
            case DatabaseProvider.SqlServer:
                services.AddDbContextPool<SqlServerControllerDbContext>(o => o.UseSqlServer(Required(connectionString)));
                services.AddScoped<ControllerDbContext>(sp => sp.GetRequiredService<SqlServerControllerDbContext>());
                services.AddSingleton<IDatabaseWriteGate, NoWriteGate>();
                services.AddSingleton(new DatabaseProfile(ParallelWriters: 4));
                services.AddScoped<IWorkSignal>(sp => new LocalWorkSignal(sp.GetRequiredService<WorkWaiters>(), LocalWorkSignal.SqlServerReaskInterval));
                break;
            default:
                throw new InvalidOperationException($"Unknown Database:Provider '{database.Provider}'.");
        }
    }

    private static void AddBackgroundServices(this IServiceCollection services)
    {
        services.AddSingleton(new ReplicaIdentity(Guid.NewGuid()));
        services.AddSingleton<BackgroundServices.SweepService>();
        services.AddHostedService(sp => sp.GetRequiredService<BackgroundServices.SweepService>());
        services.AddSingleton<BackgroundServices.GaugeRefreshService>();
        services.AddHostedService(sp => sp.GetRequiredService<BackgroundServices.GaugeRefreshService>());
        services.AddSingleton<Security.TokenCacheEpoch>();
        services.AddSingleton<BackgroundServices.TokenEpochService>();
        services.AddHostedService(sp => sp.GetRequiredService<BackgroundServices.TokenEpochService>());
        services.AddHostedService<BackgroundServices.EventFeedService>();
        services.AddHostedService<BackgroundServices.HeldCallsShutdown>();
        services.AddSingleton<BackgroundServices.LastSeenFlushService>();
        services.AddHostedService(sp => sp.GetRequiredService<BackgroundServices.LastSeenFlushService>());
    }

    private static string Required(string? connectionString) =>
        string.IsNullOrWhiteSpace(connectionString)
            ? throw new InvalidOperationException("ConnectionStrings:Controller is required for this Database:Provider.")
            : connectionString;

    /// <summary>
    /// Pooled connections are not reset (no <c>DISCARD ALL</c> round trip each time one goes back to the pool: most
    /// requests check one out once) unless the connection string says otherwise; the controller leaves no session state
    /// on a connection (its advisory locks are transaction-scoped). Statements are prepared automatically
    /// (<c>Max Auto Prepare</c>, 128 per connection: the controller sends the same few dozen all day, and parsing them
    /// again was much of PostgreSQL's CPU under churn), unless the connection string sets it. PostgreSQL's default plan
    /// cache mode stays: a prepared statement gets a generic plan once it is no worse than planning it for each call's
    /// parameters (planning had been over a quarter of PostgreSQL's CPU under getwork). The task queue's statements are
    /// written so that their generic plans are the right ones (partial indexes, no or-ed conditions; the claim runs with
    /// sorts ruled out).
    /// </summary>
    public static string PostgresConnectionString(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (!Sets(connectionString, "No Reset On Close", "NoResetOnClose"))
        {
            builder.NoResetOnClose = true;
        }

        if (!Sets(connectionString, "Max Auto Prepare", "MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = 128;
        }

        return builder.ConnectionString;
    }

    private static bool Sets(string connectionString, params string[] keys) =>
        keys.Any(key => connectionString.Contains(key, StringComparison.OrdinalIgnoreCase));
}
