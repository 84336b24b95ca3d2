using System;
using System.Linq;
using System.Text.Json;
using OpsTools.Ceph;
using OpsTools.Engine.Ceph;

namespace OpsTools.Engine.Tests.Ceph;

/// <summary>The parsers on output captured from the lab's Ceph 16.2.15.</summary>
public sealed class CephJsonTests
{
    private const string MutedHealth = """
        {"status":"HEALTH_OK","checks":{"OSDMAP_FLAGS":{"severity":"HEALTH_WARN","summary":{"message":"noout flag(s) set","count":5},"detail":[],"muted":true}},"mutes":[{"code":"OSDMAP_FLAGS","sticky":false,"summary":"noout flag(s) set","count":5}]}
        """;

    private const string DetailedHealth = """
        {"status":"HEALTH_ERR","checks":{
          "MDS_SLOW_METADATA_IO":{"severity":"HEALTH_WARN","summary":{"message":"1 MDSs report slow metadata IOs","count":1},"detail":[{"message":"mds.a(mds.0): 4 slow metadata IOs are blocked > 30 secs"}],"muted":false},
          "MDS_ALL_DOWN":{"severity":"HEALTH_ERR","summary":{"message":"1 filesystem is offline","count":1},"detail":[{"message":"fs cephfs is offline because no MDS is active for it."}],"muted":false}},"mutes":[]}
        """;

    private const string Status = """
        {"fsid":"451a17ad-c59f-4f65-813a-66fa08b65430","health":{"status":"HEALTH_OK","checks":{},"mutes":[]},"election_epoch":3,"quorum":[0],"quorum_names":["a"],"quorum_age":28,"monmap":{"epoch":1,"min_mon_release_name":"pacific","num_mons":1},"osdmap":{"epoch":12,"num_osds":1,"num_up_osds":1,"osd_up_since":1795626765,"num_in_osds":1,"osd_in_since":1795626756,"num_remapped_pgs":0},"pgmap":{"pgs_by_state":[{"state_name":"active+clean","count":49}],"num_pgs":49,"num_pools":3,"num_objects":23,"data_bytes":14852,"bytes_used":304373760,"bytes_avail":21170462720,"bytes_total":21474836480},"fsmap":{"epoch":6,"id":1,"up":1,"in":1,"max":1,"by_rank":[{"filesystem_id":1,"rank":0,"name":"a","status":"up:active","gid":4106}],"up:standby":0},"mgrmap":{"available":true,"num_standbys":0,"modules":["iostat","nfs","restful"],"services":{}}}
        """;

    private const string Df = """
        {"stats":{"total_bytes":21474836480,"total_avail_bytes":21170450432,"total_used_bytes":304386048},"pools":[{"name":"cephfs_metadata","id":1,"stats":{"stored":17916,"objects":22,"kb_used":48,"bytes_used":49152,"percent_used":2.44576767727267e-06,"max_avail":20096708608}},{"name":"cephfs_data","id":2,"stats":{"stored":2,"objects":1,"kb_used":4,"bytes_used":4096,"percent_used":0.25,"max_avail":20096708608}}]}
        """;

    private const string FsDump = """
        {"epoch":6,"default_fscid":1,"standbys":[],"filesystems":[{"mdsmap":{"epoch":6,"max_mds":1,"in":[0],"up":{"mds_0":4106},"failed":[],"damaged":[],"stopped":[],"info":{"gid_4106":{"gid":4106,"name":"a","rank":0,"state":"up:active"}},"data_pools":[2],"metadata_pool":1,"enabled":true,"fs_name":"cephfs","standby_count_wanted":0},"id":1}]}
        """;

    [Fact]
    public void A_muted_check_is_listed_as_muted_and_does_not_count_towards_the_status()
    {
        using JsonDocument json = JsonDocument.Parse(MutedHealth);

        CephHealth health = CephJson.ParseHealth(json.RootElement, "ceph");

        Assert.Equal(CephHealthStatus.Ok, health.Status);
        CephHealthCheck check = Assert.Single(health.Checks);
        Assert.Equal("OSDMAP_FLAGS", check.Code);
        Assert.Equal(CephHealthStatus.Warning, check.Severity);
        Assert.Equal("noout flag(s) set", check.Message);
        Assert.Equal(5, check.Count);
        Assert.True(check.Muted);
        Assert.Equal(0, health.ActiveChecks);
        Assert.Equal(1, health.MutedChecks);
    }

