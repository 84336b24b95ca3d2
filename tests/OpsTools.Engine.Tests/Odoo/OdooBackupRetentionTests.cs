using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using OpsTools.Engine.Odoo;
using OpsTools.Odoo;

namespace OpsTools.Engine.Tests.Odoo;

public sealed class OdooBackupRetentionTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 3, 0, 0, TimeSpan.Zero);

    [Fact]
    public void KeepLast_keeps_the_newest_complete_backups_of_each_instance()
    {
        List<OdooBackup> backups = Daily("acme", 10).Concat(Daily("globex", 3)).ToList();

        IReadOnlyList<OdooRetentionDecision> plan = OdooBackupRetention.Plan(backups, new OdooRetentionPolicy { KeepLast = 2 }, Now);

        Assert.Equal(new[] { "acme-0", "acme-1", "globex-0", "globex-1" }, plan.Where(d => d.Keep).Select(d => d.Backup.Name));
        Assert.Equal(9, plan.Count(d => !d.Keep));
    }

    [Fact]
    public void OlderThan_alone_removes_only_what_is_older()
    {
        IReadOnlyList<OdooRetentionDecision> plan = OdooBackupRetention.Plan(Daily("acme", 10), new OdooRetentionPolicy { OlderThan = TimeSpan.FromDays(3.5) }, Now);

        Assert.Equal(new[] { "acme-0", "acme-1", "acme-2", "acme-3" }, plan.Where(d => d.Keep).Select(d => d.Backup.Name));
    }

    [Fact]
    public void Grandfather_father_son_keeps_one_per_day_week_and_month()
    {
        // Two backups a day for 120 days.
        List<OdooBackup> backups = Enumerable.Range(0, 240).Select(i => Backup("acme", $"acme-{i}", Now.AddHours(-12 * i))).ToList();

        IReadOnlyList<OdooRetentionDecision> plan = OdooBackupRetention.Plan(backups, new OdooRetentionPolicy { KeepDaily = 7, KeepWeekly = 4, KeepMonthly = 3 }, Now);

        List<OdooBackup> kept = plan.Where(d => d.Keep).Select(d => d.Backup).ToList();
        Assert.Equal(7, kept.Select(b => b.CreatedAt.UtcDateTime.Date).Intersect(Enumerable.Range(0, 7).Select(d => Now.UtcDateTime.Date.AddDays(-d))).Count());
        Assert.All(kept.GroupBy(b => b.CreatedAt.UtcDateTime.Date), day => Assert.Single(day));
        Assert.Equal(3, kept.Select(b => b.CreatedAt.UtcDateTime.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture)).Distinct().Count(m => string.CompareOrdinal(m, "2026-10") >= 0));
        Assert.True(kept.Count is >= 7 and <= 14, $"kept {kept.Count}");
        Assert.Contains(plan, d => d.Keep && d.Reason.Contains("monthly 2026-10", StringComparison.Ordinal));
    }

    [Fact]
    public void The_only_complete_backup_of_an_instance_is_never_removed()
    {
        List<OdooBackup> backups = new()
        {
            Backup("acme", "acme-new-broken", Now.AddDays(-40), complete: false),
            Backup("acme", "acme-old-good", Now.AddDays(-60)),
            Backup("acme", "acme-older-broken", Now.AddDays(-70), complete: false),
        };

        IReadOnlyList<OdooRetentionDecision> plan = OdooBackupRetention.Plan(backups, new OdooRetentionPolicy { OlderThan = TimeSpan.FromDays(30) }, Now);

        OdooRetentionDecision good = plan.Single(d => d.Backup.Name == "acme-old-good");
        Assert.True(good.Keep);
        Assert.Contains("only complete backup", good.Reason, StringComparison.Ordinal);
        Assert.All(plan.Where(d => !d.Backup.IsComplete), d => Assert.False(d.Keep));
    }

    [Fact]
    public void Incomplete_backups_do_not_count_towards_KeepLast()
    {
        List<OdooBackup> backups = new()
        {
            Backup("acme", "a0", Now.AddDays(-1), complete: false),
            Backup("acme", "a1", Now.AddDays(-2)),
            Backup("acme", "a2", Now.AddDays(-3)),
        };

        IReadOnlyList<OdooRetentionDecision> plan = OdooBackupRetention.Plan(backups, new OdooRetentionPolicy { KeepLast = 2 }, Now);

        Assert.Equal(new[] { "a1", "a2" }, plan.Where(d => d.Keep).Select(d => d.Backup.Name));
    }

    [Fact]
    public void Deleting_a_backup_removes_every_part_and_reports_the_bytes()
    {
        string directory = Path.Combine(Path.GetTempPath(), "opsodoo-retention-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(directory);
        try
        {
            string[] files = { "b_database.sql", "b_data.tar.gz", "b_metadata.json", "keep.txt" };
            foreach (string file in files)
            {
                File.WriteAllText(Path.Combine(directory, file), "12345");
            }

            var backup = new OdooBackup
            {
                Name = "b", Database = "b", Path = Path.Combine(directory, "b_metadata.json"), Format = OdooBackupFormat.Platform,
                Parts = files.Take(3).Select(f => new OdooBackupPart { Role = "x", Path = Path.Combine(directory, f), Exists = true }).ToArray(),
            };

            Assert.Equal(15, OdooBackupRetention.Delete(backup));
            Assert.Equal(new[] { "keep.txt" }, Directory.GetFiles(directory).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static IEnumerable<OdooBackup> Daily(string instance, int count) =>
        Enumerable.Range(0, count).Select(i => Backup(instance, $"{instance}-{i}", Now.AddDays(-i)));

    private static OdooBackup Backup(string instance, string name, DateTimeOffset at, bool complete = true) => new()
    {
        Name = name, Instance = instance, Database = instance, Path = "/backups/" + name, CreatedAt = at, IsComplete = complete,
    };
}
