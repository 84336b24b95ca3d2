using System;

namespace OpsTools.Ceph;

/// <summary>Where the figures of a <see cref="CephUsage"/> come from.</summary>
public enum CephUsageSource
{
    /// <summary>CephFS recursive statistics (<c>ceph.dir.rbytes</c> and friends): exact, one round trip each.</summary>
    RecursiveStatistics,
    /// <summary>A walk of the tree (the path is not on CephFS and <c>-Recurse</c> was given).</summary>
    FileSystemWalk,
}

/// <summary>
/// The size of a directory tree from CephFS recursive statistics, with its quota: what
/// <c>du -sb</c> tries to tell, exactly and without walking the tree.
/// </summary>
public sealed class CephUsage
{
    /// <summary>Full path of the directory.</summary>
    public required string Path { get; init; }
    /// <summary>Last component of the path.</summary>
    public required string Name { get; init; }
    /// <summary>Bytes of all files below the directory (<c>ceph.dir.rbytes</c>).</summary>
    public long Bytes { get; init; }
    /// <summary>Files below the directory, recursively (<c>ceph.dir.rfiles</c>).</summary>
    public long Files { get; init; }
    /// <summary>Directories below the directory, recursively, not counting itself (<c>ceph.dir.rsubdirs</c> - 1).</summary>
    public long Subdirectories { get; init; }
    /// <summary>Files plus subdirectories.</summary>
    public long Entries { get; init; }
    /// <summary>Most recent change anywhere below the directory (<c>ceph.dir.rctime</c>); for a directory that never held anything, its own modification time.</summary>
    public DateTimeOffset? LastChange { get; init; }
    /// <summary>Byte limit of the directory's quota; null when it has none.</summary>
    public long? MaxBytes { get; init; }
    /// <summary>File limit of the directory's quota; null when it has none.</summary>
    public long? MaxFiles { get; init; }
    /// <summary>Bytes as a percentage of <see cref="MaxBytes"/>; null without a byte limit.</summary>
    public double? PercentUsed { get; init; }
    /// <summary>Bytes left before the byte limit (0 when reached); null without a byte limit.</summary>
    public long? FreeBytes { get; init; }
    /// <summary>True when a limit is reached: CephFS refuses further writes (Disk quota exceeded).</summary>
    public bool OverQuota { get; init; }
    /// <summary>Where the figures come from.</summary>
    public CephUsageSource Source { get; init; }

    /// <inheritdoc/>
    public override string ToString() => Path;
}
