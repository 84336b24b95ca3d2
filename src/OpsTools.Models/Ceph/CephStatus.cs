using System;
using System.Collections.Generic;

namespace OpsTools.Ceph;

/// <summary>The state of a Ceph cluster at a glance, as <c>ceph status</c>, <c>ceph df</c> and <c>ceph fs status</c> show it.</summary>
public sealed class CephStatus
{
    /// <summary>Cluster name.</summary>
    public required string Cluster { get; init; }
    /// <summary>Cluster id.</summary>
    public string Fsid { get; init; } = string.Empty;
    /// <summary>Overall health; muted checks do not count towards it.</summary>
    public CephHealthStatus Health { get; init; }
    /// <summary>Monitors in the monitor map.</summary>
    public int Monitors { get; init; }
    /// <summary>Names of the monitors in quorum.</summary>
    public IReadOnlyList<string> Quorum { get; init; } = Array.Empty<string>();
    /// <summary>Whether an active manager is available.</summary>
    public bool ManagerAvailable { get; init; }
    /// <summary>Standby managers.</summary>
    public int ManagerStandbys { get; init; }
    /// <summary>OSDs in the OSD map.</summary>
    public int Osds { get; init; }
    /// <summary>OSDs that are up.</summary>
    public int OsdsUp { get; init; }
    /// <summary>OSDs that are in.</summary>
    public int OsdsIn { get; init; }
    /// <summary>Number of pools.</summary>
    public int PoolCount { get; init; }
    /// <summary>Number of placement groups.</summary>
    public int PlacementGroups { get; init; }
    /// <summary>Placement groups by state, e.g. <c>active+clean = 49</c>.</summary>
    public IReadOnlyDictionary<string, long> PlacementGroupStates { get; init; } = new Dictionary<string, long>();
    /// <summary>Objects stored.</summary>
    public long Objects { get; init; }
    /// <summary>Bytes stored by clients, before replication.</summary>
    public long StoredBytes { get; init; }
    /// <summary>Raw bytes used on the OSDs.</summary>
    public long UsedBytes { get; init; }
    /// <summary>Raw bytes available on the OSDs.</summary>
    public long AvailableBytes { get; init; }
    /// <summary>Raw capacity of the OSDs.</summary>
    public long TotalBytes { get; init; }
    /// <summary>Raw used as a percentage of raw capacity.</summary>
    public double PercentUsed { get; init; }
    /// <summary>Standby MDS daemons, not attached to a file system.</summary>
    public int MdsStandbys { get; init; }
    /// <summary>Raised health checks (summaries; <c>Get-CephHealth</c> has the details).</summary>
    public IReadOnlyList<CephHealthCheck> HealthChecks { get; init; } = Array.Empty<CephHealthCheck>();
    /// <summary>The file systems and their MDS ranks.</summary>
    public IReadOnlyList<CephFileSystemState> FileSystems { get; init; } = Array.Empty<CephFileSystemState>();
    /// <summary>Per-pool usage (<c>ceph df</c>).</summary>
    public IReadOnlyList<CephPoolUsage> Pools { get; init; } = Array.Empty<CephPoolUsage>();

    /// <inheritdoc/>
    public override string ToString() => $"{Cluster} {CephHealthCheck.ToCephText(Health)}";
}

/// <summary>A CephFS file system and the state of its MDS daemons.</summary>
public sealed class CephFileSystemState
{
    /// <summary>Cluster name.</summary>
    public required string Cluster { get; init; }
    /// <summary>File system name.</summary>
    public required string Name { get; init; }
    /// <summary>File system id.</summary>
    public int Id { get; init; }
    /// <summary>Whether the file system is enabled (not failed with <c>ceph fs fail</c>).</summary>
    public bool Enabled { get; init; }
    /// <summary>Active MDS ranks wanted (<c>max_mds</c>).</summary>
    public int MaxMds { get; init; }
    /// <summary>Ranks whose MDS is <c>up:active</c>.</summary>
    public int ActiveRanks { get; init; }
    /// <summary>Ranks marked failed (no MDS serves them).</summary>
    public int FailedRanks { get; init; }
    /// <summary>Ranks marked damaged.</summary>
    public int DamagedRanks { get; init; }
    /// <summary>The MDS daemons of the file system as <c>name=state</c>, e.g. <c>a=up:active</c>.</summary>
    public IReadOnlyList<string> Daemons { get; init; } = Array.Empty<string>();
    /// <summary>Metadata pool name.</summary>
    public string? MetadataPool { get; init; }
    /// <summary>Data pool names.</summary>
    public IReadOnlyList<string> DataPools { get; init; } = Array.Empty<string>();

    /// <summary>Whether every wanted rank is active and none is failed or damaged.</summary>
    public bool IsHealthy => Enabled && ActiveRanks >= MaxMds && FailedRanks == 0 && DamagedRanks == 0;

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>Usage of one pool, as in the POOLS section of <c>ceph df</c>.</summary>
public sealed class CephPoolUsage
{
    /// <summary>Cluster name.</summary>
    public required string Cluster { get; init; }
    /// <summary>Pool name.</summary>
    public required string Name { get; init; }
    /// <summary>Pool id.</summary>
    public int Id { get; init; }
    /// <summary>Bytes stored by clients, before replication.</summary>
    public long StoredBytes { get; init; }
    /// <summary>Objects in the pool.</summary>
    public long Objects { get; init; }
    /// <summary>Raw bytes used, replication included.</summary>
    public long UsedBytes { get; init; }
    /// <summary>Used as a percentage of what the pool can use.</summary>
    public double PercentUsed { get; init; }
    /// <summary>Bytes that can still be stored in the pool.</summary>
    public long MaxAvailableBytes { get; init; }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
