using System;
using System.Collections.Generic;
using System.Formats.Tar;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using OpsTools.Odoo;

namespace OpsTools.Engine.Odoo;

/// <summary>
/// Reads an Odoo backup for a restore: where its dump is and in which format, and its filestore
/// entries. <see cref="ValidateAsync"/> reads every entry name (and link target) before anything is
/// written, and rejects absolute paths, <c>..</c> segments and links (zip slip).
/// </summary>
public sealed class OdooBackupArchive
{
    private OdooBackupArchive(OdooBackup backup)
    {
        Backup = backup;
    }

    /// <summary>The backup.</summary>
    public OdooBackup Backup { get; }

    /// <summary>Whether the dump is plain SQL (psql) rather than a custom archive (pg_restore).</summary>
    public bool IsPlainSql => Backup.Format is OdooBackupFormat.Zip or OdooBackupFormat.Platform;

    /// <summary>Reads and checks a backup at a path.</summary>
    /// <param name="path">The backup.</param>
    /// <returns>The archive.</returns>
    /// <exception cref="OpsToolsException"><c>BackupIncomplete</c> when a part is missing or empty.</exception>
    public static OdooBackupArchive Open(string path)
    {
        OdooBackup backup = OdooBackupCatalog.Read(path);
        if (!backup.IsComplete)
        {
            throw new OpsToolsException(
                "BackupIncomplete",
                OpsToolsErrorKind.InvalidData,
                $"The backup {backup.Path} is incomplete: {string.Join("; ", backup.Problems)}.",
                backup.Path,
                "Restore another backup (Get-OdooBackup lists them with their completeness).");
        }

        return new OdooBackupArchive(backup);
    }

    /// <summary>Checks every entry name and link of the archive; throws <c>BackupEntryUnsafe</c> on the first bad one.</summary>
    /// <param name="cancellationToken">Cancels the scan.</param>
    /// <returns>A task.</returns>
    public async Task ValidateAsync(CancellationToken cancellationToken)
    {
        switch (Backup.Format)
        {
            case OdooBackupFormat.Zip:
                using (ZipArchive zip = ZipFile.OpenRead(Backup.Path))
                {
                    foreach (ZipArchiveEntry entry in zip.Entries)
                    {
                        CheckName(entry.FullName);
                        int unixType = (entry.ExternalAttributes >> 16) & 0xF000;
                        if (unixType == 0xA000)
                        {
                            throw Unsafe(entry.FullName, "it is a symbolic link");
                        }
                    }

                    if (zip.GetEntry("dump.sql") is null)
                    {
                        throw Unsafe("dump.sql", "the zip has no dump.sql");
                    }
                }

                break;
            case OdooBackupFormat.Dump or OdooBackupFormat.Platform:
                if (FilestoreArchivePath() is { } tar)
                {
                    await using Stream stream = OpenTar(tar);
                    await using var reader = new TarReader(stream);
                    while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
                    {
                        CheckName(entry.Name);
                        if (entry.EntryType is TarEntryType.SymbolicLink or TarEntryType.HardLink)
                        {
                            CheckLink(entry.Name, entry.LinkName);
                        }
                        else if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.Directory))
                        {
                            throw Unsafe(entry.Name, $"entries of type {entry.EntryType} are not restored");
                        }
                    }
                }

