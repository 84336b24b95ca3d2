using System;
using System.Collections.Generic;
using System.Linq;

namespace OpsTools.Compose;

/// <summary>A service of a compose project, with the keys a swarm deploy uses.</summary>
public sealed class ComposeService
{
    /// <summary>Service name in the compose file (deployed as <c>&lt;stack&gt;_&lt;Name&gt;</c>).</summary>
    public required string Name { get; init; }
    /// <summary>Image reference.</summary>
    public string? Image { get; init; }
    /// <summary><c>replicated</c>, <c>global</c>, <c>replicated-job</c> or <c>global-job</c>.</summary>
    public string Mode => Deploy.Mode ?? "replicated";
    /// <summary>Replicas requested with <c>deploy.replicas</c> (null: the daemon's default of 1).</summary>
    public ulong? Replicas => Deploy.Replicas;
    /// <summary>Container hostname.</summary>
    public string? Hostname { get; init; }
    /// <summary>User the process runs as.</summary>
    public string? User { get; init; }
    /// <summary>Working directory.</summary>
    public string? WorkingDir { get; init; }
    /// <summary>Signal that stops the container.</summary>
    public string? StopSignal { get; init; }
    /// <summary>Time to wait after the stop signal before killing.</summary>
    public TimeSpan? StopGracePeriod { get; init; }
    /// <summary>Run an init process as PID 1.</summary>
    public bool? Init { get; init; }
    /// <summary>Allocate a pseudo-TTY.</summary>
    public bool? Tty { get; init; }
    /// <summary>Keep stdin open.</summary>
    public bool? StdinOpen { get; init; }
    /// <summary>Mount the root filesystem read-only.</summary>
    public bool? ReadOnly { get; init; }
    /// <summary>Isolation technology (Windows).</summary>
    public string? Isolation { get; init; }
    /// <summary>
    /// The legacy <c>restart</c> key. Swarm ignores it with a warning, but the docker CLI still uses it
    /// as the restart policy when <c>deploy.restart_policy</c> is absent, and so does OpsTools.
    /// </summary>
    public string? Restart { get; init; }
    /// <summary>Arguments (<c>command</c>); null keeps the image's CMD.</summary>
    public IReadOnlyList<string>? Command { get; init; }
    /// <summary>Entrypoint; null keeps the image's ENTRYPOINT.</summary>
    public IReadOnlyList<string>? Entrypoint { get; init; }
    /// <summary>Environment (env_file values, then <c>environment</c>); a null value passes the name alone.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();
    /// <summary>The env_file paths whose values are in <see cref="Environment"/> (full paths).</summary>
    public IReadOnlyList<string> EnvFiles { get; init; } = Array.Empty<string>();
    /// <summary>Container labels (<c>labels</c>).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary>The <c>deploy</c> section.</summary>
    public ComposeDeploy Deploy { get; init; } = new();
    /// <summary>Health check, if the file sets one.</summary>
    public ComposeHealthcheck? Healthcheck { get; init; }
    /// <summary>Published ports.</summary>
    public IReadOnlyList<ComposePort> Ports { get; init; } = Array.Empty<ComposePort>();
    /// <summary>Mounts.</summary>
    public IReadOnlyList<ComposeServiceVolume> Volumes { get; init; } = Array.Empty<ComposeServiceVolume>();
    /// <summary>Networks the service joins; empty means the stack's <c>default</c> network.</summary>
    public IReadOnlyList<ComposeServiceNetwork> Networks { get; init; } = Array.Empty<ComposeServiceNetwork>();
    /// <summary>Secrets mounted in the container.</summary>
    public IReadOnlyList<ComposeFileReference> Secrets { get; init; } = Array.Empty<ComposeFileReference>();
    /// <summary>Configs mounted in the container.</summary>
    public IReadOnlyList<ComposeFileReference> Configs { get; init; } = Array.Empty<ComposeFileReference>();
    /// <summary>Extra /etc/hosts entries as <c>host:ip</c>.</summary>
    public IReadOnlyList<string> ExtraHosts { get; init; } = Array.Empty<string>();
    /// <summary>DNS servers.</summary>
    public IReadOnlyList<string> Dns { get; init; } = Array.Empty<string>();
    /// <summary>DNS search domains.</summary>
    public IReadOnlyList<string> DnsSearch { get; init; } = Array.Empty<string>();
    /// <summary>Capabilities added.</summary>
    public IReadOnlyList<string> CapAdd { get; init; } = Array.Empty<string>();
    /// <summary>Capabilities dropped.</summary>
    public IReadOnlyList<string> CapDrop { get; init; } = Array.Empty<string>();
    /// <summary>Kernel parameters.</summary>
    public IReadOnlyDictionary<string, string> Sysctls { get; init; } = new Dictionary<string, string>();
    /// <summary>Resource limits.</summary>
    public IReadOnlyList<ComposeUlimit> Ulimits { get; init; } = Array.Empty<ComposeUlimit>();
    /// <summary>tmpfs mount points (the service-level <c>tmpfs</c> key).</summary>
    public IReadOnlyList<string> Tmpfs { get; init; } = Array.Empty<string>();
    /// <summary>Log driver, if set.</summary>
    public ComposeLogging? Logging { get; init; }
    /// <summary>Services started before this one (<c>depends_on</c>), with the condition each must reach.</summary>
    public IReadOnlyList<ComposeDependency> DependsOn { get; init; } = Array.Empty<ComposeDependency>();
    /// <summary>Containers of the service (<c>scale</c>) when started as a compose project; null: 1.</summary>
    public ulong? Scale { get; init; }
    /// <summary>Memory limit in bytes (<c>mem_limit</c>) for containers started as a compose project.</summary>
    public long? MemLimitBytes { get; init; }
    /// <summary>CPU limit (<c>cpus</c>) for containers started as a compose project.</summary>
    public decimal? Cpus { get; init; }

