using Controller.Application.Hosts.Models;
using Controller.Domain.Common;
using FluentValidation;

namespace Controller.Application.Hosts.Commands.RegisterHost;

public sealed class RegisterHostCommandValidator : AbstractValidator<RegisterHostCommand>
{
    public RegisterHostCommandValidator()
    {
        RuleFor(c => c.MachineId).NotEmpty().MaximumLength(Limits.MachineIdMaxLength);
        RuleFor(c => c.Hostname).NotEmpty().MaximumLength(Limits.HostnameMaxLength);
        RuleFor(c => c.AgentVersion).MaximumLength(Limits.AgentVersionMaxLength);
        RuleFor(c => c.IpAddresses!.Count).LessThanOrEqualTo(Limits.MaxIpAddresses).OverridePropertyName("ipAddresses").When(c => c.IpAddresses is not null);
        RuleForEach(c => c.IpAddresses).NotEmpty().MaximumLength(Limits.IpAddressMaxLength)
            .Must(ip => System.Net.IPAddress.TryParse(ip, out _)).WithMessage("'{PropertyValue}' is not an IP address.");
        RuleFor(c => c.Labels).SetValidator(new LabelsValidator()!).When(c => c.Labels is not null);
        RuleFor(c => c.Capacity).NotNull().SetValidator(new CapacityModelValidator()!);
        RuleFor(c => c.Containers!.Count).LessThanOrEqualTo(Limits.MaxContainersPerReport).OverridePropertyName("containers").When(c => c.Containers is not null);
        RuleForEach(c => c.Containers).NotNull().WithMessage("A container entry must be an object, not null.")
            .SetValidator(new ContainerReportModelValidator());
    }
}
