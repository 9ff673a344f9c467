using Controller.Domain.Common;
using Controller.Domain.Engines;
using Controller.Infrastructure.Persistence.Repositories;
using Microsoft.EntityFrameworkCore;

namespace Controller.Infrastructure.Tests.Persistence.Repositories;

/// <summary>Touching an engine: a decision on its copies takes part in the save's version check like a change of its row.</summary>
public sealed class EngineRepositoryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private TestDatabase _database = null!;
    private Engine _engine = null!;

    [SetUp]
    public async Task SetUp()
    {
        _database = new TestDatabase();
        _engine = Engine.Create(Guid.CreateVersion7(), new EngineSpec("asr", "i", new Resources(1000, 1024, 0, 0), 0, 0, 4, 2, new Dictionary<string, string>()), T0);
        await using var db = _database.CreateContext();
        new EngineRepository(db).Add(_engine);
        await db.SaveChangesAsync();
    }

    [TearDown]
    public void TearDown() => _database.Dispose();

    [Test]
    public async Task Touch_MovesTheVersion_WithNothingElseChanged()
    {
        await using (var db = _database.CreateContext())
        {
            var engine = (await db.Engines.SingleAsync(e => e.Id == _engine.Id))!;
            new EngineRepository(db).Touch(engine);
            await db.SaveChangesAsync();
        }

        await using var check = _database.CreateContext();
        var saved = await check.Engines.AsNoTracking().SingleAsync(e => e.Id == _engine.Id);
        Assert.That(saved.Version, Is.EqualTo(_engine.Version + 1));
        Assert.That((saved.DesiredInstances, saved.ActiveInstances, saved.UpdatedAt), Is.EqualTo((_engine.DesiredInstances, _engine.ActiveInstances, _engine.UpdatedAt)));
    }

    [Test]
    public async Task TwoSavesTouchingTheSameEngineRead_TheSecondConflicts()
    {
        await using var first = _database.CreateContext();
        await using var second = _database.CreateContext();
        var one = await first.Engines.SingleAsync(e => e.Id == _engine.Id);
        var two = await second.Engines.SingleAsync(e => e.Id == _engine.Id);
        new EngineRepository(first).Touch(one);
        new EngineRepository(second).Touch(two);

        await first.SaveChangesAsync();

        Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => second.SaveChangesAsync());
    }
}
