using System;

namespace OpsTools.Ceph;

/// <summary>A CephFS subvolume managed by the mgr volumes module, as <c>ceph fs subvolume info</c> reports it.</summary>
public sealed class CephSubvolume
{
    /// <summary>Cluster name.</summary>
    public required string Cluster { get; init; }
    /// <summary>File system (volume) the subvolume is in.</summary>
    public required string FileSystem { get; init; }
    /// <summary>Subvolume group; null for the default group (<c>_nogroup</c>).</summary>
    public string? Group { get; init; }
    /// <summary>Subvolume name.</summary>
    public required string Name { get; init; }
    /// <summary>Path of its data directory from the root of the file system (<c>/volumes/_nogroup/name/uuid</c>).</summary>
    public string Path { get; init; } = string.Empty;
    /// <summary>Bytes used (the recursive bytes of its directory).</summary>
    public long BytesUsed { get; init; }
    /// <summary>Size limit (its quota); null when unlimited.</summary>
    public long? BytesQuota { get; init; }
    /// <summary>Bytes used as a percentage of the limit; null when unlimited.</summary>
    public double? PercentUsed { get; init; }
    /// <summary>State: <c>complete</c>, or a clone's <c>pending</c>, <c>in-progress</c>, <c>failed</c>...</summary>
    public string State { get; init; } = string.Empty;
    /// <summary><c>subvolume</c> or <c>clone</c>.</summary>
    public string Type { get; init; } = string.Empty;
    /// <summary>Data pool of its files.</summary>
    public string? DataPool { get; init; }
    /// <summary>Permissions of its directory in octal, e.g. <c>755</c>.</summary>
    public string Mode { get; init; } = string.Empty;
    /// <summary>Owner uid.</summary>
    public long Uid { get; init; }
    /// <summary>Owner gid.</summary>
    public long Gid { get; init; }
    /// <summary>When it was created (as the mgr reports it, taken as UTC).</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
