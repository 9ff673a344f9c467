using Controller.Application.Events;
using Microsoft.Extensions.Hosting;

namespace Controller.Infrastructure.BackgroundServices;

/// <summary>Runs this replica's one reader of the event feed (<see cref="EventFeed"/>) while anyone follows it.</summary>
public sealed class EventFeedService(EventFeed feed) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await feed.RunAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
