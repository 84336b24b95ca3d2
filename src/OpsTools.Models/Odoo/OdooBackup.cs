using System;
using System.Collections.Generic;

namespace OpsTools.Odoo;

/// <summary>How a backup is laid out on disk.</summary>
public enum OdooBackupFormat
{
    /// <summary>Odoo's own zip: <c>dump.sql</c>, <c>filestore/</c>, <c>manifest.json</c>.</summary>
    Zip,
    /// <summary><c>pg_dump -Fc</c> file, with a filestore tar beside it.</summary>
    Dump,
    /// <summary>A directory with <c>db.dump</c>, <c>filestore/</c> and <c>manifest.json</c>.</summary>
    Folder,
    /// <summary>The platform's three files: <c>_database.sql</c>, <c>_data.tar.gz</c>, <c>_metadata.json</c>.</summary>
    Platform,
}

/// <summary>One file of a backup: the database dump, the filestore archive, the manifest.</summary>
public sealed class OdooBackupPart
{
    /// <summary>Role of the part: <c>Database</c>, <c>Filestore</c>, <c>Manifest</c>, <c>Archive</c>.</summary>
    public required string Role { get; init; }
    /// <summary>Full path.</summary>
    public required string Path { get; init; }
    /// <summary>Whether the file exists.</summary>
    public bool Exists { get; init; }
    /// <summary>Size in bytes; null when missing.</summary>
    public long? SizeBytes { get; init; }
    /// <summary>SHA-256 (lower-case hex) recorded when the backup was written; null when none was recorded.</summary>
    public string? Sha256 { get; init; }

    /// <inheritdoc/>
    public override string ToString() => Role + ": " + Path;
}

/// <summary>A backup of one Odoo instance, as written by Backup-OdooInstance or found by Get-OdooBackup.</summary>
public sealed class OdooBackup
{
    /// <summary>Backup name (<c>{database}_{yyyyMMdd_HHmmss}</c>).</summary>
    public required string Name { get; init; }
    /// <summary>Instance name, when known.</summary>
    public string? Instance { get; init; }
    /// <summary>Database that was dumped.</summary>
    public required string Database { get; init; }
    /// <summary>Layout.</summary>
    public OdooBackupFormat Format { get; init; }
    /// <summary>The backup: the zip, the dump file, the folder or the metadata file.</summary>
    public required string Path { get; init; }
    /// <summary>When the backup was taken.</summary>
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>Time since it was taken, when it was read.</summary>
    public TimeSpan Age { get; init; }
    /// <summary>Whether every part is present, not empty, and (when recorded) of its recorded size.</summary>
    public bool IsComplete { get; init; }
    /// <summary>What is wrong with an incomplete backup (one line per problem).</summary>
    public IReadOnlyList<string> Problems { get; init; } = Array.Empty<string>();
    /// <summary>Total bytes on disk.</summary>
    public long SizeBytes { get; init; }
    /// <summary>Bytes of the database dump (uncompressed bytes of <c>dump.sql</c> in a zip).</summary>
    public long? DatabaseSizeBytes { get; init; }
    /// <summary>Bytes of the filestore files.</summary>
    public long? FilestoreSizeBytes { get; init; }
    /// <summary>Number of filestore files.</summary>
    public int? FilestoreFileCount { get; init; }
    /// <summary>Whether the backup holds a filestore.</summary>
    public bool HasFilestore { get; init; }
    /// <summary>SHA-256 of the database dump.</summary>
    public string? DatabaseSha256 { get; init; }
    /// <summary>SHA-256 over the sorted list of filestore files (<c>path TAB size TAB sha256</c> per line).</summary>
    public string? FilestoreSha256 { get; init; }
    /// <summary>Odoo version of the database (<c>17.0</c>).</summary>
    public string? OdooVersion { get; init; }
    /// <summary>PostgreSQL version of the server that was dumped (<c>15.18</c>).</summary>
    public string? PostgresVersion { get; init; }
    /// <summary>Version of pg_dump that wrote the dump.</summary>
    public string? PgDumpVersion { get; init; }
    /// <summary>How long the backup took; null for backups found on disk.</summary>
    public TimeSpan? Duration { get; init; }
    /// <summary>Server the database was dumped from.</summary>
    public string? Server { get; init; }
    /// <summary>The files of the backup.</summary>
    public IReadOnlyList<OdooBackupPart> Parts { get; init; } = Array.Empty<OdooBackupPart>();

    /// <inheritdoc/>
    public override string ToString() => Path;
}
