// A deliberately bad pair of namespaces that use each other (the cycle rule must find it; never used).
namespace Controller.ArchitectureTests.BadExamples.Cycle.Left;

/// <summary>Uses the right namespace, which uses this one.</summary>
public sealed class LeftSide
{
    public static int Of(Right.RightSide right) => right.Value;
}
