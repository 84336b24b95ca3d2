namespace OpsTools.Swarm;

/// <summary>A stack: the services sharing one <c>com.docker.stack.namespace</c> label.</summary>
public sealed class SwarmStack
{
    /// <summary>Docker endpoint the stack was read from.</summary>
    public required string DockerHost { get; init; }
    /// <summary>Stack name.</summary>
    public required string Name { get; init; }
    /// <summary>Number of services in the stack.</summary>
    public int Services { get; init; }
    /// <summary>Services whose running tasks reach their desired count.</summary>
    public int RunningServices { get; init; }
    /// <summary>Services with fewer running tasks than desired.</summary>
    public int DegradedServices => Services - RunningServices;
    /// <summary>Orchestrator, as the CLI prints it.</summary>
    public string Orchestrator => "Swarm";

    /// <inheritdoc/>
    public override string ToString() => Name;
}
