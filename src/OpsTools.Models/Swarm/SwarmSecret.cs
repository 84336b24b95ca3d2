using System;
using System.Collections.Generic;

namespace OpsTools.Swarm;

/// <summary>The two kinds of immutable Swarm objects a service mounts as files.</summary>
public enum SwarmObjectKind
{
    /// <summary>A secret (<c>docker secret</c>): its data is never returned by the API.</summary>
    Secret,
    /// <summary>A config (<c>docker config</c>): its data can be read back.</summary>
    Config,
}

/// <summary>A Swarm secret, as <c>docker secret ls</c> shows it, with the services that use it. Never carries the secret's data.</summary>
public sealed class SwarmSecret
{
    /// <summary>Docker endpoint the secret was read from.</summary>
    public required string DockerHost { get; init; }
    /// <summary>Secret id.</summary>
    public required string Id { get; init; }
    /// <summary>Secret name.</summary>
    public required string Name { get; init; }
    /// <summary>Stack the secret belongs to (<c>com.docker.stack.namespace</c>), if any.</summary>
    public string? Stack { get; init; }
    /// <summary>Number of services whose spec references the secret.</summary>
    public int ServiceCount => Services.Count;
    /// <summary>When the secret was created.</summary>
    public DateTimeOffset? CreatedAt { get; init; }
    /// <summary>When the secret was last updated (labels only: the data of a secret never changes).</summary>
    public DateTimeOffset? UpdatedAt { get; init; }
    /// <summary>Object version.</summary>
    public ulong Version { get; init; }
    /// <summary>Name of the external secret driver, if the secret comes from one.</summary>
    public string? Driver { get; init; }
    /// <summary>Secret labels.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary>Names of the services whose spec references the secret, sorted.</summary>
    public IReadOnlyList<string> Services { get; init; } = Array.Empty<string>();

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>A Swarm config, as <c>docker config ls</c> shows it, with the services that use it.</summary>
public sealed class SwarmConfig
{
    /// <summary>Docker endpoint the config was read from.</summary>
    public required string DockerHost { get; init; }
    /// <summary>Config id.</summary>
    public required string Id { get; init; }
    /// <summary>Config name.</summary>
    public required string Name { get; init; }
    /// <summary>Stack the config belongs to (<c>com.docker.stack.namespace</c>), if any.</summary>
    public string? Stack { get; init; }
    /// <summary>Number of services whose spec references the config.</summary>
    public int ServiceCount => Services.Count;
    /// <summary>Size of the data in bytes.</summary>
    public long Size { get; init; }
    /// <summary>When the config was created.</summary>
    public DateTimeOffset? CreatedAt { get; init; }
    /// <summary>When the config was last updated (labels only: the data of a config never changes).</summary>
    public DateTimeOffset? UpdatedAt { get; init; }
    /// <summary>Object version.</summary>
    public ulong Version { get; init; }
    /// <summary>The data as UTF-8 text; null unless asked for (<c>Get-SwarmConfig -IncludeData</c>).</summary>
    public string? Data { get; init; }
    /// <summary>Config labels.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary>Names of the services whose spec references the config, sorted.</summary>
    public IReadOnlyList<string> Services { get; init; } = Array.Empty<string>();

    /// <inheritdoc/>
    public override string ToString() => Name;
}
