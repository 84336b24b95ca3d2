namespace OpsTools.Ceph;

/// <summary>The quota of a CephFS directory (<c>ceph.quota.max_bytes</c>, <c>ceph.quota.max_files</c>).</summary>
public sealed class CephQuota
{
    /// <summary>Full path of the directory.</summary>
    public required string Path { get; init; }
    /// <summary>Byte limit; null when the directory has none.</summary>
    public long? MaxBytes { get; init; }
    /// <summary>Limit on files and directories below the directory, counted recursively; null when it has none.</summary>
    public long? MaxFiles { get; init; }

    /// <summary>Whether either limit is set.</summary>
    public bool HasLimit => MaxBytes is not null || MaxFiles is not null;

    /// <inheritdoc/>
    public override string ToString() => Path;
}
