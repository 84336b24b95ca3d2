using System;
using System.Collections.Generic;

namespace OpsTools.Compose;

/// <summary>
/// A compose project after loading: every file merged, variables interpolated, <c>extends</c>
/// resolved and short syntax expanded, as <c>docker stack config</c> prints it.
/// </summary>
public sealed class ComposeProject
{
    /// <summary>Stack name given with <c>-StackName</c>, if any; resource names are prefixed with it on deploy.</summary>
    public string? Name { get; init; }
    /// <summary>Directory of the first file; relative paths in every file resolve against it.</summary>
    public required string WorkingDirectory { get; init; }
    /// <summary>The <c>version</c> of the last file that declares one.</summary>
    public string? Version { get; init; }
    /// <summary>The compose files, in the order they were merged (full paths).</summary>
    public IReadOnlyList<string> Files { get; init; } = Array.Empty<string>();
    /// <summary>The environment files that supplied variables (full paths).</summary>
    public IReadOnlyList<string> EnvFiles { get; init; } = Array.Empty<string>();
    /// <summary>Services, sorted by name.</summary>
    public IReadOnlyList<ComposeService> Services { get; init; } = Array.Empty<ComposeService>();
    /// <summary>Top-level networks.</summary>
    public IReadOnlyList<ComposeNetwork> Networks { get; init; } = Array.Empty<ComposeNetwork>();
    /// <summary>Top-level volumes.</summary>
    public IReadOnlyList<ComposeVolume> Volumes { get; init; } = Array.Empty<ComposeVolume>();
    /// <summary>Top-level secrets.</summary>
    public IReadOnlyList<ComposeFileObject> Secrets { get; init; } = Array.Empty<ComposeFileObject>();
    /// <summary>Top-level configs.</summary>
    public IReadOnlyList<ComposeFileObject> Configs { get; init; } = Array.Empty<ComposeFileObject>();
    /// <summary>One line per key that swarm ignores, like the CLI's "Ignoring unsupported options".</summary>
    public IReadOnlyList<string> Warnings { get; init; } = Array.Empty<string>();

    /// <inheritdoc/>
    public override string ToString() => Name ?? WorkingDirectory;
}

/// <summary>A top-level network.</summary>
public sealed class ComposeNetwork
{
    /// <summary>Name of the network in the compose file.</summary>
    public required string Name { get; init; }
    /// <summary>Name given with <c>name:</c> (or the external name); when null the deployed name is <c>&lt;stack&gt;_&lt;Name&gt;</c>.</summary>
    public string? ExplicitName { get; init; }
    /// <summary>The network exists outside the stack and is not created.</summary>
    public bool External { get; init; }
    /// <summary>Driver; <c>overlay</c> when deployed without one.</summary>
    public string? Driver { get; init; }
    /// <summary>Containers outside swarm services may attach.</summary>
    public bool Attachable { get; init; }
    /// <summary>No external connectivity.</summary>
    public bool Internal { get; init; }
    /// <summary>Driver options.</summary>
    public IReadOnlyDictionary<string, string> DriverOpts { get; init; } = new Dictionary<string, string>();
    /// <summary>Network labels.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary>IPAM driver, if set.</summary>
    public string? IpamDriver { get; init; }
    /// <summary>IPAM subnets, if set.</summary>
    public IReadOnlyList<string> IpamSubnets { get; init; } = Array.Empty<string>();

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>A top-level named volume.</summary>
public sealed class ComposeVolume
{
    /// <summary>Name of the volume in the compose file.</summary>
    public required string Name { get; init; }
    /// <summary>Name given with <c>name:</c> (or the external name); when null the deployed name is <c>&lt;stack&gt;_&lt;Name&gt;</c>.</summary>
    public string? ExplicitName { get; init; }
    /// <summary>The volume exists outside the stack.</summary>
    public bool External { get; init; }
    /// <summary>Volume driver.</summary>
    public string? Driver { get; init; }
    /// <summary>Driver options.</summary>
    public IReadOnlyDictionary<string, string> DriverOpts { get; init; } = new Dictionary<string, string>();
    /// <summary>Volume labels.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>A top-level secret or config.</summary>
public sealed class ComposeFileObject
{
    /// <summary>Name of the secret or config in the compose file.</summary>
    public required string Name { get; init; }
    /// <summary>Name given with <c>name:</c> (or the external name); when null the deployed name is <c>&lt;stack&gt;_&lt;Name&gt;</c>.</summary>
    public string? ExplicitName { get; init; }
    /// <summary>The object exists outside the stack.</summary>
    public bool External { get; init; }
    /// <summary>Full path of the file holding the content, for objects the stack creates.</summary>
    public string? File { get; init; }
    /// <summary>Secret driver (secrets only).</summary>
    public string? Driver { get; init; }
    /// <summary>Driver options.</summary>
    public IReadOnlyDictionary<string, string> DriverOpts { get; init; } = new Dictionary<string, string>();
    /// <summary>Template driver (e.g. <c>golang</c>).</summary>
    public string? TemplateDriver { get; init; }
    /// <summary>Labels.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <inheritdoc/>
    public override string ToString() => Name;
}
