using System;

namespace OpsTools.Postgres;

/// <summary>
/// A PostgreSQL pool server as the platform records it: one row of <c>db_servers</c>. The admin
/// password is used to reach the pool but never carried here; <see cref="HasAdminPassword"/> says
/// whether the row has one.
/// </summary>
public sealed class DatabasePool
{
    /// <summary>Pool name, e.g. <c>postgres-pool-1</c>.</summary>
    public required string Name { get; init; }
    /// <summary>Lifecycle status.</summary>
    public PoolStatus Status { get; init; }
    /// <summary>Health as the last check left it.</summary>
    public PoolHealthStatus HealthStatus { get; init; }
    /// <summary>Consecutive failed checks.</summary>
    public int HealthCheckFailures { get; init; }
    /// <summary>Instances placed on the pool.</summary>
    public int CurrentInstances { get; init; }
    /// <summary>Instances the pool may hold.</summary>
    public int MaxInstances { get; init; }
    /// <summary>Instances that still fit (never negative).</summary>
    public int FreeSlots => Math.Max(0, MaxInstances - CurrentInstances);
    /// <summary>Used capacity in percent, one decimal; null when <see cref="MaxInstances"/> is 0.</summary>
    public double? CapacityPercent => MaxInstances > 0 ? Math.Round(CurrentInstances * 100.0 / MaxInstances, 1) : null;
    /// <summary>When the pool was last checked; null when never.</summary>
    public DateTimeOffset? LastHealthCheck { get; init; }
    /// <summary>How long ago the last check was, measured against the platform server's clock when the row was read.</summary>
    public TimeSpan? LastCheckAge { get; init; }
    /// <summary>Host the platform reaches the pool at (a service name on the overlay network).</summary>
    public required string Host { get; init; }
    /// <summary>Port the platform reaches the pool at.</summary>
    public int Port { get; init; }
    /// <summary>What the server is for.</summary>
    public PoolServerType ServerType { get; init; }
    /// <summary>Allocation priority; lower is preferred.</summary>
    public int Priority { get; init; }
    /// <summary>How instances are placed.</summary>
    public PoolAllocationStrategy AllocationStrategy { get; init; }
    /// <summary>Admin role used for checks.</summary>
    public string? AdminUser { get; init; }
    /// <summary>Whether the row stores an admin password (the value is never read into this object).</summary>
    public bool HasAdminPassword { get; init; }
    /// <summary>Swarm service name.</summary>
    public string? SwarmServiceName { get; init; }
    /// <summary>Swarm service id.</summary>
    public string? SwarmServiceId { get; init; }
    /// <summary>Placement constraint of the service.</summary>
    public string? NodePlacement { get; init; }
    /// <summary>CPU limit as recorded (e.g. <c>2</c>).</summary>
    public string? CpuLimit { get; init; }
    /// <summary>Memory limit as recorded (e.g. <c>4G</c>).</summary>
    public string? MemoryLimit { get; init; }
    /// <summary>Data directory on CephFS.</summary>
    public string? StoragePath { get; init; }
    /// <summary>Storage allocated, in GiB.</summary>
    public int? AllocatedStorageGb { get; init; }
    /// <summary>PostgreSQL major version as recorded.</summary>
    public string? PostgresVersion { get; init; }
    /// <summary>Image of the service.</summary>
    public string? PostgresImage { get; init; }
    /// <summary>Customer a dedicated pool belongs to.</summary>
    public Guid? DedicatedToCustomerId { get; init; }
    /// <summary>Instance a dedicated pool belongs to.</summary>
    public Guid? DedicatedToInstanceId { get; init; }
    /// <summary>Who provisioned the pool.</summary>
    public string? ProvisionedBy { get; init; }
    /// <summary>When provisioning finished.</summary>
    public DateTimeOffset? ProvisionedAt { get; init; }
    /// <summary>When an instance was last placed on the pool.</summary>
    public DateTimeOffset? LastAllocatedAt { get; init; }
    /// <summary>When the row was created.</summary>
    public DateTimeOffset? CreatedAt { get; init; }
    /// <summary>When the row was last changed.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }
    /// <summary>Row id.</summary>
    public Guid Id { get; init; }
    /// <summary>Platform database the row was read from, e.g. <c>platform-db:5432/instance</c>.</summary>
    public required string PlatformServer { get; init; }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