    [Fact]
    public void Checks_carry_their_detail_lines_most_severe_first()
    {
        using JsonDocument json = JsonDocument.Parse(DetailedHealth);

        CephHealth health = CephJson.ParseHealth(json.RootElement, "backup");

        Assert.Equal(CephHealthStatus.Error, health.Status);
        Assert.Equal(new[] { "MDS_ALL_DOWN", "MDS_SLOW_METADATA_IO" }, health.Checks.Select(c => c.Code));
        Assert.Equal("fs cephfs is offline because no MDS is active for it.", Assert.Single(health.Checks[0].Details));
        Assert.All(health.Checks, c => Assert.Equal("backup", c.Cluster));
    }

    [Fact]
    public void Status_combines_ceph_status_df_and_fs_dump()
    {
        using JsonDocument status = JsonDocument.Parse(Status);
        using JsonDocument df = JsonDocument.Parse(Df);
        using JsonDocument fs = JsonDocument.Parse(FsDump);

        CephStatus result = CephJson.ParseStatus(status.RootElement, df.RootElement, fs.RootElement, "ceph");

        Assert.Equal("451a17ad-c59f-4f65-813a-66fa08b65430", result.Fsid);
        Assert.Equal(CephHealthStatus.Ok, result.Health);
        Assert.Equal((1, 1, 1), (result.Osds, result.OsdsUp, result.OsdsIn));
        Assert.Equal(new[] { "a" }, result.Quorum);
        Assert.True(result.ManagerAvailable);
        Assert.Equal(49, result.PlacementGroupStates["active+clean"]);
        Assert.Equal(21474836480L, result.TotalBytes);
        Assert.Equal(1.42, result.PercentUsed);
        CephPoolUsage data = Assert.Single(result.Pools, p => p.Name == "cephfs_data");
        Assert.Equal(25, data.PercentUsed);
        CephFileSystemState cephfs = Assert.Single(result.FileSystems);
        Assert.Equal("cephfs", cephfs.Name);
        Assert.Equal("cephfs_metadata", cephfs.MetadataPool);
        Assert.Equal(new[] { "cephfs_data" }, cephfs.DataPools);
        Assert.Equal(new[] { "a=up:active" }, cephfs.Daemons);
        Assert.True(cephfs.IsHealthy);
    }

    [Fact]
    public void A_subvolume_reads_its_limit_use_mode_and_time_and_infinite_is_no_limit()
    {
        using JsonDocument sized = JsonDocument.Parse("""
            {"atime":"2026-11-25 18:29:34","bytes_pcent":"12.50","bytes_quota":1073741824,"bytes_used":134217728,"created_at":"2026-11-25 18:29:34","data_pool":"cephfs_data","gid":999,"mode":16872,"path":"/volumes/csi/pvc-1/c98a","state":"complete","type":"subvolume","uid":999}
            """);
        using JsonDocument open = JsonDocument.Parse("""
            {"bytes_pcent":"undefined","bytes_quota":"infinite","bytes_used":0,"mode":16877,"path":"/volumes/_nogroup/x/1","state":"complete","type":"subvolume"}
            """);

        CephSubvolume a = CephJson.ParseSubvolume(sized.RootElement, "ceph", "cephfs", "csi", "pvc-1");
        CephSubvolume b = CephJson.ParseSubvolume(open.RootElement, "ceph", "cephfs", null, "x");

        Assert.Equal((1073741824L, 134217728L, 12.5), (a.BytesQuota!.Value, a.BytesUsed, a.PercentUsed!.Value));
        Assert.Equal("750", a.Mode);
        Assert.Equal((999L, 999L), (a.Uid, a.Gid));
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 18, 29, 34, TimeSpan.Zero), a.CreatedAt);
        Assert.Equal("csi", a.Group);
        Assert.Null(b.BytesQuota);
        Assert.Null(b.PercentUsed);
        Assert.Equal("755", b.Mode);
        Assert.Null(b.Group);
    }
}
