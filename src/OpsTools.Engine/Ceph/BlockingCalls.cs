using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace OpsTools.Engine.Ceph;

/// <summary>Result of one item of a batch: a value, or the error for that item.</summary>
/// <typeparam name="T">Value type.</typeparam>
/// <param name="Index">Position of the item in the batch.</param>
/// <param name="Value">The value, when the item succeeded.</param>
/// <param name="Error">The error, when it failed.</param>
internal readonly record struct BatchResult<T>(int Index, T? Value, OpsToolsException? Error);

/// <summary>
/// Runs blocking file-system calls on dedicated threads and waits for them with a timeout.
/// A CephFS metadata call blocks in the kernel for as long as the MDS does not answer (a FUSE
/// request cannot even be killed), so no such call ever runs on the caller's thread or on a
/// thread-pool thread: the caller gets a timeout error and the thread is left to finish when
/// it can. While a call on a mount is left behind like that, further calls on the same mount
/// fail at once instead of piling up more blocked threads.
/// </summary>
internal static class BlockingCalls
{
    private static readonly ConcurrentDictionary<string, StuckCall> Stuck = new(StringComparer.Ordinal);

    /// <summary>Runs one call; throws a timeout error when it does not return in time.</summary>
    /// <typeparam name="T">Result type.</typeparam>
    /// <param name="mountKey">Mount the call touches (its mount point).</param>
    /// <param name="what">What the call does, for messages (<c>read the quota of '/mnt/cephfs/x'</c>).</param>
    /// <param name="call">The blocking call; it throws <see cref="OpsToolsException"/> for expected failures.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Stops waiting (the call itself finishes on its own).</param>
    /// <returns>The call's result.</returns>
    public static async Task<T> RunAsync<T>(string mountKey, string what, Func<T> call, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ThrowIfStuck(mountKey, what);
        var pending = new PendingCall<T>(mountKey, what, call);
        pending.Start();
        try
        {
            return await pending.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            if (!pending.TryAbandon())
            {
                // It returned just as the wait gave up.
                return await pending.Task.ConfigureAwait(false);
            }

            throw TimedOut(mountKey, what, timeout);
        }
    }

