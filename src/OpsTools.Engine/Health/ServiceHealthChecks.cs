using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using OpsTools.Compose;
using OpsTools.Engine.Compose;
using OpsTools.Engine.Docker;
using OpsTools.Engine.Http;
using OpsTools.Engine.Postgres;
using OpsTools.Engine.Redis;
using OpsTools.Health;
using OpsTools.Http;
using OpsTools.Postgres;
using OpsTools.Redis;

namespace OpsTools.Engine.Health;

/// <summary>Text shared by the layer checks.</summary>
internal static class Findings
{
    /// <summary>An age as an operator reads it: <c>45 s</c>, <c>12 min</c>, <c>3.5 h</c>, <c>2.1 days</c>.</summary>
    public static string Age(TimeSpan age) =>
        age.TotalDays >= 2 ? string.Create(CultureInfo.InvariantCulture, $"{age.TotalDays:0.#} days")
        : age.TotalHours >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{age.TotalHours:0.#} h")
        : age.TotalMinutes >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{Math.Floor(age.TotalMinutes):0} min")
        : string.Create(CultureInfo.InvariantCulture, $"{Math.Round(age.TotalSeconds):0} s");
}

/// <summary>
/// Compose services (one inventory call, one-offs left out) with a container that should run and
/// does not: restarting, dead, exited with a non-zero code, never started (critical when no
/// container of the service runs), or running but unhealthy. A container that exited 0 is a finished
/// one-shot (a migration), not a failure.
/// </summary>
internal sealed class ComposeLayerCheck : OpsHealthLayerCheck
{
    private readonly ComposeHealthOptions _options;

    public ComposeLayerCheck(ComposeHealthOptions options) => _options = options;

    public override OpsHealthLayer Layer => OpsHealthLayer.Compose;

    public override string Source => _options.DockerHost ?? "default Docker endpoint";

    public override async Task<IReadOnlyList<OpsHealthFinding>> RunAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        DockerConnection connection = DockerConnection.Get(_options.DockerHost);
        string source = connection.Endpoint.DisplayName;
        IReadOnlyList<ComposeContainer> containers = await new ComposeInventory(connection).GetContainersAsync(null, includeOneOff: false, detailed: false, cancellationToken).ConfigureAwait(false);
        var findings = new List<OpsHealthFinding>();
        foreach (ComposeServiceInfo service in ComposeInventory.GroupServices(containers.Where(c => _options.IncludeProject?.Invoke(c.Project) ?? true))
            .OrderBy(s => s.Project, StringComparer.Ordinal).ThenBy(s => s.Name, StringComparer.Ordinal))
        {
            List<ComposeContainer> down = service.Containers.Where(IsDown).ToList();
            List<ComposeContainer> unhealthy = service.Containers.Where(c => c.State == ComposeContainerState.Running && c.Health == ComposeHealth.Unhealthy).ToList();
            string target = $"{service.Project}/{service.Name}";
            string next = $"Get-ComposeServiceLog -Project '{service.Project}' -Name '{service.Name}' -Tail 50";
            if (down.Count > 0)
            {
                bool noneRuns = !service.Containers.Any(c => c.State == ComposeContainerState.Running);
                findings.Add(Finding(
                    noneRuns ? OpsHealthSeverity.Critical : OpsHealthSeverity.Warning,
                    target,
                    "ComposeServiceDown",
                    string.Create(CultureInfo.InvariantCulture, $"{service.Running} of {service.Total} containers running; {string.Join(", ", down.Select(Describe))}"),
                    next,
                    source,
                    now));
            }

            if (unhealthy.Count > 0)
            {
                findings.Add(Finding(OpsHealthSeverity.Warning, target, "ComposeServiceUnhealthy", $"{string.Join(", ", unhealthy.Select(c => c.Name))} unhealthy", $"Get-ComposeContainer -Project '{service.Project}' -Service '{service.Name}' | Format-List Name, State, Health, Status", source, now));
            }
        }

