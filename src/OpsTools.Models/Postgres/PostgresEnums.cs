namespace OpsTools.Postgres;

/// <summary>Lifecycle status of a pool server (<c>db_servers.status</c>; the values its CHECK constraint allows).</summary>
public enum PoolStatus
{
    /// <summary>The row exists; the server is being created.</summary>
    Provisioning,
    /// <summary>The service exists; the server has not answered a check yet.</summary>
    Initializing,
    /// <summary>In service: takes new instances.</summary>
    Active,
    /// <summary>In service, at capacity.</summary>
    Full,
    /// <summary>Taken out of service by an operator.</summary>
    Maintenance,
    /// <summary>Failed: three consecutive failed checks while active, or provisioning failed.</summary>
    Error,
    /// <summary>Being removed, or removed (the service is gone; the row is kept for history).</summary>
    Deprovisioning,
}

/// <summary>Health of a pool server as its checks left it (<c>db_servers.health_status</c>).</summary>
public enum PoolHealthStatus
{
    /// <summary>The last check succeeded.</summary>
    Healthy,
    /// <summary>One or two consecutive checks failed.</summary>
    Degraded,
    /// <summary>Three or more consecutive checks failed.</summary>
    Unhealthy,
    /// <summary>Never checked.</summary>
    Unknown,
}

/// <summary>What a pool server is for (<c>db_servers.server_type</c>).</summary>
public enum PoolServerType
{
    /// <summary>The platform's own database server.</summary>
    Platform,
    /// <summary>Shared by many instances.</summary>
    Shared,
    /// <summary>Dedicated to one customer or instance.</summary>
    Dedicated,
}

/// <summary>How instances are placed on a pool (<c>db_servers.allocation_strategy</c>).</summary>
public enum PoolAllocationStrategy
{
    /// <summary>The platform picks the pool.</summary>
    Auto,
    /// <summary>Only an operator places instances here.</summary>
    Manual,
}

/// <summary>Outcome of one pool check.</summary>
public enum PoolCheckOutcome
{
    /// <summary>Connected as the pool admin and <c>SELECT 1</c> answered within the timeout.</summary>
    Succeeded,
    /// <summary>The connection or the query failed or timed out.</summary>
    Failed,
    /// <summary>Not checked; <c>SkipReason</c> says why.</summary>
    Skipped,
}

/// <summary>What <c>pg_isready</c> would report for a server.</summary>
public enum PostgresReadyStatus
{
    /// <summary>The server accepts connections (pg_isready exit code 0).</summary>
    Accepting,
    /// <summary>The server answers but rejects connections, e.g. while starting up or shutting down (exit code 1).</summary>
    Rejecting,
    /// <summary>No answer: nothing listens, the host is unreachable, or the timeout passed (exit code 2).</summary>
    NoResponse,
    /// <summary>No attempt was made: the connection parameters are invalid (exit code 3).</summary>
    NoAttempt,
}

/// <summary>How a database on a pool relates to the platform's <c>instances</c> rows.</summary>
public enum PoolDatabaseState
{
    /// <summary>An instance that is not terminated uses the database.</summary>
    InUse,
    /// <summary>The database exists but no live instance uses it (orphaned).</summary>
    Unreferenced,
    /// <summary>An instance points at the database but it does not exist on the pool.</summary>
    Missing,
    /// <summary>The server's maintenance database, <c>postgres</c>.</summary>
    System,
}

/// <summary>State of a PostgreSQL session (<c>pg_stat_activity.state</c>).</summary>
public enum PostgresSessionState
{
    /// <summary>State not reported (another user's session seen without privileges).</summary>
    Unknown,
    /// <summary>Running a query.</summary>
    Active,
    /// <summary>Waiting for a command.</summary>
    Idle,
    /// <summary>In a transaction, not running a query.</summary>
    IdleInTransaction,
    /// <summary>In a failed transaction, not running a query.</summary>
    IdleInTransactionAborted,
    /// <summary>Running a fast-path function call.</summary>
    FastPath,
    /// <summary>track_activities is off for this session.</summary>
    Disabled,
}

/// <summary>What Invoke-PostgresQuery returns.</summary>
public enum PostgresQueryResultKind
{
    /// <summary>One object per row, with a property per column, streamed as the rows are read.</summary>
    PSObject,
    /// <summary>One System.Data.DataTable with all the rows of the first result.</summary>
    DataTable,
    /// <summary>The first column of the first row.</summary>
    Scalar,
    /// <summary>The number of rows the statement changed.</summary>
    NonQuery,
}

/// <summary>Where a database stands against its Alembic migration scripts.</summary>
public enum AlembicState
{
    /// <summary>The version table holds exactly the head revision(s).</summary>
    UpToDate,
    /// <summary>Revisions of the scripts have not been applied (see Pending).</summary>
    Behind,
    /// <summary>The version table names a revision no script defines: the database is ahead of the scripts, or from other ones.</summary>
    Unknown,
    /// <summary>The scripts have more than one head and the database is not at all of them; <c>alembic upgrade head</c> would refuse.</summary>
    MultipleHeads,
    /// <summary>The version table does not exist or is empty: no migration has been applied.</summary>
    NotInitialized,
    /// <summary>The revision was read, but no scripts were given to compare it with.</summary>
    NotChecked,
}

/// <summary>Layout of a PostgreSQL backup file.</summary>
public enum PostgresBackupFormat
{
    /// <summary>pg_dump's custom format (<c>.dump</c>), compressed, restored with pg_restore.</summary>
    Custom,
    /// <summary>Plain SQL (<c>.sql</c>), restored with psql.</summary>
    Plain,
    /// <summary>Plain SQL compressed with gzip (<c>.sql.gz</c>), restored with psql.</summary>
    PlainGzip,
}
