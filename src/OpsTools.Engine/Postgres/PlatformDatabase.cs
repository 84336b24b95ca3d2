using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using OpsTools.Postgres;

namespace OpsTools.Engine.Postgres;

/// <summary>
/// The platform database (<c>instance</c>): its <c>db_servers</c> and <c>instances</c> tables, with
/// the schema the platform uses. One open connection for the life of a command. Every write is a
/// single statement guarded by the row's expected status, so concurrent writers (the platform's
/// own jobs, another operator) cannot be overwritten with stale values.
/// </summary>
public sealed class PlatformDatabase : IDisposable, IAsyncDisposable
{
    /// <summary>Consecutive failures at which a pool becomes unhealthy (and an active one, error), as the platform does.</summary>
    public const int FailureThreshold = 3;

    internal const string PoolColumns = """
        d.id, d.name, d.host, d.port, d.server_type, d.max_instances, d.current_instances, d.swarm_service_id,
        d.swarm_service_name, d.node_placement, d.status, d.health_status, d.last_health_check, d.health_check_failures,
        d.cpu_limit, d.memory_limit, d.storage_path, d.allocated_storage_gb, d.postgres_version, d.postgres_image,
        d.admin_user, (d.admin_password IS NOT NULL AND d.admin_password <> '') AS has_admin_password,
        d.allocation_strategy, d.priority, d.dedicated_to_customer_id, d.dedicated_to_instance_id, d.provisioned_by,
        d.provisioned_at, d.last_allocated_at, d.created_at, d.updated_at, now() AS read_at
        """;

    private readonly NpgsqlConnection _connection;
    private bool? _hasInstancesTable;

    private PlatformDatabase(PostgresEndpoint endpoint, NpgsqlConnection connection)
    {
        Endpoint = endpoint;
        _connection = connection;
    }

    /// <summary>The platform endpoint.</summary>
    public PostgresEndpoint Endpoint { get; }

    /// <summary>The platform database as objects name it, e.g. <c>platform-db:5432/instance</c>.</summary>
    public string DisplayName => Endpoint.DisplayName;

    /// <summary>Connects to the platform database.</summary>
    /// <param name="endpoint">The platform endpoint.</param>
    /// <param name="cancellationToken">Cancels the connection.</param>
    /// <returns>The open platform database.</returns>
    public static async Task<PlatformDatabase> OpenAsync(PostgresEndpoint endpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        NpgsqlConnection connection;
        try
        {
            connection = await PostgresConnector.OpenAsync(endpoint, cancellationToken).ConfigureAwait(false);
        }
        catch (OpsToolsException ex) when (ex.ErrorId == "PostgresDatabaseNotFound")
        {
            throw new OpsToolsException(
                "PlatformDatabaseNotFound",
                OpsToolsErrorKind.ObjectNotFound,
                $"The platform database {endpoint.DisplayName} does not exist.",
                endpoint.DisplayName,
                "Point -PlatformServer at the platform's PostgreSQL server; its database is 'instance' unless the server text names another (dbname=...).",
                ex);
        }

        return new PlatformDatabase(endpoint, connection);
    }

    /// <summary>Reads every row of db_servers, in natural name order (pool-2 before pool-10).</summary>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The pools.</returns>
    public async Task<IReadOnlyList<DatabasePool>> GetPoolsAsync(CancellationToken cancellationToken = default)
    {
        List<DatabasePool> pools = await QueryAsync($"SELECT {PoolColumns} FROM db_servers d", ReadPool, cancellationToken).ConfigureAwait(false);
        return pools.OrderBy(p => p.Name, NaturalComparer.Instance).ToList();
    }

    /// <summary>Reads one row by id; null when it is gone.</summary>
    /// <param name="id">Row id.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The pool, or null.</returns>
    public async Task<DatabasePool?> GetPoolAsync(Guid id, CancellationToken cancellationToken = default) =>
        (await QueryAsync($"SELECT {PoolColumns} FROM db_servers d WHERE d.id = @id", ReadPool, cancellationToken, ("id", id)).ConfigureAwait(false)).SingleOrDefault();

