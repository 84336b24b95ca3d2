using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using OpsTools.Ceph;
using OpsTools.Engine.Ceph;

namespace OpsTools.Engine.Tests.Ceph;

[Collection(CephCollection.Name)]
public sealed class CephClusterTests(CephFixture fixture)
{
    private CephCluster Cluster()
    {
        fixture.RequireLab();
        return new CephCluster(new CephClusterOptions { ConfigPath = fixture.ConfigPath, Keyring = fixture.Keyring, Id = fixture.ClientId, Timeout = TimeSpan.FromSeconds(10) });
    }

    [SkippableFact]
    public async Task Status_reports_the_lab_cluster()
    {
        CephStatus status = await Cluster().GetStatusAsync();

        Assert.Equal("ceph", status.Cluster);
        Assert.Matches("^[0-9a-f-]{36}$", status.Fsid);
        Assert.Equal((1, 1, 1), (status.Osds, status.OsdsUp, status.OsdsIn));
        Assert.Equal(new[] { "a" }, status.Quorum);
        Assert.True(status.ManagerAvailable);
        Assert.True(status.TotalBytes > 0);
        Assert.Contains(status.Pools, p => p.Name == "cephfs_data");
        CephFileSystemState fs = Assert.Single(status.FileSystems, f => f.Name == "cephfs");
        Assert.True(fs.IsHealthy);
        Assert.Contains("a=up:active", fs.Daemons);
    }

    [SkippableFact]
    public async Task Health_comes_from_ceph_health_detail()
    {
        CephHealth health = await Cluster().GetHealthAsync();

        Assert.NotEqual(CephHealthStatus.Unknown, health.Status);
        Assert.Equal(health.Checks.Count(c => !c.Muted), health.ActiveChecks);
    }

    [SkippableFact]
    public async Task An_unreachable_monitor_is_a_connection_error_within_the_timeout()
    {
        fixture.RequireLab();
        string config = Path.Combine(Path.GetTempPath(), $"opstools-test-{Guid.NewGuid():N}.conf");
        // A loopback port nothing listens on: the CLI retries until --connect-timeout.
        await File.WriteAllTextAsync(config, "[global]\nmon_host = 127.0.0.1:9\n");
        try
        {
            var cluster = new CephCluster(new CephClusterOptions { ConfigPath = config, Keyring = fixture.Keyring, Timeout = TimeSpan.FromSeconds(2) });
            var clock = Stopwatch.StartNew();

            OpsToolsException error = await Assert.ThrowsAsync<OpsToolsException>(() => cluster.GetHealthAsync());

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"took {clock.Elapsed}");
            Assert.Equal(("CephClusterUnreachable", OpsToolsErrorKind.ConnectionError), (error.ErrorId, error.Kind));
            Assert.Contains(config, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(config);
        }
    }

    [SkippableFact]
    public async Task A_missing_configuration_file_is_object_not_found()
    {
        fixture.RequireLab();
        var cluster = new CephCluster(new CephClusterOptions { ConfigPath = "/nonexistent/opstools.conf", Timeout = TimeSpan.FromSeconds(2) });

        OpsToolsException error = await Assert.ThrowsAsync<OpsToolsException>(() => cluster.GetHealthAsync());

        Assert.Equal(("CephConfigNotFound", OpsToolsErrorKind.ObjectNotFound), (error.ErrorId, error.Kind));
    }

    [SkippableFact]
    public async Task A_client_the_monitors_do_not_know_is_access_denied()
    {
        fixture.RequireLab();
        var cluster = new CephCluster(new CephClusterOptions { ConfigPath = fixture.ConfigPath, Keyring = fixture.Keyring, Id = "opstools-nobody", Timeout = TimeSpan.FromSeconds(5) });

        OpsToolsException error = await Assert.ThrowsAsync<OpsToolsException>(() => cluster.GetHealthAsync());

        Assert.Equal(("CephAccessDenied", OpsToolsErrorKind.PermissionDenied), (error.ErrorId, error.Kind));
        Assert.Contains("client.opstools-nobody", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_ceph_cli_says_what_to_install()
    {
        var cluster = new CephCluster(new CephClusterOptions { Executable = "/nonexistent/ceph", Timeout = TimeSpan.FromSeconds(2) });

        OpsToolsException error = await Assert.ThrowsAsync<OpsToolsException>(() => cluster.GetHealthAsync());

        Assert.Equal(("CephCliNotFound", OpsToolsErrorKind.ObjectNotFound), (error.ErrorId, error.Kind));
        Assert.Contains("ceph-common", error.RecommendedAction, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_subvolume_is_created_read_resized_and_not_created_twice()
    {
        CephCluster cluster = Cluster();
        string name = fixture.RunName + "-subvolume";
        try
        {
            CephSubvolume created = await cluster.NewSubvolumeAsync("cephfs", name, null, 1073741824, "750");
            OpsToolsException twice = await Assert.ThrowsAsync<OpsToolsException>(() => cluster.NewSubvolumeAsync("cephfs", name, null, null, null));
            CephSubvolume resized = await cluster.ResizeSubvolumeAsync("cephfs", name, null, 2147483648, noShrink: true);
            CephSubvolume listed = Assert.Single(await cluster.GetSubvolumesAsync("cephfs", null), s => s.Name == name);

            Assert.Equal((1073741824L, "750"), (created.BytesQuota!.Value, created.Mode));
            Assert.StartsWith("/volumes/_nogroup/" + name + "/", created.Path, StringComparison.Ordinal);
            Assert.Equal(("CephSubvolumeExists", OpsToolsErrorKind.ResourceExists), (twice.ErrorId, twice.Kind));
            Assert.Equal(2147483648L, resized.BytesQuota);
            Assert.Equal(created.Path, listed.Path);
            Assert.Equal(new[] { "cephfs" }, await cluster.GetFileSystemNamesAsync());
        }
        finally
        {
            await Lab.CephTools.CephAsync(fixture, "fs", "subvolume", "rm", "cephfs", name);
        }
    }

    [SkippableFact]
    public async Task A_missing_subvolume_is_object_not_found()
    {
        OpsToolsException error = await Assert.ThrowsAsync<OpsToolsException>(() => Cluster().GetSubvolumeAsync("cephfs", fixture.RunName + "-missing", null));

        Assert.Equal(("CephSubvolumeNotFound", OpsToolsErrorKind.ObjectNotFound), (error.ErrorId, error.Kind));
    }
}
