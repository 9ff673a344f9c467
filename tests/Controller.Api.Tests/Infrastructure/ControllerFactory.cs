using Controller.Infrastructure.Persistence;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Controller.Api.Tests.Infrastructure;

/// <summary>
/// The controller in-process on a real database: a fresh SQLite file by default, or the PostgreSQL
/// server named by CONTROLLER_TEST_POSTGRES (a fresh database per factory). Time is a FakeTimeProvider.
/// </summary>
public class ControllerFactory : WebApplicationFactory<Program>
{
    public const string AdminToken = "ctl_test-admin-0123456789abcdefghijklmnopqrstuvwxyzABCD";

    public const string InstanceTokenKey = "dGVzdC1pbnN0YW5jZS10b2tlbi1rZXktMzItYnl0ZXMtbG9uZyEh";

    private readonly Dictionary<string, string?> _settings;
    private readonly bool _keepDataDirectory;
    private static OpenApiContract? _contract;

    /// <param name="settings">Configuration on top of the test defaults (a given connection string makes no fresh database).</param>
    /// <param name="clock">A clock shared with other replicas or an earlier run of the controller; a new one by default.</param>
    /// <param name="dataDirectory">The data folder of an earlier run (a restart on the same SQLite file); kept on dispose.</param>
    public ControllerFactory(IDictionary<string, string?>? settings = null, FakeTimeProvider? clock = null, string? dataDirectory = null)
    {
        Clock = clock ?? new FakeTimeProvider(DateTimeOffset.UtcNow);
        _keepDataDirectory = dataDirectory is not null;
        DataDirectory = dataDirectory ?? Path.Combine(Path.GetTempPath(), "controller-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(DataDirectory);
        _settings = new Dictionary<string, string?>
        {
            ["Controller:DataDirectory"] = DataDirectory,
            ["Controller:AdminToken"] = AdminToken,
            ["Controller:PublicUrl"] = "http://controller.test:5080",
            // Replicas of one cluster share the key engine-instance secrets are derived from.
            ["Controller:InstanceTokenKey"] = InstanceTokenKey,
            // Tests drive many requests with one admin token; the limits themselves are tested with small values.
            ["RateLimiting:PerCallerPerSecond"] = "100000",
            ["RateLimiting:PerCallerBurst"] = "100000",
            ["RateLimiting:AdminConcurrency"] = "1000",
            // Tests sweep with SweepService.TickAsync; the background timer would also tick whenever the fake clock
            // jumps, racing the test's own sweep.
            ["Scheduling:SweepIntervalSeconds"] = "3600",
        };
        var postgres = TestDatabase.PostgresConnectionString();
        if (postgres is not null && settings?.ContainsKey("ConnectionStrings:Controller") != true)
        {
            _settings["Database:Provider"] = "Postgres";
            _settings["ConnectionStrings:Controller"] = TestDatabase.CreatePostgresDatabase(postgres);
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
    }

    public string DataDirectory { get; }

    public FakeTimeProvider Clock { get; }

    public HttpClient Admin() => ClientWith(AdminToken);

    /// <summary>The served OpenAPI document, read once per run: every client of every test is checked against it.</summary>
    public OpenApiContract Contract
    {
        get
        {
            if (_contract is null)
            {
                using var plain = CreateClient();
                _contract = OpenApiContract.Parse(plain.GetStringAsync("/openapi/v1.json").GetAwaiter().GetResult());
            }

            return _contract;
        }
    }

    /// <summary>Only for the test that provokes a 500 on purpose: the contract check lets 5xx answers through.</summary>
    public bool AllowServerErrors { get; protected set; }

    /// <summary>Where clients send requests: the in-memory server, or the real port after <c>UseKestrel</c>.</summary>
    public Uri BaseAddress { get; set; } = new("http://localhost");

    /// <summary>A client whose every request and answer is checked against the served OpenAPI document.</summary>
    public HttpClient ClientWith(string? token)
    {
        var client = CreateDefaultClient(BaseAddress, new ContractCheckingHandler(() => Contract, AllowServerErrors));
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    /// <summary>Reads the database directly, the way the assertions "nothing changed" need it.</summary>
    public async Task<T> WithDbAsync<T>(Func<ControllerDbContext, Task<T>> read)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ControllerDbContext>();
        return await read(db);
    }

    public Task<int> CountAsync<TEntity>()
        where TEntity : class =>
        WithDbAsync(db => db.Set<TEntity>().CountAsync());

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        // What the code decides for itself (no configuration key; the options' setters are not public) tests may still
        // shorten, under the same names, e.g. "Scheduling:SnapshotMaxAgeMilliseconds".
        builder.ConfigureServices((context, services) =>
        {
            services.Configure<Application.Common.Options.SchedulingOptions>(
                context.Configuration.GetSection(Application.Common.Options.SchedulingOptions.SectionName), o => o.BindNonPublicProperties = true);
            services.Configure<Application.Common.Options.WorkOptions>(
                context.Configuration.GetSection(Application.Common.Options.WorkOptions.SectionName), o => o.BindNonPublicProperties = true);
        });

        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            ConfigureServices(services);
        });
    }

    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && _settings.GetValueOrDefault("Database:Provider") == "Postgres" && _settings.GetValueOrDefault("ConnectionStrings:Controller") is { } postgres)
        {
            // Each test's database has its own pool: close its idle connections now rather than when they idle out,
            // so that a whole test run stays within the server's connection limit. (The pool is the one of the string
            // the controller completes, not of the one it was given.)
            using var connection = new Npgsql.NpgsqlConnection(Controller.Infrastructure.DependencyInjection.PostgresConnectionString(postgres));
            Npgsql.NpgsqlConnection.ClearPool(connection);
        }

        if (disposing && !_keepDataDirectory)
        {
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open by a pooled connection is cleaned up with the temp folder.
            }
        }
    }
}