    /// <summary>Reads the admin credentials of some pools (the only place passwords are read).</summary>
    internal async Task<Dictionary<Guid, (string? User, string? Password)>> GetCredentialsAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken)
    {
        List<(Guid Id, string? User, string? Password)> rows = await QueryAsync(
            "SELECT id, admin_user, admin_password FROM db_servers WHERE id = ANY(@ids)",
            r => (r.GetGuid(0), r.IsDBNull(1) ? null : r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2)),
            cancellationToken,
            ("ids", ids.ToArray())).ConfigureAwait(false);
        return rows.ToDictionary(r => r.Id, r => (r.User, r.Password));
    }

    /// <summary>
    /// Records one check in a single statement: the row is locked, its previous values read and the
    /// platform's transition applied to the values it holds at that moment, so two checkers running
    /// at once each add their failure instead of overwriting each other's counter. Only rows whose
    /// status is still one of <paramref name="checkedStatuses"/> are written.
    /// </summary>
    /// <param name="id">Row id.</param>
    /// <param name="succeeded">Whether the check succeeded.</param>
    /// <param name="checkedStatuses">Statuses a row may have to be written.</param>
    /// <param name="cancellationToken">Cancels the statement.</param>
    /// <returns>Values before and after, or null when the row is gone or its status changed meanwhile.</returns>
    public async Task<PoolHealthUpdate?> RecordHealthCheckAsync(Guid id, bool succeeded, IReadOnlyCollection<PoolStatus> checkedStatuses, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkedStatuses);
        const string Sql = """
            WITH previous AS (
                SELECT id, status, health_status, health_check_failures
                FROM db_servers
                WHERE id = @id AND status = ANY(@statuses)
                FOR UPDATE
            )
            UPDATE db_servers AS d SET
                health_status = CASE
                    WHEN @ok THEN 'healthy'
                    WHEN d.health_check_failures + 1 >= @threshold THEN 'unhealthy'
                    ELSE 'degraded' END,
                health_check_failures = CASE WHEN @ok THEN 0 ELSE d.health_check_failures + 1 END,
                last_health_check = now(),
                status = CASE
                    WHEN @ok AND d.status IN ('initializing', 'error') THEN 'active'
                    WHEN NOT @ok AND d.status = 'active' AND d.health_check_failures + 1 >= @threshold THEN 'error'
                    ELSE d.status END
            FROM previous AS p
            WHERE d.id = p.id
            RETURNING p.status, p.health_status, p.health_check_failures, d.status, d.health_status, d.health_check_failures, d.last_health_check
            """;
        List<PoolHealthUpdate> rows = await QueryAsync(
            Sql,
            r => new PoolHealthUpdate
            {
                PreviousStatus = ParseStatus(r.GetString(0)),
                PreviousHealthStatus = ParseHealth(r.GetString(1)),
                PreviousFailures = Convert.ToInt32(r.GetValue(2), CultureInfo.InvariantCulture),
                Status = ParseStatus(r.GetString(3)),
                HealthStatus = ParseHealth(r.GetString(4)),
                Failures = Convert.ToInt32(r.GetValue(5), CultureInfo.InvariantCulture),
                LastHealthCheck = new DateTimeOffset(DateTime.SpecifyKind(r.GetDateTime(6), DateTimeKind.Utc)),
            },
            cancellationToken,
            ("id", id),
            ("ok", succeeded),
            ("threshold", FailureThreshold),
            ("statuses", checkedStatuses.Select(ToText).ToArray())).ConfigureAwait(false);
        return rows.SingleOrDefault();
    }

    /// <summary>Whether the platform has an <c>instances</c> table (the cleanup and database checks use it when it does).</summary>
    internal async Task<bool> HasInstancesTableAsync(CancellationToken cancellationToken)
    {
        _hasInstancesTable ??= (await QueryAsync("SELECT to_regclass('instances') IS NOT NULL", r => r.GetBoolean(0), cancellationToken).ConfigureAwait(false)).Single();
        return _hasInstancesTable.Value;
    }

    /// <summary>Instances whose database is on a pool: by db_server_id, or for rows without one, by db_host and db_port.</summary>
    internal async Task<List<PlatformInstance>> GetInstancesOnPoolAsync(DatabasePool pool, CancellationToken cancellationToken)
    {
        if (!await HasInstancesTableAsync(cancellationToken).ConfigureAwait(false))
        {
            return new List<PlatformInstance>();
        }

        const string Sql = """
            SELECT id, name, status, COALESCE(NULLIF(db_name, ''), database_name) AS db
            FROM instances
            WHERE db_server_id = @id OR (db_server_id IS NULL AND db_host = @host AND COALESCE(db_port, 5432) = @port)
            """;
        return await QueryAsync(
            Sql,
            r => new PlatformInstance(r.GetGuid(0), r.IsDBNull(1) ? null : r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3)),
            cancellationToken,
            ("id", pool.Id),
            ("host", pool.Host),
            ("port", pool.Port)).ConfigureAwait(false);
    }

    /// <summary>Instances not terminated that use a pool.</summary>
    internal async Task<int> CountLiveInstancesAsync(Guid poolId, CancellationToken cancellationToken)
    {
        if (!await HasInstancesTableAsync(cancellationToken).ConfigureAwait(false))
        {
            return 0;
        }

        return (await QueryAsync(
            "SELECT count(*) FROM instances WHERE db_server_id = @id AND status IS DISTINCT FROM 'terminated'",
            r => (int)r.GetInt64(0),
            cancellationToken,
            ("id", poolId)).ConfigureAwait(false)).Single();
    }

    /// <summary>
    /// Failed pools that may be removed: status error, no instances (counter and rows), and last
    /// checked before the cutoff or never checked at all.
    /// </summary>
    internal async Task<IReadOnlyList<DatabasePool>> GetCleanupCandidatesAsync(TimeSpan olderThan, CancellationToken cancellationToken)
    {
        string noInstances = await HasInstancesTableAsync(cancellationToken).ConfigureAwait(false)
            ? "AND NOT EXISTS (SELECT 1 FROM instances i WHERE i.db_server_id = d.id AND i.status IS DISTINCT FROM 'terminated')"
            : string.Empty;
        string sql = $"""
            SELECT {PoolColumns} FROM db_servers d
            WHERE d.status = 'error' AND d.current_instances = 0
              AND (d.last_health_check IS NULL OR d.last_health_check < now() - @age)
              {noInstances}
            """;
        List<DatabasePool> pools = await QueryAsync(sql, ReadPool, cancellationToken, ("age", olderThan)).ConfigureAwait(false);
        return pools.OrderBy(p => p.Name, NaturalComparer.Instance).ToList();
    }

    /// <summary>
    /// Marks a pool as being removed, in one statement that also re-checks what made it removable:
    /// its status, and that no instance uses it. Returns the row as it was, or null when the
    /// conditions no longer hold.
    /// </summary>
    internal async Task<DatabasePool?> BeginRemovalAsync(Guid id, IReadOnlyCollection<PoolStatus> removableStatuses, CancellationToken cancellationToken)
    {
        string noInstances = await HasInstancesTableAsync(cancellationToken).ConfigureAwait(false)
            ? "AND NOT EXISTS (SELECT 1 FROM instances i WHERE i.db_server_id = d.id AND i.status IS DISTINCT FROM 'terminated')"
            : string.Empty;
        string sql = $"""
            WITH previous AS (
                SELECT {PoolColumns} FROM db_servers d
                WHERE d.id = @id AND d.status = ANY(@statuses) AND d.current_instances = 0 {noInstances}
                FOR UPDATE
            )
            UPDATE db_servers AS u SET status = 'deprovisioning', health_status = 'unknown'
            FROM previous AS d
            WHERE u.id = d.id
            RETURNING d.*
            """;
        return (await QueryAsync(sql, ReadPool, cancellationToken, ("id", id), ("statuses", removableStatuses.Select(ToText).ToArray())).ConfigureAwait(false)).SingleOrDefault();
    }

    /// <summary>Records where an archived data directory went.</summary>
    internal Task<int> SetStoragePathAsync(Guid id, string path, CancellationToken cancellationToken) =>
        PostgresConnector.ExecuteAsync(_connection, Endpoint, "UPDATE db_servers SET storage_path = @path WHERE id = @id", cancellationToken, ("id", id), ("path", path));

    /// <summary>Names of every row and how many shared pools there are (the platform numbers pools by the latter).</summary>
    internal async Task<(HashSet<string> Names, int SharedPools)> GetPoolNamesAsync(CancellationToken cancellationToken)
    {
        List<(string Name, string Type)> rows = await QueryAsync("SELECT name, server_type FROM db_servers", r => (r.GetString(0), r.GetString(1)), cancellationToken).ConfigureAwait(false);
        return (rows.Select(r => r.Name).ToHashSet(StringComparer.Ordinal), rows.Count(r => r.Type == "shared"));
    }

    /// <summary>Inserts the row of a new pool in status provisioning; null when the name is taken (another provisioner won).</summary>
    internal async Task<Guid?> InsertProvisioningPoolAsync(PoolRowDraft draft, CancellationToken cancellationToken)
    {
        const string Sql = """
            INSERT INTO db_servers (name, host, port, server_type, max_instances, current_instances, swarm_service_name,
                node_placement, status, health_status, health_check_failures, cpu_limit, memory_limit, storage_path,
                postgres_version, postgres_image, admin_user, admin_password, allocation_strategy, priority, provisioned_by)
            VALUES (@name, @host, @port, 'shared', @max, 0, @service, @placement, 'provisioning', 'unknown', 0, @cpu, @memory,
                @path, @version, @image, @user, @password, 'auto', @priority, @by)
            ON CONFLICT (name) DO NOTHING
            RETURNING id
            """;
        List<Guid> ids = await QueryAsync(
            Sql,
            r => r.GetGuid(0),
            cancellationToken,
            ("name", draft.Name),
            ("host", draft.Host),
            ("port", draft.Port),
            ("max", draft.MaxInstances),
            ("service", draft.ServiceName),
            ("placement", draft.NodePlacement),
            ("cpu", draft.CpuLimit),
            ("memory", draft.MemoryLimit),
            ("path", draft.StoragePath),
            ("version", draft.PostgresVersion),
            ("image", draft.Image),
            ("user", draft.AdminUser),
            ("password", draft.AdminPassword),
            ("priority", draft.Priority),
            ("by", draft.ProvisionedBy)).ConfigureAwait(false);
        return ids.Count == 0 ? null : ids[0];
    }

    /// <summary>provisioning -> initializing once the service exists.</summary>
    internal Task<int> MarkInitializingAsync(Guid id, string serviceId, CancellationToken cancellationToken) =>
        PostgresConnector.ExecuteAsync(
            _connection, Endpoint,
            "UPDATE db_servers SET status = 'initializing', swarm_service_id = @service WHERE id = @id AND status = 'provisioning'",
            cancellationToken, ("id", id), ("service", serviceId));

    /// <summary>initializing -> active/healthy once the server answered.</summary>
    internal Task<int> MarkActiveAsync(Guid id, CancellationToken cancellationToken) =>
        PostgresConnector.ExecuteAsync(
            _connection, Endpoint,
            """
            UPDATE db_servers SET status = 'active', health_status = 'healthy', health_check_failures = 0,
                last_health_check = now(), provisioned_at = now()
            WHERE id = @id AND status IN ('provisioning', 'initializing')
            """,
            cancellationToken, ("id", id));

    /// <summary>Provisioning failed: error/unhealthy, as the platform records it.</summary>
    internal Task<int> MarkProvisioningFailedAsync(Guid id, CancellationToken cancellationToken) =>
        PostgresConnector.ExecuteAsync(
            _connection, Endpoint,
            "UPDATE db_servers SET status = 'error', health_status = 'unhealthy' WHERE id = @id AND status IN ('provisioning', 'initializing')",
            cancellationToken, ("id", id));

    /// <inheritdoc/>
    public void Dispose() => _connection.Dispose();

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    internal static string ToText(PoolStatus status) => status.ToString().ToLowerInvariant();

    internal static PoolStatus ParseStatus(string text) =>
        Enum.TryParse(text, ignoreCase: true, out PoolStatus status) && Enum.IsDefined(status) ? status : throw InvalidValue("status", text);

    internal static PoolHealthStatus ParseHealth(string text) =>
        Enum.TryParse(text, ignoreCase: true, out PoolHealthStatus health) && Enum.IsDefined(health) ? health : throw InvalidValue("health_status", text);

    /// <summary>Runs a query on the platform database, mapping schema mismatches to PlatformSchemaInvalid.</summary>
    internal Task<List<T>> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> map, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        QueryMappedAsync(sql, map, cancellationToken, parameters);

    private async Task<List<T>> QueryMappedAsync<T>(string sql, Func<NpgsqlDataReader, T> map, CancellationToken cancellationToken, (string Name, object? Value)[] parameters)
    {
        try
        {
            return await PostgresConnector.QueryAsync(_connection, Endpoint, sql, map, cancellationToken, parameters).ConfigureAwait(false);
        }
        catch (OpsToolsException ex) when (ex.ErrorId == "PostgresSchemaMismatch")
        {
            throw new OpsToolsException(
                "PlatformSchemaInvalid",
                OpsToolsErrorKind.InvalidData,
                $"{DisplayName} does not have the platform's schema: {PostgresErrorMapper.FindPostgresException(ex)?.MessageText ?? ex.Message}.",
                DisplayName,
                "Point -PlatformServer at the platform database (the one with the db_servers table, 'instance' by default).",
                ex);
        }
    }

    private DatabasePool ReadPool(NpgsqlDataReader r)
    {
        DateTimeOffset? lastCheck = PostgresConnector.GetTime(r, "last_health_check");
        DateTimeOffset readAt = PostgresConnector.GetTime(r, "read_at") ?? DateTimeOffset.UtcNow;
        string serverType = r.GetString(r.GetOrdinal("server_type"));
        string? strategy = PostgresConnector.Get<string>(r, "allocation_strategy");
        return new DatabasePool
        {
            Id = r.GetGuid(r.GetOrdinal("id")),
            Name = r.GetString(r.GetOrdinal("name")),
            Host = r.GetString(r.GetOrdinal("host")),
            Port = PostgresConnector.GetInt(r, "port") ?? 5432,
            ServerType = Enum.TryParse(serverType, ignoreCase: true, out PoolServerType type) && Enum.IsDefined(type) ? type : throw InvalidValue("server_type", serverType),
            MaxInstances = PostgresConnector.GetInt(r, "max_instances") ?? 0,
            CurrentInstances = PostgresConnector.GetInt(r, "current_instances") ?? 0,
            SwarmServiceId = PostgresConnector.Get<string>(r, "swarm_service_id"),
            SwarmServiceName = PostgresConnector.Get<string>(r, "swarm_service_name"),
            NodePlacement = PostgresConnector.Get<string>(r, "node_placement"),
            Status = ParseStatus(PostgresConnector.Get<string>(r, "status") ?? "provisioning"),
            HealthStatus = ParseHealth(PostgresConnector.Get<string>(r, "health_status") ?? "unknown"),
            LastHealthCheck = lastCheck,
            LastCheckAge = lastCheck is { } checkedAt ? readAt - checkedAt : null,
            HealthCheckFailures = PostgresConnector.GetInt(r, "health_check_failures") ?? 0,
            CpuLimit = PostgresConnector.Get<string>(r, "cpu_limit"),
            MemoryLimit = PostgresConnector.Get<string>(r, "memory_limit"),
            StoragePath = PostgresConnector.Get<string>(r, "storage_path"),
            AllocatedStorageGb = PostgresConnector.GetInt(r, "allocated_storage_gb"),
            PostgresVersion = PostgresConnector.Get<string>(r, "postgres_version"),
            PostgresImage = PostgresConnector.Get<string>(r, "postgres_image"),
            AdminUser = PostgresConnector.Get<string>(r, "admin_user"),
            HasAdminPassword = r.GetBoolean(r.GetOrdinal("has_admin_password")),
            AllocationStrategy = strategy is not null && Enum.TryParse(strategy, ignoreCase: true, out PoolAllocationStrategy s) && Enum.IsDefined(s) ? s : PoolAllocationStrategy.Auto,
            Priority = PostgresConnector.GetInt(r, "priority") ?? 100,
            DedicatedToCustomerId = PostgresConnector.GetValue<Guid>(r, "dedicated_to_customer_id"),
            DedicatedToInstanceId = PostgresConnector.GetValue<Guid>(r, "dedicated_to_instance_id"),
            ProvisionedBy = PostgresConnector.Get<string>(r, "provisioned_by"),
            ProvisionedAt = PostgresConnector.GetTime(r, "provisioned_at"),
            LastAllocatedAt = PostgresConnector.GetTime(r, "last_allocated_at"),
            CreatedAt = PostgresConnector.GetTime(r, "created_at"),
            UpdatedAt = PostgresConnector.GetTime(r, "updated_at"),
            PlatformServer = DisplayName,
        };
    }

    private static OpsToolsException InvalidValue(string column, string value) => new(
        "PlatformDataInvalid",
        OpsToolsErrorKind.InvalidData,
        $"db_servers.{column} holds '{value}', which the platform's schema does not allow.",
        value,
        "Check the row with psql; the CHECK constraints of db_servers list the allowed values.");
}

