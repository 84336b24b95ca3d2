using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using OpsTools.Postgres;

namespace OpsTools.Engine.Postgres;

/// <summary>
/// Live diagnostics of one server: sessions (<c>pg_stat_activity</c>), connections per database
/// against <c>max_connections</c>, lock waits (<c>pg_blocking_pids</c>) and terminating sessions.
/// One connection for the life of a command; the command's own session is left out of every list.
/// </summary>
public sealed class PostgresActivityReader : IDisposable, IAsyncDisposable
{
    private const string SessionSql = """
        SELECT a.pid, a.datname, a.usename, a.application_name, host(a.client_addr) AS client_addr, a.client_port,
               a.backend_start, a.xact_start, a.query_start, a.state_change, a.state, a.wait_event_type, a.wait_event,
               a.query, pg_blocking_pids(a.pid) AS blocked_by, COALESCE(s.ssl, false) AS ssl, now() AS read_at
        FROM pg_stat_activity a
        LEFT JOIN pg_stat_ssl s ON s.pid = a.pid
        WHERE a.backend_type = 'client backend' AND a.pid <> pg_backend_pid()
        ORDER BY a.pid
        """;

    private readonly NpgsqlConnection _connection;

    private PostgresActivityReader(PostgresEndpoint endpoint, NpgsqlConnection connection)
    {
        Endpoint = endpoint;
        _connection = connection;
    }

    /// <summary>The server.</summary>
    public PostgresEndpoint Endpoint { get; }

    /// <summary>Process id of this reader's own session.</summary>
    public int OwnProcessId => _connection.ProcessID;

    /// <summary>Connects to a server.</summary>
    /// <param name="endpoint">The server.</param>
    /// <param name="cancellationToken">Cancels the connection.</param>
    /// <returns>The reader.</returns>
    public static async Task<PostgresActivityReader> OpenAsync(PostgresEndpoint endpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        NpgsqlConnection connection = await PostgresConnector.OpenAsync(endpoint, cancellationToken).ConfigureAwait(false);
        return new PostgresActivityReader(endpoint, connection);
    }

    /// <summary>Client sessions, ordered by process id.</summary>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The sessions.</returns>
    public async Task<IReadOnlyList<PostgresSession>> GetSessionsAsync(CancellationToken cancellationToken = default) =>
        await PostgresConnector.QueryAsync(_connection, Endpoint, SessionSql, ReadSession, cancellationToken).ConfigureAwait(false);

