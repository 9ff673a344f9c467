using Controller.Application.Common.Exceptions;
using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Security;
using Controller.Application.EngineInstances.Models;
using Controller.Domain.Tokens;
using Mediator;

namespace Controller.Application.EngineInstances.Queries.GetEngineInstance;

public sealed class GetEngineInstanceQueryHandler(IEngineInstanceRepository instances, ICurrentCaller caller)
    : IQueryHandler<GetEngineInstanceQuery, EngineInstanceDto>
{
    public async ValueTask<EngineInstanceDto> Handle(GetEngineInstanceQuery query, CancellationToken cancellationToken)
    {
        var instance = await instances.FindAsync(query.InstanceId, cancellationToken) ?? throw EngineInstanceErrors.NotFound(query.InstanceId);
        if (caller.Kind == TokenKind.Host && caller.HostId != instance.HostId)
        {
            throw new ForbiddenException("This engine instance runs on another host.", new Dictionary<string, object?> { ["engineInstanceId"] = instance.Id });
        }

        return instance.ToDto();
    }
}
