namespace OpsTools.Diagnostics;

/// <summary>What Test-PortRegistry found.</summary>
public enum PortRegistryFindingKind
{
    /// <summary>Two blocks of the registry share ports.</summary>
    BlockOverlap,
    /// <summary>Two services of the registry are given the same port.</summary>
    RegisteredPortDuplicate,
    /// <summary>A service of the registry is given a port outside its block.</summary>
    RegisteredPortOutsideBlock,
    /// <summary>A compose file publishes a port outside its project's block.</summary>
    PublishedPortOutsideBlock,
    /// <summary>A compose service publishes another port than the registry gives it.</summary>
    PublishedPortMismatch,
    /// <summary>A port is published by more than one service across the compose files.</summary>
    PublishedPortDuplicate,
    /// <summary>A compose project that publishes ports has no block in the registry.</summary>
    ProjectNotRegistered,
    /// <summary>A port of the registry is already listening on this host.</summary>
    PortInUse,
}

/// <summary>One finding of Test-PortRegistry.</summary>
public sealed class PortRegistryFinding
{
    /// <summary>What was found.</summary>
    public PortRegistryFindingKind Kind { get; init; }
    /// <summary>How serious it is.</summary>
    public FindingSeverity Severity { get; init; }
    /// <summary>The port concerned (the first port of an overlap).</summary>
    public int? Port { get; init; }
    /// <summary>The registry block concerned, if any.</summary>
    public string? Block { get; init; }
    /// <summary>The compose project concerned, if any.</summary>
    public string? Project { get; init; }
    /// <summary>The service concerned, if any.</summary>
    public string? Service { get; init; }
    /// <summary>Id of the process listening on the port (PortInUse).</summary>
    public int? ProcessId { get; init; }
    /// <summary>Name of the process listening on the port (PortInUse).</summary>
    public string? ProcessName { get; init; }
    /// <summary>The file the finding is about (registry or compose file).</summary>
    public string? File { get; init; }
    /// <summary>Line in <see cref="File"/>, when known.</summary>
    public int? Line { get; init; }
    /// <summary>What is wrong and what to do.</summary>
    public required string Message { get; init; }

    /// <inheritdoc/>
    public override string ToString() => $"{Kind}: {Message}";
}
