using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.Json;
using OpsTools.Engine.Backup;
using OpsTools.Odoo;

namespace OpsTools.Engine.Odoo;

/// <summary>
/// Finds the backups in a directory, whatever wrote them: Odoo zips, custom-format dumps with or
/// without an OpsTools manifest, backup folders and the platform's three-file layout. A backup with
/// a missing, empty or wrongly sized part is listed with its problems, never hidden.
/// </summary>
public static class OdooBackupCatalog
{
    private const string PlatformMetadata = "_metadata.json";
    private const string PlatformDatabase = "_database.sql";
    private const string PlatformData = "_data.tar.gz";

    /// <summary>Lists the backups directly under a directory (or the one backup a path names), newest first.</summary>
    /// <param name="path">A directory, or one backup file or folder.</param>
    /// <returns>The backups.</returns>
    /// <exception cref="OpsToolsException"><c>BackupPathNotFound</c>.</exception>
    public static IReadOnlyList<OdooBackup> List(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string full = Path.GetFullPath(path);
        DateTimeOffset now = DateTimeOffset.UtcNow;
        var found = new List<OdooBackup>();
        if (File.Exists(full) || (Directory.Exists(full) && File.Exists(Path.Combine(full, "manifest.json"))))
        {
            string directory = Path.GetDirectoryName(full)!;
            found.AddRange(ReadDirectory(directory, now).Where(b => b.Path == full || b.Parts.Any(p => p.Path == full)));
            if (found.Count == 0)
            {
                throw NotABackup(full);
            }

            return found;
        }

        if (!Directory.Exists(full))
        {
            throw new OpsToolsException(
                "BackupPathNotFound",
                OpsToolsErrorKind.ObjectNotFound,
                $"{full} does not exist.",
                full,
                "Give the directory the backups are in (for the platform: /mnt/cephfs/odoo_backups/active), or a backup file.");
        }

        return ReadDirectory(full, now).OrderByDescending(b => b.CreatedAt).ThenBy(b => b.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>Reads the one backup a path names.</summary>
    /// <param name="path">A zip, dump, manifest, metadata file or backup folder.</param>
    /// <returns>The backup.</returns>
    public static OdooBackup Read(string path) => List(path).First();

    /// <summary>The error for a file that is no backup.</summary>
    /// <param name="path">The path.</param>
    /// <returns>The error.</returns>
    public static OpsToolsException NotABackup(string path) => new(
        "BackupNotRecognized",
        OpsToolsErrorKind.InvalidData,
        $"{path} is not a backup OpsTools knows: an Odoo zip (dump.sql + manifest.json), a pg_dump custom file, a backup folder or the platform's _metadata.json.",
        path,
        "Run Get-OdooBackup on its directory to list what it holds.");

    private static IEnumerable<OdooBackup> ReadDirectory(string directory, DateTimeOffset now)
    {
        var platformNames = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string entry in Directory.EnumerateFileSystemEntries(directory).OrderBy(e => e, StringComparer.Ordinal))
        {
            string name = Path.GetFileName(entry);
            if (name.StartsWith(StagedOutput.TemporaryPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            if (Directory.Exists(entry))
            {
                if (File.Exists(Path.Combine(entry, "manifest.json")) || File.Exists(Path.Combine(entry, "db.dump")))
                {
                    yield return ReadFolder(entry, now);
                }

                continue;
            }

            if (name.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
            {
                if (ReadZip(entry, now) is { } zip)
                {
                    yield return zip;
                }
            }
            else if (name.EndsWith(".manifest.json", StringComparison.Ordinal))
            {
                yield return ReadDumpWithManifest(entry, now);
            }
            else if (name.EndsWith(".dump", StringComparison.Ordinal) && !File.Exists(entry[..^".dump".Length] + ".manifest.json"))
            {
                yield return ReadBareDump(entry, now);
            }
            else if (PlatformNameOf(name) is { } platformName)
            {
                platformNames.Add(platformName);
            }
        }

        foreach (string platformName in platformNames)
        {
            yield return ReadPlatform(directory, platformName, now);
        }
    }

    private static string? PlatformNameOf(string fileName)
    {
        foreach (string suffix in new[] { PlatformMetadata, PlatformDatabase, PlatformData })
        {
            if (fileName.EndsWith(suffix, StringComparison.Ordinal) && fileName.Length > suffix.Length)
            {
                return fileName[..^suffix.Length];
            }
        }

        return null;
    }

    private static OdooBackup? ReadZip(string path, DateTimeOffset now)
    {
        var problems = new List<string>();
        JsonElement? manifest = null;
        long? dumpBytes = null;
        int filestoreFiles = 0;
        long filestoreBytes = 0;
        try
        {
            using ZipArchive zip = ZipFile.OpenRead(path);
            ZipArchiveEntry? dump = zip.GetEntry("dump.sql");
            ZipArchiveEntry? manifestEntry = zip.GetEntry("manifest.json");
            if (dump is null && manifestEntry is null)
            {
                return null;
            }

            if (dump is null)
            {
                problems.Add("dump.sql is missing from the zip");
            }
            else
            {
                dumpBytes = dump.Length;
                if (dump.Length == 0)
                {
                    problems.Add("dump.sql is empty");
                }
            }

            foreach (ZipArchiveEntry entry in zip.Entries.Where(e => e.FullName.StartsWith("filestore/", StringComparison.Ordinal) && !e.FullName.EndsWith('/')))
            {
                filestoreFiles++;
                filestoreBytes += entry.Length;
            }

            if (manifestEntry is null)
            {
                problems.Add("manifest.json is missing from the zip");
            }
            else
            {
                using Stream stream = manifestEntry.Open();
                manifest = JsonDocument.Parse(stream).RootElement.Clone();
            }
        }
        catch (InvalidDataException ex)
        {
            problems.Add("the zip cannot be read: " + ex.Message);
        }
        catch (JsonException ex)
        {
            problems.Add("manifest.json is not JSON: " + ex.Message);
        }

        JsonElement? ours = Section(manifest);
        CheckRecorded(problems, "dump.sql", dumpBytes, Number(ours, "database", "size"));
        long? recordedFiles = Number(ours, "filestore", "files");
        if (recordedFiles is { } files && files != filestoreFiles)
        {
            problems.Add($"the zip holds {filestoreFiles} filestore files, the manifest records {files}");
        }

        string name = Path.GetFileNameWithoutExtension(path);
        var info = new FileInfo(path);
        return Build(name, OdooBackupFormat.Zip, path, manifest, now, problems,
            new[] { new OdooBackupPart { Role = "Archive", Path = path, Exists = true, SizeBytes = info.Length } },
            dumpBytes, filestoreFiles > 0 || recordedFiles is > 0 ? filestoreBytes : null, filestoreFiles > 0 || recordedFiles is > 0 ? filestoreFiles : null, info.LastWriteTimeUtc);
    }

    private static OdooBackup ReadDumpWithManifest(string manifestPath, DateTimeOffset now)
    {
        var problems = new List<string>();
        JsonElement? manifest = ReadJson(manifestPath, problems);
        JsonElement? ours = Section(manifest);
        string directory = Path.GetDirectoryName(manifestPath)!;
        string name = Path.GetFileName(manifestPath)[..^".manifest.json".Length];
        string dumpPath = Path.Combine(directory, Text(ours, "database", "file") ?? name + ".dump");
        var parts = new List<OdooBackupPart> { CheckPart("Database", dumpPath, Number(ours, "database", "size"), Text(ours, "database", "sha256"), problems) };
        if (Text(ours, "filestore", "archive") is { } archive)
        {
            parts.Add(CheckPart("Filestore", Path.Combine(directory, archive), Number(ours, "filestore", "archive_size"), Text(ours, "filestore", "archive_sha256"), problems));
        }

        parts.Add(new OdooBackupPart { Role = "Manifest", Path = manifestPath, Exists = true, SizeBytes = new FileInfo(manifestPath).Length });
        return Build(name, OdooBackupFormat.Dump, dumpPath, manifest, now, problems, parts, parts[0].SizeBytes, Number(ours, "filestore", "size"), (int?)Number(ours, "filestore", "files"), File.GetLastWriteTimeUtc(manifestPath));
    }

    private static OdooBackup ReadBareDump(string path, DateTimeOffset now)
    {
        var problems = new List<string>();
        OdooBackupPart part = CheckPart("Database", path, null, null, problems);
        if (part.SizeBytes > 0)
        {
            using FileStream stream = File.OpenRead(path);
            byte[] magic = new byte[5];
            if (stream.Read(magic) != 5 || !magic.AsSpan().SequenceEqual("PGDMP"u8))
            {
                problems.Add("the file is not a pg_dump custom-format archive");
            }
        }

        return Build(Path.GetFileNameWithoutExtension(path), OdooBackupFormat.Dump, path, null, now, problems, new[] { part }, part.SizeBytes, null, null, File.GetLastWriteTimeUtc(path));
    }

    private static OdooBackup ReadFolder(string folder, DateTimeOffset now)
    {
        var problems = new List<string>();
        string manifestPath = Path.Combine(folder, "manifest.json");
        JsonElement? manifest = File.Exists(manifestPath) ? ReadJson(manifestPath, problems) : null;
        if (manifest is null && !File.Exists(manifestPath))
        {
            problems.Add("manifest.json is missing");
        }

        JsonElement? ours = Section(manifest);
        OdooBackupPart dump = CheckPart("Database", Path.Combine(folder, "db.dump"), Number(ours, "database", "size"), Text(ours, "database", "sha256"), problems);
        string filestore = Path.Combine(folder, "filestore");
        int files = Directory.Exists(filestore) ? Directory.EnumerateFiles(filestore, "*", SearchOption.AllDirectories).Count() : 0;
        long? recordedFiles = Number(ours, "filestore", "files");
        if (recordedFiles is { } expected && expected != files)
        {
            problems.Add($"filestore/ holds {files} files, the manifest records {expected}");
        }

        var parts = new List<OdooBackupPart> { dump };
        if (Directory.Exists(filestore))
        {
            parts.Add(new OdooBackupPart { Role = "Filestore", Path = filestore, Exists = true, SizeBytes = Number(ours, "filestore", "size"), Sha256 = Text(ours, "filestore", "sha256") });
        }

        return Build(Path.GetFileName(folder), OdooBackupFormat.Folder, folder, manifest, now, problems, parts, dump.SizeBytes, Number(ours, "filestore", "size"), Directory.Exists(filestore) ? files : null, Directory.GetLastWriteTimeUtc(folder));
    }

    private static OdooBackup ReadPlatform(string directory, string name, DateTimeOffset now)
    {
        var problems = new List<string>();
        string metadataPath = Path.Combine(directory, name + PlatformMetadata);
        JsonElement? metadata = null;
        if (File.Exists(metadataPath))
        {
            metadata = ReadJson(metadataPath, problems);
        }
        else
        {
            problems.Add($"{name}{PlatformMetadata} is missing");
        }

        JsonElement? ours = Section(metadata);
        string databasePath = LocalPath(directory, Text(metadata, "database_backup_path"), name + PlatformDatabase);
        string dataPath = LocalPath(directory, Text(metadata, "data_backup_path"), name + PlatformData);
        var parts = new List<OdooBackupPart>
        {
            CheckPart("Database", databasePath, Number(metadata, "database_size"), Text(ours, "database", "sha256"), problems),
            CheckPart("Filestore", dataPath, Number(metadata, "data_size"), Text(ours, "filestore", "archive_sha256"), problems),
        };
        if (File.Exists(metadataPath))
        {
            parts.Add(new OdooBackupPart { Role = "Manifest", Path = metadataPath, Exists = true, SizeBytes = new FileInfo(metadataPath).Length });
        }

        if (Text(metadata, "status") is { } status && !string.Equals(status, "completed", StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"the platform recorded status '{status}'");
        }

        DateTimeOffset fallback = parts.Where(p => p.Exists).Select(p => (DateTimeOffset)File.GetLastWriteTimeUtc(p.Path)).DefaultIfEmpty(now).Max();
        OdooBackup backup = Build(name, OdooBackupFormat.Platform, File.Exists(metadataPath) ? metadataPath : databasePath, metadata, now, problems, parts,
            parts[0].SizeBytes, Number(ours, "filestore", "size"), (int?)Number(ours, "filestore", "files"), fallback.UtcDateTime);
        return backup;
    }

    private static OdooBackup Build(
        string name, OdooBackupFormat format, string path, JsonElement? manifest, DateTimeOffset now, List<string> problems, IReadOnlyList<OdooBackupPart> parts,
        long? databaseBytes, long? filestoreBytes, int? filestoreFiles, DateTime lastWrite)
    {
        JsonElement? ours = Section(manifest);
        DateTimeOffset createdAt = ParseTime(Text(ours, "created_at")) ?? ParseTime(Text(manifest, "created_at")) ?? TimeFromName(name) ?? new DateTimeOffset(DateTime.SpecifyKind(lastWrite, DateTimeKind.Utc));
        string database = Text(manifest, "db_name") ?? Text(manifest, "database_name") ?? DatabaseFromName(name);
        return new OdooBackup
        {
            Name = name,
            Instance = Text(ours, "instance") ?? Text(manifest, "instance_name"),
            Database = database,
            Format = format,
            Path = path,
            CreatedAt = createdAt,
            Age = now - createdAt,
            IsComplete = problems.Count == 0,
            Problems = problems.ToArray(),
            SizeBytes = parts.Sum(p => p.Exists ? p.SizeBytes ?? 0 : 0),
            DatabaseSizeBytes = databaseBytes,
            FilestoreSizeBytes = filestoreBytes,
            FilestoreFileCount = filestoreFiles,
            HasFilestore = filestoreFiles is > 0 || parts.Any(p => p.Role == "Filestore"),
            DatabaseSha256 = Text(ours, "database", "sha256"),
            FilestoreSha256 = Text(ours, "filestore", "sha256"),
            OdooVersion = Text(manifest, "version") ?? Text(manifest, "odoo_version"),
            PostgresVersion = Text(ours, "postgres_version") ?? Text(manifest, "pg_version"),
            PgDumpVersion = Text(ours, "pg_dump_version"),
            Server = Text(ours, "server"),
            Parts = parts,
        };
    }

    private static OdooBackupPart CheckPart(string role, string path, long? recordedSize, string? sha256, List<string> problems)
    {
        if (!File.Exists(path))
        {
            problems.Add($"{Path.GetFileName(path)} is missing");
            return new OdooBackupPart { Role = role, Path = path, Exists = false, Sha256 = sha256 };
        }

        long size = new FileInfo(path).Length;
        if (size == 0)
        {
            problems.Add($"{Path.GetFileName(path)} is empty");
        }

        CheckRecorded(problems, Path.GetFileName(path), size, recordedSize);
        return new OdooBackupPart { Role = role, Path = path, Exists = true, SizeBytes = size, Sha256 = sha256 };
    }

    private static void CheckRecorded(List<string> problems, string what, long? actual, long? recorded)
    {
        if (actual is { } a && recorded is { } r && a != r)
        {
            problems.Add($"{what} has {a} bytes, the manifest records {r}");
        }
    }

    private static string LocalPath(string directory, string? recorded, string fallbackName)
    {
        if (recorded is { Length: > 0 })
        {
            // The platform records absolute paths of where it wrote; the files may have been moved or mounted elsewhere since.
            string beside = Path.Combine(directory, Path.GetFileName(recorded));
            return File.Exists(recorded) && !File.Exists(beside) ? recorded : beside;
        }

        return Path.Combine(directory, fallbackName);
    }

    private static JsonElement? ReadJson(string path, List<string> problems)
    {
        try
        {
            using FileStream stream = File.OpenRead(path);
            return JsonDocument.Parse(stream).RootElement.Clone();
        }
        catch (JsonException ex)
        {
            problems.Add($"{Path.GetFileName(path)} is not JSON: {ex.Message}");
            return null;
        }
    }

    private static JsonElement? Section(JsonElement? manifest) =>
        manifest is { ValueKind: JsonValueKind.Object } m && m.TryGetProperty("opstools", out JsonElement section) && section.ValueKind == JsonValueKind.Object ? section : null;

    private static JsonElement? Find(JsonElement? element, params string[] path)
    {
        JsonElement? current = element;
        foreach (string key in path)
        {
            if (current is not { ValueKind: JsonValueKind.Object } c || !c.TryGetProperty(key, out JsonElement next))
            {
                return null;
            }

            current = next;
        }

        return current;
    }

    private static string? Text(JsonElement? element, params string[] path) => Find(element, path) is { ValueKind: JsonValueKind.String } e ? e.GetString() : null;

    private static long? Number(JsonElement? element, params string[] path) => Find(element, path) switch
    {
        { ValueKind: JsonValueKind.Number } e when e.TryGetInt64(out long n) => n,
        { ValueKind: JsonValueKind.String } e when long.TryParse(e.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out long n) => n,
        _ => null,
    };

    private static DateTimeOffset? ParseTime(string? text) =>
        text is not null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset t) ? t : null;

    private static DateTimeOffset? TimeFromName(string name) =>
        name.Length > 16 && DateTime.TryParseExact(name[^15..], "yyyyMMdd_HHmmss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTime t)
            ? new DateTimeOffset(t, TimeSpan.Zero)
            : null;

    private static string DatabaseFromName(string name) => TimeFromName(name) is not null ? name[..^16] : name;
}
