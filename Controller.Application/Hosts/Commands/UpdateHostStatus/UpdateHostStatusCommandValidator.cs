using Controller.Application.Common.Models;
using Controller.Application.Hosts.Models;
using Controller.Domain.Common;
using FluentValidation;

namespace Controller.Application.Hosts.Commands.UpdateHostStatus;

public sealed class UpdateHostStatusCommandValidator : AbstractValidator<UpdateHostStatusCommand>
{
    public UpdateHostStatusCommandValidator()
    {
        RuleFor(c => c.Available).NotNull().SetValidator(new ResourcesModelValidator()!);
        RuleFor(c => c.Containers!.Count).LessThanOrEqualTo(Limits.MaxContainersPerReport).OverridePropertyName("containers").When(c => c.Containers is not null);
        RuleForEach(c => c.Containers).NotNull().WithMessage("A container entry must be an object, not null.")
            .SetValidator(new ContainerReportModelValidator());
        RuleFor(c => c.Containers)
            .Must(cs => cs!.Where(c => c.EngineInstanceId is not null).Select(c => c.EngineInstanceId).Distinct().Count()
                        == cs!.Count(c => c.EngineInstanceId is not null))
            .WithMessage("An engine instance id may appear only once in a report.")
            .When(c => c.Containers is not null && c.Containers.All(x => x is not null));
    }
}
