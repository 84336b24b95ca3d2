using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using OpsTools.Engine.Odoo;
using OpsTools.Engine.Postgres;
using OpsTools.Health;
using OpsTools.Odoo;
using OpsTools.Postgres;

namespace OpsTools.Engine.Health;

/// <summary>Opens the platform database named in a report's options.</summary>
internal static class ReportPlatform
{
    public static PostgresEndpoint Resolve(string server, NetworkCredential? credential) => PostgresEndpoint.Resolve(new PostgresConnectionRequest
    {
        Server = server,
        Credential = credential,
        DefaultDatabase = "instance",
        IsPlatform = true,
        Origin = "PlatformServer of the report configuration",
    });
}

/// <summary>
/// The platform's pools, probed live the way Invoke-PoolHealthCheck -NoUpdate does (connect, SELECT 1,
/// in parallel; nothing recorded): a pool that should serve (active, full) and does not answer is
/// critical; initializing pools not answering, pools without admin credentials and pools in status
/// error are warnings (critical when instances still live on them).
/// </summary>
internal sealed class PoolLayerCheck : OpsHealthLayerCheck
{
    private readonly PoolHealthOptions _options;

    public PoolLayerCheck(PoolHealthOptions options) => _options = options;

    public override OpsHealthLayer Layer => OpsHealthLayer.Pool;

    public override string Source => _options.PlatformServer;

    public override async Task<IReadOnlyList<OpsHealthFinding>> RunAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        PostgresEndpoint endpoint = ReportPlatform.Resolve(_options.PlatformServer, _options.PlatformCredential);
        using PlatformDatabase platform = await PlatformDatabase.OpenAsync(endpoint, cancellationToken).ConfigureAwait(false);
        List<DatabasePool> pools = (await platform.GetPoolsAsync(cancellationToken).ConfigureAwait(false))
            .Where(p => _options.IncludePool?.Invoke(p.Name) ?? true)
            .ToList();
        string source = endpoint.DisplayName;
        var findings = new List<OpsHealthFinding>();
        foreach (DatabasePool pool in pools.Where(p => p.Status == PoolStatus.Error))
        {
            findings.Add(Finding(
                pool.CurrentInstances > 0 ? OpsHealthSeverity.Critical : OpsHealthSeverity.Warning,
                pool.Name,
                "PoolInError",
                string.Create(CultureInfo.InvariantCulture, $"Pool is in status error after {pool.HealthCheckFailures} failed check(s); {pool.CurrentInstances} instance(s) on it"),
                $"Invoke-PoolHealthCheck -Name '{pool.Name}' -IncludeError -NoUpdate",
                source,
                now));
        }

        List<DatabasePool> serving = pools.Where(p => PoolHealthService.CheckedStatuses.Contains(p.Status)).ToList();
        var service = new PoolHealthService(platform);
        await foreach (PoolProbe probe in service.ProbeAsync(serving, _options.Timeout, _options.ThrottleLimit, cancellationToken).ConfigureAwait(false))
        {
            if (probe.Outcome == PoolCheckOutcome.Skipped)
            {
                findings.Add(Finding(OpsHealthSeverity.Warning, probe.Pool.Name, "PoolNotCheckable", $"Pool cannot be checked: {probe.SkipReason}", $"Get-DatabasePool -Name '{probe.Pool.Name}' | Format-List *", source, now));
            }
            else if (probe.Outcome == PoolCheckOutcome.Failed)
            {
                findings.Add(Finding(
                    probe.Pool.Status == PoolStatus.Initializing ? OpsHealthSeverity.Warning : OpsHealthSeverity.Critical,
                    probe.Pool.Name,
                    "PoolUnreachable",
                    string.Create(CultureInfo.InvariantCulture, $"Pool ({probe.Pool.Status.ToString().ToLowerInvariant()}, {probe.Pool.CurrentInstances} instance(s)) does not answer at {probe.Pool.Host}:{probe.Pool.Port}: {probe.Error}"),
                    $"Test-PostgresReady -Server '{probe.Pool.Host}:{probe.Pool.Port.ToString(CultureInfo.InvariantCulture)}'",
                    source,
                    now));
            }
        }

