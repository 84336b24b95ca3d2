using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Docker.DotNet.Models;
using OpsTools.Engine.Docker;
using OpsTools.Engine.Swarm;
using OpsTools.Postgres;
using OpsTools.Swarm;

namespace OpsTools.Engine.Postgres;

/// <summary>What a new pool should look like; the defaults are the platform's.</summary>
public sealed class PoolProvisionOptions
{
    /// <summary>Instances the pool may hold.</summary>
    public int MaxInstances { get; init; } = 50;
    /// <summary>Image of the service.</summary>
    public string Image { get; init; } = "postgres:18-alpine";
    /// <summary>Directory under which pool-N data directories are created (CephFS).</summary>
    public string StorageRoot { get; init; } = "/mnt/cephfs/postgres_pools";
    /// <summary>Overlay network the service joins.</summary>
    public string Network { get; init; } = "saasodoo-network";
    /// <summary>Placement constraint; empty for none.</summary>
    public string Placement { get; init; } = "node.labels.role==database";
    /// <summary>CPU limit (reservation is half).</summary>
    public double Cpus { get; init; } = 2;
    /// <summary>Memory limit in bytes (reservation is half).</summary>
    public long MemoryBytes { get; init; } = 4L * 1024 * 1024 * 1024;
    /// <summary>Host recorded in db_servers; null for the service name (resolvable on the overlay network).</summary>
    public string? HostName { get; init; }
    /// <summary>Port published in host mode and recorded in db_servers; null to publish nothing (port 5432 recorded).</summary>
    public int? PublishedPort { get; init; }
    /// <summary>PostgreSQL major version recorded and labelled; null to take it from the image tag.</summary>
    public string? PostgresVersion { get; init; }
    /// <summary>Allocation priority (lower is preferred).</summary>
    public int Priority { get; init; } = 100;
    /// <summary>Who provisions (recorded in provisioned_by).</summary>
    public string? ProvisionedBy { get; init; }
}

/// <summary>The name and places a new pool will get.</summary>
public sealed class PoolProvisionPlan
{
    /// <summary>Pool and service name, <c>postgres-pool-N</c>.</summary>
    public required string Name { get; init; }
    /// <summary>N.</summary>
    public int Number { get; init; }
    /// <summary>Data directory, <c>&lt;StorageRoot&gt;/pool-N</c>.</summary>
    public required string DataDirectory { get; init; }
    /// <summary>Host recorded in db_servers.</summary>
    public required string Host { get; init; }
    /// <summary>Port recorded in db_servers.</summary>
    public int Port { get; init; }
    /// <summary>PostgreSQL version recorded.</summary>
    public required string PostgresVersion { get; init; }
    /// <summary>The options the plan was made from.</summary>
    public required PoolProvisionOptions Options { get; init; }
}

/// <summary>A pool whose row exists: its id, its plan, and (inside the engine only) its admin password.</summary>
public sealed class PoolReservation
{
    internal PoolReservation(Guid id, PoolProvisionPlan plan, string password)
    {
        Id = id;
        Plan = plan;
        Password = password;
    }

    /// <summary>Row id.</summary>
    public Guid Id { get; }
    /// <summary>The plan as reserved (the name may differ from the first plan when another provisioner took it).</summary>
    public PoolProvisionPlan Plan { get; }
    /// <summary>Swarm service id, once created.</summary>
    public string? ServiceId { get; internal set; }
    internal string Password { get; }
}

/// <summary>How a new pool was seen to answer.</summary>
public enum PoolReadiness
{
    /// <summary>Not within the time allowed.</summary>
    TimedOut,
    /// <summary>OpsTools connected as the admin and ran SELECT 1.</summary>
    Connected,
    /// <summary>The pool's host does not resolve here (a service name on an overlay network); the service's own health check (pg_isready) passed.</summary>
    ServiceHealthy,
}

