using System;
using System.Collections.Generic;
using System.Globalization;

namespace OpsTools.Compose;

/// <summary>State of a container of a compose project, as the daemon reports it.</summary>
public enum ComposeContainerState
{
    /// <summary>Created, never started.</summary>
    Created,
    /// <summary>Running.</summary>
    Running,
    /// <summary>Paused.</summary>
    Paused,
    /// <summary>Restarting after its process exited.</summary>
    Restarting,
    /// <summary>Being removed.</summary>
    Removing,
    /// <summary>Stopped; see the exit code.</summary>
    Exited,
    /// <summary>Could not be stopped or removed cleanly.</summary>
    Dead,
}

/// <summary>Result of a container's health check, as <c>docker compose ps</c> shows it.</summary>
public enum ComposeHealth
{
    /// <summary>The container has no health check (or it is disabled), or it is not running.</summary>
    None,
    /// <summary>Within the start period, no check passed yet.</summary>
    Starting,
    /// <summary>The last checks passed.</summary>
    Healthy,
    /// <summary>The check failed its retries.</summary>
    Unhealthy,
}

/// <summary>A port of a compose container, published on the host or only exposed.</summary>
public sealed class ComposePublishedPort
{
    /// <summary>Host address the port is bound to (<c>0.0.0.0</c>, <c>::</c>), if published.</summary>
    public string? HostIp { get; init; }
    /// <summary>Port on the host, if published.</summary>
    public int? PublishedPort { get; init; }
    /// <summary>Port inside the container.</summary>
    public int TargetPort { get; init; }
    /// <summary><c>tcp</c>, <c>udp</c> or <c>sctp</c>.</summary>
    public string Protocol { get; init; } = "tcp";

    /// <summary>The port the way <c>docker ps</c> prints it, e.g. <c>0.0.0.0:8080-&gt;80/tcp</c> or <c>5432/tcp</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => PublishedPort is { } published
        ? string.Create(CultureInfo.InvariantCulture, $"{(HostIp is { Length: > 0 } ip && ip.Contains(':', StringComparison.Ordinal) ? "[" + ip + "]" : HostIp)}:{published}->{TargetPort}/{Protocol}")
        : string.Create(CultureInfo.InvariantCulture, $"{TargetPort}/{Protocol}");
}

/// <summary>A container of a compose project, found by its compose labels, as <c>docker compose ps</c> lists it.</summary>
public sealed class ComposeContainer
{
    /// <summary>Docker endpoint the container was read from.</summary>
    public required string DockerHost { get; init; }
    /// <summary>Project name (<c>com.docker.compose.project</c>).</summary>
    public required string Project { get; init; }
    /// <summary>Service name (<c>com.docker.compose.service</c>).</summary>
    public required string Service { get; init; }
    /// <summary>Container name, e.g. <c>shop_worker_2</c> or <c>shop-worker-2</c>.</summary>
    public required string Name { get; init; }
    /// <summary>Container id.</summary>
    public required string Id { get; init; }
    /// <summary>Replica number within the service (<c>com.docker.compose.container-number</c>); 0 when absent.</summary>
    public int Number { get; init; }
    /// <summary>A container of <c>docker compose run</c>.</summary>
    public bool OneOff { get; init; }
    /// <summary>Image reference the container was created from.</summary>
    public string? Image { get; init; }
    /// <summary>Command line, as <c>docker ps</c> shows it.</summary>
    public string? Command { get; init; }
    /// <summary>State.</summary>
    public ComposeContainerState State { get; init; }
    /// <summary>Health check result.</summary>
    public ComposeHealth Health { get; init; }
    /// <summary>The daemon's status text, e.g. <c>Up 2 minutes (healthy)</c> or <c>Exited (0) 1 minute ago</c>.</summary>
    public string? Status { get; init; }
    /// <summary>Exit code of a stopped container, from its status text.</summary>
    public int? ExitCode { get; init; }
    /// <summary>How many times the daemon restarted the container; read only with <c>-Detailed</c> (one inspect per container).</summary>
    public long? RestartCount { get; init; }
    /// <summary>When the container was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>Configuration hash the container was created with (<c>com.docker.compose.config-hash</c>).</summary>
    public string? ConfigHash { get; init; }
    /// <summary>Ports as <c>docker ps</c> prints them, published ones first.</summary>
    public string Ports => string.Join(", ", PublishedPorts);
    /// <summary>Ports as objects.</summary>
    public IReadOnlyList<ComposePublishedPort> PublishedPorts { get; init; } = Array.Empty<ComposePublishedPort>();
    /// <summary>Container labels.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>A service of a running (or stopped) compose project: its containers summed up.</summary>
public sealed class ComposeServiceInfo
{
    /// <summary>Docker endpoint the service was read from.</summary>
    public required string DockerHost { get; init; }
    /// <summary>Project name.</summary>
    public required string Project { get; init; }
    /// <summary>Service name in the compose file.</summary>
    public required string Name { get; init; }
    /// <summary>Containers in the Running state.</summary>
    public int Running { get; init; }
    /// <summary>All containers of the service (one-offs only when asked for).</summary>
    public int Total { get; init; }
    /// <summary>The worst health of its running containers: Unhealthy, then Starting, then Healthy; None without a check.</summary>
    public ComposeHealth Health { get; init; }
    /// <summary>Container states counted like <c>docker compose ls</c>, e.g. <c>running(2), exited(1)</c>.</summary>
    public required string Status { get; init; }
    /// <summary>Image of the newest container.</summary>
    public string? Image { get; init; }
    /// <summary>Ports of its containers, as <c>docker ps</c> prints them.</summary>
    public string Ports { get; init; } = string.Empty;
    /// <summary>Sum of the containers' restart counts; read only with <c>-Detailed</c>.</summary>
    public long? RestartCount { get; init; }
    /// <summary>When the oldest container was created.</summary>
    public DateTimeOffset? CreatedAt { get; init; }
    /// <summary>Its containers, by number.</summary>
    public IReadOnlyList<ComposeContainer> Containers { get; init; } = Array.Empty<ComposeContainer>();

