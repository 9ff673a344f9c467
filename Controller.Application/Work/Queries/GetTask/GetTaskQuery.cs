using Controller.Application.Work.Models;
using Mediator;

namespace Controller.Application.Work.Queries.GetTask;

public sealed record GetTaskQuery(Guid TaskId) : IQuery<TaskDto>;