        return findings;
    }

}

/// <summary>
/// For every instance, its newest complete backup must be younger than the allowed age: an instance
/// whose newest backup is older, or whose newest backup is incomplete, is a warning; an instance
/// with no complete backup at all is critical. Instances are those found in the backup directories,
/// plus the platform's instances (all but terminated and creating ones) when a platform server is given.
/// </summary>
internal sealed class BackupLayerCheck : OpsHealthLayerCheck
{
    private static readonly string[] NotBackedUpStatuses = { "terminated", "creating" };
    private readonly BackupHealthOptions _options;

    public BackupLayerCheck(BackupHealthOptions options) => _options = options;

    public override OpsHealthLayer Layer => OpsHealthLayer.Backup;

    public override string Source => string.Join(", ", _options.Paths);

    public override async Task<IReadOnlyList<OpsHealthFinding>> RunAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var backups = new List<OdooBackup>();
        foreach (string path in _options.Paths)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!Directory.Exists(path))
            {
                throw new OpsToolsException("BackupPathNotFound", OpsToolsErrorKind.ObjectNotFound, $"Backup directory {path} does not exist.", path, "Check Backups.Paths in the report configuration, and that the backup file system is mounted (Test-CephMount).");
            }

            backups.AddRange(OdooBackupCatalog.List(path));
        }

        // Backups are keyed by database name; the platform knows instances by database name too.
        var expected = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (OdooBackup backup in backups)
        {
            expected.TryAdd(backup.Database, backup.Instance ?? backup.Database);
        }

        if (!string.IsNullOrEmpty(_options.PlatformServer))
        {
            PostgresEndpoint endpoint = ReportPlatform.Resolve(_options.PlatformServer, _options.PlatformCredential);
            using PlatformDatabase platform = await PlatformDatabase.OpenAsync(endpoint, cancellationToken).ConfigureAwait(false);
            foreach (OdooInstance instance in await OdooInstanceCatalog.GetInstancesAsync(platform, "/", cancellationToken).ConfigureAwait(false))
            {
                if (!NotBackedUpStatuses.Contains(instance.Status ?? string.Empty, StringComparer.OrdinalIgnoreCase))
                {
                    expected[instance.DatabaseName] = instance.Name;
                }
            }
        }

        ILookup<string, OdooBackup> byDatabase = backups.ToLookup(b => b.Database, StringComparer.Ordinal);
        var findings = new List<OpsHealthFinding>();
        foreach ((string database, string name) in expected.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (!(_options.IncludeInstance?.Invoke(database) ?? true) && !(_options.IncludeInstance?.Invoke(name) ?? true))
            {
                continue;
            }

            List<OdooBackup> own = byDatabase[database].OrderByDescending(b => b.CreatedAt).ToList();
            OdooBackup? newestComplete = own.FirstOrDefault(b => b.IsComplete);
            string target = name == database ? database : $"{name} ({database})";
            string next = $"Get-OdooBackup -Path '{_options.Paths[0]}' -Instance '{database}'";
            if (newestComplete is null)
            {
                findings.Add(Finding(OpsHealthSeverity.Critical, target, "BackupMissing", own.Count == 0 ? "No backup at all" : $"No complete backup: the {own.Count} found are incomplete ({string.Join("; ", own[0].Problems)})", next, Source, now));
                continue;
            }

            TimeSpan age = now - newestComplete.CreatedAt;
            if (age > _options.MaxAge)
            {
                findings.Add(Finding(OpsHealthSeverity.Warning, target, "BackupTooOld", $"Newest complete backup {newestComplete.Name} is {Findings.Age(age)} old (allowed {Findings.Age(_options.MaxAge)})", $"Backup-OdooInstance -Database '{database}' -Destination '{_options.Paths[0]}'", Source, now));
            }

            if (own[0] != newestComplete)
            {
                findings.Add(Finding(OpsHealthSeverity.Warning, target, "BackupIncomplete", $"Newest backup {own[0].Name} is incomplete: {string.Join("; ", own[0].Problems)}", next, Source, now));
            }
        }

        return findings;
    }


}
