using Microsoft.Extensions.DependencyInjection;

namespace Controller.Application.Tests.Common;

/// <summary>Scopes whose services come from a function (each scope asks it again), for processors tested without a container.</summary>
internal sealed class TestScopes(Func<Type, object?> services) : IServiceScopeFactory
{
    public static TestScopes Of<T>(Func<T> create)
        where T : class => new(type => type == typeof(T) ? create() : null);

    public IServiceScope CreateScope() => new Scope(services);

    private sealed class Scope(Func<Type, object?> services) : IServiceScope, IServiceProvider
    {
        public IServiceProvider ServiceProvider => this;

        public object? GetService(Type serviceType) => services(serviceType);

        public void Dispose()
        {
        }
    }
}
