using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using OpsTools.Ceph;
using OpsTools.Engine.Ceph;
using OpsTools.Engine.Tests.Lab;

namespace OpsTools.Engine.Tests.Ceph;

[Collection(CephCollection.Name)]
public sealed class CephUsageTests(CephFixture fixture)
{
    private readonly CephFileSystem _fileSystem = new(TimeSpan.FromSeconds(10));

    [SkippableFact]
    public async Task Usage_equals_the_bytes_and_counts_written_once_the_statistics_settle()
    {
        string dir = fixture.NewDirectory("usage");
        long bytes = CephTools.WriteFiles(dir, 12, i => 1000 + (i * 777));
        bytes += CephTools.WriteFiles(Path.Combine(dir, "sub", "deeper"), 5, i => 4096 * (i + 1));
        Directory.CreateDirectory(Path.Combine(dir, "empty"));
        await CephTools.SetAttributeAsync(dir, "ceph.quota.max_bytes", "1048576");
        await CephTools.WaitForStatisticsAsync(dir, bytes, 17);

        CephUsage usage = Assert.Single(await CollectAsync(_fileSystem.GetUsageAsync(new[] { dir }))).Value!;

        Assert.Equal(bytes, usage.Bytes);
        Assert.Equal(17, usage.Files);
        Assert.Equal(3, usage.Subdirectories);
        Assert.Equal(20, usage.Entries);
        Assert.Equal(1048576L, usage.MaxBytes);
        Assert.Null(usage.MaxFiles);
        Assert.Equal(Math.Round(bytes * 100.0 / 1048576, 2), usage.PercentUsed);
        Assert.Equal(1048576 - bytes, usage.FreeBytes);
        Assert.False(usage.OverQuota);
        Assert.Equal(CephUsageSource.RecursiveStatistics, usage.Source);
        Assert.InRange(usage.LastChange!.Value, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
    }

    [SkippableFact]
    public async Task A_directory_at_its_limit_is_over_quota()
    {
        string dir = fixture.NewDirectory("full");
        long bytes = CephTools.WriteFiles(dir, 2, _ => 5000);
        await CephTools.SetAttributeAsync(dir, "ceph.quota.max_bytes", bytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await CephTools.WaitForStatisticsAsync(dir, bytes, 2);

        CephUsage usage = Assert.Single(await CollectAsync(_fileSystem.GetUsageAsync(new[] { dir }))).Value!;

        Assert.True(usage.OverQuota);
        Assert.Equal(0, usage.FreeBytes);
        Assert.Equal(100, usage.PercentUsed);
    }

    [SkippableFact]
    public async Task An_empty_new_directory_reports_its_own_time_not_1970()
    {
        string dir = fixture.NewDirectory("fresh");

        CephUsage usage = Assert.Single(await CollectAsync(_fileSystem.GetUsageAsync(new[] { dir }))).Value!;

        Assert.Equal(0, usage.Entries);
        Assert.True(usage.LastChange > DateTimeOffset.UtcNow.AddHours(-1), $"LastChange {usage.LastChange}");
    }

    [SkippableFact]
    public async Task Results_keep_the_order_given_with_an_error_for_each_bad_directory()
    {
        string a = fixture.NewDirectory("order-a");
        string b = fixture.NewDirectory("order-b");
        string missing = Path.Combine(fixture.Root, "missing-" + Guid.NewGuid().ToString("N")[..6]);
        string notCeph = Path.GetTempPath();

        List<CephResult<CephUsage>> results = await CollectAsync(_fileSystem.GetUsageAsync(new[] { b, missing, a, notCeph }));

        Assert.Equal(new[] { b, missing, a, notCeph }, results.Select(r => r.Path));
        Assert.NotNull(results[0].Value);
        Assert.Equal("CephPathNotFound", results[1].Error?.ErrorId);
        Assert.NotNull(results[2].Value);
        Assert.Equal("CephPathNotCephFs", results[3].Error?.ErrorId);
        Assert.Contains("-Recurse", results[3].Error!.RecommendedAction, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_directory_off_cephfs_is_walked_when_asked()
    {
        fixture.RequireLab();
        string dir = Directory.CreateTempSubdirectory("opstools-test-").FullName;
        try
        {
            long bytes = CephTools.WriteFiles(dir, 3, i => 100 * (i + 1)) + CephTools.WriteFiles(Path.Combine(dir, "a"), 2, _ => 10);

            CephUsage usage = Assert.Single(await CollectAsync(_fileSystem.GetUsageAsync(new[] { dir }, walkWhenNotCephFs: true))).Value!;

            Assert.Equal((bytes, 5L, 1L), (usage.Bytes, usage.Files, usage.Subdirectories));
            Assert.Equal(CephUsageSource.FileSystemWalk, usage.Source);
            Assert.Null(usage.MaxBytes);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [SkippableFact]
    public async Task Expanding_lists_subdirectories_down_to_the_depth_parents_first()
    {
        string dir = fixture.NewDirectory("tree");
        Directory.CreateDirectory(Path.Combine(dir, "b", "b1", "b11"));
        Directory.CreateDirectory(Path.Combine(dir, "a", "a1"));
        await File.WriteAllTextAsync(Path.Combine(dir, "file"), "x");

        IReadOnlyList<CephResult<string>> expanded = await _fileSystem.ExpandAsync(new[] { dir }, 2);

        Assert.Equal(
            new[] { dir, dir + "/a", dir + "/a/a1", dir + "/b", dir + "/b/b1" },
            expanded.Select(e => e.Value));
    }

    private static async Task<List<T>> CollectAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (T item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
