using Controller.Application.Common.Security;
using Mediator;

namespace Controller.Application.Hosts.Commands.RotateHostToken;

/// <summary>
/// Issue a new host token. The host's previous tokens keep working until the new one is first used, then for a short
/// overlap (<c>Tokens:RotationOverlapSeconds</c>), and never longer than <c>Tokens:RotationPickupSeconds</c>: an agent
/// whose answer was lost repeats the rotation with its old token and gets yet another new one.
/// </summary>
public sealed record RotateHostTokenCommand(Guid HostId) : ICommand<RotatedHostToken>, IHostScoped;