    /// <summary>
    /// Runs a call per item on up to <paramref name="parallelism"/> dedicated threads and yields
    /// the results as they complete. When one call has not returned after
    /// <paramref name="timeout"/>, the batch stops: every item not yet done gets a timeout error.
    /// </summary>
    /// <typeparam name="TItem">Item type.</typeparam>
    /// <typeparam name="T">Result type.</typeparam>
    /// <param name="items">The items.</param>
    /// <param name="mountKeyOf">Mount an item's call touches.</param>
    /// <param name="describe">What the call does for an item, for messages.</param>
    /// <param name="call">The blocking call; it throws <see cref="OpsToolsException"/> for expected failures.</param>
    /// <param name="parallelism">Most calls in flight at once.</param>
    /// <param name="timeout">Longest wait for any one call.</param>
    /// <param name="cancellationToken">Stops the batch.</param>
    /// <returns>One result per item, in completion order.</returns>
    public static async IAsyncEnumerable<BatchResult<T>> RunManyAsync<TItem, T>(
        IReadOnlyList<TItem> items,
        Func<TItem, string> mountKeyOf,
        Func<TItem, string> describe,
        Func<TItem, T> call,
        int parallelism,
        TimeSpan timeout,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (items.Count == 0)
        {
            yield break;
        }

        var batch = new Batch<TItem, T>(items, mountKeyOf, describe, call, Math.Clamp(parallelism, 1, items.Count));
        batch.Start();
        var done = new bool[items.Count];
        int received = 0;
        long timeoutTicks = (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        TimeSpan poll = TimeSpan.FromMilliseconds(Math.Clamp(timeout.TotalMilliseconds / 4, 10, 200));
        Task<bool>? waiting = null;
        try
        {
            while (received < items.Count)
            {
                while (batch.Results.Reader.TryRead(out BatchResult<T> result))
                {
                    done[result.Index] = true;
                    received++;
                    yield return result;
                }

                if (received >= items.Count)
                {
                    break;
                }

                waiting ??= batch.Results.Reader.WaitToReadAsync(cancellationToken).AsTask();
                Task delay = Task.Delay(poll, cancellationToken);
                if (await Task.WhenAny(waiting, delay).ConfigureAwait(false) == waiting)
                {
                    bool more = await waiting.ConfigureAwait(false);
                    waiting = null;
                    if (!more)
                    {
                        break;
                    }

                    continue;
                }

                cancellationToken.ThrowIfCancellationRequested();
                if (!batch.AbandonOverdue(timeoutTicks))
                {
                    continue;
                }

                // Results that arrived meanwhile are real; everything else times out.
                while (batch.Results.Reader.TryRead(out BatchResult<T> late))
                {
                    done[late.Index] = true;
                    received++;
                    yield return late;
                }

                for (int i = 0; i < items.Count; i++)
                {
                    if (!done[i])
                    {
                        yield return new BatchResult<T>(i, default, TimedOut(mountKeyOf(items[i]), describe(items[i]), timeout));
                    }
                }

                yield break;
            }
        }
        finally
        {
            batch.Stop();
        }
    }

    /// <summary>Whether a call on this mount is still blocked after a timeout.</summary>
    public static bool IsStuck(string mountKey) => Stuck.ContainsKey(mountKey);

    private static void ThrowIfStuck(string mountKey, string what)
    {
        if (Stuck.TryGetValue(mountKey, out StuckCall? stuck))
        {
            throw StillBlocked(mountKey, what, stuck);
        }
    }

    private static OpsToolsException StillBlocked(string mountKey, string what, StuckCall stuck) => new(
        "CephMetadataTimeout",
        OpsToolsErrorKind.OperationTimeout,
        string.Create(CultureInfo.InvariantCulture, $"Cannot {what}: an earlier metadata call on {mountKey} ({stuck.What}) has been blocked since {stuck.Since:HH:mm:ss} without an answer, so calls on this mount fail at once until it returns."),
        mountKey,
        "The MDS serving this mount is probably down or unreachable: check 'ceph fs status' and 'ceph health detail' (or Get-CephHealth), and Test-CephMount once it is back.");

    private static OpsToolsException TimedOut(string mountKey, string what, TimeSpan timeout) => new(
        "CephMetadataTimeout",
        OpsToolsErrorKind.OperationTimeout,
        string.Create(CultureInfo.InvariantCulture, $"Cannot {what}: no answer within {timeout.TotalSeconds:0.#} s. Metadata calls on CephFS block while the MDS does not answer."),
        mountKey,
        "Check the MDS ('ceph fs status', 'ceph health detail' or Get-CephHealth) and the mount (Test-CephMount); raise -Timeout if the cluster is only slow.");

    private static void MarkStuck(string mountKey, string what) =>
        Stuck.AddOrUpdate(
            mountKey,
            _ => new StuckCall(what, DateTimeOffset.Now, 1),
            (_, existing) => existing with { Count = existing.Count + 1 });

    private static void ReleaseStuck(string mountKey)
    {
        while (Stuck.TryGetValue(mountKey, out StuckCall? existing))
        {
            if (existing.Count <= 1
                ? Stuck.TryRemove(new KeyValuePair<string, StuckCall>(mountKey, existing))
                : Stuck.TryUpdate(mountKey, existing with { Count = existing.Count - 1 }, existing))
            {
                return;
            }
        }
    }

    private static OpsToolsException Unexpected(string what, Exception exception) => new(
        "CephMetadataCallFailed",
        OpsToolsErrorKind.NotSpecified,
        $"Cannot {what}: {exception.Message}",
        null,
        "See the inner exception for details.",
        exception);

    private sealed record StuckCall(string What, DateTimeOffset Since, int Count);

    private sealed class PendingCall<T>
    {
        private const int Running = 0;
        private const int Finished = 1;
        private const int Abandoned = 2;

        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly string _mountKey;
        private readonly string _what;
        private readonly Func<T> _call;
        private int _state;

        public PendingCall(string mountKey, string what, Func<T> call)
        {
            _mountKey = mountKey;
            _what = what;
            _call = call;
        }

        public Task<T> Task => _completion.Task;

        public void Start() => new Thread(Run) { IsBackground = true, Name = "OpsTools CephFS call" }.Start();

        public bool TryAbandon()
        {
            if (Interlocked.CompareExchange(ref _state, Abandoned, Running) != Running)
            {
                return false;
            }

            MarkStuck(_mountKey, _what);
            return true;
        }

        private void Run()
        {
            try
            {
                _completion.TrySetResult(_call());
            }
            catch (OpsToolsException ex)
            {
                _completion.TrySetException(ex);
            }
            catch (Exception ex)
            {
                _completion.TrySetException(Unexpected(_what, ex));
            }
            finally
            {
                if (Interlocked.CompareExchange(ref _state, Finished, Running) == Abandoned)
                {
                    ReleaseStuck(_mountKey);
                }
            }
        }
    }

    private sealed class Batch<TItem, T>
    {
        private const int Idle = 0;
        private const int Busy = 1;
        private const int Abandoned = 2;

        private readonly IReadOnlyList<TItem> _items;
        private readonly Func<TItem, string> _mountKeyOf;
        private readonly Func<TItem, string> _describe;
        private readonly Func<TItem, T> _call;
        private readonly Worker[] _workers;
        private int _next = -1;
        private int _stopping;
        private int _alive;

        public Batch(IReadOnlyList<TItem> items, Func<TItem, string> mountKeyOf, Func<TItem, string> describe, Func<TItem, T> call, int parallelism)
        {
            _items = items;
            _mountKeyOf = mountKeyOf;
            _describe = describe;
            _call = call;
            _workers = new Worker[parallelism];
            for (int i = 0; i < parallelism; i++)
            {
                _workers[i] = new Worker();
            }
        }

        public Channel<BatchResult<T>> Results { get; } = Channel.CreateUnbounded<BatchResult<T>>();

        public void Start()
        {
            _alive = _workers.Length;
            foreach (Worker worker in _workers)
            {
                new Thread(() => Loop(worker)) { IsBackground = true, Name = "OpsTools CephFS call" }.Start();
            }
        }

        public void Stop() => Volatile.Write(ref _stopping, 1);

        /// <summary>When a call has run longer than the timeout, stops the batch and abandons every call in flight.</summary>
        public bool AbandonOverdue(long timeoutTicks)
        {
            long now = Stopwatch.GetTimestamp();
            bool overdue = false;
            foreach (Worker worker in _workers)
            {
                overdue |= Volatile.Read(ref worker.State) == Busy && now - Volatile.Read(ref worker.Since) > timeoutTicks;
            }

            if (!overdue)
            {
                return false;
            }

            Stop();
            foreach (Worker worker in _workers)
            {
                if (Interlocked.CompareExchange(ref worker.State, Abandoned, Busy) == Busy)
                {
                    MarkStuck(worker.MountKey, worker.What);
                }
            }

            return true;
        }

        private void Loop(Worker worker)
        {
            try
            {
                while (Volatile.Read(ref _stopping) == 0)
                {
                    int index = Interlocked.Increment(ref _next);
                    if (index >= _items.Count)
                    {
                        break;
                    }

                    TItem item = _items[index];
                    worker.MountKey = _mountKeyOf(item);
                    worker.What = _describe(item);
                    Volatile.Write(ref worker.Since, Stopwatch.GetTimestamp());
                    Volatile.Write(ref worker.State, Busy);
                    BatchResult<T> result = Invoke(index, item, worker);
                    if (Interlocked.CompareExchange(ref worker.State, Idle, Busy) == Abandoned)
                    {
                        // The batch gave up on this call: release the mount and leave.
                        ReleaseStuck(worker.MountKey);
                        return;
                    }

                    Results.Writer.TryWrite(result);
                }
            }
            finally
            {
                if (Interlocked.Decrement(ref _alive) == 0)
                {
                    Results.Writer.TryComplete();
                }
            }
        }

        private BatchResult<T> Invoke(int index, TItem item, Worker worker)
        {
            if (Stuck.TryGetValue(worker.MountKey, out StuckCall? stuck))
            {
                return new BatchResult<T>(index, default, StillBlocked(worker.MountKey, worker.What, stuck));
            }

            try
            {
                return new BatchResult<T>(index, _call(item), null);
            }
            catch (OpsToolsException ex)
            {
                return new BatchResult<T>(index, default, ex);
            }
            catch (Exception ex)
            {
                return new BatchResult<T>(index, default, Unexpected(worker.What, ex));
            }
        }

        private sealed class Worker
        {
            public int State;
            public long Since;
            public string MountKey = string.Empty;
            public string What = string.Empty;
        }
    }
}
