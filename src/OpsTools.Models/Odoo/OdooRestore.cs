using System;

namespace OpsTools.Odoo;

/// <summary>A database (and filestore) restored from an Odoo backup.</summary>
public sealed class OdooRestore
{
    /// <summary>The restored database.</summary>
    public required string Database { get; init; }
    /// <summary>Server it was restored on.</summary>
    public required string Server { get; init; }
    /// <summary>The backup restored.</summary>
    public required string BackupPath { get; init; }
    /// <summary>Layout of the backup.</summary>
    public OdooBackupFormat Format { get; init; }
    /// <summary>Database the backup was taken of.</summary>
    public string? SourceDatabase { get; init; }
    /// <summary>Where the filestore was restored; null when it was not.</summary>
    public string? FilestorePath { get; init; }
    /// <summary>Filestore files restored.</summary>
    public int FilestoreFileCount { get; init; }
    /// <summary>Filestore bytes restored.</summary>
    public long FilestoreBytes { get; init; }
    /// <summary>Whether the database got a new database.uuid and database.secret (a copy).</summary>
    public bool Copied { get; init; }
    /// <summary>Whether outgoing mail, incoming mail and crons were disabled.</summary>
    public bool Neutralized { get; init; }
    /// <summary>Whether an existing database (and filestore) was replaced.</summary>
    public bool Replaced { get; init; }
    /// <summary>database.uuid of the restored database.</summary>
    public string? DatabaseUuid { get; init; }
    /// <summary>How long the restore took.</summary>
    public TimeSpan Duration { get; init; }

    /// <inheritdoc/>
    public override string ToString() => Database;
}
