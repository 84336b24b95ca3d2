using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using OpsTools.Odoo;

namespace OpsTools.Engine.Odoo;

/// <summary>Which backups to keep: any rule that keeps a backup keeps it.</summary>
public sealed class OdooRetentionPolicy
{
    /// <summary>Keep the newest N complete backups of each instance.</summary>
    public int? KeepLast { get; init; }

    /// <summary>Only backups older than this may be removed.</summary>
    public TimeSpan? OlderThan { get; init; }

    /// <summary>Keep the newest complete backup of each of the last N days that have one.</summary>
    public int? KeepDaily { get; init; }

    /// <summary>Keep the newest complete backup of each of the last N ISO weeks that have one.</summary>
    public int? KeepWeekly { get; init; }

    /// <summary>Keep the newest complete backup of each of the last N months that have one.</summary>
    public int? KeepMonthly { get; init; }

    /// <summary>Whether any keep rule (as opposed to only an age) is given.</summary>
    public bool HasKeepRule => KeepLast is not null || KeepDaily is not null || KeepWeekly is not null || KeepMonthly is not null;
}

/// <summary>The decision for one backup.</summary>
/// <param name="Backup">The backup.</param>
/// <param name="Keep">Whether it stays.</param>
/// <param name="Reason">Why.</param>
public sealed record OdooRetentionDecision(OdooBackup Backup, bool Keep, string Reason);

/// <summary>
/// Grandfather-father-son retention over Odoo backups, per instance (or database when the instance
/// is unknown), with one rule above all others: the only complete backup of an instance is never removed.
/// </summary>
public static class OdooBackupRetention
{
    /// <summary>Decides, for every backup, whether it stays.</summary>
    /// <param name="backups">Backups of any number of instances.</param>
    /// <param name="policy">The rules.</param>
    /// <param name="now">The time ages are measured from.</param>
    /// <returns>One decision per backup, newest first within each instance.</returns>
    public static IReadOnlyList<OdooRetentionDecision> Plan(IEnumerable<OdooBackup> backups, OdooRetentionPolicy policy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(backups);
        ArgumentNullException.ThrowIfNull(policy);
        var decisions = new List<OdooRetentionDecision>();
        foreach (IGrouping<string, OdooBackup> instance in backups.GroupBy(b => b.Instance ?? b.Database, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            List<OdooBackup> ordered = instance.OrderByDescending(b => b.CreatedAt).ToList();
            List<OdooBackup> complete = ordered.Where(b => b.IsComplete).ToList();
            var reasons = new Dictionary<OdooBackup, List<string>>();
            void Keep(OdooBackup backup, string reason)
            {
                if (!reasons.TryGetValue(backup, out List<string>? list))
                {
                    reasons[backup] = list = new List<string>();
                }

                list.Add(reason);
            }

            if (policy.KeepLast is int last)
            {
                foreach (OdooBackup backup in complete.Take(last))
                {
                    Keep(backup, $"one of the last {last}");
                }
            }

            KeepPerPeriod(complete, policy.KeepDaily, b => b.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "daily", Keep);
            KeepPerPeriod(complete, policy.KeepWeekly, b => $"{ISOWeek.GetYear(b.CreatedAt.UtcDateTime)}-W{ISOWeek.GetWeekOfYear(b.CreatedAt.UtcDateTime):00}", "weekly", Keep);
            KeepPerPeriod(complete, policy.KeepMonthly, b => b.CreatedAt.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture), "monthly", Keep);
            if (policy.OlderThan is TimeSpan age)
            {
                foreach (OdooBackup backup in ordered.Where(b => now - b.CreatedAt <= age))
                {
                    Keep(backup, $"newer than {age}");
                }
            }

            if (complete.Count > 0 && !complete.Any(reasons.ContainsKey))
            {
                Keep(complete[0], "the only complete backup left of " + instance.Key);
            }

            foreach (OdooBackup backup in ordered)
            {
                decisions.Add(reasons.TryGetValue(backup, out List<string>? why)
                    ? new OdooRetentionDecision(backup, true, "kept: " + string.Join(", ", why))
                    : new OdooRetentionDecision(backup, false, backup.IsComplete ? "no rule keeps it" : "incomplete, and no rule keeps it"));
            }
        }

        return decisions;
    }

    /// <summary>Deletes every file (or folder) of a backup.</summary>
    /// <param name="backup">The backup.</param>
    /// <returns>Bytes freed.</returns>
    public static long Delete(OdooBackup backup)
    {
        ArgumentNullException.ThrowIfNull(backup);
        long freed = 0;
        try
        {
            if (backup.Format == OdooBackupFormat.Folder && Directory.Exists(backup.Path))
            {
                freed = new DirectoryInfo(backup.Path).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
                Directory.Delete(backup.Path, recursive: true);
                return freed;
            }

            foreach (OdooBackupPart part in backup.Parts.Where(p => p.Exists && File.Exists(p.Path)))
            {
                freed += new FileInfo(part.Path).Length;
                File.Delete(part.Path);
            }

            return freed;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new OpsToolsException(
                "BackupRemoveFailed",
                OpsToolsErrorKind.PermissionDenied,
                $"Removing {backup.Path} failed: {ex.Message}",
                backup.Path,
                "Check the permissions on the backup directory.",
                ex);
        }
    }

    private static void KeepPerPeriod(List<OdooBackup> newestFirst, int? count, Func<OdooBackup, string> period, string label, Action<OdooBackup, string> keep)
    {
        if (count is not int n)
        {
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (OdooBackup backup in newestFirst)
        {
            if (seen.Count >= n)
            {
                break;
            }

            if (seen.Add(period(backup)))
            {
                keep(backup, $"{label} {period(backup)}");
            }
        }
    }
}
