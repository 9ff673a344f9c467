namespace Controller.Api.Contracts;

/// <summary>A request body validated by the validator of another type (the command it is mapped to).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ValidatedAsAttribute(Type validatedType) : Attribute
{
    public Type ValidatedType { get; } = validatedType;
}
