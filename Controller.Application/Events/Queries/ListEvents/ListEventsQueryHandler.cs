using Controller.Application.Common.Interfaces;
using Controller.Application.Events.Models;
using Mediator;

namespace Controller.Application.Events.Queries.ListEvents;

public sealed class ListEventsQueryHandler(IEventLog events) : IQueryHandler<ListEventsQuery, EventPage>
{
    public async ValueTask<EventPage> Handle(ListEventsQuery query, CancellationToken cancellationToken)
    {
        var rows = await events.ListAsync(EventFilter.Of(query.Types, query.HostId, query.EngineId, query.InstanceId), query.After, query.Limit, cancellationToken);

        // An empty page keeps the caller's cursor: following is "ask again with the same after".
        return new EventPage([.. rows.Select(EventDto.From)], rows.Count > 0 ? rows[^1].Sequence : query.After);
    }
}
