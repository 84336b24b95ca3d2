using System;
using System.Collections.Generic;

namespace OpsTools.Redis;

/// <summary>A Redis backup written by <c>Backup-RedisData</c>: one directory with the data files and a manifest.</summary>
public sealed class RedisBackup
{
    /// <summary>The server backed up (<c>host:port</c>).</summary>
    public required string Server { get; init; }
    /// <summary>Rdb or Aof: the method used (never Auto).</summary>
    public RedisBackupMethod Method { get; init; }
    /// <summary>The backup directory.</summary>
    public required string Path { get; init; }
    /// <summary>The manifest (<c>manifest.json</c>) in the backup directory.</summary>
    public required string ManifestPath { get; init; }
    /// <summary>The files copied, relative to the backup directory.</summary>
    public required IReadOnlyList<RedisBackupFile> Files { get; init; }
    /// <summary>Bytes of all files.</summary>
    public long TotalBytes { get; init; }
    /// <summary>Where the files came from: a directory of this machine, or <c>container:path</c>.</summary>
    public required string Source { get; init; }
    /// <summary>When BGSAVE or BGREWRITEAOF was sent: every write acknowledged before it is in the backup.</summary>
    public DateTimeOffset SnapshotRequestedAt { get; init; }
    /// <summary>When Redis reported the snapshot finished.</summary>
    public DateTimeOffset SnapshotCompletedAt { get; init; }
    /// <summary>When the files were in place.</summary>
    public DateTimeOffset CompletedAt { get; init; }
    /// <summary>Redis version of the server.</summary>
    public string? RedisVersion { get; init; }

    /// <inheritdoc/>
    public override string ToString() => Path;
}

/// <summary>One file of a Redis backup.</summary>
public sealed class RedisBackupFile
{
    /// <summary>Path relative to the backup directory, with <c>/</c> separators.</summary>
    public required string Name { get; init; }
    /// <summary>Size in bytes.</summary>
    public long Length { get; init; }
    /// <summary>SHA-256 of the content, lower-case hex.</summary>
    public required string Sha256 { get; init; }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
