using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using OpsTools.Ceph;
using OpsTools.Engine.Ceph;
using OpsTools.Engine.Tests.Lab;

namespace OpsTools.Engine.Tests.Ceph;

[Collection(CephCollection.Name)]
public sealed class CephMountTests(CephFixture fixture)
{
    [SkippableFact]
    public async Task The_lab_mount_passes_every_check()
    {
        fixture.RequireLab();

        CephMountTest result = await new CephFileSystem(TimeSpan.FromSeconds(5)).TestMountAsync(fixture.Root);

        Assert.True(result.Passed, result.Reason);
        Assert.Equal(fixture.Mount, result.MountPoint);
        Assert.Equal("fuse.ceph-fuse", result.FileSystemType);
        Assert.Equal("client.fsclient", result.Client);
        Assert.True(result.IsCephFs);
        Assert.True(result.IsResponsive);
        Assert.True(result.CanReadStatistics);
        Assert.True(result.CanSetQuota);
        Assert.All(result.Checks, c => Assert.Equal(CephCheckResult.Passed, c.Result));
        Assert.Null(await CephTools.GetAttributeAsync(fixture.Root, "ceph.quota"));
    }

    [SkippableFact]
    public async Task A_plain_directory_fails_the_mount_check_and_skips_the_others()
    {
        fixture.RequireLab();

        CephMountTest result = await new CephFileSystem(TimeSpan.FromSeconds(5)).TestMountAsync(Path.GetTempPath());

        Assert.False(result.Passed);
        Assert.False(result.IsCephFs);
        Assert.Null(result.IsResponsive);
        Assert.Equal(new[] { CephCheckResult.Failed, CephCheckResult.Skipped, CephCheckResult.Skipped, CephCheckResult.Skipped }, result.Checks.Select(c => c.Result));
        Assert.Contains("not on CephFS", result.Reason, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_client_without_the_p_cap_cannot_set_quotas()
    {
        fixture.RequireLab();

        CephMountTest result = await new CephFileSystem(TimeSpan.FromSeconds(5)).TestMountAsync(fixture.OnNoQuotaMount(fixture.Root));

        Assert.False(result.Passed);
        Assert.True(result.CanReadStatistics);
        Assert.False(result.CanSetQuota);
        Assert.Equal("client.fsnoquota", result.Client);
        Assert.Contains("'p'", result.Reason, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task With_the_mds_stopped_the_check_returns_within_its_timeout_and_later_calls_fail_at_once()
    {
        fixture.RequireLab();
        string pid = await MdsPidAsync();
        var fileSystem = new CephFileSystem(TimeSpan.FromSeconds(2));
        await CephTools.RunAsync("kill", TimeSpan.FromSeconds(5), "-STOP", pid);
        try
        {
            var clock = Stopwatch.StartNew();
            CephMountTest result = await fileSystem.TestMountAsync(fixture.Root);
            TimeSpan took = clock.Elapsed;

            Assert.InRange(took, TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(4));
            Assert.False(result.Passed);
            Assert.True(result.IsCephFs);
            Assert.False(result.IsResponsive);
            Assert.Contains("no answer within 2 s", result.Reason, StringComparison.Ordinal);

            clock.Restart();
            OpsToolsException error = await Assert.ThrowsAsync<OpsToolsException>(() => fileSystem.GetQuotaAsync(fixture.Root));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed}");
            Assert.Equal(OpsToolsErrorKind.OperationTimeout, error.Kind);
        }
        finally
        {
            await CephTools.RunAsync("kill", TimeSpan.FromSeconds(5), "-CONT", pid);
        }

        // Once the MDS answers, the blocked call returns and the mount is usable again.
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        while (BlockingCalls.IsStuck(fixture.Mount) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.True((await fileSystem.TestMountAsync(fixture.Root)).IsResponsive);
    }

    private static async Task<string> MdsPidAsync()
    {
        string script = Path.Combine(RepositoryRoot(), "tests", "lab", "components", "ceph.sh");
        (int exitCode, string output, string error) = await CephTools.RunAsync("bash", TimeSpan.FromSeconds(10), script, "mds_pid");
        Assert.True(exitCode == 0 && output.Length > 0, $"ceph.sh mds_pid: {error}");
        return output;
    }

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OpsTools.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("OpsTools.sln not found above " + AppContext.BaseDirectory);
    }
}
