using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace OpsTools.Engine.Postgres;

/// <summary>Database-level statements the restores share: does a database exist, drop it with its sessions.</summary>
public static class PostgresDatabases
{
    /// <summary>Checks whether the target database exists.</summary>
    /// <param name="target">The target.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>Whether it exists.</returns>
    public static async Task<bool> ExistsAsync(PostgresEndpoint target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        PostgresEndpoint admin = target.WithDatabase("postgres");
        await using NpgsqlConnection connection = await PostgresConnector.OpenAsync(admin, cancellationToken).ConfigureAwait(false);
        return (await PostgresConnector.QueryAsync(connection, admin, "SELECT count(*) FROM pg_database WHERE datname = @name", r => r.GetInt64(0), cancellationToken, ("name", target.Database)).ConfigureAwait(false)).Single() > 0;
    }

    /// <summary>Terminates the database's sessions and drops it.</summary>
    /// <param name="target">The database.</param>
    /// <param name="cancellationToken">Cancels the statements.</param>
    /// <returns>A task.</returns>
    public static async Task DropAsync(PostgresEndpoint target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        PostgresEndpoint admin = target.WithDatabase("postgres");
        await using NpgsqlConnection connection = await PostgresConnector.OpenAsync(admin, cancellationToken).ConfigureAwait(false);
        await PostgresConnector.ExecuteAsync(connection, admin, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = @name AND pid <> pg_backend_pid()", cancellationToken, ("name", target.Database)).ConfigureAwait(false);
        await PostgresConnector.ExecuteAsync(connection, admin, $"DROP DATABASE IF EXISTS {PostgresIdentifier.Quote(target.Database)} WITH (FORCE)", cancellationToken).ConfigureAwait(false);
    }
}