/// <summary>Values of a pool row before and after a recorded check.</summary>
public sealed class PoolHealthUpdate
{
    /// <summary>Status before.</summary>
    public PoolStatus PreviousStatus { get; init; }
    /// <summary>Health before.</summary>
    public PoolHealthStatus PreviousHealthStatus { get; init; }
    /// <summary>Failures before.</summary>
    public int PreviousFailures { get; init; }
    /// <summary>Status after.</summary>
    public PoolStatus Status { get; init; }
    /// <summary>Health after.</summary>
    public PoolHealthStatus HealthStatus { get; init; }
    /// <summary>Failures after.</summary>
    public int Failures { get; init; }
    /// <summary>The check time written.</summary>
    public DateTimeOffset LastHealthCheck { get; init; }
}

/// <summary>An instance row, as far as pools are concerned.</summary>
internal sealed record PlatformInstance(Guid Id, string? Name, string? Status, string? DatabaseName);

/// <summary>The values of a new pool's row.</summary>
internal sealed class PoolRowDraft
{
    public required string Name { get; init; }
    public required string Host { get; init; }
    public int Port { get; init; }
    public int MaxInstances { get; init; }
    public required string ServiceName { get; init; }
    public required string NodePlacement { get; init; }
    public required string CpuLimit { get; init; }
    public required string MemoryLimit { get; init; }
    public required string StoragePath { get; init; }
    public required string PostgresVersion { get; init; }
    public required string Image { get; init; }
    public required string AdminUser { get; init; }
    public required string AdminPassword { get; init; }
    public int Priority { get; init; }
    public string? ProvisionedBy { get; init; }
}

