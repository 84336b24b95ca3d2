using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Formats.Tar;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using OpsTools.Engine.Backup;
using OpsTools.Engine.Postgres;
using OpsTools.Odoo;

namespace OpsTools.Engine.Odoo;

/// <summary>
/// Writes a backup of an Odoo database and its filestore in one of four layouts. The database dump
/// (the real pg_dump, streamed) and the filestore archive run concurrently; every part is written
/// under a temporary name, checked (sizes, SHA-256 recorded in the manifest) and renamed only when
/// all are complete, so a failure or Ctrl+C leaves nothing under a final name.
/// </summary>
public static class OdooBackupWriter
{
    private const int CopyBuffer = 1 << 16;

    /// <summary>Writes the backup.</summary>
    /// <param name="request">What and where.</param>
    /// <param name="progress">Counters to update.</param>
    /// <param name="cancellationToken">Ctrl+C: stops pg_dump and removes the temporary files.</param>
    /// <returns>The backup.</returns>
    public static async Task<OdooBackup> BackupAsync(OdooBackupRequest request, OdooBackupProgress progress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(progress);
        var clock = Stopwatch.StartNew();
        string destination = Path.GetFullPath(request.Destination);
        if (!Directory.Exists(destination))
        {
            throw new OpsToolsException(
                "BackupDestinationNotFound",
                OpsToolsErrorKind.ObjectNotFound,
                $"The destination directory {destination} does not exist.",
                destination,
                "Create the directory first, or give an existing one to -Destination.");
        }

        string? archiveRoot = null;
        string archivePrefix = string.Empty;
        if (!request.NoFilestore)
        {
            if (request.FilestoreContainer is null && request.Format == OdooBackupFormat.Platform && request.DataDirectory is { Length: > 0 } dataDirectory && Directory.Exists(dataDirectory))
            {
                archiveRoot = dataDirectory;
            }
            else if (request.FilestorePath is { Length: > 0 } filestore)
            {
                archiveRoot = filestore;
                archivePrefix = request.Format == OdooBackupFormat.Platform ? $"filestore/{request.Endpoint.Database}/" : string.Empty;
            }
            else
            {
                throw new OpsToolsException(
                    "FilestoreNotGiven",
                    OpsToolsErrorKind.InvalidArgument,
                    $"No filestore was given for {request.Endpoint.Database}; a backup without it cannot restore the attachments.",
                    request.Endpoint.Database,
                    "Give -FilestorePath (the instance's <data_dir>/filestore/<database>), pipe Get-OdooInstance, or pass -NoFilestore for a database-only backup.");
            }
        }

        progress.Phase = "Reading the database";
        OdooDatabaseInfo info = request.DatabaseContainer is { } container
            ? await OdooDatabaseInfo.ReadAsync(container, request.Endpoint, cancellationToken).ConfigureAwait(false)
            : await OdooDatabaseInfo.ReadAsync(request.Endpoint, cancellationToken).ConfigureAwait(false);
        PostgresClientProgram pgDump = await PostgresDumper.FindPgDumpAsync(request.Endpoint, request.DatabaseContainer, info.ServerVersionNumber, info.ServerVersion, cancellationToken).ConfigureAwait(false);

        // A container's filestore is read as one tar stream: its files are known only as they arrive.
        IReadOnlyList<FilestoreFile> files = archiveRoot is null || request.FilestoreContainer is not null ? Array.Empty<FilestoreFile>() : Filestore.List(archiveRoot);
        progress.FilesTotal = files.Count;
        progress.FilestoreTotalBytes = files.Sum(f => f.Length);

        DateTimeOffset createdAt = request.Timestamp ?? DateTimeOffset.UtcNow;
        string name = $"{request.Endpoint.Database}_{createdAt.UtcDateTime:yyyyMMdd_HHmmss}";
        var context = new BackupContext(request, info, pgDump, files, archiveRoot, archivePrefix, progress, name, destination, createdAt);
        using var staged = new StagedOutput();
        try
        {
            List<OdooBackupPart> parts = request.Format switch
            {
                OdooBackupFormat.Zip => await WriteZipAsync(context, staged, cancellationToken).ConfigureAwait(false),
                OdooBackupFormat.Dump => await WriteDumpAsync(context, staged, cancellationToken).ConfigureAwait(false),
                OdooBackupFormat.Folder => await WriteFolderAsync(context, staged, cancellationToken).ConfigureAwait(false),
                _ => await WritePlatformAsync(context, staged, cancellationToken).ConfigureAwait(false),
            };
            progress.Phase = "Renaming";
            staged.Commit();
            clock.Stop();
            return new OdooBackup
            {
                Name = name,
                Instance = request.InstanceName,
                Database = request.Endpoint.Database,
                Format = request.Format,
                Path = context.MainPath,
                CreatedAt = createdAt,
                Age = DateTimeOffset.UtcNow - createdAt,
                IsComplete = true,
                SizeBytes = parts.Sum(p => p.SizeBytes ?? 0),
                DatabaseSizeBytes = context.DumpBytes,
                FilestoreSizeBytes = request.NoFilestore ? null : context.Digest.Bytes,
                FilestoreFileCount = request.NoFilestore ? null : context.Digest.Count,
                HasFilestore = !request.NoFilestore,
                DatabaseSha256 = context.DumpSha256,
                FilestoreSha256 = request.NoFilestore ? null : context.Digest.Sha256(),
                OdooVersion = info.Version,
                PostgresVersion = info.ServerVersion,
                PgDumpVersion = pgDump.Version,
                Duration = clock.Elapsed,
                Server = request.DatabaseContainer is { } source ? $"{request.Endpoint.Server} in {source.DisplayName}" : request.Endpoint.Server,
                Parts = parts,
            };
        }
        catch (IOException ex)
        {
            throw WriteFailed(destination, ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new OpsToolsException(
                "BackupDestinationDenied",
                OpsToolsErrorKind.PermissionDenied,
                $"Writing the backup into {destination} was refused: {ex.Message}",
                destination,
                "Give a -Destination this user may write to.",
                ex);
        }
    }

    /// <summary>The error for a failed write: a full disk or quota is named as such.</summary>
    /// <param name="destination">Destination directory.</param>
    /// <param name="exception">The failure.</param>
    /// <returns>The error.</returns>
    public static OpsToolsException WriteFailed(string destination, IOException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        int errno = exception.HResult & 0xFFFF;
        bool full = errno is 28 or 122 || exception.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase)
            || exception.Message.Contains("quota", StringComparison.OrdinalIgnoreCase);
        return full
            ? new OpsToolsException(
                "BackupDestinationFull",
                OpsToolsErrorKind.ResourceUnavailable,
                $"The destination {destination} ran out of space while the backup was written ({exception.Message}); the partial files were removed and no backup was recorded.",
                destination,
                "Free space on the destination (Remove-OdooBackup -KeepLast), raise its quota, or write to another -Destination.",
                exception)
            : new OpsToolsException(
                "BackupWriteFailed",
                OpsToolsErrorKind.InvalidOperation,
                $"Writing the backup into {destination} failed: {exception.Message}; the partial files were removed.",
                destination,
                "Check the destination file system and run the command again.",
                exception);
    }

