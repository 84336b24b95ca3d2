using System;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using OpsTools.Postgres;

namespace OpsTools.Engine.Postgres;

/// <summary>What to restore and where.</summary>
public sealed class PostgresRestoreRequest
{
    /// <summary>The server and the database to create (the endpoint's database).</summary>
    public required PostgresEndpoint Target { get; init; }

    /// <summary>The backup file (full path).</summary>
    public required string Path { get; init; }

    /// <summary>Its layout.</summary>
    public PostgresBackupFormat Format { get; init; }

    /// <summary>Drop an existing database of that name first (its sessions are terminated).</summary>
    public bool Force { get; init; }
}

/// <summary>
/// Restores a backup file into a new database: the checksum beside the file is verified before the
/// server is touched, an existing database is refused unless forced, the database is created empty
/// (template0) and loaded in one transaction that stops at the first error, and a database this
/// restore created is dropped again when the load fails.
/// </summary>
public static class PostgresRestorer
{
    private const int CopyBuffer = 1 << 16;

    /// <summary>The layout of a backup file: by its first bytes (pg_dump's <c>PGDMP</c>, gzip's 1f 8b), else plain SQL.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The format; Plain for a file that cannot be read (the checksum check reports it).</returns>
    public static PostgresBackupFormat DetectFormat(string path)
    {
        byte[] head = new byte[5];
        int read = 0;
        if (File.Exists(path))
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            read = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }

        if (read >= 5 && head.AsSpan().SequenceEqual("PGDMP"u8))
        {
            return PostgresBackupFormat.Custom;
        }

