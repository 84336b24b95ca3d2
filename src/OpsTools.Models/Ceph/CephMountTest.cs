using System;
using System.Collections.Generic;

namespace OpsTools.Ceph;

/// <summary>Outcome of one check of <c>Test-CephMount</c>.</summary>
public enum CephCheckResult
{
    /// <summary>The check passed.</summary>
    Passed,
    /// <summary>The check failed; the reason says why.</summary>
    Failed,
    /// <summary>The check was not run because an earlier one failed.</summary>
    Skipped,
}

/// <summary>One check of a CephFS mount.</summary>
public sealed class CephMountCheck
{
    /// <summary>What was checked: <c>Mounted</c>, <c>Responsive</c>, <c>Statistics</c> or <c>Quota</c>.</summary>
    public required string Name { get; init; }
    /// <summary>The outcome.</summary>
    public CephCheckResult Result { get; init; }
    /// <summary>Why it passed or failed, for an operator.</summary>
    public string Reason { get; init; } = string.Empty;
    /// <summary>How long the check took.</summary>
    public TimeSpan Duration { get; init; }

    /// <inheritdoc/>
    public override string ToString() => $"{Name}: {Result} ({Reason})";
}

/// <summary>Whether a path is on a mounted, responsive CephFS whose client can read statistics and set quotas.</summary>
public sealed class CephMountTest
{
    /// <summary>The path tested.</summary>
    public required string Path { get; init; }
    /// <summary>Mount point that holds the path.</summary>
    public string? MountPoint { get; init; }
    /// <summary>File system type of that mount (<c>fuse.ceph-fuse</c>, <c>ceph</c>, <c>ext4</c>...).</summary>
    public string? FileSystemType { get; init; }
    /// <summary>CephFS client of the mount (<c>client.fsclient</c>), when it can be found.</summary>
    public string? Client { get; init; }
    /// <summary>Whether the path is on a CephFS mount (kernel or ceph-fuse).</summary>
    public bool IsCephFs { get; init; }
    /// <summary>Whether the MDS answered a metadata call within the timeout; null when not tested.</summary>
    public bool? IsResponsive { get; init; }
    /// <summary>How long that call took; null when it did not answer.</summary>
    public TimeSpan? ResponseTime { get; init; }
    /// <summary>Whether the recursive statistics could be read; null when not tested.</summary>
    public bool? CanReadStatistics { get; init; }
    /// <summary>Whether the client may set quotas (the <c>p</c> flag of its MDS caps); null when not tested.</summary>
    public bool? CanSetQuota { get; init; }
    /// <summary>Whether every check passed.</summary>
    public bool Passed { get; init; }
    /// <summary>The first failure, or a one-line summary when all passed.</summary>
    public string Reason { get; init; } = string.Empty;
    /// <summary>Each check with its outcome and reason.</summary>
    public IReadOnlyList<CephMountCheck> Checks { get; init; } = Array.Empty<CephMountCheck>();

    /// <inheritdoc/>
    public override string ToString() => $"{Path}: {(Passed ? "passed" : "failed")}";
}