    private static async Task<List<OdooBackupPart>> WriteZipAsync(BackupContext c, StagedOutput staged, CancellationToken cancellationToken)
    {
        string zipPath = Path.Combine(c.Destination, c.Name + ".zip");
        string temporary = staged.AddFile(zipPath);
        string spool = staged.AddScratch(c.Destination, c.Name + ".dump.sql");
        c.MainPath = zipPath;
        await using var zipFile = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, CopyBuffer, useAsync: true);
        using (var zip = new ZipArchive(zipFile, ZipArchiveMode.Create, leaveOpen: true))
        {
            // A zip takes one entry at a time: pg_dump spools beside it while the filestore is compressed.
            await RunConcurrentlyAsync(
                async ct =>
                {
                    await using var spoolStream = new FileStream(spool, FileMode.CreateNew, FileAccess.Write, FileShare.None, CopyBuffer, useAsync: true);
                    await DumpAsync(c, new[] { "--no-owner" }, spoolStream, ct).ConfigureAwait(false);
                },
                async ct =>
                {
                    await foreach (FilestoreEntry file in ReadFilestoreAsync(c, ct).ConfigureAwait(false))
                    {
                        ZipArchiveEntry entry = zip.CreateEntry("filestore/" + file.RelativePath, c.Request.Compression);
                        entry.LastWriteTime = file.ModifiedUtc;
                        await using Stream target = entry.Open();
                        await ArchiveFileAsync(c, file, target, ct).ConfigureAwait(false);
                    }
                },
                cancellationToken).ConfigureAwait(false);

            c.Progress.Phase = "Compressing dump.sql";
            ZipArchiveEntry dumpEntry = zip.CreateEntry("dump.sql", c.Request.Compression);
            await using (Stream target = dumpEntry.Open())
            {
                await using var source = new FileStream(spool, FileMode.Open, FileAccess.Read, FileShare.Read, CopyBuffer, useAsync: true);
                await source.CopyToAsync(target, CopyBuffer, cancellationToken).ConfigureAwait(false);
            }

            File.Delete(spool);
            ZipArchiveEntry manifestEntry = zip.CreateEntry("manifest.json", c.Request.Compression);
            await using (Stream target = manifestEntry.Open())
            {
                await WriteJsonAsync(OdooManifest(c, "dump.sql", null), target, cancellationToken).ConfigureAwait(false);
            }
        }

