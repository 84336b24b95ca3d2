using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using OpsTools.Engine.Backup;
using OpsTools.Postgres;

namespace OpsTools.Engine.Postgres;

/// <summary>What to back up and where.</summary>
public sealed class PostgresBackupRequest
{
    /// <summary>The database (as seen from inside the container, with one).</summary>
    public required PostgresEndpoint Endpoint { get; init; }

    /// <summary>The container whose own pg_dump makes the dump; null for this machine's.</summary>
    public PostgresClientContainer? Container { get; init; }

    /// <summary>The backup file to create (full path); its checksum goes to the same path plus <c>.sha256</c>.</summary>
    public required string Path { get; init; }

    /// <summary>Layout of the file.</summary>
    public PostgresBackupFormat Format { get; init; }
}

/// <summary>
/// Backs up any PostgreSQL database to one file, plain SQL (optionally gzip) or pg_dump's custom
/// format, through the shared dump loop (<see cref="PostgresDumper"/>): written under a temporary
/// name, checked against the bytes written, its SHA-256 recorded beside it, and both renamed only
/// when complete, so a failure or Ctrl+C leaves nothing under a final name.
/// </summary>
public static class PostgresBackupWriter
{
    /// <summary>The file extension of a format.</summary>
    /// <param name="format">The format.</param>
    /// <returns><c>.dump</c>, <c>.sql</c> or <c>.sql.gz</c>.</returns>
    public static string ExtensionOf(PostgresBackupFormat format) => format switch
    {
        PostgresBackupFormat.Plain => ".sql",
        PostgresBackupFormat.PlainGzip => ".sql.gz",
        _ => ".dump",
    };

    /// <summary>The format a file name says (<c>.dump</c>, <c>.sql</c>, <c>.sql.gz</c>), or null.</summary>
    /// <param name="path">The file name.</param>
    /// <returns>The format, or null for another extension.</returns>
    public static PostgresBackupFormat? FormatOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.EndsWith(".sql.gz", StringComparison.OrdinalIgnoreCase))
        {
            return PostgresBackupFormat.PlainGzip;
        }

        if (path.EndsWith(".sql", StringComparison.OrdinalIgnoreCase))
        {
            return PostgresBackupFormat.Plain;
        }

        return path.EndsWith(".dump", StringComparison.OrdinalIgnoreCase) ? PostgresBackupFormat.Custom : null;
    }

    /// <summary>Writes the backup.</summary>
    /// <param name="request">What and where.</param>
    /// <param name="onBytes">Called with each block's size, for progress.</param>
    /// <param name="cancellationToken">Ctrl+C: stops pg_dump and removes the temporary files.</param>
    /// <returns>The backup.</returns>
    /// <exception cref="OpsToolsException"><c>BackupDestinationNotFound</c>, <c>BackupExists</c>, <c>PostgresClientTooOld</c>, connection and pg_dump errors.</exception>
    public static async Task<PostgresBackup> BackupAsync(PostgresBackupRequest request, Action<int>? onBytes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var clock = Stopwatch.StartNew();
        string path = System.IO.Path.GetFullPath(request.Path);
        string directory = System.IO.Path.GetDirectoryName(path)!;
        if (!Directory.Exists(directory))
        {
            throw new OpsToolsException(
                "BackupDestinationNotFound",
                OpsToolsErrorKind.ObjectNotFound,
                $"The directory {directory} of the backup file does not exist.",
                directory,
                "Create the directory first, or give a -Path in an existing one.");
        }

        PostgresEndpoint endpoint = request.Endpoint;
        (int versionNumber, string versionText) = await PostgresDumper.ReadServerVersionAsync(endpoint, request.Container, cancellationToken).ConfigureAwait(false);
        string serverVersion = PostgresConnector.ShortVersion(versionText) ?? versionText;
        PostgresClientProgram pgDump = await PostgresDumper.FindPgDumpAsync(endpoint, request.Container, versionNumber, serverVersion, cancellationToken).ConfigureAwait(false);
        string[] arguments = request.Format switch
        {
            PostgresBackupFormat.Plain => new[] { "--format=plain", "--no-owner" },
            PostgresBackupFormat.PlainGzip => new[] { "--format=plain", "--no-owner", "--compress=6" },
            _ => new[] { "--format=custom", "--no-owner" },
        };

        string checksumPath = path + ".sha256";
        using var staged = new StagedOutput();
        try
        {
            string temporary = staged.AddFile(path);
            string checksumTemporary = staged.AddFile(checksumPath);
            (long bytes, string sha256) = await PostgresDumper.DumpToFileAsync(endpoint, request.Container, pgDump, arguments, temporary, onBytes, cancellationToken).ConfigureAwait(false);
            long onDisk = new FileInfo(temporary).Length;
            if (onDisk != bytes || onDisk == 0)
            {
                throw new OpsToolsException(
                    "BackupVerificationFailed",
                    OpsToolsErrorKind.InvalidData,
                    $"The backup {path} did not verify: {onDisk} bytes are on disk, {bytes} were written. It was removed.",
                    path,
                    "Check the destination file system (free space, errors in the kernel log) and run the backup again.");
            }

            await File.WriteAllTextAsync(checksumTemporary, $"{sha256}  {System.IO.Path.GetFileName(path)}\n", cancellationToken).ConfigureAwait(false);
            staged.Commit();
            return new PostgresBackup
            {
                Path = path,
                Database = endpoint.Database,
                Server = request.Container is { } container ? $"{endpoint.Server} in {container.DisplayName}" : endpoint.Server,
                Format = request.Format,
                Size = bytes,
                Sha256 = sha256,
                ChecksumPath = checksumPath,
                Duration = clock.Elapsed,
                ServerVersion = serverVersion,
                PgDumpVersion = pgDump.Version,
                CreatedAt = DateTimeOffset.UtcNow,
            };
        }
        catch (IOException ex)
        {
            throw new OpsToolsException(
                "BackupWriteFailed",
                OpsToolsErrorKind.InvalidOperation,
                $"Writing the backup {path} failed: {ex.Message}; the partial files were removed.",
                path,
                "Check the destination file system (free space, quota) and run the command again.",
                ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new OpsToolsException(
                "BackupDestinationDenied",
                OpsToolsErrorKind.PermissionDenied,
                $"Writing the backup {path} was refused: {ex.Message}",
                path,
                "Give a -Path this user may write to.",
                ex);
        }
    }

    /// <summary>A default file name in a directory: <c>&lt;database&gt;_&lt;yyyyMMdd_HHmmss&gt;&lt;extension&gt;</c>.</summary>
    /// <param name="directory">The directory.</param>
    /// <param name="database">The database.</param>
    /// <param name="format">The format.</param>
    /// <param name="at">The time.</param>
    /// <returns>The path.</returns>
    public static string DefaultPath(string directory, string database, PostgresBackupFormat format, DateTimeOffset at) =>
        System.IO.Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"{database}_{at.UtcDateTime:yyyyMMdd_HHmmss}{ExtensionOf(format)}"));
}