    /// <summary>Published ports as text, e.g. <c>8080:80/tcp (host)</c>.</summary>
    public string PortsText => string.Join(", ", Ports.Select(p => p.ToString()));

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>A <c>depends_on</c> entry: the service waited for and the condition it must reach first.</summary>
public sealed class ComposeDependency
{
    /// <summary>Name of the service depended on.</summary>
    public required string Service { get; init; }
    /// <summary><c>service_started</c>, <c>service_healthy</c> or <c>service_completed_successfully</c>.</summary>
    public string Condition { get; init; } = "service_started";

    /// <inheritdoc/>
    public override string ToString() => $"{Service} ({Condition})";
}

/// <summary>The <c>deploy</c> section of a service.</summary>
public sealed class ComposeDeploy
{
    /// <summary><c>replicated</c> (null means replicated), <c>global</c>, <c>replicated-job</c>, <c>global-job</c>.</summary>
    public string? Mode { get; init; }
    /// <summary>Number of replicas.</summary>
    public ulong? Replicas { get; init; }
    /// <summary><c>vip</c> or <c>dnsrr</c>.</summary>
    public string? EndpointMode { get; init; }
    /// <summary>Service labels (<c>deploy.labels</c>).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary>Resource limits and reservations.</summary>
    public ComposeResources? Resources { get; init; }
    /// <summary>Placement constraints and preferences.</summary>
    public ComposePlacement? Placement { get; init; }
    /// <summary>Restart policy.</summary>
    public ComposeRestartPolicy? RestartPolicy { get; init; }
    /// <summary>Update policy.</summary>
    public ComposeUpdateConfig? UpdateConfig { get; init; }
    /// <summary>Rollback policy.</summary>
    public ComposeUpdateConfig? RollbackConfig { get; init; }
}

/// <summary>Resource limits and reservations.</summary>
public sealed class ComposeResources
{
    /// <summary>Upper limits.</summary>
    public ComposeResourceSpec? Limits { get; init; }
    /// <summary>Reservations.</summary>
    public ComposeResourceSpec? Reservations { get; init; }
}

/// <summary>CPU, memory and process limits or reservations.</summary>
public sealed class ComposeResourceSpec
{
    /// <summary>CPUs, e.g. 0.5.</summary>
    public decimal? Cpus { get; init; }
    /// <summary>Memory in bytes.</summary>
    public long? MemoryBytes { get; init; }
    /// <summary>Maximum number of processes (limits only).</summary>
    public long? Pids { get; init; }
    /// <summary>Generic resources as <c>kind=value</c> (reservations only).</summary>
    public IReadOnlyList<string> GenericResources { get; init; } = Array.Empty<string>();
}

/// <summary>Placement rules.</summary>
public sealed class ComposePlacement
{
    /// <summary>Constraints such as <c>node.role==manager</c>.</summary>
    public IReadOnlyList<string> Constraints { get; init; } = Array.Empty<string>();
    /// <summary>Spread preferences (the spread descriptor, e.g. <c>node.labels.zone</c>).</summary>
    public IReadOnlyList<string> Preferences { get; init; } = Array.Empty<string>();
    /// <summary>Maximum replicas per node.</summary>
    public ulong? MaxReplicasPerNode { get; init; }
}

/// <summary>Restart policy.</summary>
public sealed class ComposeRestartPolicy
{
    /// <summary><c>none</c>, <c>on-failure</c> or <c>any</c>.</summary>
    public string? Condition { get; init; }
    /// <summary>Delay between attempts.</summary>
    public TimeSpan? Delay { get; init; }
    /// <summary>Maximum attempts.</summary>
    public ulong? MaxAttempts { get; init; }
    /// <summary>Window used to decide whether a restart succeeded.</summary>
    public TimeSpan? Window { get; init; }
}

/// <summary>Update or rollback policy.</summary>
public sealed class ComposeUpdateConfig
{
    /// <summary>Tasks updated at once (null: 1).</summary>
    public ulong? Parallelism { get; init; }
    /// <summary>Delay between batches.</summary>
    public TimeSpan? Delay { get; init; }
    /// <summary><c>continue</c>, <c>rollback</c> or <c>pause</c>.</summary>
    public string? FailureAction { get; init; }
    /// <summary>Time to watch each task for failure.</summary>
    public TimeSpan? Monitor { get; init; }
    /// <summary>Tolerated failure ratio.</summary>
    public float? MaxFailureRatio { get; init; }
    /// <summary><c>stop-first</c> or <c>start-first</c>.</summary>
    public string? Order { get; init; }
}

/// <summary>Health check.</summary>
public sealed class ComposeHealthcheck
{
    /// <summary>Test as the API takes it: <c>CMD</c>/<c>CMD-SHELL</c>/<c>NONE</c> then arguments.</summary>
    public IReadOnlyList<string> Test { get; init; } = Array.Empty<string>();
    /// <summary>The check is disabled (<c>disable: true</c>).</summary>
    public bool Disable { get; init; }
    /// <summary>Time between checks.</summary>
    public TimeSpan? Interval { get; init; }
    /// <summary>Time after which a check fails.</summary>
    public TimeSpan? Timeout { get; init; }
    /// <summary>Grace period after start.</summary>
    public TimeSpan? StartPeriod { get; init; }
    /// <summary>Time between checks during the start period.</summary>
    public TimeSpan? StartInterval { get; init; }
    /// <summary>Consecutive failures before unhealthy.</summary>
    public ulong? Retries { get; init; }
}

/// <summary>A published port.</summary>
public sealed class ComposePort
{
    /// <summary>Port inside the container.</summary>
    public uint Target { get; init; }
    /// <summary>Port published on the nodes, if any.</summary>
    public uint? Published { get; init; }
    /// <summary><c>tcp</c>, <c>udp</c> or <c>sctp</c>.</summary>
    public string Protocol { get; init; } = "tcp";
    /// <summary><c>ingress</c> or <c>host</c>.</summary>
    public string Mode { get; init; } = "ingress";

