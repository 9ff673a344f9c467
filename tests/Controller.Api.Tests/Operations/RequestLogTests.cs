using System.Collections.Concurrent;
using System.Net.Http.Json;
using Controller.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Controller.Api.Tests.Operations;

/// <summary>One log line per request: route template, status, duration, token id; 4xx at Debug; never a secret.</summary>
public sealed class RequestLogTests
{
    private sealed class CapturingFactory() : ControllerFactory(new Dictionary<string, string?> { ["Logging:LogLevel:Controller.Api.Logging"] = "Debug" })
    {
        public ConcurrentQueue<(string Category, LogLevel Level, string Message)> Lines { get; } = new();

        protected override void ConfigureServices(IServiceCollection services) =>
            services.AddSingleton<ILoggerProvider>(new Provider(Lines));

        private sealed class Provider(ConcurrentQueue<(string, LogLevel, string)> lines) : ILoggerProvider
        {
            public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);

            public void Dispose()
            {
            }
        }

        private sealed class Logger(string category, ConcurrentQueue<(string, LogLevel, string)> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue((category, logLevel, formatter(state, exception)));
        }
    }

    [Test]
    public async Task EveryRequest_OneLine_WithTheRouteTemplateAndTokenId_ChallengesAtDebug_NoSecret()
    {
        using var factory = new CapturingFactory();
        using var admin = factory.Admin();
        var created = await (await admin.PostAsJsonAsync("/token", new { kind = "registration", name = "r" })).ReadJsonAsync();
        var (hostId, hostToken) = await factory.RegisterHostAsync();
        using var anonymous = factory.ClientWith(null);
        await anonymous.GetAsync($"/host/{hostId}/detail");

        var requests = factory.Lines.Where(l => l.Category.EndsWith("RequestLogMiddleware", StringComparison.Ordinal)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(requests.Count(l => l.Message.StartsWith("POST /token 201", StringComparison.Ordinal) && l.Level == LogLevel.Information), Is.GreaterThanOrEqualTo(1));
            Assert.That(requests.Any(l => l.Message.StartsWith("POST /host/register 201", StringComparison.Ordinal)), Is.True);
            Assert.That(requests.Single(l => l.Message.StartsWith("GET /host/{hostId:guid}/detail 401", StringComparison.Ordinal)).Level, Is.EqualTo(LogLevel.Debug));
            Assert.That(requests.Where(l => l.Message.Contains("POST /token", StringComparison.Ordinal)).All(l => !l.Message.Contains(" token -", StringComparison.Ordinal)), Is.True, "the admin's token id is logged");
            Assert.That(factory.Lines.Where(l => l.Level >= LogLevel.Information).Any(l => l.Message.Contains("challenged", StringComparison.OrdinalIgnoreCase)), Is.False, "challenges are not Information");
            foreach (var secret in new[] { ControllerFactory.AdminToken, created["token"]!.GetValue<string>(), hostToken })
            {
                Assert.That(factory.Lines.Any(l => l.Message.Contains(secret, StringComparison.Ordinal)), Is.False, "no secret in any log line");
            }
        });
    }
}