/// <summary>
/// Provisions the next <c>postgres-pool-N</c> exactly as the platform does: the name from the
/// number of shared pools, a data directory under the CephFS root owned by uid 999, a random
/// URL-safe admin password, and a Swarm service with the platform's labels, environment, bind
/// mount, resources, health check, restart and update policies and network. The row goes
/// provisioning, initializing, then active/healthy once the server answers (error/unhealthy
/// otherwise). Unlike the platform, a number already used by a row, a service or a directory is
/// skipped, and the row is inserted with ON CONFLICT so two provisioners never get one name.
/// </summary>
public sealed class PoolProvisioner
{
    /// <summary>Label marking pool services.</summary>
    public const string ServiceTypeLabel = "saasodoo.service.type";
    /// <summary>Label with the pool name.</summary>
    public const string PoolNameLabel = "saasodoo.pool.name";

    private const string NamePrefix = "postgres-pool-";
    private const int MaxNameAttempts = 50;

    private readonly PlatformDatabase _platform;
    private readonly DockerConnection _docker;

    /// <summary>Creates the provisioner.</summary>
    /// <param name="platform">The platform database.</param>
    /// <param name="docker">A swarm manager.</param>
    public PoolProvisioner(PlatformDatabase platform, DockerConnection docker)
    {
        _platform = platform ?? throw new ArgumentNullException(nameof(platform));
        _docker = docker ?? throw new ArgumentNullException(nameof(docker));
    }

    /// <summary>Picks the name and places of the next pool (reads only).</summary>
    /// <param name="options">What the pool should look like.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The plan.</returns>
    public async Task<PoolProvisionPlan> PlanAsync(PoolProvisionOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        await RequireNetworkAsync(options.Network, cancellationToken).ConfigureAwait(false);
        (HashSet<string> rows, int sharedPools) = await _platform.GetPoolNamesAsync(cancellationToken).ConfigureAwait(false);
        HashSet<string> services = (await new SwarmInspector(_docker).GetServicesAsync(null, cancellationToken).ConfigureAwait(false))
            .Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        return PlanFrom(options, sharedPools + 1, rows, services);
    }

    /// <summary>
    /// Inserts the row (status provisioning) with a fresh admin password. When another provisioner
    /// took the name in the meantime, the next free number is tried.
    /// </summary>
    /// <param name="plan">The plan.</param>
    /// <param name="cancellationToken">Cancels the insert.</param>
    /// <returns>The reservation.</returns>
    public async Task<PoolReservation> ReserveAsync(PoolProvisionPlan plan, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        string password = NewPassword();
        PoolProvisionPlan current = plan;
        for (int attempt = 0; attempt < MaxNameAttempts; attempt++)
        {
            PoolProvisionOptions o = current.Options;
            Guid? id = await _platform.InsertProvisioningPoolAsync(
                new PoolRowDraft
                {
                    Name = current.Name,
                    Host = current.Host,
                    Port = current.Port,
                    MaxInstances = o.MaxInstances,
                    ServiceName = current.Name,
                    NodePlacement = o.Placement,
                    CpuLimit = o.Cpus.ToString(CultureInfo.InvariantCulture),
                    MemoryLimit = FormatMemory(o.MemoryBytes),
                    StoragePath = current.DataDirectory,
                    PostgresVersion = current.PostgresVersion,
                    Image = o.Image,
                    AdminUser = "postgres",
                    AdminPassword = password,
                    Priority = o.Priority,
                    ProvisionedBy = o.ProvisionedBy,
                },
                cancellationToken).ConfigureAwait(false);
            if (id is { } reserved)
            {
                return new PoolReservation(reserved, current, password);
            }

            (HashSet<string> rows, _) = await _platform.GetPoolNamesAsync(cancellationToken).ConfigureAwait(false);
            HashSet<string> services = (await new SwarmInspector(_docker).GetServicesAsync(null, cancellationToken).ConfigureAwait(false))
                .Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
            current = PlanFrom(current.Options, current.Number + 1, rows, services);
        }

        throw new OpsToolsException(
            "PoolNameUnavailable",
            OpsToolsErrorKind.ResourceExists,
            $"No free pool name was found after {MaxNameAttempts} attempts.",
            plan.Name,
            "Check db_servers and the Swarm services for leftover postgres-pool-N entries.");
    }

