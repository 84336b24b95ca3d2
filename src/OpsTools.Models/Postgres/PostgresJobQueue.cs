using System;
using System.Collections.Generic;

namespace OpsTools.Postgres;

/// <summary>The state of a job queue kept in a table: rows per status and the age of the oldest pending row.</summary>
public sealed class PostgresJobQueue
{
    /// <summary>Server, as <c>host:port</c>.</summary>
    public required string Server { get; init; }
    /// <summary>Database.</summary>
    public required string Database { get; init; }
    /// <summary>The queue table, as given (<c>due_work</c>, <c>jobs.queue</c>).</summary>
    public required string Table { get; init; }
    /// <summary>All rows of the table.</summary>
    public long Total { get; init; }
    /// <summary>Rows whose status is one of the pending statuses.</summary>
    public long Pending { get; init; }
    /// <summary>Creation time of the oldest pending row; null when none is pending.</summary>
    public DateTimeOffset? OldestPendingAt { get; init; }
    /// <summary>How long the oldest pending row has waited (server clock); null when none is pending.</summary>
    public TimeSpan? OldestPendingAge { get; init; }
    /// <summary>The statuses counted as pending.</summary>
    public IReadOnlyList<string> PendingStatus { get; init; } = Array.Empty<string>();
    /// <summary>Rows per status, most first.</summary>
    public IReadOnlyList<PostgresJobStatusCount> ByStatus { get; init; } = Array.Empty<PostgresJobStatusCount>();
    /// <summary>When the counts were read.</summary>
    public DateTimeOffset CheckedAt { get; init; }
}

/// <summary>Rows of a queue table in one status.</summary>
public sealed class PostgresJobStatusCount
{
    /// <summary>The status value as text; null for rows whose status is NULL.</summary>
    public string? Status { get; init; }
    /// <summary>Rows in that status.</summary>
    public long Count { get; init; }
    /// <summary>Creation time of the oldest row in that status.</summary>
    public DateTimeOffset? OldestAt { get; init; }
    /// <summary>Whether the status counts as pending.</summary>
    public bool IsPending { get; init; }

    /// <inheritdoc/>
    public override string ToString() => (Status ?? "(null)") + "=" + Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