                break;
            default:
                string filestore = Path.Combine(Backup.Path, "filestore");
                if (Directory.Exists(filestore))
                {
                    foreach (FileSystemInfo item in new DirectoryInfo(filestore).EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
                    {
                        if (item.LinkTarget is { } target)
                        {
                            CheckLink(Path.GetRelativePath(filestore, item.FullName), target);
                        }
                    }
                }

                break;
        }
    }

    /// <summary>Opens the dump: a stream of plain SQL, or null for a custom archive (pg_restore reads <see cref="DumpFilePath"/>).</summary>
    /// <returns>The stream and the zip that owns it (dispose both), or nulls.</returns>
    public (Stream? Sql, IDisposable? Owner) OpenPlainSql()
    {
        if (Backup.Format == OdooBackupFormat.Zip)
        {
            ZipArchive zip = ZipFile.OpenRead(Backup.Path);
            return (zip.GetEntry("dump.sql")!.Open(), zip);
        }

        return Backup.Format == OdooBackupFormat.Platform
            ? (new FileStream(DumpFilePath()!, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true), null)
            : (null, null);
    }

    /// <summary>The dump file (custom format or the platform's SQL), or null for a zip.</summary>
    /// <returns>The path.</returns>
    public string? DumpFilePath() => Backup.Format == OdooBackupFormat.Zip ? null : Backup.Parts.First(p => p.Role == "Database").Path;

    /// <summary>Writes the filestore's files under <paramref name="target"/>; returns files and bytes written.</summary>
    /// <param name="target">The directory (created).</param>
    /// <param name="onBytes">Progress callback.</param>
    /// <param name="cancellationToken">Cancels the copy.</param>
    /// <returns>Files and bytes.</returns>
    public async Task<(int Files, long Bytes)> ExtractFilestoreAsync(string target, Action<int> onBytes, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(target);
        int files = 0;
        long bytes = 0;
        async Task WriteAsync(string relative, Stream source)
        {
            string destination = Path.GetFullPath(Path.Combine(target, relative));
            if (!destination.StartsWith(Path.GetFullPath(target) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                throw Unsafe(relative, "it resolves outside the filestore");
            }

            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            await using var output = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            byte[] buffer = new byte[1 << 16];
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                bytes += read;
                onBytes(read);
            }

            files++;
        }

        switch (Backup.Format)
        {
            case OdooBackupFormat.Zip:
                using (ZipArchive zip = ZipFile.OpenRead(Backup.Path))
                {
                    foreach (ZipArchiveEntry entry in zip.Entries.Where(e => e.FullName.StartsWith("filestore/", StringComparison.Ordinal) && !e.FullName.EndsWith('/')))
                    {
                        await using Stream source = entry.Open();
                        await WriteAsync(entry.FullName["filestore/".Length..], source).ConfigureAwait(false);
                    }
                }

                break;
            case OdooBackupFormat.Dump or OdooBackupFormat.Platform:
                if (FilestoreArchivePath() is { } tar)
                {
                    string prefix = Backup.Format == OdooBackupFormat.Platform ? $"filestore/{Backup.Database}/" : string.Empty;
                    await using Stream stream = OpenTar(tar);
                    await using var reader = new TarReader(stream);
                    while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
                    {
                        string name = entry.Name.StartsWith("./", StringComparison.Ordinal) ? entry.Name[2..] : entry.Name;
                        if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null || !name.StartsWith(prefix, StringComparison.Ordinal))
                        {
                            continue;
                        }

                        await WriteAsync(name[prefix.Length..], entry.DataStream).ConfigureAwait(false);
                    }
                }

                break;
            default:
                string filestore = Path.Combine(Backup.Path, "filestore");
                foreach (FilestoreFile file in Directory.Exists(filestore) ? Filestore.List(filestore) : Array.Empty<FilestoreFile>())
                {
                    await using var source = new FileStream(file.FullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
                    await WriteAsync(file.RelativePath, source).ConfigureAwait(false);
                }

                break;
        }

        return (files, bytes);
    }

    /// <summary>The error for an entry that would write outside the target.</summary>
    /// <param name="entry">Entry name.</param>
    /// <param name="reason">Why.</param>
    /// <returns>The error.</returns>
    public static OpsToolsException Unsafe(string entry, string reason) => new(
        "BackupEntryUnsafe",
        OpsToolsErrorKind.InvalidData,
        $"The backup holds the entry '{entry}', which is refused: {reason}. Nothing was restored.",
        entry,
        "Do not restore this archive: it was not written by Odoo or OpsTools, or it was tampered with.");

    private static void CheckName(string name)
    {
        if (name.Length == 0 || name.Contains('\0', StringComparison.Ordinal))
        {
            throw Unsafe(name, "its name is empty or holds a NUL");
        }

        if (name.StartsWith('/') || name.StartsWith('\\') || (name.Length > 1 && name[1] == ':'))
        {
            throw Unsafe(name, "it is an absolute path");
        }

        if (name.Split('/', '\\').Any(segment => segment == ".."))
        {
            throw Unsafe(name, "it has a '..' segment");
        }
    }

    private static void CheckLink(string name, string target)
    {
        if (target.StartsWith('/') || target.Split('/', '\\').Any(s => s == ".."))
        {
            throw Unsafe(name, $"it is a link to '{target}', outside the archive");
        }
    }

    private string? FilestoreArchivePath() => Backup.Parts.FirstOrDefault(p => p.Role == "Filestore")?.Path;

    private static Stream OpenTar(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        return path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
    }
}
