using System;
using System.Collections.Generic;

namespace OpsTools.Postgres;

/// <summary>A client session of a PostgreSQL server: one row of <c>pg_stat_activity</c>.</summary>
public sealed class PostgresSession
{
    /// <summary>Server the session was read from, as <c>host:port</c>.</summary>
    public required string Server { get; init; }
    /// <summary>Backend process id.</summary>
    public int ProcessId { get; init; }
    /// <summary>Database.</summary>
    public string? Database { get; init; }
    /// <summary>Role.</summary>
    public string? User { get; init; }
    /// <summary>State.</summary>
    public PostgresSessionState State { get; init; }
    /// <summary>How long the session has been in what matters for its state: the query when active, the transaction when idle in transaction, the idle time otherwise.</summary>
    public TimeSpan? Duration { get; init; }
    /// <summary>Kind of event the session waits for (<c>Lock</c>, <c>IO</c>, <c>Client</c>...).</summary>
    public string? WaitEventType { get; init; }
    /// <summary>Event the session waits for.</summary>
    public string? WaitEvent { get; init; }
    /// <summary>application_name of the client.</summary>
    public string? ApplicationName { get; init; }
    /// <summary>Client address; null for Unix-socket clients.</summary>
    public string? ClientAddress { get; init; }
    /// <summary>Client port; null for Unix-socket clients.</summary>
    public int? ClientPort { get; init; }
    /// <summary>Whether the session uses SSL.</summary>
    public bool Ssl { get; init; }
    /// <summary>When the session connected.</summary>
    public DateTimeOffset? BackendStart { get; init; }
    /// <summary>When its transaction started; null outside a transaction.</summary>
    public DateTimeOffset? TransactionStart { get; init; }
    /// <summary>When its current or last query started.</summary>
    public DateTimeOffset? QueryStart { get; init; }
    /// <summary>When its state last changed.</summary>
    public DateTimeOffset? StateChange { get; init; }
    /// <summary>How long the current query has run; null when not active.</summary>
    public TimeSpan? QueryDuration { get; init; }
    /// <summary>How long the transaction has been open; null outside a transaction.</summary>
    public TimeSpan? TransactionDuration { get; init; }
    /// <summary>Current or last query text.</summary>
    public string? Query { get; init; }
    /// <summary>Process ids of the sessions blocking this one (<c>pg_blocking_pids</c>).</summary>
    public IReadOnlyList<int> BlockedBy { get; init; } = Array.Empty<int>();

    /// <inheritdoc/>
    public override string ToString() => $"{ProcessId}";
}

/// <summary>Connections to one database of a server, against the server's limits.</summary>
public sealed class PostgresDatabaseActivity
{
    /// <summary>Server, as <c>host:port</c>.</summary>
    public required string Server { get; init; }
    /// <summary>Database.</summary>
    public required string Database { get; init; }
    /// <summary>Client sessions connected to the database.</summary>
    public int Connections { get; init; }
    /// <summary>Of those, running a query.</summary>
    public int Active { get; init; }
    /// <summary>Of those, idle.</summary>
    public int Idle { get; init; }
    /// <summary>Of those, idle in a transaction (aborted or not).</summary>
    public int IdleInTransaction { get; init; }
    /// <summary>Of those, waiting for a lock.</summary>
    public int WaitingForLock { get; init; }
    /// <summary>Longest-running open transaction in the database.</summary>
    public TimeSpan? LongestTransaction { get; init; }
    /// <summary>Connection limit of the database; null when unlimited.</summary>
    public int? ConnectionLimit { get; init; }
    /// <summary>Server's max_connections.</summary>
    public int MaxConnections { get; init; }
    /// <summary>Client sessions on the whole server.</summary>
    public int ServerConnections { get; init; }
    /// <summary>This database's connections in percent of max_connections, one decimal.</summary>
    public double PercentOfMaxConnections => MaxConnections > 0 ? Math.Round(Connections * 100.0 / MaxConnections, 1) : 0;

    /// <inheritdoc/>
    public override string ToString() => Database;
}
