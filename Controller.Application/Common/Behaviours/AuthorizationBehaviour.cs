using Controller.Application.Common.Exceptions;
using Controller.Application.Common.Security;
using Controller.Domain.Tokens;
using Mediator;

namespace Controller.Application.Common.Behaviours;

/// <summary>
/// Enforces the binding of host and engine-instance tokens: such a token acts only for the one
/// host or instance it was issued for. Which token kinds may call an endpoint at all is decided
/// by the API's authorization policies before the message is sent.
/// </summary>
public sealed class AuthorizationBehaviour<TMessage, TResponse>(ICurrentCaller caller) : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    public ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        if (message is IHostScoped hostScoped && caller.Kind == TokenKind.Host && caller.HostId != hostScoped.HostId)
        {
            throw new ForbiddenException("This host token is bound to another host.",
                new Dictionary<string, object?> { ["hostId"] = hostScoped.HostId });
        }

        if (message is IInstanceScoped instanceScoped && caller.Kind == TokenKind.EngineInstance && caller.EngineInstanceId != instanceScoped.InstanceId)
        {
            throw new ForbiddenException("This engine-instance token is bound to another engine instance.",
                new Dictionary<string, object?> { ["engineInstanceId"] = instanceScoped.InstanceId });
        }

        return next(message, cancellationToken);
    }
}