    /// <summary>Connections per database (templates left out), with the server's limits.</summary>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>One entry per database, by name.</returns>
    public async Task<IReadOnlyList<PostgresDatabaseActivity>> GetDatabaseActivityAsync(CancellationToken cancellationToken = default)
    {
        const string Sql = """
            WITH sessions AS (
                SELECT * FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
            )
            SELECT d.datname,
                   NULLIF(d.datconnlimit, -1) AS connection_limit,
                   count(s.pid) AS connections,
                   count(s.pid) FILTER (WHERE s.state = 'active') AS active,
                   count(s.pid) FILTER (WHERE s.state = 'idle') AS idle,
                   count(s.pid) FILTER (WHERE s.state IN ('idle in transaction', 'idle in transaction (aborted)')) AS idle_in_transaction,
                   count(s.pid) FILTER (WHERE s.wait_event_type = 'Lock') AS waiting,
                   max(now() - s.xact_start) AS longest_transaction,
                   current_setting('max_connections')::int AS max_connections,
                   (SELECT count(*) FROM sessions) AS server_connections
            FROM pg_database d
            LEFT JOIN sessions s ON s.datid = d.oid
            WHERE NOT d.datistemplate
            GROUP BY d.datname, d.datconnlimit
            ORDER BY d.datname
            """;
        return await PostgresConnector.QueryAsync(
            _connection,
            Endpoint,
            Sql,
            r => new PostgresDatabaseActivity
            {
                Server = Endpoint.Server,
                Database = r.GetString(0),
                ConnectionLimit = r.IsDBNull(1) ? null : r.GetInt32(1),
                Connections = (int)r.GetInt64(2),
                Active = (int)r.GetInt64(3),
                Idle = (int)r.GetInt64(4),
                IdleInTransaction = (int)r.GetInt64(5),
                WaitingForLock = (int)r.GetInt64(6),
                LongestTransaction = r.IsDBNull(7) ? null : r.GetTimeSpan(7),
                MaxConnections = r.GetInt32(8),
                ServerConnections = (int)r.GetInt64(9),
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every session waiting for a lock, paired with each session that blocks it.</summary>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The pairs, longest wait first.</returns>
    public async Task<IReadOnlyList<PostgresLockWait>> GetLockWaitsAsync(CancellationToken cancellationToken = default)
    {
        const string Sql = """
            SELECT w.pid, w.datname, w.usename, now() - w.query_start AS waiting, l.locktype, l.mode,
                   CASE WHEN l.relation IS NULL THEN NULL
                        WHEN l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) THEN l.relation::regclass::text
                        ELSE l.relation::text END AS relation,
                   b.pid AS blocking_pid, bs.usename AS blocking_user, bs.state AS blocking_state,
                   now() - bs.xact_start AS blocking_xact, COALESCE(bs.wait_event_type = 'Lock', false) AS blocking_waits,
                   w.query, bs.query AS blocking_query, w.application_name, bs.application_name AS blocking_application
            FROM pg_stat_activity w
            CROSS JOIN LATERAL unnest(pg_blocking_pids(w.pid)) AS b(pid)
            LEFT JOIN pg_stat_activity bs ON bs.pid = b.pid
            LEFT JOIN LATERAL (
                SELECT locktype, mode, relation, database FROM pg_locks
                WHERE pid = w.pid AND NOT granted
                LIMIT 1
            ) l ON true
            WHERE w.wait_event_type = 'Lock' AND w.pid <> pg_backend_pid()
            ORDER BY waiting DESC NULLS LAST, w.pid, b.pid
            """;
        return await PostgresConnector.QueryAsync(
            _connection,
            Endpoint,
            Sql,
            r => new PostgresLockWait
            {
                Server = Endpoint.Server,
                BlockedPid = r.GetInt32(0),
                Database = PostgresConnector.Get<string>(r, "datname"),
                BlockedUser = PostgresConnector.Get<string>(r, "usename"),
                WaitDuration = PostgresConnector.GetValue<TimeSpan>(r, "waiting"),
                LockType = PostgresConnector.Get<string>(r, "locktype"),
                LockMode = PostgresConnector.Get<string>(r, "mode"),
                Relation = PostgresConnector.Get<string>(r, "relation"),
                BlockingPid = r.GetInt32(r.GetOrdinal("blocking_pid")),
                BlockingUser = PostgresConnector.Get<string>(r, "blocking_user"),
                BlockingState = ParseState(PostgresConnector.Get<string>(r, "blocking_state")),
                BlockingTransactionDuration = PostgresConnector.GetValue<TimeSpan>(r, "blocking_xact"),
                BlockingIsWaiting = r.GetBoolean(r.GetOrdinal("blocking_waits")),
                BlockedQuery = PostgresConnector.Get<string>(r, "query"),
                BlockingQuery = PostgresConnector.Get<string>(r, "blocking_query"),
                BlockedApplicationName = PostgresConnector.Get<string>(r, "application_name"),
                BlockingApplicationName = PostgresConnector.Get<string>(r, "blocking_application"),
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Terminates a session with <c>pg_terminate_backend</c>, waiting up to five seconds for it to
    /// exit (PostgreSQL 14 and later). Returns false when no such backend exists.
    /// </summary>
    /// <param name="processId">The session's process id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether the session was terminated.</returns>
    public async Task<bool> TerminateAsync(int processId, CancellationToken cancellationToken = default)
    {
        if (processId == OwnProcessId)
        {
            throw new OpsToolsException(
                "PostgresSessionIsOwn",
                OpsToolsErrorKind.InvalidOperation,
                $"Session {processId} on {Endpoint.Server} is the one OpsTools uses for this command.",
                processId,
                "Pick another process id.");
        }

        bool waits = _connection.PostgreSqlVersion.Major >= 14;
        string sql = waits
            ? "SELECT pg_terminate_backend(@pid, 5000) FROM pg_stat_activity WHERE pid = @pid"
            : "SELECT pg_terminate_backend(@pid) FROM pg_stat_activity WHERE pid = @pid";
        List<bool> result = await PostgresConnector.QueryAsync(_connection, Endpoint, sql, r => r.GetBoolean(0), cancellationToken, ("pid", processId)).ConfigureAwait(false);
        return result.Count == 1 && result[0];
    }

    /// <inheritdoc/>
    public void Dispose() => _connection.Dispose();

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    /// <summary>Maps pg_stat_activity.state to the enum.</summary>
    /// <param name="state">The text.</param>
    /// <returns>The state.</returns>
    public static PostgresSessionState ParseState(string? state) => state switch
    {
        "active" => PostgresSessionState.Active,
        "idle" => PostgresSessionState.Idle,
        "idle in transaction" => PostgresSessionState.IdleInTransaction,
        "idle in transaction (aborted)" => PostgresSessionState.IdleInTransactionAborted,
        "fastpath function call" => PostgresSessionState.FastPath,
        "disabled" => PostgresSessionState.Disabled,
        _ => PostgresSessionState.Unknown,
    };

    private PostgresSession ReadSession(NpgsqlDataReader r)
    {
        DateTimeOffset now = PostgresConnector.GetTime(r, "read_at") ?? DateTimeOffset.UtcNow;
        PostgresSessionState state = ParseState(PostgresConnector.Get<string>(r, "state"));
        DateTimeOffset? xactStart = PostgresConnector.GetTime(r, "xact_start");
        DateTimeOffset? queryStart = PostgresConnector.GetTime(r, "query_start");
        DateTimeOffset? stateChange = PostgresConnector.GetTime(r, "state_change");
        TimeSpan? queryDuration = state == PostgresSessionState.Active && queryStart is { } q ? Positive(now - q) : null;
        TimeSpan? transactionDuration = xactStart is { } x ? Positive(now - x) : null;
        TimeSpan? duration = state switch
        {
            PostgresSessionState.Active => queryDuration,
            PostgresSessionState.IdleInTransaction or PostgresSessionState.IdleInTransactionAborted => transactionDuration,
            _ => stateChange is { } s ? Positive(now - s) : null,
        };
        return new PostgresSession
        {
            Server = Endpoint.Server,
            ProcessId = r.GetInt32(r.GetOrdinal("pid")),
            Database = PostgresConnector.Get<string>(r, "datname"),
            User = PostgresConnector.Get<string>(r, "usename"),
            ApplicationName = PostgresConnector.Get<string>(r, "application_name"),
            ClientAddress = PostgresConnector.Get<string>(r, "client_addr"),
            ClientPort = PostgresConnector.GetInt(r, "client_port") is { } port && port > 0 ? port : null,
            BackendStart = PostgresConnector.GetTime(r, "backend_start"),
            TransactionStart = xactStart,
            QueryStart = queryStart,
            StateChange = stateChange,
            State = state,
            WaitEventType = PostgresConnector.Get<string>(r, "wait_event_type"),
            WaitEvent = PostgresConnector.Get<string>(r, "wait_event"),
            Query = PostgresConnector.Get<string>(r, "query"),
            BlockedBy = PostgresConnector.Get<int[]>(r, "blocked_by") ?? Array.Empty<int>(),
            Ssl = r.GetBoolean(r.GetOrdinal("ssl")),
            Duration = duration,
            QueryDuration = queryDuration,
            TransactionDuration = transactionDuration,
        };
    }

    private static TimeSpan Positive(TimeSpan span) => span < TimeSpan.Zero ? TimeSpan.Zero : span;
}
