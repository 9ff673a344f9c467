using Controller.Infrastructure.Persistence;
using Microsoft.Extensions.Time.Testing;

namespace Controller.Infrastructure.Tests.Persistence;

public sealed class LeaseStoreTests
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(15);
    private TestDatabase _database = null!;
    private FakeTimeProvider _clock = null!;

    [SetUp]
    public void SetUp()
    {
        _database = new TestDatabase();
        _clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    }

    [TearDown]
    public void TearDown() => _database.Dispose();

    private async Task<bool> TryAsync(string holder)
    {
        await using var db = _database.CreateContext();
        return await new LeaseStore(db, new SingleWriterGate(), _clock).TryAcquireAsync("sweep", holder, Duration, CancellationToken.None);
    }

    [Test]
    public async Task TryAcquire_HeldByAnother_IsRefusedUntilItExpires()
    {
        Assert.That(await TryAsync("a"), Is.True);
        Assert.That(await TryAsync("b"), Is.False);
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.That(await TryAsync("a"), Is.True, "the holder renews");
        _clock.Advance(TimeSpan.FromSeconds(14));
        Assert.That(await TryAsync("b"), Is.False, "renewed 14 s ago: still held");

        _clock.Advance(TimeSpan.FromSeconds(2));

        Assert.That(await TryAsync("b"), Is.True, "the holder stopped renewing: taken over within the lease duration");
        Assert.That(await TryAsync("a"), Is.False);
    }

    [Test]
    public async Task TryAcquire_ManyReplicasAtOnce_ExactlyOneHoldsIt()
    {
        for (var round = 0; round < 5; round++)
        {
            var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => TryAsync($"r{i}"))));

            Assert.That(results.Count(r => r), Is.EqualTo(1), $"round {round}: one holder, never two");
            _clock.Advance(Duration + TimeSpan.FromSeconds(1));
        }
    }

    [Test]
    public async Task Release_LetsAnotherReplicaTakeOverAtOnce()
    {
        Assert.That(await TryAsync("a"), Is.True);
        await using (var db = _database.CreateContext())
        {
            await new LeaseStore(db, new SingleWriterGate(), _clock).ReleaseAsync("sweep", "a", CancellationToken.None);
        }

        Assert.That(await TryAsync("b"), Is.True);
    }
}
