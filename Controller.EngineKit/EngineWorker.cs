using System.Text.Json.Nodes;
using Controller.Client;
using Controller.Client.Engine_instance.Item;
using Controller.Client.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Controller.EngineKit;

/// <summary>
/// The protocol of one engine copy: register, then a getwork loop (outcomes of the tasks it finished, one call at a
/// time, holding nothing else) beside a heartbeat loop (liveness, lease renewal, cancellations, stop). On
/// <c>terminate</c>, a heartbeat's <c>stop</c> or SIGTERM it finishes the task in hand, reports it with a last getwork
/// that takes nothing, and ends the program with exit code 0. A token the controller refuses ends it with 1.
/// </summary>
internal sealed partial class EngineWorker(
    ControllerApiClient client,
    ITaskHandler handler,
    IOptions<EngineKitOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider clock,
    ILogger<EngineWorker> logger) : BackgroundService
{
    private const int ErrorMaxLength = 4_000;

    /// <summary>How long a getwork call with nothing to report may be held by the controller (its maximum).</summary>
    private const int LongPollSeconds = 20;
    private readonly Lock _lock = new();
    private (Guid TaskId, CancellationTokenSource Cancel)? _current;
    private volatile bool _stopRequested;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var instance = client.Engine_instance[settings.InstanceId!.Value];
        try
        {
            await RegisterAsync(instance);
            using var stopHeartbeats = new CancellationTokenSource();
            var heartbeats = HeartbeatLoopAsync(instance, settings.HeartbeatSeconds, stopHeartbeats.Token);
            try
            {
                await WorkLoopAsync(instance, settings.MaxItems, stoppingToken);
            }
            finally
            {
                await stopHeartbeats.CancelAsync();
                await heartbeats;
            }
        }
        catch (Exception e) when (e.Is(401) || e.Is(403))
        {
            LogRefused(logger, e.Message);
            Environment.ExitCode = 1;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFailed(logger, e);
            Environment.ExitCode = 1;
        }

        lifetime.StopApplication();
    }

    private async Task RegisterAsync(WithInstanceItemRequestBuilder instance)
    {
        try
        {
            await instance.Register.PostAsync();
            LogRegistered(logger, options.Value.InstanceId!.Value);
        }
        catch (Exception e) when (e.Is(409, "engine_instance_already_registered"))
        {
            LogAlreadyRegistered(logger);
        }
    }

    private async Task WorkLoopAsync(WithInstanceItemRequestBuilder instance, int maxItems, CancellationToken stoppingToken)
    {
        var completed = new List<CompletedTaskRequest>();
        while (true)
        {
            // Once told to stop, one last call reports what was finished and takes nothing.
            var last = stoppingToken.IsCancellationRequested || _stopRequested;
            GetWorkResponse answer;
            try
            {
                // With nothing to report the call long-polls: the controller holds it until work comes, the copy must
                // stop or the wait ends, and a SIGTERM meanwhile cancels it (nothing is lost). A call that reports
                // outcomes is never cancelled by the shutdown: they must reach the controller.
                var poll = completed.Count == 0 && !last;
                var request = new GetWorkRequest { Completed = completed, MaxItems = last ? 0 : maxItems, Holding = [], WaitSeconds = poll ? LongPollSeconds : null };
                answer = await instance.Getwork.PostAsync(request, cancellationToken: poll ? stoppingToken : CancellationToken.None)
                    ?? new GetWorkResponse { Action = WorkAction.Wait, WaitSeconds = 1 };
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested && completed.Count == 0)
            {
                continue; // SIGTERM while waiting for work: the next round is the last call
            }
            catch (ErrorResponse e) when (e.ErrorId == "outcome_refused")
            {
                var refused = RefusedTaskIds(e);
                LogOutcomesRefused(logger, string.Join(", ", refused));
                completed.RemoveAll(c => c.TaskId is { } id && (refused.Count == 0 || refused.Contains(id)));
                continue;
            }

            completed.Clear();
            if (last)
            {
                LogStopping(logger);
                return;
            }

            switch (answer.Action)
            {
                case WorkAction.Process:
                    foreach (var item in answer.Items ?? [])
                    {
                        if (await RunAsync(item) is { } outcome)
                        {
                            completed.Add(outcome);
                        }
                    }

                    break;
                case WorkAction.Terminate:
                    LogTerminate(logger);
                    return;
                default:
                    try
                    {
                        await Task.Delay(TimeSpan.FromSeconds(Math.Max(1, answer.WaitSeconds ?? 1)), clock, stoppingToken);
                    }
                    catch (OperationCanceledException)
                    {
                        // SIGTERM while idle: the next round is the last call.
                    }

                    break;
            }
        }
    }

    private async Task<CompletedTaskRequest?> RunAsync(WorkItemResponse item)
    {
        var taskId = item.TaskId!.Value;
        using var cancel = new CancellationTokenSource();
        lock (_lock)
        {
            _current = (taskId, cancel);
        }

        try
        {
            var task = new EngineTask(taskId, item.Payload.ToJsonNode(), item.Attempt ?? 1, item.LeaseExpiresAt);
            var result = await handler.HandleAsync(task, cancel.Token);
            return new CompletedTaskRequest { TaskId = taskId, Outcome = TaskOutcome.Succeeded, Result = result.ToUntypedNode() };
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            LogCancelled(logger, taskId);
            return null;
        }
        catch (Exception e)
        {
            LogTaskFailed(logger, taskId, e.Message);
            var error = string.IsNullOrWhiteSpace(e.Message) ? e.GetType().Name : e.Message;
            return new CompletedTaskRequest { TaskId = taskId, Outcome = TaskOutcome.Failed, Error = error.Length > ErrorMaxLength ? error[..ErrorMaxLength] : error };
        }
        finally
        {
            lock (_lock)
            {
                _current = null;
            }
        }
    }

    private async Task HeartbeatLoopAsync(WithInstanceItemRequestBuilder instance, int seconds, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(seconds), clock);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    (Guid TaskId, CancellationTokenSource Cancel)? current;
                    lock (_lock)
                    {
                        current = _current;
                    }

                    var answer = await instance.Heartbeat.PostAsync(new HeartbeatRequest { Busy = current is not null }, cancellationToken: cancellationToken);
                    if (answer?.Stop == true && !_stopRequested)
                    {
                        _stopRequested = true;
                        LogTerminate(logger);
                    }

                    if (current is { } task && answer?.CancelledTaskIds?.Contains(task.TaskId) == true)
                    {
                        await task.Cancel.CancelAsync();
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogHeartbeatFailed(logger, e.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // the work loop ended
        }
    }

    private static HashSet<Guid> RefusedTaskIds(ErrorResponse error)
    {
        var ids = new HashSet<Guid>();
        if (error.ErrorDetail?.AdditionalData.TryGetValue("refused", out var refused) == true
            && (refused as Microsoft.Kiota.Abstractions.Serialization.UntypedNode).ToJsonNode() is JsonArray list)
        {
            foreach (var entry in list)
            {
                if (Guid.TryParse(entry?["taskId"]?.GetValue<string>(), out var id))
                {
                    ids.Add(id);
                }
            }
        }

        return ids;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Engine instance {InstanceId} registered with the controller.")]
    private static partial void LogRegistered(ILogger logger, Guid instanceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Already registered (this copy restarted): carrying on.")]
    private static partial void LogAlreadyRegistered(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Told to stop: finishing the task in hand, then exiting.")]
    private static partial void LogTerminate(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outcomes reported; exiting.")]
    private static partial void LogStopping(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} was cancelled; its outcome is dropped.")]
    private static partial void LogCancelled(ILogger logger, Guid taskId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId} failed: {Error}")]
    private static partial void LogTaskFailed(ILogger logger, Guid taskId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The controller refused outcomes (lease expired, cancelled or handed to another copy): {TaskIds}; the others are sent again.")]
    private static partial void LogOutcomesRefused(ILogger logger, string taskIds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Heartbeat failed (retried at the next beat): {Error}")]
    private static partial void LogHeartbeatFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The controller refused this copy's token ({Error}): it was revoked or the copy was stopped. Exiting.")]
    private static partial void LogRefused(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The engine loop failed; exiting.")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
