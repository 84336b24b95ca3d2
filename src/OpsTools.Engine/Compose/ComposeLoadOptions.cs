using System;
using System.Collections.Generic;

namespace OpsTools.Engine.Compose;

/// <summary>What to load and where variables come from.</summary>
public sealed class ComposeLoadOptions
{
    /// <summary>Compose files, merged in order (later files override earlier ones).</summary>
    public required IReadOnlyList<string> Paths { get; init; }

    /// <summary>Env files for interpolation, later ones overriding earlier ones. Empty: <c>.env</c> beside the first file, if there is one.</summary>
    public IReadOnlyList<string> EnvFiles { get; init; } = Array.Empty<string>();

    /// <summary>Variables that take precedence over the process environment and the env files.</summary>
    public IReadOnlyDictionary<string, string?> Variables { get; init; } = new Dictionary<string, string?>();

    /// <summary>Stack name, carried on the project.</summary>
    public string? StackName { get; init; }

    /// <summary>
    /// True (default) when the files are read for a swarm deploy: keys swarm ignores (<c>depends_on</c>,
    /// <c>scale</c>, <c>mem_limit</c>, <c>cpus</c>, <c>restart</c>, <c>tmpfs</c>) give a warning. False for
    /// Start-ComposeProject, which applies them to containers.
    /// </summary>
    public bool ForSwarm { get; init; } = true;

    /// <summary>Reads the process environment; replaceable so tests do not depend on the machine.</summary>
    public Func<string, string?> EnvironmentLookup { get; init; } = Environment.GetEnvironmentVariable;
}
