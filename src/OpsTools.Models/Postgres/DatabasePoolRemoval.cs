using System;

namespace OpsTools.Postgres;

/// <summary>What removing a pool did: its service, its data directory and its row.</summary>
public sealed class DatabasePoolRemoval
{
    /// <summary>Pool name.</summary>
    public required string Name { get; init; }
    /// <summary>Status before the removal.</summary>
    public PoolStatus PreviousStatus { get; init; }
    /// <summary>Status written: <c>Deprovisioning</c>, the value of the schema's CHECK constraint that marks a removed pool.</summary>
    public PoolStatus Status { get; init; }
    /// <summary>Swarm service of the pool.</summary>
    public string? ServiceName { get; init; }
    /// <summary>Whether a service was found and removed (false when it was already gone).</summary>
    public bool ServiceRemoved { get; init; }
    /// <summary>Data directory recorded for the pool.</summary>
    public string? DataDirectory { get; init; }
    /// <summary>Where the data directory was moved, when it was archived.</summary>
    public string? ArchivedTo { get; init; }
    /// <summary>Last check of the pool before removal.</summary>
    public DateTimeOffset? LastHealthCheck { get; init; }
    /// <summary>When the removal finished.</summary>
    public DateTimeOffset RemovedAt { get; init; }
    /// <summary>Row id.</summary>
    public Guid Id { get; init; }
    /// <summary>Platform database of the row.</summary>
    public required string PlatformServer { get; init; }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