    /// <summary>Running and total containers, e.g. <c>2/2</c>.</summary>
    public string Replicas => string.Create(CultureInfo.InvariantCulture, $"{Running}/{Total}");

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>A compose project found from its containers' labels, as <c>docker compose ls</c> lists it.</summary>
public sealed class ComposeProjectInfo
{
    /// <summary>Docker endpoint the project was read from.</summary>
    public required string DockerHost { get; init; }
    /// <summary>Project name.</summary>
    public required string Name { get; init; }
    /// <summary>Container states counted like <c>docker compose ls</c>, e.g. <c>running(7), exited(1)</c>.</summary>
    public required string Status { get; init; }
    /// <summary>Containers in the Running state.</summary>
    public int Running { get; init; }
    /// <summary>All containers of the project.</summary>
    public int Total { get; init; }
    /// <summary>Directory the project was started from (<c>com.docker.compose.project.working_dir</c>).</summary>
    public string? WorkingDirectory { get; init; }
    /// <summary>Compose files the project was started from (<c>com.docker.compose.project.config_files</c>).</summary>
    public IReadOnlyList<string> ConfigFiles { get; init; } = Array.Empty<string>();
    /// <summary>Its services, sorted by name.</summary>
    public IReadOnlyList<ComposeServiceInfo> Services { get; init; } = Array.Empty<ComposeServiceInfo>();

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>One line of a compose container's log.</summary>
public sealed class ComposeLogRecord
{
    /// <summary>When the line was written; set only when timestamps were asked for.</summary>
    public DateTimeOffset? Timestamp { get; init; }
    /// <summary>Project name.</summary>
    public required string Project { get; init; }
    /// <summary>Service name.</summary>
    public required string Service { get; init; }
    /// <summary>Container name.</summary>
    public required string Container { get; init; }
    /// <summary>Standard output or standard error.</summary>
    public OpsTools.Swarm.LogStream Stream { get; init; }
    /// <summary>The line, without its line break.</summary>
    public required string Message { get; init; }

    /// <inheritdoc/>
    public override string ToString() => Message;
}

/// <summary>A network or volume of a compose project, as Remove-ComposeProject names it.</summary>
public sealed class ComposeResource
{
    /// <summary><c>network</c> or <c>volume</c>.</summary>
    public required string Kind { get; init; }
    /// <summary>Name on the daemon.</summary>
    public required string Name { get; init; }
    /// <summary>Size of a volume's data in bytes, when the daemon measured it.</summary>
    public long? Size { get; init; }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
