using System;

namespace OpsTools.Docker;

/// <summary>The kinds of objects Invoke-DockerPrune removes.</summary>
public enum DockerObjectKind
{
    /// <summary>A stopped container.</summary>
    Container,
    /// <summary>A dangling (or, with -All, unused) image.</summary>
    Image,
    /// <summary>A volume no container uses.</summary>
    Volume,
    /// <summary>A network no container or service uses.</summary>
    Network,
}

/// <summary>One object removed by a prune (or, for -WhatIf, one that would be).</summary>
public sealed class DockerPruneItem
{
    /// <summary>Docker endpoint the object lived on.</summary>
    public required string DockerHost { get; init; }
    /// <summary>What the object is.</summary>
    public DockerObjectKind Kind { get; init; }
    /// <summary>Object id (for volumes, the name).</summary>
    public required string Id { get; init; }
    /// <summary>Name: container name, image tags, volume or network name; <c>&lt;none&gt;</c> for a dangling image.</summary>
    public required string Name { get; init; }
    /// <summary>Bytes the object took as the daemon reports it: a container's writable layer, an image's size, a volume's data; 0 for networks and when unknown.</summary>
    public long Size { get; init; }
    /// <summary>When the object was created, when the daemon says.</summary>
    public DateTimeOffset? Created { get; init; }

    /// <inheritdoc/>
    public override string ToString() => $"{Kind} {Name}";
}

/// <summary>What a prune removed in all, for -Summary.</summary>
public sealed class DockerPruneSummary
{
    /// <summary>Docker endpoint pruned.</summary>
    public required string DockerHost { get; init; }
    /// <summary>Stopped containers removed.</summary>
    public int Containers { get; init; }
    /// <summary>Images removed.</summary>
    public int Images { get; init; }
    /// <summary>Volumes removed.</summary>
    public int Volumes { get; init; }
    /// <summary>Networks removed.</summary>
    public int Networks { get; init; }
    /// <summary>Sum of the sizes of the objects removed (images sharing layers with others reclaim less than their size).</summary>
    public long SpaceReclaimed { get; init; }
}
