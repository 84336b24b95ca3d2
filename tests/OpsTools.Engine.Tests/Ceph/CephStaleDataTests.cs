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
public sealed class CephStaleDataTests(CephFixture fixture)
{
    private readonly CephFileSystem _fileSystem = new(TimeSpan.FromSeconds(10));

    [SkippableFact]
    public async Task Directories_unchanged_since_the_cutoff_are_stale_the_others_are_not()
    {
        string parent = fixture.NewDirectory("stale");
        string old = Path.Combine(parent, "odoo_data_old_0000aaaa");
        long oldBytes = CephTools.WriteFiles(old, 3, _ => 2000);
        string excluded = Path.Combine(parent, "odoo_data_keep_0000bbbb");
        CephTools.WriteFiles(excluded, 1, _ => 10);
        await CephTools.WaitForStatisticsAsync(old, oldBytes, 3);
        await Task.Delay(1100);
        DateTimeOffset cutoff = DateTimeOffset.UtcNow;
        await Task.Delay(100);
        string recent = Path.Combine(parent, "odoo_data_new_0000cccc");
        CephTools.WriteFiles(recent, 2, _ => 500);
        await CephTools.WaitForStatisticsAsync(recent, 1000, 2);

        List<CephResult<CephStaleDirectory>> found = await CollectAsync(_fileSystem.FindStaleAsync(new[] { parent }, cutoff, name => name.Contains("_keep_", StringComparison.Ordinal), null));

        CephStaleDirectory stale = Assert.Single(found).Value!;
        Assert.Equal(old, stale.Path);
        Assert.Equal("odoo_data_old_0000aaaa", stale.Name);
        Assert.Equal(parent, stale.Parent);
        Assert.Equal((oldBytes, 3L), (stale.Bytes, stale.Files));
        Assert.True(stale.LastChange < cutoff);
        Assert.Equal(cutoff, stale.Cutoff);
        Assert.False(stale.MountsChecked);
    }

    [SkippableFact]
    public async Task Removing_a_stale_tree_reports_the_bytes_it_held_and_leaves_nothing()
    {
        string parent = fixture.NewDirectory("remove");
        string tree = Path.Combine(parent, "odoo_data_gone_0000dddd");
        long bytes = CephTools.WriteFiles(tree, 30, i => 100 + i);
        bytes += CephTools.WriteFiles(Path.Combine(tree, "filestore", "ab"), 20, _ => 3000);
        Directory.CreateDirectory(Path.Combine(tree, "sessions"));
        await CephTools.WaitForStatisticsAsync(tree, bytes, 50);

        var progress = new CephRemovalProgress();
        CephStaleDataRemoval removal = await _fileSystem.RemoveTreeAsync(tree, DateTimeOffset.UtcNow.AddMinutes(1), progress);

        Assert.Equal(bytes, removal.BytesReclaimed);
        Assert.Equal(50, removal.FilesRemoved);
        Assert.Equal(4, removal.DirectoriesRemoved);
        Assert.Equal(50, progress.FilesTotal);
        Assert.False(Directory.Exists(tree));
        await CephTools.WaitForStatisticsAsync(parent, 0, 0);
    }

    [SkippableFact]
    public async Task A_tree_that_changed_after_the_cutoff_is_not_removed()
    {
        string parent = fixture.NewDirectory("changed");
        string tree = Path.Combine(parent, "busy");
        CephTools.WriteFiles(tree, 2, _ => 100);
        await CephTools.WaitForStatisticsAsync(tree, 200, 2);

        OpsToolsException error = await Assert.ThrowsAsync<OpsToolsException>(() => _fileSystem.RemoveTreeAsync(tree, DateTimeOffset.UtcNow.AddHours(-1)));

        Assert.Equal(("CephStaleDataChanged", OpsToolsErrorKind.InvalidOperation), (error.ErrorId, error.Kind));
        Assert.Equal(2, Directory.GetFiles(tree).Length);
    }

    [SkippableFact]
    public async Task A_mount_point_is_never_removed()
    {
        fixture.RequireLab();

        OpsToolsException error = await Assert.ThrowsAsync<OpsToolsException>(() => _fileSystem.RemoveTreeAsync(fixture.Mount, null));

        Assert.Equal(("CephRemoveRefused", OpsToolsErrorKind.InvalidOperation), (error.ErrorId, error.Kind));
        Assert.True(Directory.Exists(fixture.Root));
    }

    [Fact]
    public void Only_running_services_that_mount_the_directory_or_below_use_it()
    {
        SwarmServiceMount[] mounts =
        {
            new() { ServiceName = "odoo-a", ServiceId = "1", Source = "/mnt/cephfs/odoo_instances/odoo_data_a", IsRunning = true },
            new() { ServiceName = "odoo-b", ServiceId = "2", Source = "/mnt/cephfs/odoo_instances/odoo_data_b/filestore/", IsRunning = true },
            new() { ServiceName = "odoo-c", ServiceId = "3", Source = "/mnt/cephfs/odoo_instances/odoo_data_c", IsRunning = false },
            new() { ServiceName = "backup", ServiceId = "4", Source = "/mnt/cephfs", IsRunning = true },
        };

        Assert.Equal(new[] { "odoo-a" }, SwarmServiceMount.ServicesUsing(mounts, "/mnt/cephfs/odoo_instances/odoo_data_a"));
        Assert.Equal(new[] { "odoo-b" }, SwarmServiceMount.ServicesUsing(mounts, "/mnt/cephfs/odoo_instances/odoo_data_b/"));
        Assert.Empty(SwarmServiceMount.ServicesUsing(mounts, "/mnt/cephfs/odoo_instances/odoo_data_c"));
        Assert.Empty(SwarmServiceMount.ServicesUsing(mounts, "/mnt/cephfs/odoo_instances/odoo_data_a2"));
        Assert.Equal(new[] { "backup", "odoo-a", "odoo-b" }, SwarmServiceMount.ServicesUsing(mounts, "/mnt/cephfs"));
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
