using System;
using System.Collections.Generic;
using System.Net;

namespace OpsTools.Engine.Health;

/// <summary>
/// What <see cref="OpsHealthReporter"/> checks. A layer is checked only when its options are set,
/// so a compose-only platform configures just the layers it has. Built from the operator's
/// <c>ops-health.psd1</c> by the cmdlet.
/// </summary>
public sealed class OpsHealthReportOptions
{
    /// <summary>Swarm services and failing tasks.</summary>
    public SwarmHealthOptions? Swarm { get; init; }

    /// <summary>Swarm nodes.</summary>
    public NodeHealthOptions? Nodes { get; init; }

    /// <summary>Database pools of the platform.</summary>
    public PoolHealthOptions? Pools { get; init; }

    /// <summary>Ceph health and CephFS quotas.</summary>
    public CephHealthOptions? Ceph { get; init; }

    /// <summary>Instance backups.</summary>
    public BackupHealthOptions? Backups { get; init; }

    /// <summary>Compose projects (without Swarm).</summary>
    public ComposeHealthOptions? Compose { get; init; }

    /// <summary>HTTP(S) endpoints.</summary>
    public EndpointHealthOptions? Endpoints { get; init; }

    /// <summary>Redis servers.</summary>
    public IReadOnlyList<RedisHealthOptions> Redis { get; init; } = Array.Empty<RedisHealthOptions>();

    /// <summary>Job queues.</summary>
    public IReadOnlyList<QueueHealthOptions> Queues { get; init; } = Array.Empty<QueueHealthOptions>();
}

/// <summary>Compose services with containers that should run and do not, or that are unhealthy.</summary>
public sealed class ComposeHealthOptions : DockerLayerOptions
{
    /// <summary>Which projects to check (the cmdlet builds it from wildcard patterns); null: all.</summary>
    public Func<string, bool>? IncludeProject { get; init; }
}

/// <summary>HTTP(S) endpoints checked in parallel, each with its own expectations.</summary>
public sealed class EndpointHealthOptions
{
    /// <summary>The endpoints.</summary>
    public required IReadOnlyList<EndpointHealthTarget> Targets { get; init; }

    /// <summary>Time allowed per request (connect, headers and body).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Requests at once.</summary>
    public int ThrottleLimit { get; init; } = 16;

    /// <summary>Accept any TLS certificate.</summary>
    public bool SkipCertificateCheck { get; init; }
}

/// <summary>One endpoint of the report.</summary>
/// <param name="Uri">Address.</param>
/// <param name="ExpectStatus">Accepted status codes; empty: any 2xx.</param>
/// <param name="ExpectJson">Top-level JSON properties the body must have, with their values.</param>
public sealed record EndpointHealthTarget(Uri Uri, IReadOnlyCollection<int> ExpectStatus, IReadOnlyDictionary<string, object?> ExpectJson);

/// <summary>A Redis server whose persistence must work and whose memory must not be full.</summary>
public sealed class RedisHealthOptions
{
    /// <summary>Server text (<c>host:port</c>, <c>redis://...</c>), as <c>Get-RedisInfo -Server</c> takes it.</summary>
    public required string Server { get; init; }

    /// <summary>Password (from the environment variable the configuration names), or null.</summary>
    public NetworkCredential? Credential { get; init; }

    /// <summary>Time allowed to connect and read INFO.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Percent of maxmemory from which memory is a warning.</summary>
    public double MemoryWarningPercent { get; init; } = 90;
}

/// <summary>What kind of job queue.</summary>
public enum QueueKind
{
    /// <summary>Celery on a Redis broker.</summary>
    Celery,
    /// <summary>Jobs in a PostgreSQL table.</summary>
    PostgresTable,
}

/// <summary>A job queue and the limits it must stay within.</summary>
public sealed class QueueHealthOptions
{
    /// <summary>Kind of queue.</summary>
    public QueueKind Kind { get; init; }

    /// <summary>Celery: the broker URI. PostgresTable: the server text.</summary>
    public required string Server { get; init; }

    /// <summary>Celery: queue names (empty: those the workers declared, else <c>celery</c>). PostgresTable: unused.</summary>
    public IReadOnlyList<string> Queues { get; init; } = Array.Empty<string>();

    /// <summary>Credential: the broker password, or the PostgreSQL login (null: PG variables and .pgpass).</summary>
    public NetworkCredential? Credential { get; init; }

    /// <summary>PostgresTable: database.</summary>
    public string? Database { get; init; }

    /// <summary>PostgresTable: table, optionally schema-qualified.</summary>
    public string? Table { get; init; }

