using Controller.Application.Work;
using Microsoft.Extensions.Hosting;

namespace Controller.Infrastructure.BackgroundServices;

/// <summary>
/// When the replica begins to shut down (before the server stops taking requests and waits for those in flight), every
/// held getwork call is answered <c>wait</c> at once and no new one is held: the shutdown is not delayed by long polls.
/// </summary>
public sealed class HeldCallsShutdown(IHostApplicationLifetime lifetime, WorkWaiters waiters) : IHostedService
{
    private CancellationTokenRegistration _stopping;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _stopping = lifetime.ApplicationStopping.Register(waiters.Stop);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => _stopping.DisposeAsync().AsTask();
}
