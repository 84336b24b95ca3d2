using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using OpsTools.Engine.Backup;

namespace OpsTools.Engine.Postgres;

/// <summary>
/// The one pg_dump loop of OpsTools, for any database: finds a pg_dump that can dump the server (the
/// local build of the server's major version or newer, or the container's own one, checked the same
/// way), runs it here or inside a container through the Docker exec API, and streams its output into
/// a stream while hashing it (SHA-256) and counting bytes. Nothing is buffered whole.
/// </summary>
public static class PostgresDumper
{
    private const int CopyBuffer = 1 << 16;

    /// <summary>Reads the server's version, through the container's psql when the dump runs in one (the host may not reach that server).</summary>
    /// <param name="endpoint">The database (as seen from inside the container, with one).</param>
    /// <param name="container">The container pg_dump runs in; null for this machine.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>server_version_num and server_version.</returns>
    public static async Task<(int Number, string Text)> ReadServerVersionAsync(PostgresEndpoint endpoint, PostgresClientContainer? container, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        const string Sql = "SELECT current_setting('server_version_num')::int, current_setting('server_version')";
        if (container is not null)
        {
            string text = await container.RunTextAsync(
                new[] { "psql", "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", Sql },
                PostgresClientContainer.ClientEnvironment(endpoint), $"reading the version of {endpoint.DisplayName}", cancellationToken).ConfigureAwait(false);
            string[] fields = text.Trim().Split('\t');
            if (fields.Length < 2 || !int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out int number))
            {
                throw new OpsToolsException(
                    "PostgresClientInvalid",
                    OpsToolsErrorKind.InvalidData,
                    $"psql in {container.DisplayName} did not report the server version of {endpoint.DisplayName}: {text.Trim()}",
                    container.DisplayName,
                    "Check the PostgreSQL client in the container's image.");
            }

            return (number, fields[1]);
        }

        await using NpgsqlConnection connection = await PostgresConnector.OpenAsync(endpoint, cancellationToken).ConfigureAwait(false);
        return (await PostgresConnector.QueryAsync(connection, endpoint, Sql, r => (r.GetInt32(0), r.GetString(1)), cancellationToken).ConfigureAwait(false)).Single();
    }

    /// <summary>Finds a pg_dump that can dump the server: pg_dump must be of the server's major version or newer.</summary>
    /// <param name="endpoint">The database.</param>
    /// <param name="container">The container whose own pg_dump is used; null for this machine's.</param>
    /// <param name="serverVersionNumber">server_version_num.</param>
    /// <param name="serverVersion">server_version, for the message.</param>
    /// <param name="cancellationToken">Cancels the version probe.</param>
    /// <returns>The program.</returns>
    /// <exception cref="OpsToolsException"><c>PostgresClientTooOld</c>, <c>PostgresClientNotFound</c>.</exception>
    public static async Task<PostgresClientProgram> FindPgDumpAsync(PostgresEndpoint endpoint, PostgresClientContainer? container, int serverVersionNumber, string serverVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        int serverMajor = PostgresClientTools.MajorOf(serverVersionNumber);
        if (container is null)
        {
            return await PostgresClientTools.FindAsync("pg_dump", serverMajor, cancellationToken).ConfigureAwait(false);
        }

        PostgresClientProgram pgDump = await container.ProbeClientAsync("pg_dump", cancellationToken).ConfigureAwait(false);
        if (pgDump.Major < serverMajor)
        {
            throw new OpsToolsException(
                "PostgresClientTooOld",
                OpsToolsErrorKind.NotImplemented,
                $"{pgDump.Path} is version {pgDump.Version} and cannot dump {endpoint.Database} on a PostgreSQL {serverVersion} server: pg_dump must be of the server's major version ({serverMajor}) or newer.",
                container.DisplayName,
                $"Run the dump in the database server's own container (its pg_dump is {serverMajor}), or use -Server with a local PostgreSQL {serverMajor} client.");
        }

        return pgDump;
    }

    /// <summary>Runs pg_dump and streams its output into <paramref name="output"/>, hashing and counting it.</summary>
    /// <param name="endpoint">The database (as seen from inside the container, with one).</param>
    /// <param name="container">The container pg_dump runs in; null for this machine.</param>
    /// <param name="pgDump">The pg_dump found by <see cref="FindPgDumpAsync"/>.</param>
    /// <param name="arguments">pg_dump's arguments (format, options); the connection travels in its environment.</param>
    /// <param name="output">Where the dump goes (left open).</param>
    /// <param name="onBytes">Called with each block's size, for progress.</param>
    /// <param name="cancellationToken">Ctrl+C: stops pg_dump.</param>
    /// <returns>Bytes written and their SHA-256 (lower-case hex).</returns>
    public static async Task<(long Bytes, string Sha256)> DumpAsync(
        PostgresEndpoint endpoint, PostgresClientContainer? container, PostgresClientProgram pgDump, IReadOnlyList<string> arguments, Stream output, Action<int>? onBytes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(pgDump);
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(output);
        using var hashing = HashingStream.ForWriting(output, onBytes, leaveOpen: true);
        if (container is not null)
        {
            (long exitCode, string errors) = await container.ExecAsync(
                new[] { "pg_dump" }.Concat(arguments).ToList(), PostgresClientContainer.ClientEnvironment(endpoint), hashing, cancellationToken).ConfigureAwait(false);
            if (exitCode != 0)
            {
                throw container.Failed("pg_dump", $"dumping {endpoint.Database}", exitCode, errors);
            }

            await hashing.FlushAsync(cancellationToken).ConfigureAwait(false);
            return (hashing.BytesCount, hashing.Sha256());
        }

        using PostgresClientProcess process = PostgresClientTools.Start(pgDump, endpoint, arguments);
        await process.StandardOutput.CopyToAsync(hashing, CopyBuffer, cancellationToken).ConfigureAwait(false);
        await hashing.FlushAsync(cancellationToken).ConfigureAwait(false);
        await process.WaitAsync($"dumping {endpoint.Database}", cancellationToken).ConfigureAwait(false);
        return (hashing.BytesCount, hashing.Sha256());
    }

    /// <summary>Runs pg_dump into a new file (flushed to disk); see <see cref="DumpAsync"/>.</summary>
    /// <param name="endpoint">The database.</param>
    /// <param name="container">The container pg_dump runs in; null for this machine.</param>
    /// <param name="pgDump">The pg_dump.</param>
    /// <param name="arguments">pg_dump's arguments.</param>
    /// <param name="path">The file to create (a temporary name: the caller renames it when all is well).</param>
    /// <param name="onBytes">Called with each block's size.</param>
    /// <param name="cancellationToken">Ctrl+C: stops pg_dump.</param>
    /// <returns>Bytes written and their SHA-256.</returns>
    public static async Task<(long Bytes, string Sha256)> DumpToFileAsync(
        PostgresEndpoint endpoint, PostgresClientContainer? container, PostgresClientProgram pgDump, IReadOnlyList<string> arguments, string path, Action<int>? onBytes, CancellationToken cancellationToken = default)
    {
        await using var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, CopyBuffer, useAsync: true);
        (long Bytes, string Sha256) result = await DumpAsync(endpoint, container, pgDump, arguments, output, onBytes, cancellationToken).ConfigureAwait(false);
        output.Flush(flushToDisk: true);
        return result;
    }
}