    /// <summary>PostgresTable: status column.</summary>
    public string StatusColumn { get; init; } = "status";

    /// <summary>PostgresTable: creation time column.</summary>
    public string CreatedColumn { get; init; } = "created_at";

    /// <summary>PostgresTable: statuses that count as pending.</summary>
    public IReadOnlyList<string> PendingStatus { get; init; } = new[] { "pending", "queued" };

    /// <summary>Waiting (pending) messages from which the queue is a warning; null: no limit.</summary>
    public long? MaxLength { get; init; }

    /// <summary>Age of the oldest pending job (PostgresTable) or unacknowledged message (Celery) from which it is a warning; null: no limit.</summary>
    public TimeSpan? MaxAge { get; init; }

    /// <summary>Time allowed to read the queue.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>Docker endpoint shared by the Docker layers.</summary>
public abstract class DockerLayerOptions
{
    /// <summary>Docker endpoint of a swarm manager; null: DOCKER_HOST, the current context, the local socket.</summary>
    public string? DockerHost { get; init; }
}

/// <summary>Swarm services that are not fully running, and tasks that failed recently.</summary>
public sealed class SwarmHealthOptions : DockerLayerOptions
{
    /// <summary>Which services to check, by name (the cmdlet builds it from wildcard patterns); null: all.</summary>
    public Func<string, bool>? IncludeService { get; init; }

    /// <summary>Failed or rejected tasks younger than this are reported.</summary>
    public TimeSpan FailedTaskWindow { get; init; } = TimeSpan.FromHours(1);
}

/// <summary>Swarm nodes that are down or left drained.</summary>
public sealed class NodeHealthOptions : DockerLayerOptions
{
    /// <summary>Whether a drained or paused node is reported (as a warning).</summary>
    public bool ReportDrained { get; init; } = true;
}

/// <summary>The platform's database pools, checked live (connect and SELECT 1) without recording anything.</summary>
public sealed class PoolHealthOptions
{
    /// <summary>The platform database server text (as -PlatformServer takes it).</summary>
    public required string PlatformServer { get; init; }

    /// <summary>Platform database credential; null: PG variables and .pgpass.</summary>
    public NetworkCredential? PlatformCredential { get; init; }

    /// <summary>Which pools to check, by name (the cmdlet builds it from wildcard patterns); null: all.</summary>
    public Func<string, bool>? IncludePool { get; init; }

    /// <summary>Time allowed per pool.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Pools checked at once.</summary>
    public int ThrottleLimit { get; init; } = 8;
}

/// <summary>Ceph health checks and CephFS directories near their quota.</summary>
public sealed class CephHealthOptions
{
    /// <summary>Cluster name; null: <c>ceph</c>.</summary>
    public string? Cluster { get; init; }

    /// <summary>ceph.conf path.</summary>
    public string? ConfigPath { get; init; }

    /// <summary>Keyring path.</summary>
    public string? Keyring { get; init; }

    /// <summary>Client id (without <c>client.</c>).</summary>
    public string? Id { get; init; }

    /// <summary>Time allowed for the ceph CLI and each directory read.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether the cluster's health checks are read (needs the ceph CLI and a key).</summary>
    public bool CheckCluster { get; init; } = true;

    /// <summary>Directories whose sub-directories' quotas are checked (e.g. <c>/mnt/cephfs/odoo_instances</c>).</summary>
    public IReadOnlyList<string> QuotaRoots { get; init; } = Array.Empty<string>();

    /// <summary>Percent of the byte quota from which a directory is a warning.</summary>
    public double QuotaWarningPercent { get; init; } = 85;

    /// <summary>Percent of the byte quota from which a directory is critical.</summary>
    public double QuotaCriticalPercent { get; init; } = 95;
}

/// <summary>Instances whose newest complete backup is older than allowed.</summary>
public sealed class BackupHealthOptions
{
    /// <summary>Backup directories (every layout <c>Get-OdooBackup</c> reads).</summary>
    public required IReadOnlyList<string> Paths { get; init; }

    /// <summary>Allowed age of an instance's newest complete backup.</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromHours(26);

    /// <summary>Which instances (database names) to check (the cmdlet builds it from wildcard patterns); null: all.</summary>
    public Func<string, bool>? IncludeInstance { get; init; }

    /// <summary>Platform database, to list the instances that should have backups; null: only the backups found.</summary>
    public string? PlatformServer { get; init; }

    /// <summary>Platform database credential; null: PG variables and .pgpass.</summary>
    public NetworkCredential? PlatformCredential { get; init; }
}
