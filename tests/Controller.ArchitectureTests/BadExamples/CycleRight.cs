// A deliberately bad pair of namespaces that use each other (the cycle rule must find it; never used).
namespace Controller.ArchitectureTests.BadExamples.Cycle.Right;

/// <summary>Uses the left namespace, which uses this one.</summary>
public sealed class RightSide(int value)
{
    public int Value => value;

    public int Doubled => Left.LeftSide.Of(this) * 2;
}
