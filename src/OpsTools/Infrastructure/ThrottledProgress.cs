using System;
using System.Management.Automation;

namespace OpsTools.Infrastructure;

/// <summary>
/// One progress bar written at most every 200 ms, and only when something changed; closed with a
/// Completed record once it was shown. Call it from the pipeline thread only.
/// </summary>
internal sealed class ThrottledProgress
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    private readonly Cmdlet _cmdlet;
    private DateTime _lastWrite = DateTime.MinValue;
    private bool _wrote;
    private bool _dirty;

    /// <summary>Creates the bar.</summary>
    /// <param name="cmdlet">The cmdlet that writes it.</param>
    /// <param name="record">The record to update and write.</param>
    public ThrottledProgress(Cmdlet cmdlet, ProgressRecord record)
    {
        _cmdlet = cmdlet;
        Record = record;
    }

    /// <summary>The record; change it, then call <see cref="Changed"/>.</summary>
    public ProgressRecord Record { get; }

    /// <summary>Marks the record as changed since it was last written.</summary>
    public void Changed() => _dirty = true;

    /// <summary>Writes the record when it changed and the last write is 200 ms old.</summary>
    public void Tick()
    {
        if (_dirty && DateTime.UtcNow - _lastWrite >= Interval)
        {
            _cmdlet.WriteProgress(Record);
            _wrote = true;
            _dirty = false;
            _lastWrite = DateTime.UtcNow;
        }
    }

    /// <summary>Closes the bar if it was shown (call from <c>finally</c>).</summary>
    public void Complete()
    {
        if (!_wrote)
        {
            return;
        }

        Record.RecordType = ProgressRecordType.Completed;
        try
        {
            _cmdlet.WriteProgress(Record);
        }
        catch (PipelineStoppedException)
        {
            // Stopping: the host clears the bar itself.
        }
    }
}
