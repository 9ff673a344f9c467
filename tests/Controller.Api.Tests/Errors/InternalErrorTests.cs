using System.Net;
using Controller.Api.Tests.Infrastructure;
using Controller.Application.Common.Interfaces;
using Controller.Domain.Hosts;
using Microsoft.Extensions.DependencyInjection;
using Moq;

namespace Controller.Api.Tests.Errors;

public sealed class InternalErrorTests
{
    private sealed class BrokenRepositoryFactory : ControllerFactory
    {
        public BrokenRepositoryFactory()
        {
            AllowServerErrors = true;
        }

        protected override void ConfigureServices(IServiceCollection services)
        {
            var hosts = new Mock<IHostRepository>();
            hosts.Setup(h => h.ListAsync(It.IsAny<HostState?>(), It.IsAny<int>(), It.IsAny<int>(), It.IsAny<CancellationToken>()))
                .ThrowsAsync(new InvalidOperationException("secret internal detail"));
            services.AddScoped(_ => hosts.Object);
        }
    }

    [Test]
    public async Task UnexpectedException_Returns500InternalErrorWithoutLeakingTheMessage()
    {
        using var factory = new BrokenRepositoryFactory();
        using var admin = factory.Admin();

        var response = await admin.GetAsync("/host");

        var body = await response.AssertErrorAsync(HttpStatusCode.InternalServerError, "internal_error");
        Assert.That(body.ToJsonString(), Does.Not.Contain("secret internal detail"));
    }
}
