using System.Diagnostics.Metrics;

namespace Controller.Application.Common.Telemetry;

/// <summary>
/// The controller's own instruments (meter <see cref="MeterName"/>, exported with names starting <c>controller_</c>).
/// Recording is a few counter increments: cheap enough for the status fast path. Gauges read <see cref="ClusterGauges"/>.
/// </summary>
public sealed class ControllerMetrics
{
    public const string MeterName = "Controller";

    private readonly Counter<long> _statusReports;
    private readonly Histogram<double> _statusDuration;
    private readonly Counter<long> _launches;
    private readonly Counter<long> _stops;
    private readonly Counter<long> _hostsLost;
    private readonly Counter<long> _sweeps;
    private readonly Counter<long> _sweepStepFailures;
    private readonly Counter<long> _retentionDeleted;
    private readonly Counter<long> _conflicts;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _tasksLeased;
    private readonly Counter<long> _taskOutcomes;

    public ControllerMetrics(IMeterFactory meters, ClusterGauges gauges)
    {
        var meter = meters.Create(MeterName);
        _statusReports = meter.CreateCounter<long>("controller.status.reports", "{report}", "Status reports answered, by outcome (fast: from memory; full: a round).");
        _statusDuration = meter.CreateHistogram<double>("controller.status.duration", "s", "Time to answer a status report, by outcome.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });
        _launches = meter.CreateCounter<long>("controller.launches", "{launch}", "Copies launched (decided), by engine.");
        _stops = meter.CreateCounter<long>("controller.terminations", "{termination}", "Copies told to stop, by engine and reason.");
        _hostsLost = meter.CreateCounter<long>("controller.hosts.lost", "{host}", "Hosts declared lost by the sweep.");
        _sweeps = meter.CreateCounter<long>("controller.sweeps", "{sweep}", "Sweeps run by this replica (it held the sweep lease).");
        _sweepStepFailures = meter.CreateCounter<long>("controller.sweep.step.failures", "{failure}", "Sweep steps that failed (the other steps still ran), by step.");
        _retentionDeleted = meter.CreateCounter<long>("controller.retention.deleted", "{row}", "Rows deleted by retention, by kind (tasks, events, instances, hosts, tokens, audit, engines).");
        _conflicts = meter.CreateCounter<long>("controller.db.conflicts", "{conflict}", "Writes that lost a race with another writer and were retried, by operation.");
        _rejected = meter.CreateCounter<long>("controller.requests.rejected", "{request}", "Requests answered with an error, by status and error id.");
        _tasksLeased = meter.CreateCounter<long>("controller.tasks.leased", "{task}", "Tasks handed out by getwork, by engine.");
        _taskOutcomes = meter.CreateCounter<long>("controller.tasks.outcomes", "{task}", "Outcomes reported by engine instances, by engine and outcome.");

        meter.CreateObservableGauge("controller.hosts", () =>
            gauges.Current.HostsByState.Select(h => new Measurement<long>(h.Value, new KeyValuePair<string, object?>("state", h.Key))), "{host}", "Hosts by state.");
        meter.CreateObservableGauge("controller.instances", () =>
            gauges.Current.InstancesByEngineAndState.Select(i => new Measurement<long>(i.Value, Tag("engine", i.Key.Engine), Tag("state", i.Key.State))),
            "{instance}", "Engine instances by engine and state.");
        meter.CreateObservableGauge("controller.engine.desired", () =>
            gauges.Current.Engines.Select(e => new Measurement<long>(e.Desired, Tag("engine", e.Engine))), "{instance}", "Desired copies per engine.");
        meter.CreateObservableGauge("controller.engine.active", () =>
            gauges.Current.Engines.Select(e => new Measurement<long>(e.Active, Tag("engine", e.Engine))), "{instance}", "Active copies (pending, starting, running) per engine.");
        meter.CreateObservableGauge("controller.engine.backoff", () =>
            gauges.Current.Engines.Select(e => new Measurement<long>(e.InBackoff ? 1 : 0, Tag("engine", e.Engine))), "{engine}", "1 while the engine backs off after failures.");
        meter.CreateObservableGauge("controller.tasks", () =>
            gauges.Current.TasksByEngineAndState.Select(t => new Measurement<long>(t.Value, Tag("engine", t.Key.Engine), Tag("state", t.Key.State))),
            "{task}", "Tasks by engine and state.");
        meter.CreateObservableGauge("controller.tasks.oldest_queued_age", () =>
            gauges.Current.Engines.Where(e => e.OldestQueuedAgeSeconds is not null)
                .Select(e => new Measurement<double>(e.OldestQueuedAgeSeconds!.Value, Tag("engine", e.Engine))), "s", "Age of each engine's oldest queued task.");
    }

    public void StatusReport(StatusOutcome kind, TimeSpan elapsed)
    {
        var outcome = Tag("outcome", kind switch { StatusOutcome.Fast => "fast", StatusOutcome.Deferred => "deferred", _ => "full" });
        _statusReports.Add(1, outcome);
        _statusDuration.Record(elapsed.TotalSeconds, outcome);
    }

    public void Launched(string engine, int count = 1) => _launches.Add(count, Tag("engine", engine));

    public void Stopped(string engine, string reason) => _stops.Add(1, Tag("engine", engine), Tag("reason", reason));

    public void HostsLost(int count)
    {
        if (count > 0)
        {
            _hostsLost.Add(count);
        }
    }

    public void Swept() => _sweeps.Add(1);

    public void SweepStepFailed(string step) => _sweepStepFailures.Add(1, Tag("step", step));

    public void RetentionDeleted(string kind, int rows) => _retentionDeleted.Add(rows, Tag("kind", kind));

    public void Conflict(string operation) => _conflicts.Add(1, Tag("operation", operation));

    public void Rejected(int status, string errorId) => _rejected.Add(1, Tag("status", status), Tag("error_id", errorId));

    public void TasksLeased(string engine, int count)
    {
        if (count > 0)
        {
            _tasksLeased.Add(count, Tag("engine", engine));
        }
    }

    public void TaskOutcome(string engine, string outcome) => _taskOutcomes.Add(1, Tag("engine", engine), Tag("outcome", outcome));

    private static KeyValuePair<string, object?> Tag(string key, object? value) => new(key, value);
}

/// <summary>How a status report was answered.</summary>
public enum StatusOutcome
{
    /// <summary>From memory: the host is steady.</summary>
    Fast,

    /// <summary>By a round.</summary>
    Full,

    /// <summary>From memory although an engine could use the host: placement was busy, the copy goes elsewhere or later.</summary>
    Deferred,
}