        return read >= 2 && head[0] == 0x1f && head[1] == 0x8b ? PostgresBackupFormat.PlainGzip : PostgresBackupFormat.Plain;
    }

    /// <summary>Hashes the file and compares it with the checksum file beside it (<c>&lt;file&gt;.sha256</c>).</summary>
    /// <param name="path">The backup file.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The file's SHA-256 and whether a checksum file confirmed it (false when there is none).</returns>
    /// <exception cref="OpsToolsException"><c>BackupNotFound</c>, <c>BackupChecksumMismatch</c>, <c>BackupChecksumInvalid</c>.</exception>
    public static async Task<(string Sha256, bool Verified)> VerifyChecksumAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new OpsToolsException(
                "BackupNotFound",
                OpsToolsErrorKind.ObjectNotFound,
                $"The backup file {path} does not exist.",
                path,
                "Give the path of a backup file (.dump, .sql or .sql.gz) to -Path.");
        }

        string actual;
        await using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, CopyBuffer, useAsync: true))
        {
            actual = Convert.ToHexString(await SHA256.HashDataAsync(file, cancellationToken).ConfigureAwait(false)).ToLowerInvariant();
        }

        string checksumPath = path + ".sha256";
        if (!File.Exists(checksumPath))
        {
            return (actual, false);
        }

        string recorded = (await File.ReadAllTextAsync(checksumPath, cancellationToken).ConfigureAwait(false)).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? string.Empty;
        if (recorded.Length != 64 || !recorded.All(Uri.IsHexDigit))
        {
            throw new OpsToolsException(
                "BackupChecksumInvalid",
                OpsToolsErrorKind.InvalidData,
                $"The checksum file {checksumPath} does not hold a SHA-256 (64 hex digits).",
                checksumPath,
                "Restore the checksum file from the same place as the backup, or remove it to restore without a check.");
        }

        if (!string.Equals(recorded, actual, StringComparison.OrdinalIgnoreCase))
        {
            throw new OpsToolsException(
                "BackupChecksumMismatch",
                OpsToolsErrorKind.InvalidData,
                $"The backup file {path} is damaged: its SHA-256 is {actual}, but {checksumPath} records {recorded.ToLowerInvariant()}. Nothing was restored.",
                path,
                "Take the backup again, or copy it again from where it is stored, and compare it with sha256sum -c.");
        }

        return (actual, true);
    }

    /// <summary>Restores the backup.</summary>
    /// <param name="request">What and where.</param>
    /// <param name="cancellationToken">Ctrl+C: stops psql/pg_restore and drops what was created.</param>
    /// <returns>What was restored.</returns>
    /// <exception cref="OpsToolsException"><c>BackupChecksumMismatch</c>, <c>DatabaseExists</c>, client and connection errors.</exception>
    public static async Task<PostgresRestore> RestoreAsync(PostgresRestoreRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var clock = Stopwatch.StartNew();
        PostgresEndpoint target = request.Target;
        string path = System.IO.Path.GetFullPath(request.Path);
        (string sha256, bool verified) = await VerifyChecksumAsync(path, cancellationToken).ConfigureAwait(false);

        bool exists = await PostgresDatabases.ExistsAsync(target, cancellationToken).ConfigureAwait(false);
        if (exists && !request.Force)
        {
            throw new OpsToolsException(
                "DatabaseExists",
                OpsToolsErrorKind.ResourceExists,
                $"The database {target.DisplayName} exists; a restore never replaces one unless told to.",
                target.Database,
                "Restore under another -Database, or pass -Force to drop it (its sessions are terminated first).");
        }

        PostgresEndpoint admin = target.WithDatabase("postgres");
        int serverMajor;
        await using (NpgsqlConnection connection = await PostgresConnector.OpenAsync(admin, cancellationToken).ConfigureAwait(false))
        {
            serverMajor = PostgresClientTools.MajorOf((await PostgresConnector.QueryAsync(connection, admin, "SELECT current_setting('server_version_num')::int", r => r.GetInt32(0), cancellationToken).ConfigureAwait(false)).Single());
        }

        bool plain = request.Format != PostgresBackupFormat.Custom;
        PostgresClientProgram loader = await PostgresClientTools.FindAsync(plain ? "psql" : "pg_restore", serverMajor, cancellationToken).ConfigureAwait(false);
        if (exists)
        {
            await PostgresDatabases.DropAsync(target, cancellationToken).ConfigureAwait(false);
        }

        bool created = false;
        bool loaded = false;
        try
        {
            await using (NpgsqlConnection connection = await PostgresConnector.OpenAsync(admin, cancellationToken).ConfigureAwait(false))
            {
                await PostgresConnector.ExecuteAsync(connection, admin, $"CREATE DATABASE {PostgresIdentifier.Quote(target.Database)} TEMPLATE template0", cancellationToken).ConfigureAwait(false);
            }

            created = true;
            string what = $"restoring {path} into {target.Database}";
            if (plain)
            {
                await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, CopyBuffer, useAsync: true);
                await using Stream sql = request.Format == PostgresBackupFormat.PlainGzip ? new GZipStream(file, CompressionMode.Decompress) : file;
                await PostgresLoader.LoadPlainAsync(loader, target, sql, what, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await PostgresLoader.LoadCustomAsync(loader, target, path, what, cancellationToken).ConfigureAwait(false);
            }

            loaded = true;
            return new PostgresRestore
            {
                Database = target.Database,
                Server = target.Server,
                Path = path,
                Format = request.Format,
                Size = new FileInfo(path).Length,
                Sha256 = sha256,
                ChecksumVerified = verified,
                Replaced = exists,
                ClientVersion = loader.Version,
                Duration = clock.Elapsed,
            };
        }
        catch (InvalidDataException ex)
        {
            throw new OpsToolsException(
                "BackupInvalid",
                OpsToolsErrorKind.InvalidData,
                $"The backup file {path} is not valid gzip: {ex.Message}. The database {target.Database} was dropped again.",
                path,
                "Check that the file is a .sql.gz written by Backup-PostgresDatabase or pg_dump -Z.",
                ex);
        }
        finally
        {
            if (created && !loaded)
            {
                await DropQuietlyAsync(target).ConfigureAwait(false);
            }
        }
    }

    private static async Task DropQuietlyAsync(PostgresEndpoint target)
    {
        // Never leave a half-restored database under the name the operator asked for.
        try
        {
            await PostgresDatabases.DropAsync(target, CancellationToken.None).ConfigureAwait(false);
        }
        catch (OpsToolsException)
        {
            // The server is gone too; the original failure is what the operator must see.
        }
    }
}
