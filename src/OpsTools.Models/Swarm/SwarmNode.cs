using System;
using System.Collections.Generic;

namespace OpsTools.Swarm;

/// <summary>A node of the swarm, as <c>docker node ls</c> and <c>docker node inspect</c> show it.</summary>
public sealed class SwarmNode
{
    /// <summary>Docker endpoint the node was read from.</summary>
    public required string DockerHost { get; init; }
    /// <summary>Node id.</summary>
    public required string Id { get; init; }
    /// <summary>Hostname of the node.</summary>
    public required string Hostname { get; init; }
    /// <summary>Worker or manager.</summary>
    public SwarmNodeRole Role { get; init; }
    /// <summary>Scheduling availability.</summary>
    public SwarmNodeAvailability Availability { get; init; }
    /// <summary>Health as seen by the managers.</summary>
    public SwarmNodeStatus Status { get; init; }
    /// <summary>Whether this node is the Raft leader.</summary>
    public bool IsLeader { get; init; }
    /// <summary>Manager reachability (<c>reachable</c>, <c>unreachable</c>), empty for workers.</summary>
    public string? ManagerReachability { get; init; }
    /// <summary>Docker Engine version of the node.</summary>
    public string? EngineVersion { get; init; }
    /// <summary>Address the node is reached at.</summary>
    public string? Address { get; init; }
    /// <summary>Operating system and architecture, e.g. <c>linux/x86_64</c>.</summary>
    public string? Platform { get; init; }
    /// <summary>CPUs available to tasks.</summary>
    public double Cpus { get; init; }
    /// <summary>Memory available to tasks, in bytes.</summary>
    public long MemoryBytes { get; init; }
    /// <summary>Node labels set by operators (<c>docker node update --label-add</c>).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary>Engine labels set in the daemon configuration.</summary>
    public IReadOnlyDictionary<string, string> EngineLabels { get; init; } = new Dictionary<string, string>();
    /// <summary>When the node joined.</summary>
    public DateTimeOffset? CreatedAt { get; init; }
    /// <summary>Object version, needed by updates.</summary>
    public ulong Version { get; init; }

    /// <summary>Manager status the way the CLI prints it: <c>Leader</c>, <c>Reachable</c>, <c>Unreachable</c> or empty.</summary>
    public string ManagerStatus => IsLeader ? "Leader"
        : string.IsNullOrEmpty(ManagerReachability) ? string.Empty
        : char.ToUpperInvariant(ManagerReachability[0]) + ManagerReachability[1..];

    /// <inheritdoc/>
    public override string ToString() => Hostname;
}
