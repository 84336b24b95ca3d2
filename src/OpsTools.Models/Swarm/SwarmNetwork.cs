using System;
using System.Collections.Generic;

namespace OpsTools.Swarm;

/// <summary>A Docker network, as <c>docker network ls</c> and <c>docker network inspect</c> show it, with the services attached.</summary>
public sealed class SwarmNetwork
{
    /// <summary>Docker endpoint the network was read from.</summary>
    public required string DockerHost { get; init; }
    /// <summary>Network id.</summary>
    public required string Id { get; init; }
    /// <summary>Network name.</summary>
    public required string Name { get; init; }
    /// <summary>Stack the network belongs to (<c>com.docker.stack.namespace</c>), if any.</summary>
    public string? Stack { get; init; }
    /// <summary>Driver: <c>overlay</c>, <c>bridge</c>, <c>host</c>, <c>macvlan</c>...</summary>
    public string? Driver { get; init; }
    /// <summary><c>swarm</c> for networks of the whole swarm, <c>local</c> for networks of one node.</summary>
    public string? Scope { get; init; }
    /// <summary>Whether standalone containers may attach (<c>--attachable</c>).</summary>
    public bool Attachable { get; init; }
    /// <summary>Whether the network has no route outside (<c>--internal</c>).</summary>
    public bool Internal { get; init; }
    /// <summary>Whether this is the routing-mesh network.</summary>
    public bool Ingress { get; init; }
    /// <summary>Whether IPv6 is enabled.</summary>
    public bool EnableIPv6 { get; init; }
    /// <summary>Subnets of the network's IP address management, comma separated.</summary>
    public string Subnets => string.Join(", ", SubnetList);
    /// <summary>Number of services attached to the network.</summary>
    public int ServiceCount => Services.Count;
    /// <summary>When the network was created.</summary>
    public DateTimeOffset? CreatedAt { get; init; }
    /// <summary>Subnets of the network (CIDR).</summary>
    public IReadOnlyList<string> SubnetList { get; init; } = Array.Empty<string>();
    /// <summary>Gateways of the network's subnets.</summary>
    public IReadOnlyList<string> Gateways { get; init; } = Array.Empty<string>();
    /// <summary>Driver options.</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();
    /// <summary>Network labels.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary>Names of the services attached to the network, sorted.</summary>
    public IReadOnlyList<string> Services { get; init; } = Array.Empty<string>();

    /// <inheritdoc/>
    public override string ToString() => Name;
}
