using System;
using System.Collections.Generic;

namespace OpsTools.Odoo;

/// <summary>One check of a backup test.</summary>
public sealed class OdooBackupCheck
{
    /// <summary>Check name: Complete, Restore, DatabaseOpens, CoreTables, Filestore, Checksums.</summary>
    public required string Name { get; init; }
    /// <summary>Whether it passed; null when it could not run (an earlier check failed).</summary>
    public bool? Passed { get; init; }
    /// <summary>What was found.</summary>
    public required string Reason { get; init; }

    /// <inheritdoc/>
    public override string ToString() => $"{Name}: {(Passed is null ? "skipped" : Passed.Value ? "passed" : "FAILED")} ({Reason})";
}

/// <summary>The verdict on one backup: restored into a scratch database, checked, dropped.</summary>
public sealed class OdooBackupTest
{
    /// <summary>Backup name.</summary>
    public required string Name { get; init; }
    /// <summary>Database the backup was taken of.</summary>
    public required string Database { get; init; }
    /// <summary>Layout.</summary>
    public OdooBackupFormat Format { get; init; }
    /// <summary>The backup.</summary>
    public required string Path { get; init; }
    /// <summary>Whether every check passed.</summary>
    public bool Passed { get; init; }
    /// <summary>The first failed check's reason; null when passed.</summary>
    public string? FailureReason { get; init; }
    /// <summary>Server the scratch restore ran on.</summary>
    public required string Server { get; init; }
    /// <summary>Name of the scratch database (dropped afterwards).</summary>
    public required string ScratchDatabase { get; init; }
    /// <summary>Attachments whose file was checked.</summary>
    public int AttachmentsChecked { get; init; }
    /// <summary>How long the test took.</summary>
    public TimeSpan Duration { get; init; }
    /// <summary>When the backup was taken.</summary>
    public DateTimeOffset BackupCreatedAt { get; init; }
    /// <summary>Each check with its outcome and reason.</summary>
    public IReadOnlyList<OdooBackupCheck> Checks { get; init; } = Array.Empty<OdooBackupCheck>();

    /// <inheritdoc/>
    public override string ToString() => Name + (Passed ? ": passed" : ": FAILED");
}
