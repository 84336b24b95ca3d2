using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using OpsTools.Engine.Ceph;

namespace OpsTools.Engine.Tests.Ceph;

/// <summary>The timeout machinery, with calls that block on purpose instead of a dead MDS.</summary>
public sealed class BlockingCallsTests
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task A_call_that_never_returns_times_out_on_time()
    {
        string mount = "/test-" + Guid.NewGuid().ToString("N");
        using var gate = new ManualResetEventSlim();
        var clock = Stopwatch.StartNew();

        OpsToolsException error = await Assert.ThrowsAsync<OpsToolsException>(() => BlockingCalls.RunAsync(mount, "read 'x'", () => gate.Wait(Timeout.Infinite), Short, CancellationToken.None));

        Assert.InRange(clock.Elapsed, Short, TimeSpan.FromSeconds(3));
        Assert.Equal("CephMetadataTimeout", error.ErrorId);
        Assert.Equal(OpsToolsErrorKind.OperationTimeout, error.Kind);
        Assert.Contains("read 'x'", error.Message, StringComparison.Ordinal);
        gate.Set();
    }

    [Fact]
    public async Task While_a_call_is_stuck_further_calls_on_that_mount_fail_at_once_and_work_again_once_it_returns()
    {
        string mount = "/test-" + Guid.NewGuid().ToString("N");
        using var gate = new ManualResetEventSlim();
        await Assert.ThrowsAsync<OpsToolsException>(() => BlockingCalls.RunAsync(mount, "first", () => gate.Wait(Timeout.Infinite), Short, CancellationToken.None));
        var clock = Stopwatch.StartNew();

        OpsToolsException error = await Assert.ThrowsAsync<OpsToolsException>(() => BlockingCalls.RunAsync(mount, "second", () => 1, TimeSpan.FromSeconds(30), CancellationToken.None));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed}");
        Assert.Contains("first", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, await BlockingCalls.RunAsync("/other-" + Guid.NewGuid().ToString("N"), "elsewhere", () => 1, Short, CancellationToken.None));

        gate.Set();
        await WaitUntilAsync(() => !BlockingCalls.IsStuck(mount));
        Assert.Equal(2, await BlockingCalls.RunAsync(mount, "third", () => 2, Short, CancellationToken.None));
    }

    [Fact]
    public async Task Cancellation_returns_at_once_without_marking_the_mount()
    {
        string mount = "/test-" + Guid.NewGuid().ToString("N");
        using var gate = new ManualResetEventSlim();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => BlockingCalls.RunAsync(mount, "read", () => gate.Wait(Timeout.Infinite), TimeSpan.FromSeconds(30), cancel.Token));

        Assert.False(BlockingCalls.IsStuck(mount));
        gate.Set();
    }

    [Fact]
    public async Task A_batch_returns_every_result_with_per_item_errors()
    {
        int[] items = Enumerable.Range(0, 200).ToArray();

        List<BatchResult<int>> results = await CollectAsync(BlockingCalls.RunManyAsync(
            items, _ => "/m", i => $"item {i}",
            i => i % 50 == 7 ? throw new OpsToolsException("Bad", OpsToolsErrorKind.InvalidArgument, $"bad {i}") : i * 2,
            16, TimeSpan.FromSeconds(10), CancellationToken.None));

        Assert.Equal(items, results.Select(r => r.Index).OrderBy(i => i));
        Assert.Equal(4, results.Count(r => r.Error is not null));
        Assert.All(results.Where(r => r.Error is null), r => Assert.Equal(r.Index * 2, r.Value));
    }

    [Fact]
    public async Task A_batch_runs_its_calls_in_parallel()
    {
        int[] items = Enumerable.Range(0, 32).ToArray();
        var clock = Stopwatch.StartNew();

        await CollectAsync(BlockingCalls.RunManyAsync(items, _ => "/m", i => $"item {i}", i => { Thread.Sleep(100); return i; }, 16, TimeSpan.FromSeconds(10), CancellationToken.None));

        // 32 calls of 100 ms on 16 threads: about 200 ms, not 3.2 s.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1.5), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task A_batch_with_a_stuck_call_ends_with_timeout_errors_for_what_is_left()
    {
        string mount = "/test-" + Guid.NewGuid().ToString("N");
        using var gate = new ManualResetEventSlim();
        int[] items = Enumerable.Range(0, 50).ToArray();
        var clock = Stopwatch.StartNew();

        List<BatchResult<int>> results = await CollectAsync(BlockingCalls.RunManyAsync(
            items, _ => mount, i => $"item {i}", i => { if (i == 10) { gate.Wait(); } return i; }, 4, Short, CancellationToken.None));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");
        Assert.Equal(50, results.Count);
        Assert.Equal(items, results.Select(r => r.Index).OrderBy(i => i));
        BatchResult<int> stuck = Assert.Single(results, r => r.Index == 10);
        Assert.Equal("CephMetadataTimeout", stuck.Error?.ErrorId);
        Assert.True(BlockingCalls.IsStuck(mount));
        gate.Set();
        await WaitUntilAsync(() => !BlockingCalls.IsStuck(mount));
    }

    private static async Task<List<T>> CollectAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (T item in items)
        {
            list.Add(item);
        }

        return list;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(5);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 5 s");
            await Task.Delay(20);
        }
    }
}
