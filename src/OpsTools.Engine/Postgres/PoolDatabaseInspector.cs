using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using OpsTools.Postgres;

namespace OpsTools.Engine.Postgres;

/// <summary>
/// Lists the databases of a pool (as its admin, with the credentials of its row) and matches them
/// with the platform's <c>instances</c>: which instance uses each database, which databases no live
/// instance uses, and which instances point at a database that is not there.
/// </summary>
public sealed class PoolDatabaseInspector
{
    private readonly PlatformDatabase _platform;

    /// <summary>Creates the inspector.</summary>
    /// <param name="platform">The platform database.</param>
    public PoolDatabaseInspector(PlatformDatabase platform)
    {
        _platform = platform ?? throw new ArgumentNullException(nameof(platform));
    }

    /// <summary>Databases of one pool, with the instance of each, plus the instances whose database is missing.</summary>
    /// <param name="pool">The pool.</param>
    /// <param name="timeout">Connection timeout for the pool.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The databases by name, then the missing ones.</returns>
    /// <exception cref="OpsToolsException">The pool has no credentials (<c>PoolCredentialsMissing</c>) or cannot be reached.</exception>
    public async Task<IReadOnlyList<PoolDatabase>> GetDatabasesAsync(DatabasePool pool, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pool);
        Dictionary<Guid, (string? User, string? Password)> credentials = await _platform.GetCredentialsAsync(new[] { pool.Id }, cancellationToken).ConfigureAwait(false);
        (string? user, string? password) = credentials.GetValueOrDefault(pool.Id);
        if (string.IsNullOrEmpty(user) || string.IsNullOrEmpty(password))
        {
            throw new OpsToolsException(
                "PoolCredentialsMissing",
                OpsToolsErrorKind.InvalidData,
                $"Pool {pool.Name} has no admin credentials in db_servers (admin_user or admin_password is empty).",
                pool.Name,
                "Set admin_user and admin_password of the pool's db_servers row.");
        }

        PostgresEndpoint endpoint = PostgresEndpoint.ForPool(pool.Host, pool.Port, user, password, timeout);
        List<PlatformInstance> instances = await _platform.GetInstancesOnPoolAsync(pool, cancellationToken).ConfigureAwait(false);

        const string Sql = """
            SELECT d.datname, pg_get_userbyid(d.datdba) AS owner,
                   CASE WHEN has_database_privilege(d.oid, 'CONNECT') THEN pg_database_size(d.oid) END AS size,
                   NULLIF(d.datconnlimit, -1) AS connection_limit,
                   (SELECT count(*) FROM pg_stat_activity a WHERE a.datid = d.oid AND a.backend_type = 'client backend' AND a.pid <> pg_backend_pid()) AS connections
            FROM pg_database d
            WHERE NOT d.datistemplate
            ORDER BY d.datname
            """;
        List<(string Name, string? Owner, long? Size, int? Limit, int Connections)> rows;
        await using (NpgsqlConnection connection = await PostgresConnector.OpenAsync(endpoint, cancellationToken).ConfigureAwait(false))
        {
            rows = await PostgresConnector.QueryAsync(
                connection,
                endpoint,
                Sql,
                r => (r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.IsDBNull(2) ? (long?)null : r.GetInt64(2), r.IsDBNull(3) ? (int?)null : r.GetInt32(3), (int)r.GetInt64(4)),
                cancellationToken).ConfigureAwait(false);
        }

        var byDatabase = instances
            .Where(i => !string.IsNullOrEmpty(i.DatabaseName))
            .GroupBy(i => i.DatabaseName!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(i => IsTerminated(i) ? 1 : 0).First(), StringComparer.Ordinal);
        var result = new List<PoolDatabase>();
        foreach ((string name, string? owner, long? size, int? limit, int connections) in rows)
        {
            byDatabase.TryGetValue(name, out PlatformInstance? instance);
            PoolDatabaseState state = name == "postgres" ? PoolDatabaseState.System
                : instance is not null && !IsTerminated(instance) ? PoolDatabaseState.InUse
                : PoolDatabaseState.Unreferenced;
            result.Add(Create(pool, name, state, exists: true, owner, size, limit, connections, instance));
        }

        var existing = rows.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        foreach (PlatformInstance missing in byDatabase.Values.Where(i => !IsTerminated(i) && !existing.Contains(i.DatabaseName!)).OrderBy(i => i.DatabaseName, StringComparer.Ordinal))
        {
            result.Add(Create(pool, missing.DatabaseName!, PoolDatabaseState.Missing, exists: false, null, null, null, 0, missing));
        }

        return result;
    }

    private static bool IsTerminated(PlatformInstance instance) => string.Equals(instance.Status, "terminated", StringComparison.OrdinalIgnoreCase);

    private PoolDatabase Create(DatabasePool pool, string name, PoolDatabaseState state, bool exists, string? owner, long? size, int? limit, int connections, PlatformInstance? instance) => new()
    {
        Pool = pool.Name,
        Name = name,
        State = state,
        Exists = exists,
        Owner = owner,
        SizeBytes = size,
        ConnectionLimit = limit,
        Connections = connections,
        InstanceId = instance?.Id,
        InstanceName = instance?.Name,
        InstanceStatus = instance?.Status,
        Host = pool.Host,
        Port = pool.Port,
        PoolId = pool.Id,
        PlatformServer = _platform.DisplayName,
    };
}
