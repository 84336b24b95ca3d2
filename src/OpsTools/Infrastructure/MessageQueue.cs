using System;
using System.Collections.Concurrent;
using System.Threading.Tasks;

namespace OpsTools.Infrastructure;

/// <summary>
/// Progress an engine call reports on worker threads, queued so that the cmdlet writes it from
/// the pipeline thread (Write* calls are only allowed there).
/// </summary>
/// <typeparam name="T">Message type.</typeparam>
internal sealed class MessageQueue<T> : IProgress<T>
{
    private readonly ConcurrentQueue<T> _queue = new();

    /// <inheritdoc/>
    public void Report(T value) => _queue.Enqueue(value);

    /// <summary>Hands every queued message to <paramref name="onMessage"/> until the task ends, then the rest.</summary>
    /// <param name="task">The engine call; its outcome is observed by the caller afterwards.</param>
    /// <param name="onMessage">Runs on the calling (pipeline) thread.</param>
    /// <param name="onIdle">Runs every 50 ms while waiting, e.g. to write throttled progress.</param>
    public void DrainUntil(Task task, Action<T> onMessage, Action? onIdle = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(onMessage);
        while (!((IAsyncResult)task).AsyncWaitHandle.WaitOne(50))
        {
            Drain(onMessage);
            onIdle?.Invoke();
        }

        Drain(onMessage);
        onIdle?.Invoke();
    }

    private void Drain(Action<T> onMessage)
    {
        while (_queue.TryDequeue(out T? message))
        {
            onMessage(message);
        }
    }
}