        return findings;
    }

    private static bool IsDown(ComposeContainer container) => container.State switch
    {
        ComposeContainerState.Restarting or ComposeContainerState.Dead or ComposeContainerState.Created => true,
        ComposeContainerState.Exited => container.ExitCode is not 0,
        _ => false,
    };

    private static string Describe(ComposeContainer container) => container.State == ComposeContainerState.Exited && container.ExitCode is int code
        ? string.Create(CultureInfo.InvariantCulture, $"{container.Name} exited with code {code}")
        : $"{container.Name} {container.State.ToString().ToLowerInvariant()}";
}

/// <summary>HTTP(S) endpoints checked in parallel, each against its own expectations; every failing one is critical.</summary>
internal sealed class EndpointLayerCheck : OpsHealthLayerCheck
{
    private readonly EndpointHealthOptions _options;

    public EndpointLayerCheck(EndpointHealthOptions options) => _options = options;

    public override OpsHealthLayer Layer => OpsHealthLayer.Endpoint;

    public override string Source => "HTTP";

    public override async Task<IReadOnlyList<OpsHealthFinding>> RunAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        using var checker = new EndpointChecker(_options.Timeout, _options.SkipCertificateCheck);
        var results = new ServiceEndpointCheck[_options.Targets.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, _options.Targets.Count),
            new ParallelOptions { MaxDegreeOfParallelism = _options.ThrottleLimit, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                EndpointHealthTarget target = _options.Targets[i];
                results[i] = await checker.CheckAsync(
                    new EndpointTarget(target.Uri),
                    new EndpointExpectations { Status = target.ExpectStatus, Json = target.ExpectJson },
                    ct).ConfigureAwait(false);
            }).ConfigureAwait(false);
        return results
            .Where(r => !r.Healthy)
            .Select(r => Finding(
                OpsHealthSeverity.Critical,
                r.Uri.ToString(),
                "EndpointUnhealthy",
                $"{r.Reason}{(r.StatusCode is int status ? string.Create(CultureInfo.InvariantCulture, $" (HTTP {status})") : string.Empty)}{(r.FailedExpectations.Count > 0 ? ": " + string.Join("; ", r.FailedExpectations) : string.IsNullOrEmpty(r.Detail) ? string.Empty : ": " + r.Detail)}",
                $"Test-ServiceEndpoint -Uri '{r.Uri}'",
                Source,
                now))
            .ToList();
    }
}

/// <summary>
/// Redis servers: unreachable (critical), last RDB save or AOF write failed (critical), last AOF
/// rewrite failed or still loading (warning), memory at or above the warning share of maxmemory
/// (warning). Servers are read in parallel; one that fails does not hide the others.
/// </summary>
internal sealed class RedisLayerCheck : OpsHealthLayerCheck
{
    private readonly IReadOnlyList<RedisHealthOptions> _servers;

    public RedisLayerCheck(IReadOnlyList<RedisHealthOptions> servers) => _servers = servers;

    public override OpsHealthLayer Layer => OpsHealthLayer.Redis;

    public override string Source => string.Join(", ", _servers.Select(s => RedisEndpoint.RedactUserInfo(s.Server)));

