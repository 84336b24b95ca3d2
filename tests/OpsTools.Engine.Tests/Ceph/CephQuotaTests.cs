using System;
using System.IO;
using System.Threading.Tasks;
using OpsTools.Ceph;
using OpsTools.Engine.Ceph;
using OpsTools.Engine.Tests.Lab;

namespace OpsTools.Engine.Tests.Ceph;

[Collection(CephCollection.Name)]
public sealed class CephQuotaTests(CephFixture fixture)
{
    private readonly CephFileSystem _fileSystem = new(TimeSpan.FromSeconds(10));

    [SkippableFact]
    public async Task A_quota_set_is_what_getfattr_reads_and_round_trips_both_limits()
    {
        string dir = fixture.NewDirectory("quota");

        CephQuota after = await _fileSystem.SetQuotaAsync(dir, ByteSize.Parse("10G").Bytes, 5000);

        Assert.Equal("10737418240", await CephTools.GetAttributeAsync(dir, "ceph.quota.max_bytes"));
        Assert.Equal("5000", await CephTools.GetAttributeAsync(dir, "ceph.quota.max_files"));
        Assert.Equal(10737418240L, after.MaxBytes);
        Assert.Equal(5000L, after.MaxFiles);
        CephQuota read = await _fileSystem.GetQuotaAsync(dir);
        Assert.Equal((10737418240L, 5000L), (read.MaxBytes, read.MaxFiles));
    }

    [SkippableFact]
    public async Task A_limit_not_given_is_left_as_it_is()
    {
        string dir = fixture.NewDirectory("keep");
        await CephTools.SetAttributeAsync(dir, "ceph.quota.max_files", "700");

        await _fileSystem.SetQuotaAsync(dir, 1048576, null);

        CephQuota read = await _fileSystem.GetQuotaAsync(dir);
        Assert.Equal((1048576L, 700L), (read.MaxBytes, read.MaxFiles));
    }

    [SkippableFact]
    public async Task A_directory_without_a_quota_has_no_limits_and_no_error()
    {
        string dir = fixture.NewDirectory("none");

        CephQuota quota = await _fileSystem.GetQuotaAsync(dir);

        Assert.Null(quota.MaxBytes);
        Assert.Null(quota.MaxFiles);
        Assert.False(quota.HasLimit);
    }

    [SkippableFact]
    public async Task Removing_a_quota_leaves_no_quota_attribute()
    {
        string dir = fixture.NewDirectory("remove");
        await CephTools.SetAttributeAsync(dir, "ceph.quota.max_bytes", "1048576");
        await CephTools.SetAttributeAsync(dir, "ceph.quota.max_files", "10");

        CephQuota after = await _fileSystem.RemoveQuotaAsync(dir);

        Assert.False(after.HasLimit);
        Assert.Null(await CephTools.GetAttributeAsync(dir, "ceph.quota"));
    }

    [SkippableFact]
    public async Task A_client_without_the_p_cap_gets_permission_denied_naming_the_client()
    {
        string dir = fixture.NewDirectory("nop");
        string viaNoQuota = fixture.OnNoQuotaMount(dir);

        OpsToolsException error = await Assert.ThrowsAsync<OpsToolsException>(() => _fileSystem.SetQuotaAsync(viaNoQuota, 1048576, null));

        Assert.Equal("CephQuotaPermissionDenied", error.ErrorId);
        Assert.Equal(OpsToolsErrorKind.PermissionDenied, error.Kind);
        Assert.Contains("client.fsnoquota", error.Message, StringComparison.Ordinal);
        Assert.Contains("'p'", error.Message, StringComparison.Ordinal);
        Assert.Contains("ceph auth", error.RecommendedAction, StringComparison.Ordinal);
        Assert.Null(await CephTools.GetAttributeAsync(dir, "ceph.quota"));
    }

    [SkippableFact]
    public async Task A_path_that_is_not_on_cephfs_says_so_and_names_its_file_system()
    {
        fixture.RequireLab();
        string dir = Directory.CreateTempSubdirectory("opstools-test-").FullName;
        try
        {
            OpsToolsException error = await Assert.ThrowsAsync<OpsToolsException>(() => _fileSystem.GetQuotaAsync(dir));

            Assert.Equal("CephPathNotCephFs", error.ErrorId);
            Assert.Equal(OpsToolsErrorKind.InvalidArgument, error.Kind);
            Assert.Contains("not on CephFS", error.Message, StringComparison.Ordinal);
            Assert.Contains("mounted at", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir);
        }
    }

    [SkippableFact]
    public async Task A_missing_path_is_object_not_found_and_a_file_is_not_a_directory()
    {
        string dir = fixture.NewDirectory("missing");
        string file = Path.Combine(dir, "file");
        await File.WriteAllTextAsync(file, "x");

        OpsToolsException missing = await Assert.ThrowsAsync<OpsToolsException>(() => _fileSystem.GetQuotaAsync(Path.Combine(dir, "nope")));
        OpsToolsException notDirectory = await Assert.ThrowsAsync<OpsToolsException>(() => _fileSystem.SetQuotaAsync(file, 1024, null));

        Assert.Equal(("CephPathNotFound", OpsToolsErrorKind.ObjectNotFound), (missing.ErrorId, missing.Kind));
        Assert.Equal(OpsToolsErrorKind.InvalidArgument, notDirectory.Kind);
    }

    [SkippableFact]
    public async Task A_negative_limit_is_refused_before_anything_is_written()
    {
        string dir = fixture.NewDirectory("negative");

        OpsToolsException error = await Assert.ThrowsAsync<OpsToolsException>(() => _fileSystem.SetQuotaAsync(dir, -1, null));

        Assert.Equal(("CephQuotaValueInvalid", OpsToolsErrorKind.InvalidArgument), (error.ErrorId, error.Kind));
        Assert.Null(await CephTools.GetAttributeAsync(dir, "ceph.quota"));
    }

    [SkippableFact]
    public async Task Quotas_of_many_directories_come_back_in_the_order_given_with_errors_in_place()
    {
        string a = fixture.NewDirectory("many-a");
        string b = fixture.NewDirectory("many-b");
        await CephTools.SetAttributeAsync(b, "ceph.quota.max_bytes", "2048");
        string missing = Path.Combine(fixture.Root, "does-not-exist");

        var results = new System.Collections.Generic.List<CephResult<CephQuota>>();
        await foreach (CephResult<CephQuota> result in _fileSystem.GetQuotasAsync(new[] { b, missing, a }))
        {
            results.Add(result);
        }

        Assert.Equal(new[] { b, missing, a }, results.ConvertAll(r => r.Path));
        Assert.Equal(2048L, results[0].Value?.MaxBytes);
        Assert.Equal("CephPathNotFound", results[1].Error?.ErrorId);
        Assert.False(results[2].Value?.HasLimit);
    }
}
