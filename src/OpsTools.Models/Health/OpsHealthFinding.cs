using System;

namespace OpsTools.Health;

/// <summary>The layer of the platform a finding of <c>Invoke-OpsHealthReport</c> is about.</summary>
public enum OpsHealthLayer
{
    /// <summary>Swarm services and their tasks.</summary>
    Swarm,
    /// <summary>Swarm nodes.</summary>
    Node,
    /// <summary>Compose projects (without Swarm).</summary>
    Compose,
    /// <summary>PostgreSQL database pools of the platform.</summary>
    Pool,
    /// <summary>Ceph cluster health and CephFS quotas.</summary>
    Ceph,
    /// <summary>Backups of the instances.</summary>
    Backup,
    /// <summary>HTTP(S) endpoints.</summary>
    Endpoint,
    /// <summary>Redis servers.</summary>
    Redis,
    /// <summary>Job queues: Celery brokers and PostgreSQL job tables.</summary>
    Queue,
}

/// <summary>How urgent a finding is.</summary>
public enum OpsHealthSeverity
{
    /// <summary>Worth knowing; nothing is broken.</summary>
    Info = 0,
    /// <summary>Degraded or about to break: look at it today.</summary>
    Warning = 1,
    /// <summary>Broken or down: look at it now.</summary>
    Critical = 2,
}

/// <summary>One thing <c>Invoke-OpsHealthReport</c> found wrong, with the command to run next.</summary>
public sealed class OpsHealthFinding
{
    /// <summary>The layer the finding is about.</summary>
    public OpsHealthLayer Layer { get; init; }
    /// <summary>How urgent it is.</summary>
    public OpsHealthSeverity Severity { get; init; }
    /// <summary>What is affected: a service, node, pool, path, instance, URI, server or queue.</summary>
    public required string Target { get; init; }
    /// <summary>What is wrong, in one sentence.</summary>
    public required string Message { get; init; }
    /// <summary>The OpsTools command to run next to see more or to act.</summary>
    public string? NextStep { get; init; }
    /// <summary>Stable name of the check that raised it, e.g. <c>SwarmServiceDegraded</c>; filter or mute by it.</summary>
    public required string Check { get; init; }
    /// <summary>Where the layer was read: Docker endpoint, platform server, Ceph cluster, backup path.</summary>
    public string? Source { get; init; }
    /// <summary>When the check ran.</summary>
    public DateTimeOffset CheckedAt { get; init; }

    /// <inheritdoc/>
    public override string ToString() => $"{Severity} {Layer} {Target}: {Message}";
}
