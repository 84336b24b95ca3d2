using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace OpsTools.Infrastructure;

/// <summary>
/// Base of every OpsTools cmdlet: owns the cancellation that Ctrl+C triggers, blocks on engine
/// tasks only here at the boundary, and turns engine errors into full PowerShell error records.
/// </summary>
public abstract class OpsToolsCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private bool _disposed;

    /// <summary>Cancelled when the user presses Ctrl+C or the pipeline stops.</summary>
    protected CancellationToken CancellationToken => _stopping.Token;

    /// <inheritdoc/>
    protected override void StopProcessing()
    {
        _stopping.Cancel();
        base.StopProcessing();
    }

    /// <summary>Waits for an engine task on the pipeline thread, mapping cancellation and engine errors.</summary>
    /// <typeparam name="T">Result type.</typeparam>
    /// <param name="task">The task.</param>
    /// <returns>Its result.</returns>
    protected T Await<T>(Task<T> task)
    {
        ArgumentNullException.ThrowIfNull(task);
        try
        {
            return task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }

    /// <summary>Runs an engine call whose failure stops the whole command.</summary>
    /// <typeparam name="T">Result type.</typeparam>
    /// <param name="call">Starts the call.</param>
    /// <returns>Its result.</returns>
    protected T AwaitOrTerminate<T>(Func<CancellationToken, Task<T>> call)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            return Await(call(CancellationToken));
        }
        catch (OpsToolsException ex)
        {
            ThrowTerminatingError(ErrorRecords.From(ex));
            throw; // unreachable: ThrowTerminatingError always throws
        }
    }

    /// <summary>Reads an engine stream on the pipeline thread, one item at a time.</summary>
    /// <typeparam name="T">Item type.</typeparam>
    /// <param name="items">The stream.</param>
    /// <param name="each">Called on the pipeline thread for each item.</param>
    protected void ForEach<T>(IAsyncEnumerable<T> items, Action<T> each)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(each);
        IAsyncEnumerator<T> enumerator = items.GetAsyncEnumerator(CancellationToken);
        try
        {
            while (Await(enumerator.MoveNextAsync().AsTask()))
            {
                each(enumerator.Current);
            }
        }
        finally
        {
            try
            {
                Await(DisposeAsync(enumerator));
            }
            catch (PipelineStoppedException) when (_stopping.IsCancellationRequested)
            {
                // Disposal after Ctrl+C: nothing left to release.
            }
        }
    }

    private static async Task<bool> DisposeAsync<T>(IAsyncEnumerator<T> enumerator)
    {
        await enumerator.DisposeAsync().ConfigureAwait(false);
        return true;
    }

    /// <summary>Writes a non-terminating error for one item and lets the command go on.</summary>
    /// <param name="exception">The engine error.</param>
    protected void WriteEngineError(OpsToolsException exception) => WriteError(ErrorRecords.From(exception));

    /// <summary>Releases the cancellation source.</summary>
    /// <param name="disposing">True when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (!_disposed && disposing)
        {
            _stopping.Dispose();
        }

        _disposed = true;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }
}
