using Controller.Application.Common.Exceptions;
using Controller.Application.Common.Interfaces;
using Controller.Application.Common.Security;
using Controller.Domain.Hosts;
using Controller.Domain.Tokens;
using Mediator;

namespace Controller.Application.Hosts.Commands.RegisterHost;

public sealed class RegisterHostCommandHandler(
    IHostRepository hosts,
    TokenIssuer tokens,
    IUnitOfWork unitOfWork,
    ICurrentCaller caller,
    IStatusIntervalAdvisor intervals,
    TimeProvider clock) : ICommandHandler<RegisterHostCommand, RegisterHostResult>
{
    public async ValueTask<RegisterHostResult> Handle(RegisterHostCommand command, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var registration = ToRegistration(command);

        if (caller.Kind == TokenKind.Host)
        {
            // The agent restarted and presents its own host token: same host, same id.
            var own = await hosts.FindAsync(caller.HostId!.Value, cancellationToken)
                ?? throw new NotFoundException("host_not_found", "The host this token belongs to does not exist.",
                    new Dictionary<string, object?> { ["hostId"] = caller.HostId });
            own.ReRegister(registration, now);
            await unitOfWork.SaveChangesAsync(cancellationToken);
            return new RegisterHostResult(own.Id, null, intervals.NextInterval(), own.State, Created: false);
        }

        var existing = await hosts.FindLiveByMachineIdAsync(registration.MachineId, cancellationToken);
        if (existing is not null)
        {
            throw AlreadyRegistered(existing.Id);
        }

        var host = Host.Register(Guid.CreateVersion7(now), registration, now);
        hosts.Add(host);
        var (_, secret) = tokens.IssueForHost(host, now);
        try
        {
            await unitOfWork.SaveChangesAsync(cancellationToken);
        }
        catch (UniqueConstraintViolationException)
        {
            // Another registration with the same machine id won the race.
            unitOfWork.Reset();
            var winner = await hosts.FindLiveByMachineIdAsync(registration.MachineId, cancellationToken);
            throw AlreadyRegistered(winner?.Id);
        }

        return new RegisterHostResult(host.Id, secret, intervals.NextInterval(), host.State, Created: true);
    }

    private static ConflictException AlreadyRegistered(Guid? hostId) =>
        new("host_already_registered", "A live host with this machine id is already registered.",
            new Dictionary<string, object?> { ["hostId"] = hostId });

    private static HostRegistration ToRegistration(RegisterHostCommand c) =>
        new(
            c.MachineId!,
            c.Hostname!,
            c.IpAddresses ?? [],
            c.AgentVersion,
            c.Labels ?? new Dictionary<string, string>(),
            c.Capacity!.ToResources(),
            c.Capacity.Gpus?.Select(g => new GpuDevice(g.Index!.Value, g.Model, g.MemoryMiB)).ToList() ?? []);
}