    /// <summary>Creates the data directory (uid 999, mode 0700).</summary>
    /// <param name="reservation">The reservation.</param>
    public static void CreateDataDirectory(PoolReservation reservation)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        PoolStorage.CreateDataDirectory(reservation.Plan.DataDirectory);
    }

    /// <summary>Creates the Swarm service and moves the row to initializing.</summary>
    /// <param name="reservation">The reservation.</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <returns>The service id.</returns>
    public async Task<string> CreateServiceAsync(PoolReservation reservation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        ServiceSpec spec = BuildServiceSpec(reservation.Plan, reservation.Password);
        ServiceCreateResponse created = await _docker.RunAsync((client, ct) => client.Swarm.CreateServiceAsync(new ServiceCreateParameters { Service = spec }, ct), cancellationToken).ConfigureAwait(false);
        string serviceId = created.ID ?? throw new OpsToolsException("DockerApiError", OpsToolsErrorKind.InvalidData, $"The daemon did not return an id for service {spec.Name}.", spec.Name);
        reservation.ServiceId = serviceId;
        await _platform.MarkInitializingAsync(reservation.Id, serviceId, cancellationToken).ConfigureAwait(false);
        return serviceId;
    }

    /// <summary>
    /// Waits until the pool answers: a connection as its admin with SELECT 1 (polled every second),
    /// or, where its host does not resolve from here, a running task whose health check passed.
    /// </summary>
    /// <param name="reservation">The reservation.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="progress">Receives the time waited so far.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>How the pool was seen to answer, and the last error while waiting.</returns>
    public async Task<(PoolReadiness Readiness, string? LastError)> WaitUntilAnswersAsync(PoolReservation reservation, TimeSpan timeout, IProgress<TimeSpan>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var pool = new DatabasePool { Name = reservation.Plan.Name, Host = reservation.Plan.Host, Port = reservation.Plan.Port, PlatformServer = _platform.DisplayName, Id = reservation.Id };
        string? lastError = null;
        while (watch.Elapsed < timeout)
        {
            progress?.Report(watch.Elapsed);
            TimeSpan attempt = TimeSpan.FromSeconds(Math.Clamp((timeout - watch.Elapsed).TotalSeconds, 1, 3));
            PoolProbe probe = await PoolHealthService.ProbeOneAsync(pool, "postgres", reservation.Password, attempt, cancellationToken).ConfigureAwait(false);
            if (probe.Outcome == PoolCheckOutcome.Succeeded)
            {
                return (PoolReadiness.Connected, null);
            }

            lastError = probe.Error;
            if (probe.ErrorCode == "PostgresHostNotFound" && await HasHealthyTaskAsync(reservation, cancellationToken).ConfigureAwait(false))
            {
                return (PoolReadiness.ServiceHealthy, lastError);
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        }

        return (PoolReadiness.TimedOut, lastError);
    }

    /// <summary>initializing -> active/healthy.</summary>
    /// <param name="reservation">The reservation.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The row as it is now.</returns>
    public async Task<DatabasePool> ActivateAsync(PoolReservation reservation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        await _platform.MarkActiveAsync(reservation.Id, cancellationToken).ConfigureAwait(false);
        return await ReadAsync(reservation, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Provisioning failed: error/unhealthy, as the platform records it.</summary>
    /// <param name="reservation">The reservation.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The row as it is now.</returns>
    public async Task<DatabasePool> MarkFailedAsync(PoolReservation reservation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        await _platform.MarkProvisioningFailedAsync(reservation.Id, cancellationToken).ConfigureAwait(false);
        return await ReadAsync(reservation, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the pool's row.</summary>
    /// <param name="reservation">The reservation.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The row.</returns>
    public async Task<DatabasePool> ReadAsync(PoolReservation reservation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        return await _platform.GetPoolAsync(reservation.Id, cancellationToken).ConfigureAwait(false)
            ?? throw new OpsToolsException("PoolNotFound", OpsToolsErrorKind.ObjectNotFound, $"The row of {reservation.Plan.Name} was deleted meanwhile.", reservation.Plan.Name);
    }

    /// <summary>Parses a memory size the way the platform and docker write it: 4G, 512M, 1.5G, 1073741824 (binary units).</summary>
    /// <param name="text">The size.</param>
    /// <param name="bytes">The bytes.</param>
    /// <returns>Whether it parsed.</returns>
    public static bool TryParseMemory(string text, out long bytes)
    {
        bytes = 0;
        Match match = Regex.Match(text ?? string.Empty, @"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        if (!match.Success)
        {
            return false;
        }

        double value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        int power = "kmgt".IndexOf(char.ToLowerInvariant(match.Groups[2].Value.FirstOrDefault('b')), StringComparison.Ordinal) + 1;
        bytes = (long)(value * Math.Pow(1024, power));
        return bytes > 0;
    }

    /// <summary>Writes bytes the way the platform records limits: 4G, 512M, or plain bytes.</summary>
    /// <param name="bytes">The bytes.</param>
    /// <returns>The text.</returns>
    public static string FormatMemory(long bytes)
    {
        foreach ((string unit, long size) in new[] { ("T", 1L << 40), ("G", 1L << 30), ("M", 1L << 20), ("K", 1L << 10) })
        {
            if (bytes >= size && bytes % size == 0)
            {
                return (bytes / size).ToString(CultureInfo.InvariantCulture) + unit;
            }
        }

        return bytes.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The Swarm service the platform creates for a pool.</summary>
    internal static ServiceSpec BuildServiceSpec(PoolProvisionPlan plan, string password)
    {
        PoolProvisionOptions o = plan.Options;
        long nanoCpus = (long)(o.Cpus * 1e9);
        var spec = new ServiceSpec
        {
            Name = plan.Name,
            Labels = new Dictionary<string, string>
            {
                [ServiceTypeLabel] = "database-pool",
                [PoolNameLabel] = plan.Name,
                ["saasodoo.pool.max_instances"] = o.MaxInstances.ToString(CultureInfo.InvariantCulture),
                ["saasodoo.postgres.version"] = plan.PostgresVersion,
            },
            Mode = new ServiceMode { Replicated = new ReplicatedService { Replicas = 1 } },
            TaskTemplate = new TaskSpec
            {
                ContainerSpec = new ContainerSpec
                {
                    Image = o.Image,
                    Env = new List<string>
                    {
                        "POSTGRES_USER=postgres",
                        "POSTGRES_PASSWORD=" + password,
                        "POSTGRES_DB=postgres",
                        "PGDATA=/var/lib/postgresql/data/pgdata",
                    },
                    Mounts = new List<Mount>
                    {
                        new() { Type = "bind", Source = plan.DataDirectory, Target = "/var/lib/postgresql/data" },
                    },
                    Healthcheck = new HealthcheckConfig
                    {
                        Test = new List<string> { "CMD-SHELL", "pg_isready -U postgres" },
                        Interval = TimeSpan.FromSeconds(10),
                        Timeout = TimeSpan.FromSeconds(5),
                        Retries = 5,
                        StartPeriod = TimeSpan.FromSeconds(30),
                    },
                },
                Resources = new ResourceRequirements
                {
                    Limits = new SwarmLimit { NanoCPUs = nanoCpus, MemoryBytes = o.MemoryBytes },
                    Reservations = new SwarmResources { NanoCPUs = nanoCpus / 2, MemoryBytes = o.MemoryBytes / 2 },
                },
                RestartPolicy = new SwarmRestartPolicy { Condition = "any", Delay = TimeSpan.FromSeconds(5), MaxAttempts = 3 },
                Placement = new Placement { Constraints = string.IsNullOrWhiteSpace(o.Placement) ? new List<string>() : new List<string> { o.Placement } },
                Networks = new List<NetworkAttachmentConfig> { new() { Target = o.Network } },
            },
            UpdateConfig = new SwarmUpdateConfig { Parallelism = 1, Delay = TimeSpan.FromSeconds(10), FailureAction = "rollback" },
        };
        if (o.PublishedPort is { } published)
        {
            spec.EndpointSpec = new EndpointSpec
            {
                Ports = new List<PortConfig> { new() { Protocol = "tcp", TargetPort = 5432, PublishedPort = (uint)published, PublishMode = "host" } },
            };
        }

        return spec;
    }

    /// <summary>The major version in an image tag: postgres:18-alpine gives 18, lab/postgres:15 gives 15.</summary>
    internal static string? VersionFromImage(string image)
    {
        string withoutDigest = image.Split('@')[0];
        int colon = withoutDigest.LastIndexOf(':');
        if (colon < 0 || withoutDigest.IndexOf('/', colon) >= 0)
        {
            return null;
        }

        Match match = Regex.Match(withoutDigest[(colon + 1)..], @"^(\d+)", RegexOptions.CultureInvariant);
        return match.Success ? match.Groups[1].Value : null;
    }

    /// <summary>The network must exist before anything is created: the daemon would only say so after the row and directory exist.</summary>
    private async Task RequireNetworkAsync(string network, CancellationToken cancellationToken)
    {
        try
        {
            await _docker.RunAsync((client, ct) => client.Networks.InspectNetworkAsync(network, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (OpsToolsException ex) when (ex.Kind == OpsToolsErrorKind.ObjectNotFound)
        {
            throw new OpsToolsException(
                "PoolNetworkNotFound",
                OpsToolsErrorKind.ObjectNotFound,
                $"The network '{network}' does not exist on {_docker.Endpoint.DisplayName}.",
                network,
                $"Create it (docker network create --driver overlay --attachable {network}) or pass the platform's network with -Network.",
                ex);
        }
    }

    private static PoolProvisionPlan PlanFrom(PoolProvisionOptions options, int firstNumber, HashSet<string> rows, HashSet<string> services)
    {
        for (int number = Math.Max(1, firstNumber); ; number++)
        {
            string name = NamePrefix + number.ToString(CultureInfo.InvariantCulture);
            string directory = Path.Combine(options.StorageRoot, "pool-" + number.ToString(CultureInfo.InvariantCulture));
            if (rows.Contains(name) || services.Contains(name) || Directory.Exists(directory) || File.Exists(directory))
            {
                continue;
            }

            return new PoolProvisionPlan
            {
                Name = name,
                Number = number,
                DataDirectory = directory,
                Host = options.HostName ?? name,
                Port = options.PublishedPort ?? 5432,
                PostgresVersion = options.PostgresVersion ?? VersionFromImage(options.Image) ?? "18",
                Options = options,
            };
        }
    }

    private static string NewPassword()
    {
        // URL-safe, like the platform's secrets.token_urlsafe(32).
        return Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private async Task<bool> HasHealthyTaskAsync(PoolReservation reservation, CancellationToken cancellationToken)
    {
        if (reservation.ServiceId is null)
        {
            return false;
        }

        // A task of a service with a health check reaches Running only once the check passed.
        IReadOnlyList<SwarmTask> tasks = await new SwarmInspector(_docker).GetTasksAsync(new[] { reservation.ServiceId }, SwarmTaskState.Running, cancellationToken).ConfigureAwait(false);
        return tasks.Any(t => t.CurrentState == SwarmTaskState.Running);
    }
}
