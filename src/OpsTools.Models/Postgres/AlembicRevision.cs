using System;
using System.Collections.Generic;

namespace OpsTools.Postgres;

/// <summary>Where an Alembic-migrated database stands against its migration scripts.</summary>
public sealed class AlembicRevision
{
    /// <summary>Server, as <c>host:port</c>.</summary>
    public required string Server { get; init; }
    /// <summary>Database.</summary>
    public required string Database { get; init; }
    /// <summary>The version table read (<c>alembic_version</c>).</summary>
    public required string VersionTable { get; init; }
    /// <summary>The verdict.</summary>
    public AlembicState State { get; init; }
    /// <summary>The revision(s) recorded in the version table (one per branch); empty when none.</summary>
    public IReadOnlyList<string> Current { get; init; } = Array.Empty<string>();
    /// <summary>The head revision(s) of the scripts; empty without -ScriptLocation.</summary>
    public IReadOnlyList<string> Heads { get; init; } = Array.Empty<string>();
    /// <summary>The revisions between the current one(s) and the head(s), oldest first (what <c>alembic upgrade heads</c> would run).</summary>
    public IReadOnlyList<string> Pending { get; init; } = Array.Empty<string>();
    /// <summary>Number of pending revisions.</summary>
    public int PendingCount => Pending.Count;
    /// <summary>Recorded revisions that no script defines (the database is ahead of, or foreign to, the scripts).</summary>
    public IReadOnlyList<string> UnknownRevisions { get; init; } = Array.Empty<string>();
    /// <summary>The versions directory read; null without -ScriptLocation.</summary>
    public string? ScriptLocation { get; init; }
    /// <summary>Number of revision scripts found.</summary>
    public int ScriptCount { get; init; }
}
