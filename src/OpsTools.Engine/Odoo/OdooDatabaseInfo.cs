using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using OpsTools.Engine.Postgres;

namespace OpsTools.Engine.Odoo;

/// <summary>What Odoo's backup manifest records about a database: its Odoo version, installed modules and server version.</summary>
public sealed class OdooDatabaseInfo
{
    /// <summary>Odoo version (<c>17.0</c>), from the base module's installed version.</summary>
    public required string Version { get; init; }

    /// <summary>Odoo's version_info, e.g. <c>[17, 0, 0, "final", 0, ""]</c>.</summary>
    public required IReadOnlyList<object> VersionInfo { get; init; }

    /// <summary>Major version (<c>17.0</c>).</summary>
    public required string MajorVersion { get; init; }

    /// <summary>Server version as Odoo's manifest writes it (<c>15.0</c> for 15.x).</summary>
    public required string ManifestPostgresVersion { get; init; }

    /// <summary>Full server version (<c>15.18</c>).</summary>
    public required string ServerVersion { get; init; }

    /// <summary>server_version_num.</summary>
    public int ServerVersionNumber { get; init; }

    /// <summary>Installed modules and their versions.</summary>
    public required IReadOnlyDictionary<string, string> Modules { get; init; }

    /// <summary>Reads the information from an Odoo database.</summary>
    /// <param name="endpoint">The database.</param>
    /// <param name="cancellationToken">Cancels the queries.</param>
    /// <returns>The information.</returns>
    /// <exception cref="OpsToolsException"><c>OdooDatabaseInvalid</c> when the database has no <c>ir_module_module</c> table.</exception>
    public static async Task<OdooDatabaseInfo> ReadAsync(PostgresEndpoint endpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        await using NpgsqlConnection connection = await PostgresConnector.OpenAsync(endpoint, cancellationToken).ConfigureAwait(false);
        (int versionNumber, string serverVersion, bool isOdoo) = (await PostgresConnector.QueryAsync(
            connection, endpoint,
            "SELECT current_setting('server_version_num')::int, current_setting('server_version'), to_regclass('ir_module_module') IS NOT NULL",
            r => (r.GetInt32(0), r.GetString(1), r.GetBoolean(2)),
            cancellationToken).ConfigureAwait(false)).Single();
        if (!isOdoo)
        {
            throw NotOdoo(endpoint.DisplayName);
        }

        List<(string Name, string? Version)> modules = await PostgresConnector.QueryAsync(
            connection, endpoint,
            "SELECT name, latest_version FROM ir_module_module WHERE state = 'installed' ORDER BY name",
            r => (r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1)),
            cancellationToken).ConfigureAwait(false);
        return Build(versionNumber, serverVersion, modules);
    }

    /// <summary>
    /// Reads the information with the psql of a container (the one whose pg_dump makes the dump), for a
    /// server the host may not reach; the password travels in the exec environment only.
    /// </summary>
    /// <param name="container">The container.</param>
    /// <param name="endpoint">The database as seen from inside the container.</param>
    /// <param name="cancellationToken">Cancels the queries.</param>
    /// <returns>The information.</returns>
    /// <exception cref="OpsToolsException"><c>OdooDatabaseInvalid</c>, <c>PostgresClientFailed</c>.</exception>
    public static async Task<OdooDatabaseInfo> ReadAsync(PostgresClientContainer container, PostgresEndpoint endpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(endpoint);
        IReadOnlyDictionary<string, string> environment = PostgresClientContainer.ClientEnvironment(endpoint);
        string[] psql = { "psql", "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1" };
        string head = await container.RunTextAsync(
            psql.Append("-c").Append("SELECT current_setting('server_version_num')::int, current_setting('server_version'), to_regclass('ir_module_module') IS NOT NULL").ToList(),
            environment, $"reading {endpoint.Database}", cancellationToken).ConfigureAwait(false);
        string[] fields = head.Trim().Split('\t');
        if (fields.Length != 3 || !int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out int versionNumber))
        {
            throw new OpsToolsException(
                "PostgresClientInvalid",
                OpsToolsErrorKind.InvalidData,
                $"psql in {container.DisplayName} gave an unexpected answer for {endpoint.Database}: {head.Trim()}",
                container.DisplayName,
                "Check the PostgreSQL client in the container's image.");
        }

        if (fields[2] != "t")
        {
            throw NotOdoo($"{endpoint.Database} in {container.DisplayName}");
        }

        string rows = await container.RunTextAsync(
            psql.Append("-c").Append("SELECT name, coalesce(latest_version, '') FROM ir_module_module WHERE state = 'installed' ORDER BY name").ToList(),
            environment, $"reading the modules of {endpoint.Database}", cancellationToken).ConfigureAwait(false);
        List<(string Name, string? Version)> modules = rows.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\t'))
            .Select(f => (f[0], f.Length > 1 && f[1].Length > 0 ? f[1] : (string?)null))
            .ToList();
        return Build(versionNumber, fields[1], modules);
    }

    private static OdooDatabaseInfo Build(int versionNumber, string serverVersion, List<(string Name, string? Version)> modules)
    {
        string? baseVersion = modules.FirstOrDefault(m => m.Name == "base").Version;
        string version = MajorOf(baseVersion);
        string[] numbers = version.Split('.');
        return new OdooDatabaseInfo
        {
            Version = version,
            MajorVersion = version,
            VersionInfo = new object[]
            {
                int.TryParse(numbers[0], NumberStyles.None, CultureInfo.InvariantCulture, out int major) ? major : 0,
                numbers.Length > 1 && int.TryParse(numbers[1], NumberStyles.None, CultureInfo.InvariantCulture, out int minor) ? minor : 0,
                0, "final", 0, string.Empty,
            },
            ManifestPostgresVersion = string.Create(CultureInfo.InvariantCulture, $"{versionNumber / 10000}.{(versionNumber >= 100000 ? 0 : versionNumber / 100 % 100)}"),
            ServerVersion = PostgresConnector.ShortVersion(serverVersion) ?? serverVersion,
            ServerVersionNumber = versionNumber,
            Modules = modules.ToDictionary(m => m.Name, m => m.Version ?? string.Empty, StringComparer.Ordinal),
        };
    }

    /// <summary>The error for a database without Odoo's tables.</summary>
    /// <param name="database">Database display name.</param>
    /// <returns>The error.</returns>
    public static OpsToolsException NotOdoo(string database) => new(
        "OdooDatabaseInvalid",
        OpsToolsErrorKind.InvalidData,
        $"{database} is not an Odoo database: it has no ir_module_module table.",
        database,
        "Check -Database (Get-OdooInstance shows each instance's database), or use pg_dump for a database that is not Odoo's.");

    /// <summary>Odoo series of a module version: <c>17.0.1.3</c> gives <c>17.0</c>; <c>saas~17.2.1.0</c> gives <c>saas~17.2</c>.</summary>
    /// <param name="moduleVersion">base module version.</param>
    /// <returns>The series, or an empty string when unknown.</returns>
    public static string MajorOf(string? moduleVersion)
    {
        if (string.IsNullOrWhiteSpace(moduleVersion))
        {
            return string.Empty;
        }

        string[] parts = moduleVersion.Split('.');
        return parts.Length >= 2 ? parts[0] + "." + parts[1] : moduleVersion;
    }
}