    /// <inheritdoc/>
    public override string ToString() => (Published is { } p ? $"{p}:{Target}" : $"{Target}") + $"/{Protocol}" + (Mode == "host" ? " (host)" : string.Empty);
}

/// <summary>A mount of a service.</summary>
public sealed class ComposeServiceVolume
{
    /// <summary><c>volume</c>, <c>bind</c>, <c>tmpfs</c> or <c>npipe</c>.</summary>
    public required string Type { get; init; }
    /// <summary>Volume name or full host path; null for anonymous volumes and tmpfs.</summary>
    public string? Source { get; init; }
    /// <summary>Path in the container.</summary>
    public required string Target { get; init; }
    /// <summary>Mounted read-only.</summary>
    public bool ReadOnly { get; init; }
    /// <summary>Consistency (macOS).</summary>
    public string? Consistency { get; init; }
    /// <summary>Bind propagation, if set.</summary>
    public string? BindPropagation { get; init; }
    /// <summary>Do not copy image data into a new volume.</summary>
    public bool? VolumeNoCopy { get; init; }
    /// <summary>tmpfs size in bytes.</summary>
    public long? TmpfsSizeBytes { get; init; }

    /// <inheritdoc/>
    public override string ToString() => (Source is null ? Target : $"{Source}:{Target}") + (ReadOnly ? ":ro" : string.Empty);
}

/// <summary>A network a service joins.</summary>
public sealed class ComposeServiceNetwork
{
    /// <summary>Name of the network in the compose file.</summary>
    public required string Name { get; init; }
    /// <summary>Extra DNS aliases.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = Array.Empty<string>();
    /// <summary>Static IPv4 address (ignored by swarm).</summary>
    public string? Ipv4Address { get; init; }
    /// <summary>Static IPv6 address (ignored by swarm).</summary>
    public string? Ipv6Address { get; init; }

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>A secret or config mounted in a service.</summary>
public sealed class ComposeFileReference
{
    /// <summary>Name of the top-level secret or config.</summary>
    public required string Source { get; init; }
    /// <summary>File name or path in the container (null: the source name).</summary>
    public string? Target { get; init; }
    /// <summary>Owner uid (null: 0).</summary>
    public string? Uid { get; init; }
    /// <summary>Owner gid (null: 0).</summary>
    public string? Gid { get; init; }
    /// <summary>File mode (null: 0444).</summary>
    public uint? Mode { get; init; }

    /// <inheritdoc/>
    public override string ToString() => Target is null ? Source : $"{Source}:{Target}";
}

/// <summary>A ulimit.</summary>
public sealed class ComposeUlimit
{
    /// <summary>Limit name, e.g. <c>nofile</c>.</summary>
    public required string Name { get; init; }
    /// <summary>Soft limit.</summary>
    public long Soft { get; init; }
    /// <summary>Hard limit.</summary>
    public long Hard { get; init; }
}

/// <summary>Log driver of a service.</summary>
public sealed class ComposeLogging
{
    /// <summary>Driver name.</summary>
    public string? Driver { get; init; }
    /// <summary>Driver options.</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();
}
