using System;

namespace OpsTools.Postgres;

/// <summary>A session waiting for a lock, paired with one session that blocks it.</summary>
public sealed class PostgresLockWait
{
    /// <summary>Server, as <c>host:port</c>.</summary>
    public required string Server { get; init; }
    /// <summary>Database of the waiting session.</summary>
    public string? Database { get; init; }
    /// <summary>Process id of the waiting session.</summary>
    public int BlockedPid { get; init; }
    /// <summary>Role of the waiting session.</summary>
    public string? BlockedUser { get; init; }
    /// <summary>How long the waiting session's query has been running.</summary>
    public TimeSpan? WaitDuration { get; init; }
    /// <summary>Kind of lock waited for (<c>relation</c>, <c>transactionid</c>, <c>tuple</c>...).</summary>
    public string? LockType { get; init; }
    /// <summary>Lock mode requested (<c>AccessExclusiveLock</c>, <c>ShareLock</c>...).</summary>
    public string? LockMode { get; init; }
    /// <summary>Table or index the lock is on, when it is a relation lock (the OID when in another database).</summary>
    public string? Relation { get; init; }
    /// <summary>Process id of the blocking session (0 for a prepared transaction).</summary>
    public int BlockingPid { get; init; }
    /// <summary>Role of the blocking session.</summary>
    public string? BlockingUser { get; init; }
    /// <summary>State of the blocking session.</summary>
    public PostgresSessionState BlockingState { get; init; }
    /// <summary>How long the blocking session's transaction has been open.</summary>
    public TimeSpan? BlockingTransactionDuration { get; init; }
    /// <summary>Whether the blocking session itself waits for a lock (it is not the root of the chain).</summary>
    public bool BlockingIsWaiting { get; init; }
    /// <summary>Query of the waiting session.</summary>
    public string? BlockedQuery { get; init; }
    /// <summary>Current or last query of the blocking session.</summary>
    public string? BlockingQuery { get; init; }
    /// <summary>application_name of the waiting session.</summary>
    public string? BlockedApplicationName { get; init; }
    /// <summary>application_name of the blocking session.</summary>
    public string? BlockingApplicationName { get; init; }

    /// <inheritdoc/>
    public override string ToString() => $"{BlockedPid} <- {BlockingPid}";
}
