using System;
using System.Collections.Generic;

namespace OpsTools.Swarm;

/// <summary>A Swarm service with its replica counts, as <c>docker service ls</c> shows it.</summary>
public sealed class SwarmService
{
    /// <summary>Docker endpoint the service was read from.</summary>
    public required string DockerHost { get; init; }
    /// <summary>Service id.</summary>
    public required string Id { get; init; }
    /// <summary>Service name.</summary>
    public required string Name { get; init; }
    /// <summary>Stack the service belongs to (<c>com.docker.stack.namespace</c>), if any.</summary>
    public string? Stack { get; init; }
    /// <summary>Scheduling mode.</summary>
    public SwarmServiceMode Mode { get; init; }
    /// <summary>Tasks in the Running state.</summary>
    public long RunningReplicas { get; init; }
    /// <summary>Tasks the orchestrator wants running (replicas, or eligible nodes for global services).</summary>
    public long DesiredReplicas { get; init; }
    /// <summary>Completed tasks of a job service; 0 otherwise.</summary>
    public long CompletedTasks { get; init; }
    /// <summary>Image reference without the digest pin the CLI also hides.</summary>
    public string? Image { get; init; }
    /// <summary>Published ports the way the CLI prints them, e.g. <c>*:8080-&gt;80/tcp</c>.</summary>
    public string Ports { get; init; } = string.Empty;
    /// <summary>State of the last update or rollback (<c>updating</c>, <c>completed</c>, <c>rollback_completed</c>...), if any.</summary>
    public string? UpdateState { get; init; }
    /// <summary>Message of the last update or rollback.</summary>
    public string? UpdateMessage { get; init; }
    /// <summary>When the service was created.</summary>
    public DateTimeOffset? CreatedAt { get; init; }
    /// <summary>When the service was last updated.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }
    /// <summary>Object version, needed by updates.</summary>
    public ulong Version { get; init; }
    /// <summary>Service labels.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary>Published ports as objects.</summary>
    public IReadOnlyList<SwarmPort> PublishedPorts { get; init; } = Array.Empty<SwarmPort>();

    /// <summary>Replicas as the CLI shows them, e.g. <c>2/3</c>.</summary>
    public string Replicas => Mode is SwarmServiceMode.ReplicatedJob or SwarmServiceMode.GlobalJob
        ? $"{RunningReplicas}/{DesiredReplicas} ({CompletedTasks} completed)"
        : $"{RunningReplicas}/{DesiredReplicas}";

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>A port published by a Swarm service.</summary>
public sealed class SwarmPort
{
    /// <summary>Port inside the container.</summary>
    public uint TargetPort { get; init; }
    /// <summary>Port published on the nodes, if any.</summary>
    public uint? PublishedPort { get; init; }
    /// <summary><c>tcp</c>, <c>udp</c> or <c>sctp</c>.</summary>
    public string Protocol { get; init; } = "tcp";
    /// <summary><c>ingress</c> (routing mesh) or <c>host</c>.</summary>
    public string PublishMode { get; init; } = "ingress";

    /// <inheritdoc/>
    public override string ToString() => PublishedPort is { } published
        ? $"*:{published}->{TargetPort}/{Protocol}"
        : $"{TargetPort}/{Protocol}";
}
