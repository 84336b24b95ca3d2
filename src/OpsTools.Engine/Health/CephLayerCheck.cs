using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using OpsTools.Ceph;
using OpsTools.Engine.Ceph;
using OpsTools.Health;

namespace OpsTools.Engine.Health;

/// <summary>
/// Ceph health checks that are raised and not muted (HEALTH_ERR checks critical, HEALTH_WARN checks
/// warnings), and CephFS directories under the quota roots at or above the warning or critical share
/// of their byte quota (over quota is critical). The cluster and the quotas are read independently:
/// a monitor that does not answer still leaves the quota findings (read from the mount) in the report.
/// </summary>
internal sealed class CephLayerCheck : OpsHealthLayerCheck
{
    private readonly CephHealthOptions _options;

    public CephLayerCheck(CephHealthOptions options) => _options = options;

    public override OpsHealthLayer Layer => OpsHealthLayer.Ceph;

    public override string Source => _options.Cluster ?? "ceph";

    public override async Task<IReadOnlyList<OpsHealthFinding>> RunAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var findings = new List<OpsHealthFinding>();
        if (_options.CheckCluster)
        {
            try
            {
                findings.AddRange(await ClusterFindingsAsync(now, cancellationToken).ConfigureAwait(false));
            }
            catch (OpsToolsException ex)
            {
                findings.Add(Finding(OpsHealthSeverity.Critical, Source, "CephUnreachable", $"The cluster could not be read: {ex.Message}", "Get-CephStatus", Source, now));
            }
        }

        if (_options.QuotaRoots.Count > 0)
        {
            findings.AddRange(await QuotaFindingsAsync(now, cancellationToken).ConfigureAwait(false));
        }

        return findings;
    }

    private async Task<IReadOnlyList<OpsHealthFinding>> ClusterFindingsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var cluster = new CephCluster(new CephClusterOptions
        {
            Cluster = _options.Cluster,
            ConfigPath = _options.ConfigPath,
            Keyring = _options.Keyring,
            Id = _options.Id,
            Timeout = _options.Timeout,
        });
        CephHealth health = await cluster.GetHealthAsync(cancellationToken).ConfigureAwait(false);
        return health.Checks
            .Where(c => !c.Muted && c.Severity != CephHealthStatus.Ok)
            .Select(c => Finding(
                c.Severity == CephHealthStatus.Error ? OpsHealthSeverity.Critical : OpsHealthSeverity.Warning,
                $"{health.Cluster}: {c.Code}",
                "CephHealthCheck",
                c.Details.Count == 0 ? c.Message : $"{c.Message} ({c.Details[0]}{(c.Details.Count > 1 ? string.Create(CultureInfo.InvariantCulture, $"; {c.Details.Count - 1} more") : string.Empty)})",
                "Get-CephHealth",
                Source,
                now))
            .ToList();
    }

    private async Task<IReadOnlyList<OpsHealthFinding>> QuotaFindingsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var fileSystem = new CephFileSystem(_options.Timeout);
        var findings = new List<OpsHealthFinding>();
        var directories = new List<string>();
        foreach (CephResult<string> entry in await fileSystem.ExpandAsync(_options.QuotaRoots, 1, cancellationToken).ConfigureAwait(false))
        {
            if (entry.Error is not null)
            {
                findings.Add(Finding(OpsHealthSeverity.Warning, entry.Path, "CephQuotaUnreadable", entry.Error.Message, $"Test-CephMount -Path '{entry.Path}'", Source, now));
            }
            else
            {
                directories.Add(entry.Value!);
            }
        }

        await foreach (CephResult<CephUsage> result in fileSystem.GetUsageAsync(directories, false, cancellationToken).ConfigureAwait(false))
        {
            if (result.Error is not null)
            {
                findings.Add(Finding(OpsHealthSeverity.Warning, result.Path, "CephQuotaUnreadable", result.Error.Message, $"Get-CephUsage -Path '{result.Path}'", Source, now));
                continue;
            }

            CephUsage usage = result.Value!;
            if (usage.PercentUsed is not double percent)
            {
                continue;
            }

            OpsHealthSeverity? severity = usage.OverQuota || percent >= _options.QuotaCriticalPercent ? OpsHealthSeverity.Critical
                : percent >= _options.QuotaWarningPercent ? OpsHealthSeverity.Warning
                : null;
            if (severity is OpsHealthSeverity level)
            {
                findings.Add(Finding(
                    level,
                    usage.Path,
                    "CephQuotaNearlyFull",
                    string.Create(CultureInfo.InvariantCulture, $"{percent:0.#}% of its quota used ({ByteSize.Format(usage.Bytes)} of {ByteSize.Format(usage.MaxBytes ?? 0)}){(usage.OverQuota ? ": over quota, writes fail" : string.Empty)}"),
                    $"Set-CephQuota -Path '{usage.Path}' -MaxBytes <larger size>",
                    Source,
                    now));
            }
        }

        return findings;
    }

}
