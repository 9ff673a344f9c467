using Controller.Domain.Common;

namespace Controller.Domain.Tests.Common;

public sealed class ResourcesTests
{
    [Test]
    public void Fits_EveryDimensionWithin_IsTrue() =>
        Assert.That(new Resources(1000, 1000, 1, 10).Fits(new Resources(1000, 999, 1, 0)), Is.True);

    [TestCase(1001, 0, 0, 0)]
    [TestCase(0, 1001, 0, 0)]
    [TestCase(0, 0, 2, 0)]
    [TestCase(0, 0, 0, 11)]
    public void Fits_AnyDimensionOver_IsFalse(int cpu, int mem, int gpu, int disk) =>
        Assert.That(new Resources(1000, 1000, 1, 10).Fits(new Resources(cpu, mem, gpu, disk)), Is.False);

    [Test]
    public void AddSubtract_RoundTrip()
    {
        var a = new Resources(5, 6, 1, 7);
        var b = new Resources(1, 2, 1, 3);

        Assert.That(a.Add(b).Subtract(b), Is.EqualTo(a));
        Assert.That((b - a).IsNegative, Is.True);
    }

    [Test]
    public void Min_TakesSmallerPerDimension() =>
        Assert.That(Resources.Min(new Resources(1, 9, 3, 4), new Resources(5, 2, 7, 1)), Is.EqualTo(new Resources(1, 2, 3, 1)));
}
