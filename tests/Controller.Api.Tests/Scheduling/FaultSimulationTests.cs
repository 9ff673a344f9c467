using System.Globalization;
using Controller.Api.Tests.Infrastructure;

namespace Controller.Api.Tests.Scheduling;

/// <summary>
/// The fault-injection simulation (see <see cref="FaultSimulation"/>). CI runs the seeds below; longer runs with
/// other seeds: <c>CONTROLLER_SIM_SEEDS=1,2,3 CONTROLLER_SIM_ROUNDS=2400 dotnet test --filter FaultSimulation</c>.
/// </summary>
public sealed class FaultSimulationTests
{
    private static readonly int Rounds = int.Parse(Environment.GetEnvironmentVariable("CONTROLLER_SIM_ROUNDS") ?? "240", CultureInfo.InvariantCulture);

    private static IEnumerable<int> Seeds() =>
        (Environment.GetEnvironmentVariable("CONTROLLER_SIM_SEEDS") ?? "20261129")
        .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(s => int.Parse(s, CultureInfo.InvariantCulture));

    [TestCaseSource(nameof(Seeds))]
    public async Task OneReplica_FaultsEveryRound_SafeThroughoutAndConvergesAfterTheLastFault(int seed) =>
        await RunAsync(seed, replicas: 1);

    [TestCaseSource(nameof(Seeds))]
    public async Task ThreeReplicas_FaultsEveryRound_SafeThroughoutAndConvergesAfterTheLastFault(int seed)
    {
        if (TestDatabase.PostgresConnectionString() is null)
        {
            Assert.Ignore("Several replicas share a server database (PostgreSQL or SQL Server), not the embedded SQLite file; " +
                          "this test runs in the PostgreSQL pass of scripts/test.sh (set CONTROLLER_TEST_POSTGRES to run it here).");
        }

        await RunAsync(seed, replicas: 3);
    }

    private static async Task RunAsync(int seed, int replicas)
    {
        using var log = new SimulationLog();
        try
        {
            await using var simulation = new FaultSimulation(seed, replicas, Rounds, log);
            await simulation.RunAsync();
        }
        finally
        {
            // Every fault in order, to replay and read a failing seed.
            await TestContext.Out.WriteLineAsync(log.ToString());
        }
    }
}
