using Controller.Application.Hosts.Commands.RegisterHost;
using Controller.Application.Hosts.Models;

namespace Controller.Application.Tests.Hosts;

public sealed class RegisterHostCommandValidatorTests
{
    private readonly RegisterHostCommandValidator _validator = new();

    private static RegisterHostCommand Valid() =>
        new("m-1", "worker", ["10.0.0.1", "::1"], "1.0", new Dictionary<string, string> { ["zone"] = "a" },
            new CapacityModel(4000, 8192, 2, 1000, [new GpuModel(0, "A10", 1), new GpuModel(1, "A10", 1)]), []);

    [Test]
    public void Validate_ValidCommand_HasNoErrors() =>
        Assert.That(_validator.Validate(Valid()).IsValid, Is.True);

    [Test]
    public void Validate_GpuListNotMatchingCount_Fails()
    {
        var command = Valid() with { Capacity = new CapacityModel(4000, 8192, 2, 0, [new GpuModel(0, null, null)]) };

        Assert.That(_validator.Validate(command).IsValid, Is.False);
    }

    [Test]
    public void Validate_DuplicateGpuIndexes_Fails()
    {
        var command = Valid() with { Capacity = new CapacityModel(4000, 8192, 2, 0, [new GpuModel(0, null, null), new GpuModel(0, null, null)]) };

        Assert.That(_validator.Validate(command).IsValid, Is.False);
    }

    [Test]
    public void Validate_BadIpAndTooManyLabels_Fails()
    {
        var labels = Enumerable.Range(0, 100).ToDictionary(i => $"k{i}", i => "v");
        var command = Valid() with { IpAddresses = ["999.1.1.1"], Labels = labels };

        var result = _validator.Validate(command);

        Assert.That(result.Errors.Select(e => e.PropertyName), Has.Some.StartsWith("IpAddresses"));
        Assert.That(result.Errors.Select(e => e.PropertyName), Has.Some.EqualTo("Labels.labels").Or.Some.Contains("labels"));
    }

    [Test]
    public void Validate_MissingCapacity_Fails() =>
        Assert.That(_validator.Validate(Valid() with { Capacity = null }).IsValid, Is.False);
}
