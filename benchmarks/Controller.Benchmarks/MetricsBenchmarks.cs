using BenchmarkDotNet.Attributes;
using Controller.Application.Common.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Controller.Benchmarks;

/// <summary>
/// What the metrics add to one status report answered from memory: one counter increment and one histogram record,
/// with OpenTelemetry's SDK listening and aggregating for its Prometheus exporter (as in the controller), against the
/// same calls with nothing listening.
/// </summary>
[MemoryDiagnoser]
public class MetricsBenchmarks
{
    private ServiceProvider _services = null!;
    private ControllerMetrics _metrics = null!;
    private MeterProvider? _provider;

    [Params(false, true)]
    public bool Exported { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        _metrics = new ControllerMetrics(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), new ClusterGauges());
        if (Exported)
        {
            _provider = Sdk.CreateMeterProviderBuilder().AddMeter(ControllerMetrics.MeterName).AddPrometheusExporter().Build();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _provider?.Dispose();
        _services.Dispose();
    }

    [Benchmark]
    public void StatusReportAnsweredFromMemory() => _metrics.StatusReport(StatusOutcome.Fast, TimeSpan.FromMilliseconds(0.4));
}
