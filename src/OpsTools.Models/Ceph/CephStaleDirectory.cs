using System;
using System.Collections.Generic;

namespace OpsTools.Ceph;

/// <summary>A directory whose tree has not changed since a cutoff (its <c>ceph.dir.rctime</c> is older).</summary>
public sealed class CephStaleDirectory
{
    /// <summary>Full path of the directory.</summary>
    public required string Path { get; init; }
    /// <summary>Last component of the path.</summary>
    public required string Name { get; init; }
    /// <summary>Directory that was searched (the parent).</summary>
    public required string Parent { get; init; }
    /// <summary>Most recent change anywhere below the directory.</summary>
    public DateTimeOffset LastChange { get; init; }
    /// <summary>Time since that change, when it was found.</summary>
    public TimeSpan Age { get; init; }
    /// <summary>The cutoff it was found with: nothing below changed after it.</summary>
    public DateTimeOffset Cutoff { get; init; }
    /// <summary>Bytes below the directory: what removing it reclaims.</summary>
    public long Bytes { get; init; }
    /// <summary>Files below the directory.</summary>
    public long Files { get; init; }
    /// <summary>Directories below the directory, not counting itself.</summary>
    public long Subdirectories { get; init; }
    /// <summary>Byte limit of the directory's quota; null when it has none.</summary>
    public long? MaxBytes { get; init; }
    /// <summary>Running Swarm services that bind-mount the directory or something below it; empty when none (or when Docker was not asked).</summary>
    public IReadOnlyList<string> MountedBy { get; init; } = Array.Empty<string>();
    /// <summary>Whether Docker was asked which services mount the directory.</summary>
    public bool MountsChecked { get; init; }

    /// <inheritdoc/>
    public override string ToString() => Path;
}

/// <summary>A stale directory that was removed, and what that reclaimed.</summary>
public sealed class CephStaleDataRemoval
{
    /// <summary>Full path of the removed directory.</summary>
    public required string Path { get; init; }
    /// <summary>Bytes reclaimed (the recursive bytes of the directory just before removal).</summary>
    public long BytesReclaimed { get; init; }
    /// <summary>Files removed.</summary>
    public long FilesRemoved { get; init; }
    /// <summary>Directories removed, the directory itself included.</summary>
    public long DirectoriesRemoved { get; init; }
    /// <summary>Most recent change below the directory before removal.</summary>
    public DateTimeOffset LastChange { get; init; }
    /// <summary>How long the removal took.</summary>
    public TimeSpan Duration { get; init; }

    /// <inheritdoc/>
    public override string ToString() => Path;
}
