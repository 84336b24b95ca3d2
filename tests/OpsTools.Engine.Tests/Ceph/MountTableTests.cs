using OpsTools.Engine.Ceph;

namespace OpsTools.Engine.Tests.Ceph;

public sealed class MountTableTests
{
    private static readonly MountEntry[] Mounts =
    {
        MountTable.Parse("22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw")!,
        MountTable.Parse("45 22 0:39 / /mnt/cephfs rw,nosuid,nodev,relatime - fuse.ceph-fuse ceph-fuse rw,user_id=0,group_id=0,allow_other")!,
        MountTable.Parse("46 22 0:40 / /mnt/ceph\\040kernel rw,relatime - ceph 10.0.0.1:6789:/ rw,name=fsclient,secret=<hidden>,acl")!,
    };

    [Theory]
    [InlineData("/mnt/cephfs", "/mnt/cephfs", true)]
    [InlineData("/mnt/cephfs/odoo_instances/x", "/mnt/cephfs", true)]
    [InlineData("/mnt/cephfsother", "/", false)]
    [InlineData("/mnt/ceph kernel/a", "/mnt/ceph kernel", true)]
    [InlineData("/tmp", "/", false)]
    public void A_path_is_on_the_longest_mount_point_that_holds_it(string path, string mountPoint, bool isCephFs)
    {
        MountEntry? mount = MountTable.Find(Mounts, path);

        Assert.NotNull(mount);
        Assert.Equal(mountPoint, mount.MountPoint);
        Assert.Equal(isCephFs, mount.IsCephFs);
    }

    [Fact]
    public void A_kernel_mount_names_its_client_in_its_options()
    {
        Assert.Equal("client.fsclient", MountTable.FindClient(Mounts[2]));
    }

    [Theory]
    [InlineData("client.fsclient", "ceph-fuse", "-n", "client.fsclient", "/mnt/cephfs")]
    [InlineData("client.fsclient", "ceph-fuse", "--id", "fsclient", "/mnt/cephfs")]
    [InlineData("client.x", "ceph-fuse", "--name=client.x", "/mnt/cephfs")]
    [InlineData("client.admin", "ceph-fuse", "/mnt/cephfs")]
    public void A_fuse_mount_names_its_client_on_the_command_line(string client, params string[] arguments)
    {
        Assert.Equal(client, MountTable.ClientFromArguments(arguments));
    }
}
