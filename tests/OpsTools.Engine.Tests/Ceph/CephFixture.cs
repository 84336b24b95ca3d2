using System;
using System.IO;
using System.Threading.Tasks;
using OpsTools.Engine.Tests.Lab;

namespace OpsTools.Engine.Tests.Ceph;

/// <summary>
/// The lab's CephFS mounts and cluster configuration, and a directory of this test run on the
/// mount (opstools-test-xxxxxxxx) that is removed afterwards.
/// </summary>
public sealed class CephFixture : IAsyncLifetime
{
    public string Mount { get; private set; } = string.Empty;

    /// <summary>The same file system mounted by a client without the 'p' MDS cap.</summary>
    public string NoQuotaMount { get; private set; } = string.Empty;

    public string ConfigPath { get; private set; } = string.Empty;

    public string Keyring { get; private set; } = string.Empty;

    public string ClientId { get; private set; } = string.Empty;

    /// <summary>Name of this run's directory below each mount.</summary>
    public string RunName { get; } = "opstools-test-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>This run's directory on the quota-capable mount.</summary>
    public string Root => Path.Combine(Mount, RunName);

    /// <summary>Null when the lab is there; otherwise why not.</summary>
    public Exception? LabProblem { get; private set; }

    public async Task InitializeAsync()
    {
        string? mount = LabEnvironment.Get("OPSTOOLS_TEST_CEPHFS_MOUNT");
        string? noQuota = LabEnvironment.Get("OPSTOOLS_TEST_CEPHFS_MOUNT_NOQUOTA");
        string? config = LabEnvironment.Get("OPSTOOLS_TEST_CEPH_CONF");
        string? keyring = LabEnvironment.Get("OPSTOOLS_TEST_CEPH_KEYRING");
        string? id = LabEnvironment.Get("OPSTOOLS_TEST_CEPH_ID");
        if (mount is null || noQuota is null || config is null || keyring is null || id is null)
        {
            LabProblem = new InvalidOperationException("OPSTOOLS_TEST_CEPHFS_MOUNT / _NOQUOTA / OPSTOOLS_TEST_CEPH_CONF / _KEYRING / _ID are unset");
            return;
        }

        (Mount, NoQuotaMount, ConfigPath, Keyring, ClientId) = (mount, noQuota, config, keyring, id);
        try
        {
            // Witnessed with getfattr, which needs the MDS: the mount is there and answers.
            if (await CephTools.GetAttributeAsync(Mount, "ceph.dir.rentries") is null)
            {
                throw new InvalidOperationException($"{Mount} has no ceph.dir.rentries: not CephFS");
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            LabProblem = ex;
            return;
        }

        Directory.CreateDirectory(Root);
    }

    /// <summary>Skips (outside CI) or fails (CI) the calling test when the lab is missing.</summary>
    public void RequireLab()
    {
        if (LabProblem is not null)
        {
            LabEnvironment.Unreachable("CephFS", LabProblem);
        }
    }

    /// <summary>A new, empty directory of this run on the quota-capable mount.</summary>
    public string NewDirectory(string name)
    {
        RequireLab();
        string path = Path.Combine(Root, name + "-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>The same directory seen through the mount whose client lacks the 'p' cap.</summary>
    public string OnNoQuotaMount(string path) => Path.Combine(NoQuotaMount, Path.GetRelativePath(Mount, path));

    public Task DisposeAsync()
    {
        if (LabProblem is null && Mount.Length > 0 && Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }

        return Task.CompletedTask;
    }
}

/// <summary>
/// One collection for every test that touches the lab cluster: they run one after another,
/// since one of them stops the MDS for a few seconds.
/// </summary>
[CollectionDefinition(Name)]
public sealed class CephCollection : ICollectionFixture<CephFixture>
{
    public const string Name = "Ceph lab";
}
