using Controller.Application.Work.Models;
using Mediator;

namespace Controller.Application.Work.Commands.GetWork;

/// <summary>One getwork call: run in the <see cref="GetWorkProcessor"/> with the calls that arrive together (one transaction for all).</summary>
public sealed class GetWorkCommandHandler(GetWorkProcessor processor) : ICommandHandler<GetWorkCommand, GetWorkAnswer>
{
    public async ValueTask<GetWorkAnswer> Handle(GetWorkCommand command, CancellationToken cancellationToken) =>
        await processor.RunAsync(command, cancellationToken);
}
