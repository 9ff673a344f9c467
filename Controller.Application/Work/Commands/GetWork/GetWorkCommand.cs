using System.Text.Json;
using Controller.Application.Common.Security;
using Controller.Application.Work.Models;
using Controller.Domain.Work;
using Mediator;

namespace Controller.Application.Work.Commands.GetWork;

/// <summary>
/// An engine instance reports the outcome of tasks it held and asks for up to <paramref name="MaxItems"/> more. Also
/// proves it alive (as a heartbeat) and extends the leases of what it still holds. With <paramref name="Holding"/> it
/// names the tasks it is still working on: any other task leased to it goes back to the queue (an answer it never got).
/// With <paramref name="WaitSeconds"/> (a long poll) a call with nothing to hand out waits for work (<see cref="WorkWaiters"/>).
/// </summary>
public sealed record GetWorkCommand(Guid InstanceId, IReadOnlyList<CompletedTask>? Completed, int? MaxItems, IReadOnlyList<Guid>? Holding = null, int? WaitSeconds = null)
    : ICommand<GetWorkAnswer>, IInstanceScoped
{
    public const int DefaultMaxItems = 1;

    /// <summary>The longest a long poll is held (as Amazon SQS's <c>WaitTimeSeconds</c>).</summary>
    public const int MaxWaitSeconds = 20;

    /// <summary>
    /// A held call asking again because its engine or host changed, perhaps on another replica before this replica's
    /// placement view has it: whether it may still take work is decided on the engine's and the host's rows.
    /// </summary>
    public bool DecideOnRows { get; init; }
}

/// <summary>The outcome of one task: succeeded with a result, or failed with an error.</summary>
public sealed record CompletedTask(Guid? TaskId, TaskOutcome? Outcome, JsonElement? Result, string? Error);
