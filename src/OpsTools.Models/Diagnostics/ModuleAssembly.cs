namespace OpsTools.Diagnostics;

/// <summary>An assembly OpsTools ships, and the load context it is loaded in.</summary>
public sealed class ModuleAssembly
{
    /// <summary>Assembly simple name, e.g. <c>YamlDotNet</c>.</summary>
    public required string Name { get; init; }
    /// <summary>Assembly version.</summary>
    public required string Version { get; init; }
    /// <summary>File version or informational version, when the assembly has one.</summary>
    public string? FileVersion { get; init; }
    /// <summary>Name of the load context (<c>Default</c> or <c>OpsTools.Engine</c>).</summary>
    public required string LoadContext { get; init; }
    /// <summary>Whether the assembly is loaded in that context.</summary>
    public bool IsLoaded { get; init; }
    /// <summary>Path of the file.</summary>
    public required string Path { get; init; }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} {Version}";
}
