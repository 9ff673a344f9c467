using Controller.Application.Common;
using Controller.Application.Common.Exceptions;
using Microsoft.Extensions.Logging.Abstractions;

namespace Controller.Application.Tests.Common;

/// <summary>The processor of the hot paths: batching, the retry of a lost race, and each call's answer or error handed back to its own caller.</summary>
public sealed class BatchProcessorTests
{
    private sealed class Doubler(Func<IReadOnlyList<int>, Task<BatchOutcome<string>[]>> run)
        : BatchProcessor<int, string>(new TestScopes(_ => null), TestMetrics.Create(), NullLogger.Instance)
    {
        public List<int> GaveUpOn { get; } = [];

        protected override int Loops => 1;

        protected override string Name => "test";

        protected override Task<BatchOutcome<string>[]> RunBatchAsync(IServiceProvider scope, IReadOnlyList<int> calls, CancellationToken cancellationToken) => run(calls);

        protected override void GaveUp(int request) => GaveUpOn.Add(request);
    }

    private static BatchOutcome<string>[] Doubled(IReadOnlyList<int> calls) => [.. calls.Select(c => (BatchOutcome<string>)(c * 2).ToString(System.Globalization.CultureInfo.InvariantCulture))];

    private static ConcurrencyConflictException Lost() => new("lost", new InvalidOperationException());

    /// <summary>A processor that records its batches and holds the first one until <paramref name="first"/> completes, so that calls made meanwhile queue together.</summary>
    private static (Doubler Processor, List<int[]> Batches) HeldFirst(TaskCompletionSource first, Func<IReadOnlyList<int>, BatchOutcome<string>[]> answer)
    {
        var batches = new List<int[]>();
        var processor = new Doubler(async calls =>
        {
            batches.Add([.. calls]);
            if (batches.Count == 1)
            {
                await first.Task;
            }

            return answer(calls);
        });
        return (processor, batches);
    }

    private static async Task FirstBatchStartedAsync(List<int[]> batches)
    {
        while (batches.Count == 0)
        {
            await Task.Delay(5);
        }
    }

    [Test]
    public async Task CallsThatArriveWhileABatchRuns_GoTogetherInTheNext_EachGetsItsOwnAnswer()
    {
        var first = new TaskCompletionSource();
        var (processor, batches) = HeldFirst(first, Doubled);
        using var _ = processor;

        var one = processor.RunAsync(1, CancellationToken.None);
        await FirstBatchStartedAsync(batches);

        var others = new[] { 2, 3, 4 }.Select(c => processor.RunAsync(c, CancellationToken.None)).ToList();
        first.SetResult();

        Assert.That(await one, Is.EqualTo("2"));
        Assert.That(await Task.WhenAll(others), Is.EqualTo(new[] { "4", "6", "8" }));
        Assert.That(batches, Is.EqualTo(new[] { new[] { 1 }, new[] { 2, 3, 4 } }));
    }

    [Test]
    public async Task ABatchThatLosesARace_RunsAgain()
    {
        var runs = 0;
        using var processor = new Doubler(calls => ++runs < 3 ? throw Lost() : Task.FromResult(Doubled(calls)));

        Assert.That(await processor.RunAsync(5, CancellationToken.None), Is.EqualTo("10"));
        Assert.That(runs, Is.EqualTo(3));
    }

    [Test]
    public void ACallThatLosesEveryRace_GetsTheConflict_AfterTheOneRetryPolicysAttempts()
    {
        var runs = 0;
        using var processor = new Doubler(_ =>
        {
            runs++;
            throw Lost();
        });

        Assert.ThrowsAsync<ConcurrencyConflictException>(() => processor.RunAsync(5, CancellationToken.None));
        Assert.That(runs, Is.EqualTo(ConflictRetry.Attempts));
        Assert.That(processor.GaveUpOn, Is.EqualTo(new[] { 5 }));
    }

    [Test]
    public async Task ABatchOfSeveralThatFails_RunsThemOneByOne_OnlyTheFaultyCallsCallerGetsTheError()
    {
        var first = new TaskCompletionSource();
        var (processor, batches) = HeldFirst(first, calls => calls.Contains(13) ? throw new NotFoundException("x_not_found", "13 is unlucky") : Doubled(calls));
        using var _ = processor;

        var blocker = processor.RunAsync(1, CancellationToken.None);
        await FirstBatchStartedAsync(batches);

        var good = processor.RunAsync(2, CancellationToken.None);
        var bad = processor.RunAsync(13, CancellationToken.None);
        var alsoGood = processor.RunAsync(3, CancellationToken.None);
        first.SetResult();

        Assert.That(await blocker, Is.EqualTo("2"));
        Assert.That(await good, Is.EqualTo("4"));
        Assert.That(await alsoGood, Is.EqualTo("6"));
        Assert.ThrowsAsync<NotFoundException>(() => bad);
        Assert.That(batches.Skip(1), Is.EqualTo(new[] { new[] { 2, 13, 3 }, new[] { 2 }, new[] { 13 }, new[] { 3 } }));
    }

    [Test]
    public async Task ACallLeftOut_RunsInTheNextBatch()
    {
        var batches = new List<int[]>();
        using var processor = new Doubler(calls =>
        {
            batches.Add([.. calls]);
            return Task.FromResult(batches.Count == 1 ? new BatchOutcome<string>[calls.Count] : Doubled(calls));
        });

        Assert.That(await processor.RunAsync(7, CancellationToken.None), Is.EqualTo("14"));
        Assert.That(batches, Is.EqualTo(new[] { new[] { 7 }, new[] { 7 } }));
    }

    [Test]
    public void AfterDispose_ACallIsRefused()
    {
        var processor = new Doubler(calls => Task.FromResult(Doubled(calls)));
        processor.Dispose();

        Assert.ThrowsAsync<ObjectDisposedException>(() => processor.RunAsync(1, CancellationToken.None));
    }
}
