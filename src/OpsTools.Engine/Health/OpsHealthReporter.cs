using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using OpsTools.Health;

namespace OpsTools.Engine.Health;

/// <summary>One layer's check: reads the layer and returns what is wrong with it.</summary>
internal abstract class OpsHealthLayerCheck
{
    /// <summary>The layer.</summary>
    public abstract OpsHealthLayer Layer { get; }

    /// <summary>Where the layer is read, for findings and for the "cannot check" finding.</summary>
    public abstract string Source { get; }

    /// <summary>A finding of this layer.</summary>
    /// <param name="severity">How urgent.</param>
    /// <param name="target">What is affected.</param>
    /// <param name="check">Stable check name.</param>
    /// <param name="message">What is wrong.</param>
    /// <param name="next">Command to run next.</param>
    /// <param name="source">Where the layer was read.</param>
    /// <param name="now">Time of the report.</param>
    /// <returns>The finding.</returns>
    protected OpsHealthFinding Finding(OpsHealthSeverity severity, string target, string check, string message, string? next, string? source, DateTimeOffset now) => new()
    {
        Layer = Layer,
        Severity = severity,
        Target = target,
        Check = check,
        Message = message,
        NextStep = next,
        Source = source,
        CheckedAt = now,
    };

    /// <summary>Reads the layer.</summary>
    /// <param name="now">Time of the report, so every check ages things against the same clock.</param>
    /// <param name="cancellationToken">Stops the check.</param>
    /// <returns>The findings; none when the layer is healthy.</returns>
    public abstract Task<IReadOnlyList<OpsHealthFinding>> RunAsync(DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>Progress of a report: which layers are done.</summary>
/// <param name="Layer">The layer that finished.</param>
/// <param name="Done">Layers done so far.</param>
/// <param name="Total">Layers in the report.</param>
/// <param name="Findings">Findings of that layer.</param>
public readonly record struct OpsHealthLayerDone(OpsHealthLayer Layer, int Done, int Total, int Findings);

/// <summary>
/// The operator's morning checklist: runs every configured layer concurrently through the engines the
/// other cmdlets use (Swarm inspector, pool health service, Ceph cluster and file system, backup
/// catalog, compose inventory, endpoint checker, Redis INFO and Celery readers, job queue reader) and returns one finding per thing wrong. A layer that cannot be read at all (Docker
/// unreachable, platform database down) is itself a critical finding, never an exception, so one
/// broken layer does not hide the others.
/// </summary>
public sealed class OpsHealthReporter
{
    private readonly List<OpsHealthLayerCheck> _checks;

    /// <summary>Prepares the checks the options configure.</summary>
    /// <param name="options">What to check.</param>
    public OpsHealthReporter(OpsHealthReportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _checks = new List<OpsHealthLayerCheck>();
        if (options.Swarm is not null)
        {
            _checks.Add(new SwarmServiceHealthCheck(options.Swarm));
        }

        if (options.Nodes is not null)
        {
            _checks.Add(new NodeHealthCheck(options.Nodes));
        }

        if (options.Pools is not null)
        {
            _checks.Add(new PoolLayerCheck(options.Pools));
        }

        if (options.Ceph is not null)
        {
            _checks.Add(new CephLayerCheck(options.Ceph));
        }

        if (options.Backups is not null)
        {
            _checks.Add(new BackupLayerCheck(options.Backups));
        }

        if (options.Compose is not null)
        {
            _checks.Add(new ComposeLayerCheck(options.Compose));
        }

        if (options.Endpoints is not null)
        {
            _checks.Add(new EndpointLayerCheck(options.Endpoints));
        }

        if (options.Redis.Count > 0)
        {
            _checks.Add(new RedisLayerCheck(options.Redis));
        }

        if (options.Queues.Count > 0)
        {
            _checks.Add(new QueueLayerCheck(options.Queues));
        }
    }

    /// <summary>The layers this report checks, in report order.</summary>
    public IReadOnlyList<OpsHealthLayer> Layers => _checks.Select(c => c.Layer).ToList();

    /// <summary>Runs every layer at once and returns the findings, most severe first, then by layer and target.</summary>
    /// <param name="progress">Told as each layer finishes; may be null.</param>
    /// <param name="cancellationToken">Stops every check.</param>
    /// <returns>The findings; empty when everything checked is healthy.</returns>
    public async Task<IReadOnlyList<OpsHealthFinding>> RunAsync(IProgress<OpsHealthLayerDone>? progress = null, CancellationToken cancellationToken = default)
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        int done = 0;
        IReadOnlyList<OpsHealthFinding>[] results = await Task.WhenAll(_checks.Select(async check =>
        {
            IReadOnlyList<OpsHealthFinding> findings = await RunOneAsync(check, now, cancellationToken).ConfigureAwait(false);
            progress?.Report(new OpsHealthLayerDone(check.Layer, Interlocked.Increment(ref done), _checks.Count, findings.Count));
            return findings;
        })).ConfigureAwait(false);
        return results.SelectMany(f => f)
            .OrderByDescending(f => f.Severity)
            .ThenBy(f => f.Layer)
            .ThenBy(f => f.Target, StringComparer.Ordinal)
            .ToList();
    }

    private static async Task<IReadOnlyList<OpsHealthFinding>> RunOneAsync(OpsHealthLayerCheck check, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            // Off the caller's thread: some checks start with synchronous work (directory listings).
            return await Task.Run(() => check.RunAsync(now, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        catch (OpsToolsException ex)
        {
            return new[] { Unreadable(check, now, ex.Message, ex.RecommendedAction) };
        }
        catch (Exception ex) when (ex is System.IO.IOException or UnauthorizedAccessException or TimeoutException)
        {
            return new[] { Unreadable(check, now, ex.Message, null) };
        }
    }

    private static OpsHealthFinding Unreadable(OpsHealthLayerCheck check, DateTimeOffset now, string why, string? next) => new()
    {
        Layer = check.Layer,
        Severity = OpsHealthSeverity.Critical,
        Target = check.Source,
        Check = check.Layer + "Unreachable",
        Message = $"The {check.Layer.ToString().ToLowerInvariant()} layer could not be checked: {why}",
        NextStep = next,
        Source = check.Source,
        CheckedAt = now,
    };
}
