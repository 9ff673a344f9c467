using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Options;
using Controller.Application.Hosts.FastPath;
using Controller.Infrastructure.BackgroundServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Moq;

namespace Controller.Infrastructure.Tests.BackgroundServices;

/// <summary>The sweep flushes last-seen times just before it looks for lost hosts: a flush already writing must be waited for.</summary>
public sealed class LastSeenFlushServiceTests
{
    [Test]
    public async Task AFlushThatFindsTheBufferDrainedByAWriteInFlight_ReturnsOnlyOnceThatWriteIsDone()
    {
        var buffer = new LastSeenBuffer();
        var writing = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var written = new List<Guid>();
        var hosts = new Mock<IHostRepository>();
        hosts.Setup(h => h.TouchManyAsync(It.IsAny<IReadOnlyCollection<Guid>>(), It.IsAny<DateTimeOffset>(), It.IsAny<CancellationToken>()))
            .Returns(async (IReadOnlyCollection<Guid> ids, DateTimeOffset _, CancellationToken _) =>
            {
                writing.TrySetResult();
                await release.Task;
                lock (written)
                {
                    written.AddRange(ids);
                }
            });
        using var services = new ServiceCollection().AddSingleton(hosts.Object).BuildServiceProvider();
        using var flush = new LastSeenFlushService(services.GetRequiredService<IServiceScopeFactory>(), buffer, Microsoft.Extensions.Options.Options.Create(new SchedulingOptions()),
            new FakeTimeProvider(), NullLogger<LastSeenFlushService>.Instance);
        var hostId = Guid.NewGuid();
        buffer.Record(hostId, DateTimeOffset.UnixEpoch);

        var background = flush.FlushAsync(CancellationToken.None);
        await writing.Task;
        var sweeps = flush.FlushAsync(CancellationToken.None);
        await Task.Delay(100);

        Assert.That(sweeps.IsCompleted, Is.False, "the sweep's flush waits for the write in flight");
        release.SetResult();
        await Task.WhenAll(background, sweeps);
        Assert.That(written, Is.EqualTo(new[] { hostId }));
    }
}