    public override async Task<IReadOnlyList<OpsHealthFinding>> RunAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        IReadOnlyList<OpsHealthFinding>[] perServer = await Task.WhenAll(_servers.Select(s => CheckAsync(s, now, cancellationToken))).ConfigureAwait(false);
        return perServer.SelectMany(f => f).ToList();
    }

    private async Task<IReadOnlyList<OpsHealthFinding>> CheckAsync(RedisHealthOptions options, DateTimeOffset now, CancellationToken cancellationToken)
    {
        RedisEndpoint endpoint;
        RedisInfo info;
        try
        {
            endpoint = RedisEndpoint.Parse(options.Server, options.Credential);
            info = await RedisInfoReader.ReadAsync(endpoint, options.Timeout, null, cancellationToken).ConfigureAwait(false);
        }
        catch (OpsToolsException ex)
        {
            string safe = RedisEndpoint.RedactUserInfo(options.Server);
            return new[] { Finding(OpsHealthSeverity.Critical, safe, "RedisUnreachable", ex.Message, $"Test-RedisReady -Server '{safe}'", safe, now) };
        }

        string target = endpoint.Display;
        string next = $"Get-RedisInfo -Server '{RedisEndpoint.RedactUserInfo(options.Server)}' | Format-List *";
        var findings = new List<OpsHealthFinding>();
        if (!IsOk(info.RdbLastSaveStatus))
        {
            findings.Add(Finding(OpsHealthSeverity.Critical, target, "RedisPersistenceFailing", $"The last RDB save failed (rdb_last_bgsave_status {info.RdbLastSaveStatus}); {info.RdbChangesSinceLastSave} change(s) not saved", next, target, now));
        }

        if (info.AofEnabled && !IsOk(info.AofLastWriteStatus))
        {
            findings.Add(Finding(OpsHealthSeverity.Critical, target, "RedisPersistenceFailing", $"AOF writes are failing (aof_last_write_status {info.AofLastWriteStatus})", next, target, now));
        }

        if (info.AofEnabled && !IsOk(info.AofLastRewriteStatus))
        {
            findings.Add(Finding(OpsHealthSeverity.Warning, target, "RedisAofRewriteFailed", $"The last AOF rewrite failed (aof_last_bgrewrite_status {info.AofLastRewriteStatus})", next, target, now));
        }

        if (info.Loading)
        {
            findings.Add(Finding(OpsHealthSeverity.Warning, target, "RedisLoading", "Redis is loading its data set and refuses commands until done", next, target, now));
        }

        if (info.MaxMemoryBytes > 0 && info.UsedMemoryBytes * 100.0 / info.MaxMemoryBytes >= options.MemoryWarningPercent)
        {
            findings.Add(Finding(
                OpsHealthSeverity.Warning,
                target,
                "RedisMemoryNearlyFull",
                string.Create(CultureInfo.InvariantCulture, $"{info.UsedMemoryBytes * 100.0 / info.MaxMemoryBytes:0.#}% of maxmemory used ({ByteSize.Format(info.UsedMemoryBytes)} of {ByteSize.Format(info.MaxMemoryBytes)}, policy {info.MaxMemoryPolicy})"),
                next,
                target,
                now));
        }

        return findings;
    }

    private static bool IsOk(string? status) => status is null || string.Equals(status, "ok", StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// Job queues: Celery queues on a Redis broker and job tables in PostgreSQL, each with a limit on
/// waiting messages and on the age of the oldest pending (unacknowledged) one. A queue over a limit
/// is a warning; a queue that cannot be read is critical.
/// </summary>
internal sealed class QueueLayerCheck : OpsHealthLayerCheck
{
    private readonly IReadOnlyList<QueueHealthOptions> _queues;

    public QueueLayerCheck(IReadOnlyList<QueueHealthOptions> queues) => _queues = queues;

    public override OpsHealthLayer Layer => OpsHealthLayer.Queue;

    public override string Source => string.Join(", ", _queues.Select(q => q.Table ?? RedisEndpoint.RedactUserInfo(q.Server)));

    public override async Task<IReadOnlyList<OpsHealthFinding>> RunAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        IReadOnlyList<OpsHealthFinding>[] perQueue = await Task.WhenAll(_queues.Select(q => CheckAsync(q, now, cancellationToken))).ConfigureAwait(false);
        return perQueue.SelectMany(f => f).ToList();
    }

    private async Task<IReadOnlyList<OpsHealthFinding>> CheckAsync(QueueHealthOptions queue, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            return queue.Kind == QueueKind.Celery
                ? await CeleryAsync(queue, now, cancellationToken).ConfigureAwait(false)
                : await TableAsync(queue, now, cancellationToken).ConfigureAwait(false);
        }
        catch (OpsToolsException ex)
        {
            string target = queue.Kind == QueueKind.Celery ? RedisEndpoint.RedactUserInfo(queue.Server) : $"{queue.Database}.{queue.Table}";
            return new[] { Finding(OpsHealthSeverity.Critical, target, "QueueUnreadable", ex.Message, ex.RecommendedAction, queue.Kind.ToString(), now) };
        }
    }

    private async Task<IReadOnlyList<OpsHealthFinding>> CeleryAsync(QueueHealthOptions queue, DateTimeOffset now, CancellationToken cancellationToken)
    {
        RedisEndpoint endpoint = CeleryQueueReader.ParseBroker(queue.Server, queue.Credential);
        IReadOnlyList<CeleryQueue> read = await CeleryQueueReader.ReadAsync(endpoint, queue.Queues, queue.Timeout, cancellationToken).ConfigureAwait(false);
        var findings = new List<OpsHealthFinding>();
        foreach (CeleryQueue celery in read)
        {
            string target = $"{endpoint.SafeUri} {celery.Queue}";
            string next = $"Get-CeleryQueue -Broker '{endpoint.SafeUri}' -Queue '{celery.Queue}'";
            if (queue.MaxLength is long max && celery.Messages > max)
            {
                findings.Add(Finding(OpsHealthSeverity.Warning, target, "QueueTooLong", string.Create(CultureInfo.InvariantCulture, $"{celery.Messages} messages waiting (limit {max}); {celery.Unacked} unacknowledged"), next, "Celery", now));
            }

            if (queue.MaxAge is TimeSpan maxAge && celery.OldestUnackedAge is TimeSpan age && age > maxAge)
            {
                findings.Add(Finding(OpsHealthSeverity.Warning, target, "QueueStuck", $"The oldest unacknowledged message is {Findings.Age(age)} old (limit {Findings.Age(maxAge)}): a worker may be stuck", next, "Celery", now));
            }
        }

        return findings;
    }

    private async Task<IReadOnlyList<OpsHealthFinding>> TableAsync(QueueHealthOptions queue, DateTimeOffset now, CancellationToken cancellationToken)
    {
        PostgresEndpoint endpoint = PostgresEndpoint.Resolve(new PostgresConnectionRequest
        {
            Server = queue.Server,
            Credential = queue.Credential,
            Timeout = queue.Timeout,
            Origin = "Server of a queue in the report configuration",
        }).WithDatabase(queue.Database!);
        PostgresJobQueue read = await PostgresJobQueueReader.ReadAsync(
            new PostgresJobQueueRequest { Endpoint = endpoint, Table = queue.Table!, StatusColumn = queue.StatusColumn, CreatedColumn = queue.CreatedColumn, PendingStatus = queue.PendingStatus },
            cancellationToken).ConfigureAwait(false);
        string target = $"{read.Database}.{read.Table}";
        string next = $"Get-PostgresJobQueue -Server '{endpoint.Server}' -Database '{read.Database}' -Table '{read.Table}'";
        var findings = new List<OpsHealthFinding>();
        if (queue.MaxLength is long max && read.Pending > max)
        {
            findings.Add(Finding(OpsHealthSeverity.Warning, target, "QueueTooLong", string.Create(CultureInfo.InvariantCulture, $"{read.Pending} jobs pending (limit {max}) of {read.Total}"), next, endpoint.DisplayName, now));
        }

        if (queue.MaxAge is TimeSpan maxAge && read.OldestPendingAge is TimeSpan age && age > maxAge)
        {
            findings.Add(Finding(OpsHealthSeverity.Warning, target, "QueueStuck", $"The oldest pending job is {Findings.Age(age)} old (limit {Findings.Age(maxAge)}): the workers are not keeping up", next, endpoint.DisplayName, now));
        }

        return findings;
    }
}
