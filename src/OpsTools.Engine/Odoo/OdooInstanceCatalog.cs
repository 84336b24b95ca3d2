using System;
using System.Collections.Generic;
using System.IO;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using OpsTools.Engine.Postgres;
using OpsTools.Odoo;

namespace OpsTools.Engine.Odoo;

/// <summary>Reads the platform's Odoo instances: <c>instances</c> joined with their pool in <c>db_servers</c>.</summary>
public static partial class OdooInstanceCatalog
{
    /// <summary>Where the platform keeps the instances' data directories.</summary>
    public const string DefaultInstancesRoot = "/mnt/cephfs/odoo_instances";

    private const string Sql = """
        SELECT i.id, i.customer_id, i.name, i.status, i.odoo_version, i.database_name,
               COALESCE(NULLIF(i.db_name, ''), i.database_name) AS db, COALESCE(NULLIF(i.db_host, ''), d.host) AS host,
               COALESCE(i.db_port, d.port) AS port, i.db_user, i.service_name, i.storage_limit, i.external_url, i.created_at,
               d.name AS pool
        FROM instances i LEFT JOIN db_servers d ON d.id = i.db_server_id
        ORDER BY i.name, i.created_at
        """;

    /// <summary>Reads every instance.</summary>
    /// <param name="platform">The platform database.</param>
    /// <param name="instancesRoot">Directory holding the instances' data directories.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The instances, by name.</returns>
    public static async Task<IReadOnlyList<OdooInstance>> GetInstancesAsync(PlatformDatabase platform, string instancesRoot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(platform);
        if (!await platform.HasInstancesTableAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new OpsToolsException(
                "PlatformSchemaInvalid",
                OpsToolsErrorKind.InvalidData,
                $"{platform.DisplayName} has no instances table.",
                platform.DisplayName,
                "Point -PlatformServer at the platform database (the one with the instances and db_servers tables, 'instance' by default).");
        }

        return await platform.QueryAsync(
            Sql,
            r =>
            {
                string database = PostgresConnector.Get<string>(r, "db") ?? PostgresConnector.Get<string>(r, "database_name") ?? string.Empty;
                string? service = PostgresConnector.Get<string>(r, "service_name");
                string? dataDirectory = DataDirectoryOf(instancesRoot, PostgresConnector.Get<string>(r, "database_name") ?? database, service);
                return new OdooInstance
                {
                    Id = r.GetGuid(r.GetOrdinal("id")),
                    CustomerId = PostgresConnector.GetValue<Guid>(r, "customer_id"),
                    Name = PostgresConnector.Get<string>(r, "name") ?? string.Empty,
                    Status = PostgresConnector.Get<string>(r, "status"),
                    OdooVersion = PostgresConnector.Get<string>(r, "odoo_version"),
                    DatabaseName = database,
                    DatabaseHost = PostgresConnector.Get<string>(r, "host"),
                    DatabasePort = PostgresConnector.GetInt(r, "port"),
                    DatabaseUser = PostgresConnector.Get<string>(r, "db_user"),
                    Pool = PostgresConnector.Get<string>(r, "pool"),
                    ServiceName = service,
                    DataDirectory = dataDirectory,
                    FilestorePath = dataDirectory is null || database.Length == 0 ? null : Path.Combine(dataDirectory, "filestore", database),
                    StorageLimit = PostgresConnector.Get<string>(r, "storage_limit"),
                    ExternalUrl = PostgresConnector.Get<string>(r, "external_url"),
                    CreatedAt = PostgresConnector.GetTime(r, "created_at"),
                    PlatformServer = platform.DisplayName,
                };
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The data directory the platform gives an instance: <c>{root}/odoo_data_{database}_{hex8}</c>, where
    /// hex8 is the suffix of its service name <c>odoo-{database}-{hex8}</c>; null when the service name
    /// does not have that shape.
    /// </summary>
    /// <param name="root">Instances root.</param>
    /// <param name="databaseName">instances.database_name.</param>
    /// <param name="serviceName">instances.service_name.</param>
    /// <returns>The directory, or null.</returns>
    public static string? DataDirectoryOf(string root, string databaseName, string? serviceName)
    {
        if (serviceName is null || string.IsNullOrEmpty(databaseName))
        {
            return null;
        }

        Match match = ServiceSuffix().Match(serviceName);
        if (!match.Success || !string.Equals(match.Groups["db"].Value, databaseName, StringComparison.Ordinal))
        {
            return null;
        }

        return Path.Combine(root, $"odoo_data_{databaseName}_{match.Groups["hex"].Value}");
    }

    [GeneratedRegex("^odoo-(?<db>.+)-(?<hex>[0-9a-f]{8})$", RegexOptions.CultureInvariant)]
    private static partial Regex ServiceSuffix();
}