/// <summary>Orders names with numbers as people do: pool-2 before pool-10.</summary>
internal sealed class NaturalComparer : IComparer<string>
{
    public static readonly NaturalComparer Instance = new();

    public int Compare(string? x, string? y)
    {
        if (x is null || y is null)
        {
            return string.CompareOrdinal(x, y);
        }

        int i = 0;
        int j = 0;
        while (i < x.Length && j < y.Length)
        {
            if (char.IsAsciiDigit(x[i]) && char.IsAsciiDigit(y[j]))
            {
                int si = i;
                int sj = j;
                while (i < x.Length && char.IsAsciiDigit(x[i]))
                {
                    i++;
                }

                while (j < y.Length && char.IsAsciiDigit(y[j]))
                {
                    j++;
                }

                string a = x[si..i].TrimStart('0');
                string b = y[sj..j].TrimStart('0');
                int byLength = a.Length.CompareTo(b.Length);
                if (byLength != 0)
                {
                    return byLength;
                }

                int byDigits = string.CompareOrdinal(a, b);
                if (byDigits != 0)
                {
                    return byDigits;
                }
            }
            else
            {
                int byChar = x[i].CompareTo(y[j]);
                if (byChar != 0)
                {
                    return byChar;
                }

                i++;
                j++;
            }
        }

        return (x.Length - i).CompareTo(y.Length - j);
    }
}
