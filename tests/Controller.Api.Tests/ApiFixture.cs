using Controller.Api.Tests.Infrastructure;

namespace Controller.Api.Tests;

/// <summary>One controller per test run, shared by the API tests (each test uses its own hosts and tokens).</summary>
[SetUpFixture]
public sealed class ApiFixture
{
    public static ControllerFactory Factory { get; private set; } = null!;

    [OneTimeSetUp]
    public void Start()
    {
        Factory = new ControllerFactory();
        _ = Factory.Server;
    }

    [OneTimeTearDown]
    public void Stop() => Factory.Dispose();
}