        await zipFile.FlushAsync(cancellationToken).ConfigureAwait(false);
        zipFile.Flush(flushToDisk: true);
        c.Progress.Phase = "Verifying";
        zipFile.Position = 0;
        using (var check = new ZipArchive(zipFile, ZipArchiveMode.Read, leaveOpen: true))
        {
            ZipArchiveEntry? dump = check.GetEntry("dump.sql");
            int filestoreEntries = check.Entries.Count(e => e.FullName.StartsWith("filestore/", StringComparison.Ordinal));
            if (dump is null || dump.Length != c.DumpBytes || filestoreEntries != c.FilesWritten || check.GetEntry("manifest.json") is null)
            {
                throw Unverified(zipPath, $"the zip holds {filestoreEntries} filestore entries and dump.sql of {dump?.Length ?? 0} bytes, but {c.FilesWritten} files and {c.DumpBytes} bytes were written");
            }
        }

        return new List<OdooBackupPart> { Part("Archive", zipPath, zipFile.Length, null) };
    }

    private static async Task<List<OdooBackupPart>> WriteDumpAsync(BackupContext c, StagedOutput staged, CancellationToken cancellationToken)
    {
        string dumpPath = Path.Combine(c.Destination, c.Name + ".dump");
        string tarPath = Path.Combine(c.Destination, c.Name + (c.Request.Compression == CompressionLevel.NoCompression ? ".filestore.tar" : ".filestore.tar.gz"));
        string manifestPath = Path.Combine(c.Destination, c.Name + ".manifest.json");
        c.MainPath = dumpPath;
        string dumpTemporary = staged.AddFile(dumpPath);
        string? tarTemporary = c.Request.NoFilestore ? null : staged.AddFile(tarPath);
        string manifestTemporary = staged.AddFile(manifestPath);
        (long Bytes, string Sha256) tar = default;
        await RunConcurrentlyAsync(
            ct => DumpToFileAsync(c, CustomFormatArguments(c), dumpTemporary, ct),
            async ct =>
            {
                if (tarTemporary is not null)
                {
                    tar = await WriteTarAsync(c, tarTemporary, ct).ConfigureAwait(false);
                }
            },
            cancellationToken).ConfigureAwait(false);

        var parts = new List<OdooBackupPart> { Verified("Database", dumpPath, dumpTemporary, c.DumpBytes, c.DumpSha256) };
        if (tarTemporary is not null)
        {
            parts.Add(Verified("Filestore", tarPath, tarTemporary, tar.Bytes, tar.Sha256));
        }

        JsonObject manifest = OdooManifest(c, Path.GetFileName(dumpPath), tarTemporary is null ? null : (Path.GetFileName(tarPath), tar.Bytes, tar.Sha256));
        parts.Add(await WriteManifestFileAsync(manifest, manifestPath, manifestTemporary, cancellationToken).ConfigureAwait(false));
        return parts;
    }

    private static async Task<List<OdooBackupPart>> WriteFolderAsync(BackupContext c, StagedOutput staged, CancellationToken cancellationToken)
    {
        string folder = Path.Combine(c.Destination, c.Name);
        string temporary = staged.AddDirectory(folder);
        c.MainPath = folder;
        string dumpTemporary = Path.Combine(temporary, "db.dump");
        await RunConcurrentlyAsync(
            ct => DumpToFileAsync(c, CustomFormatArguments(c), dumpTemporary, ct),
            async ct =>
            {
                string filestore = Path.Combine(temporary, "filestore");
                Directory.CreateDirectory(filestore);
                await foreach (FilestoreEntry file in ReadFilestoreAsync(c, ct).ConfigureAwait(false))
                {
                    string target = Path.Combine(filestore, file.RelativePath);
                    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                    await using var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, CopyBuffer, useAsync: true);
                    await ArchiveFileAsync(c, file, output, ct).ConfigureAwait(false);
                }
            },
            cancellationToken).ConfigureAwait(false);

        Verified("Database", Path.Combine(folder, "db.dump"), dumpTemporary, c.DumpBytes, c.DumpSha256);
        string manifestTemporary = Path.Combine(temporary, "manifest.json");
        await WriteManifestFileAsync(OdooManifest(c, "db.dump", null), Path.Combine(folder, "manifest.json"), manifestTemporary, cancellationToken).ConfigureAwait(false);
        long total = new DirectoryInfo(temporary).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
        return new List<OdooBackupPart>
        {
            Part("Database", Path.Combine(folder, "db.dump"), c.DumpBytes, c.DumpSha256),
            Part("Filestore", Path.Combine(folder, "filestore"), c.Digest.Bytes, c.Request.NoFilestore ? null : c.Digest.Sha256()),
            Part("Manifest", Path.Combine(folder, "manifest.json"), total - c.DumpBytes - c.Digest.Bytes, null),
        };
    }

    private static async Task<List<OdooBackupPart>> WritePlatformAsync(BackupContext c, StagedOutput staged, CancellationToken cancellationToken)
    {
        string sqlPath = Path.Combine(c.Destination, c.Name + "_database.sql");
        string dataPath = Path.Combine(c.Destination, c.Name + "_data.tar.gz");
        string metadataPath = Path.Combine(c.Destination, c.Name + "_metadata.json");
        c.MainPath = metadataPath;
        string sqlTemporary = staged.AddFile(sqlPath);
        string dataTemporary = staged.AddFile(dataPath);
        string metadataTemporary = staged.AddFile(metadataPath);
        (long Bytes, string Sha256) tar = default;
        await RunConcurrentlyAsync(
            ct => DumpToFileAsync(c, new[] { "--no-owner" }, sqlTemporary, ct),
            async ct => tar = await WriteTarAsync(c, dataTemporary, ct, forceGzip: true).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);

        var parts = new List<OdooBackupPart>
        {
            Verified("Database", sqlPath, sqlTemporary, c.DumpBytes, c.DumpSha256),
            Verified("Filestore", dataPath, dataTemporary, tar.Bytes, tar.Sha256),
        };
        var metadata = new JsonObject
        {
            ["backup_name"] = c.Name,
            ["instance_id"] = c.Request.InstanceId?.ToString(),
            ["instance_name"] = c.Request.InstanceName,
            ["database_name"] = c.Request.Endpoint.Database,
            ["customer_id"] = c.Request.CustomerId?.ToString(),
            ["odoo_version"] = c.Info.Version,
            ["instance_type"] = "odoo",
            ["created_at"] = c.CreatedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffff", CultureInfo.InvariantCulture),
            ["database_backup_path"] = sqlPath,
            ["data_backup_path"] = dataPath,
            ["database_size"] = c.DumpBytes,
            ["data_size"] = tar.Bytes,
            ["total_size"] = c.DumpBytes + tar.Bytes,
            ["status"] = "completed",
            ["opstools"] = OpsToolsSection(c, Path.GetFileName(sqlPath), (Path.GetFileName(dataPath), tar.Bytes, tar.Sha256)),
        };
        parts.Add(await WriteManifestFileAsync(metadata, metadataPath, metadataTemporary, cancellationToken).ConfigureAwait(false));
        return parts;
    }

    private static string[] CustomFormatArguments(BackupContext c)
    {
        var arguments = new List<string> { "--format=custom", "--no-owner" };
        string? level = c.Request.Compression switch
        {
            CompressionLevel.NoCompression => "0",
            CompressionLevel.Fastest => "1",
            CompressionLevel.SmallestSize => "9",
            _ => null,
        };
        if (level is not null)
        {
            arguments.Add("--compress=" + level);
        }

        return arguments.ToArray();
    }

    private static async Task DumpToFileAsync(BackupContext c, IReadOnlyList<string> arguments, string path, CancellationToken cancellationToken)
    {
        c.Progress.Phase = "Dumping the database and archiving the filestore";
        (c.DumpBytes, c.DumpSha256) = await PostgresDumper.DumpToFileAsync(c.Request.Endpoint, c.Request.DatabaseContainer, c.PgDump, arguments, path, c.Progress.AddDatabaseBytes, cancellationToken).ConfigureAwait(false);
    }

    private static async Task DumpAsync(BackupContext c, IReadOnlyList<string> arguments, Stream output, CancellationToken cancellationToken)
    {
        c.Progress.Phase = "Dumping the database and archiving the filestore";
        (c.DumpBytes, c.DumpSha256) = await PostgresDumper.DumpAsync(c.Request.Endpoint, c.Request.DatabaseContainer, c.PgDump, arguments, output, c.Progress.AddDatabaseBytes, cancellationToken).ConfigureAwait(false);
    }

    private static async Task ArchiveFileAsync(BackupContext c, FilestoreEntry file, Stream target, CancellationToken cancellationToken)
    {
        await using var source = HashingStream.ForReading(file.Content, file.Length, c.Progress.AddFilestoreBytes);
        await source.CopyToAsync(target, CopyBuffer, cancellationToken).ConfigureAwait(false);
        c.Digest.Add(file.RelativePath, source.BytesCount, source.Sha256());
        c.FileWritten();
    }

    /// <summary>
    /// The files to archive, one at a time, each open for reading until the next is asked for: from
    /// the listed directory, or from the container's archive stream (the tar's top directory, named
    /// after the filestore directory, is stripped; links and directories are skipped as on disk).
    /// </summary>
    private static async IAsyncEnumerable<FilestoreEntry> ReadFilestoreAsync(BackupContext c, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (c.Request.FilestoreContainer is not { } container || c.ArchiveRoot is null)
        {
            foreach (FilestoreFile file in c.Files)
            {
                await using var stream = new FileStream(file.FullPath, FileMode.Open, FileAccess.Read, FileShare.Read, CopyBuffer, useAsync: true);
                yield return new FilestoreEntry(file.RelativePath, file.Length, File.GetLastWriteTimeUtc(file.FullPath), stream);
            }

            yield break;
        }

        await using Stream archive = await container.OpenArchiveAsync(c.ArchiveRoot, cancellationToken).ConfigureAwait(false);
        await using var reader = new TarReader(archive, leaveOpen: true);
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
        {
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null)
            {
                continue;
            }

            int slash = entry.Name.IndexOf('/', StringComparison.Ordinal);
            string relative = slash < 0 ? entry.Name : entry.Name[(slash + 1)..];
            if (relative.Length == 0)
            {
                continue;
            }

            yield return new FilestoreEntry(relative, entry.Length, entry.ModificationTime.UtcDateTime, entry.DataStream);
        }
    }

    private static async Task<(long Bytes, string Sha256)> WriteTarAsync(BackupContext c, string path, CancellationToken cancellationToken, bool forceGzip = false)
    {
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, CopyBuffer, useAsync: true);
        var hashing = HashingStream.ForWriting(file, leaveOpen: true);
        CompressionLevel level = forceGzip && c.Request.Compression == CompressionLevel.NoCompression ? CompressionLevel.Fastest : c.Request.Compression;
        Stream archive = level == CompressionLevel.NoCompression && !forceGzip ? hashing : new GZipStream(hashing, level, leaveOpen: true);
        await using (var writer = new TarWriter(archive, TarEntryFormat.Pax, leaveOpen: true))
        {
            await foreach (FilestoreEntry entryFile in ReadFilestoreAsync(c, cancellationToken).ConfigureAwait(false))
            {
                await using var source = HashingStream.ForReading(entryFile.Content, entryFile.Length, c.Progress.AddFilestoreBytes);
                var entry = new PaxTarEntry(TarEntryType.RegularFile, c.ArchivePrefix + entryFile.RelativePath)
                {
                    DataStream = source,
                    ModificationTime = entryFile.ModifiedUtc,
                    Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                };
                await writer.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
                if (c.DigestKey(entryFile.RelativePath) is { } key)
                {
                    c.Digest.Add(key, source.BytesCount, source.Sha256());
                }

                c.FileWritten();
            }
        }

        if (!ReferenceEquals(archive, hashing))
        {
            await archive.DisposeAsync().ConfigureAwait(false);
        }

        await hashing.FlushAsync(cancellationToken).ConfigureAwait(false);
        file.Flush(flushToDisk: true);
        (long, string) result = (hashing.BytesCount, hashing.Sha256());
        await hashing.DisposeAsync().ConfigureAwait(false);
        return result;
    }

    /// <summary>Runs the database and filestore halves at once; the first failure cancels the other and is the one reported.</summary>
    private static async Task RunConcurrentlyAsync(Func<CancellationToken, Task> database, Func<CancellationToken, Task> filestore, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        async Task Guard(Func<CancellationToken, Task> work)
        {
            try
            {
                await Task.Run(() => work(linked.Token), linked.Token).ConfigureAwait(false);
            }
            catch
            {
                await linked.CancelAsync().ConfigureAwait(false);
                throw;
            }
        }

        Task first = Guard(database);
        Task second = Guard(filestore);
        try
        {
            await Task.WhenAll(first, second).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Report the cause, not the cancellation it caused in the other half.
            Exception? cause = new[] { first, second }
                .Where(t => t.IsFaulted)
                .Select(t => t.Exception!.InnerException!)
                .FirstOrDefault(e => e is not OperationCanceledException);
            if (cause is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(cause);
            }

            throw;
        }
    }

    private static JsonObject OdooManifest(BackupContext c, string dumpFile, (string File, long Bytes, string? Sha256)? archive)
    {
        var modules = new JsonObject();
        foreach ((string module, string version) in c.Info.Modules)
        {
            modules[module] = version;
        }

        return new JsonObject
        {
            ["odoo_dump"] = "1",
            ["db_name"] = c.Request.Endpoint.Database,
            ["version"] = c.Info.Version,
            ["version_info"] = new JsonArray(c.Info.VersionInfo.Select(v => v is int i ? JsonValue.Create(i) : (JsonNode?)JsonValue.Create(v.ToString())).ToArray()),
            ["major_version"] = c.Info.MajorVersion,
            ["pg_version"] = c.Info.ManifestPostgresVersion,
            ["modules"] = modules,
            ["opstools"] = OpsToolsSection(c, dumpFile, archive),
        };
    }

    private static JsonObject OpsToolsSection(BackupContext c, string dumpFile, (string File, long Bytes, string? Sha256)? archive)
    {
        var section = new JsonObject
        {
            ["format"] = c.Request.Format.ToString(),
            ["backup_name"] = c.Name,
            ["created_at"] = c.CreatedAt.ToString("o", CultureInfo.InvariantCulture),
            ["instance"] = c.Request.InstanceName,
            ["server"] = c.Request.Endpoint.Server,
            ["postgres_version"] = c.Info.ServerVersion,
            ["pg_dump_version"] = c.PgDump.Version,
            ["database"] = new JsonObject { ["file"] = dumpFile, ["size"] = c.DumpBytes, ["sha256"] = c.DumpSha256 },
        };
        if (!c.Request.NoFilestore)
        {
            var filestore = new JsonObject { ["files"] = c.Digest.Count, ["size"] = c.Digest.Bytes, ["sha256"] = c.Digest.Sha256() };
            if (archive is { } a)
            {
                filestore["archive"] = a.File;
                filestore["archive_size"] = a.Bytes;
                filestore["archive_sha256"] = a.Sha256;
            }

            section["filestore"] = filestore;
        }

        return section;
    }

    private static async Task WriteJsonAsync(JsonObject json, Stream target, CancellationToken cancellationToken)
    {
        await using var writer = new System.Text.Json.Utf8JsonWriter(target, new System.Text.Json.JsonWriterOptions { Indented = true });
        json.WriteTo(writer);
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<OdooBackupPart> WriteManifestFileAsync(JsonObject json, string finalPath, string temporary, CancellationToken cancellationToken)
    {
        await using (var output = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, CopyBuffer, useAsync: true))
        {
            await WriteJsonAsync(json, output, cancellationToken).ConfigureAwait(false);
            output.Flush(flushToDisk: true);
        }

        return Part("Manifest", finalPath, new FileInfo(temporary).Length, null);
    }

    private static OdooBackupPart Verified(string role, string finalPath, string temporary, long expectedBytes, string? sha256)
    {
        long actual = new FileInfo(temporary).Length;
        if (actual != expectedBytes || actual == 0)
        {
            throw Unverified(finalPath, $"{actual} bytes are on disk, {expectedBytes} were written");
        }

        return Part(role, finalPath, actual, sha256);
    }

    private static OdooBackupPart Part(string role, string path, long size, string? sha256) => new() { Role = role, Path = path, Exists = true, SizeBytes = size, Sha256 = sha256 };

    private static OpsToolsException Unverified(string path, string reason) => new(
        "BackupVerificationFailed",
        OpsToolsErrorKind.InvalidData,
        $"The backup part {path} did not verify: {reason}. It was removed.",
        path,
        "Check the destination file system (free space, errors in the kernel log) and run the backup again.");

    private sealed class BackupContext
    {
        private int _filesWritten;

        public BackupContext(OdooBackupRequest request, OdooDatabaseInfo info, PostgresClientProgram pgDump, IReadOnlyList<FilestoreFile> files, string? archiveRoot, string archivePrefix, OdooBackupProgress progress, string name, string destination, DateTimeOffset createdAt)
        {
            ArchiveRoot = archiveRoot;
            Request = request;
            Info = info;
            PgDump = pgDump;
            Files = files;
            ArchivePrefix = archivePrefix;
            Progress = progress;
            Name = name;
            Destination = destination;
            CreatedAt = createdAt;
            MainPath = destination;
        }

        public OdooBackupRequest Request { get; }

        public OdooDatabaseInfo Info { get; }

        public PostgresClientProgram PgDump { get; }

        public IReadOnlyList<FilestoreFile> Files { get; }

        public string? ArchiveRoot { get; }

        public string ArchivePrefix { get; }

        public int FilesWritten => Volatile.Read(ref _filesWritten);

        public void FileWritten()
        {
            Interlocked.Increment(ref _filesWritten);
            Progress.FileDone();
        }

        public OdooBackupProgress Progress { get; }

        public string Name { get; }

        public string Destination { get; }

        public DateTimeOffset CreatedAt { get; }

        public string MainPath { get; set; }

        public FilestoreDigest Digest { get; } = new();

        /// <summary>
        /// The file's path in the filestore digest: the digest always covers the database's filestore
        /// relative to its own directory, also when a whole data directory is archived (sessions and
        /// addons are archived but not part of it); null for a file outside the filestore.
        /// </summary>
        public string? DigestKey(string relativePath)
        {
            if (ArchivePrefix.Length > 0 || Request.Format != OdooBackupFormat.Platform)
            {
                return relativePath;
            }

            string filestore = $"filestore/{Request.Endpoint.Database}/";
            return relativePath.StartsWith(filestore, StringComparison.Ordinal) ? relativePath[filestore.Length..] : null;
        }

        public long DumpBytes { get; set; }

        public string? DumpSha256 { get; set; }
    }
}

/// <summary>One file being archived: its path under the filestore, size, time and content (open until the next).</summary>
internal sealed record FilestoreEntry(string RelativePath, long Length, DateTime ModifiedUtc, Stream Content);
