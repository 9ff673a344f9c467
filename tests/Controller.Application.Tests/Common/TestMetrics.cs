using System.Diagnostics.Metrics;
using Controller.Application.Common.Telemetry;

namespace Controller.Application.Tests.Common;

/// <summary>The controller's metrics on meters of the test alone (nothing listens).</summary>
internal static class TestMetrics
{
    public static ControllerMetrics Create() => new(new Meters(), new ClusterGauges());

    private sealed class Meters : IMeterFactory
    {
        public Meter Create(MeterOptions options) => new(options);

        public void Dispose()
        {
        }
    }
}
