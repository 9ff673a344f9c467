using Controller.Application.Work;
using Controller.Infrastructure.Persistence;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Controller.Infrastructure.BackgroundServices;

/// <summary>
/// PostgreSQL: one connection per replica listens on <see cref="PostgresWorkSignal.Channel"/> and wakes this replica's
/// held getwork calls for what other replicas committed (tasks queued, copies to stop, hosts draining). A dropped
/// connection is opened again after a second, and every held call then asks again once: what was notified meanwhile
/// is found, not lost.
/// </summary>
internal sealed partial class WorkNotificationListener(WorkNotificationSource source, ReplicaIdentity replica, WorkWaiters waiters, ILogger<WorkNotificationListener> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(source.ConnectionString);
                await connection.OpenAsync(stoppingToken);
                connection.Notification += (_, e) =>
                {
                    if (PostgresWorkSignal.Parse(e.Payload, replica.Id) is { } wakeups)
                    {
                        waiters.Apply(wakeups);
                    }
                    else
                    {
                        waiters.WakeEveryone();
                    }
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {PostgresWorkSignal.Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                // Whatever was notified before this connection listened is missed: every held call asks again once.
                waiters.WakeEveryone();

                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogDropped(logger, ex);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The work notification connection dropped; listening again in a second (held getwork calls then ask again).")]
    private static partial void LogDropped(ILogger logger, Exception exception);
}

/// <summary>Where the listener connects: the controller's database, without pooling (one long-lived connection).</summary>
internal sealed record WorkNotificationSource(string ConnectionString);
