using System;

namespace OpsTools.Swarm;

/// <summary>One line of a Swarm service's log.</summary>
public sealed class SwarmLogRecord
{
    /// <summary>When the line was written; set only when timestamps were asked for.</summary>
    public DateTimeOffset? Timestamp { get; init; }
    /// <summary>Service name.</summary>
    public required string Service { get; init; }
    /// <summary>Task name (<c>service.slot</c>), or the task id when the task is gone.</summary>
    public string? Task { get; init; }
    /// <summary>Task id.</summary>
    public string? TaskId { get; init; }
    /// <summary>Hostname of the node that ran the task, or its id when the node is gone.</summary>
    public string? Node { get; init; }
    /// <summary>Standard output or standard error.</summary>
    public LogStream Stream { get; init; }
    /// <summary>The line, without its line break.</summary>
    public required string Message { get; init; }

    /// <inheritdoc/>
    public override string ToString() => Message;
}
