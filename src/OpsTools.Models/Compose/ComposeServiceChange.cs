using System;
using System.Collections.Generic;

namespace OpsTools.Compose;

/// <summary>What Start-ComposeProject or Set-ComposeService does (or, with -WhatIf, would do) to a service.</summary>
public enum ComposeServiceAction
{
    /// <summary>Every container exists, runs the current configuration and the wanted number of replicas.</summary>
    Unchanged,
    /// <summary>The service has no container yet: create and start them.</summary>
    Create,
    /// <summary>The configuration hash changed: replace the containers, keeping their numbers.</summary>
    Recreate,
    /// <summary>The containers exist with the current configuration but are stopped: start them.</summary>
    Start,
    /// <summary>More containers are wanted: create the next numbers.</summary>
    ScaleUp,
    /// <summary>Fewer containers are wanted: remove the highest numbers.</summary>
    ScaleDown,
    /// <summary>The service is no longer in the files (-RemoveOrphans): remove its containers.</summary>
    RemoveOrphan,
}

/// <summary>One service of a compose project and the action taken on it.</summary>
public sealed class ComposeServiceChange
{
    /// <summary>Docker endpoint the project runs on.</summary>
    public required string DockerHost { get; init; }
    /// <summary>Project name (value of com.docker.compose.project).</summary>
    public required string Project { get; init; }
    /// <summary>Service name.</summary>
    public required string Service { get; init; }
    /// <summary>The action.</summary>
    public ComposeServiceAction Action { get; init; }
    /// <summary>Containers the service has once the action is done.</summary>
    public int Replicas { get; init; }
    /// <summary>Why: e.g. <c>configuration changed</c>, <c>2 -&gt; 4</c>, <c>1 stopped</c>.</summary>
    public string Reason { get; init; } = string.Empty;
    /// <summary>Names of the service's containers once the action is done.</summary>
    public IReadOnlyList<string> Containers { get; init; } = Array.Empty<string>();
    /// <summary>The configuration hash the containers carry (com.docker.compose.config-hash).</summary>
    public string? ConfigHash { get; init; }
    /// <summary>True when the action was only planned (-WhatIf, or declined at -Confirm).</summary>
    public bool WhatIf { get; init; }

    /// <summary>Container names joined by commas.</summary>
    public string ContainersText => string.Join(", ", Containers);

    /// <inheritdoc/>
    public override string ToString() => $"{Project}/{Service}: {Action}";
}
