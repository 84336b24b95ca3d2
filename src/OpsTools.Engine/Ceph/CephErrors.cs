using System;
using System.IO;
using OpsTools.Engine.Ceph.Native;

namespace OpsTools.Engine.Ceph;

/// <summary>
/// Turns errno from the CephFS system calls, and .NET file-system exceptions, into operator
/// errors: ENOTSUP means not CephFS, EACCES/EPERM on a quota means the client lacks the
/// <c>p</c> cap, ENOENT a missing path, EINVAL a value CephFS refuses.
/// </summary>
internal static class CephErrors
{
    /// <summary>Maps a failed call; <paramref name="what"/> completes "Cannot ..." (e.g. <c>set the quota of '/mnt/cephfs/x'</c>).</summary>
    public static OpsToolsException Map(CephSyscallException exception, string what, MountEntry? mount, bool quotaWrite = false, bool offerWalk = false)
    {
        string path = exception.Path;
        switch (exception.Errno)
        {
            case Errno.ENOENT:
                return new OpsToolsException(
                    "CephPathNotFound",
                    OpsToolsErrorKind.ObjectNotFound,
                    $"Cannot {what}: '{path}' does not exist.",
                    path,
                    "Check the path; Get-ChildItem on its parent lists what is there.",
                    exception);
            case Errno.ENOTDIR:
                return NotDirectory(path, what, exception);
            case Errno.EOPNOTSUPP:
                return NotCephFs(path, what, mount, exception, offerWalk);
            case Errno.EACCES or Errno.EPERM when quotaWrite:
                string client = (mount is null ? null : MountTable.FindClient(mount)) ?? "the client";
                return new OpsToolsException(
                    "CephQuotaPermissionDenied",
                    OpsToolsErrorKind.PermissionDenied,
                    $"Cannot {what}: permission denied ({exception.Description}). Setting a CephFS quota needs the 'p' flag in the MDS caps of the mount's client ({client}), for example mds 'allow rwps'.",
                    path,
                    $"Run 'ceph auth get {(client.StartsWith("client.", StringComparison.Ordinal) ? client : "client.<name>")}' to see its caps; add 'p' with 'ceph auth caps' (it replaces all caps: repeat the mon and osd caps), then remount. Or set the quota from a mount whose client has it.",
                    exception);
            case Errno.EACCES or Errno.EPERM:
                return new OpsToolsException(
                    "CephPermissionDenied",
                    OpsToolsErrorKind.PermissionDenied,
                    $"Cannot {what}: permission denied ({exception.Description}).",
                    path,
                    "Check the directory's permissions and the path restriction of the client's MDS caps ('ceph auth get client.<name>').",
                    exception);
            case Errno.EINVAL:
                return new OpsToolsException(
                    "CephValueInvalid",
                    OpsToolsErrorKind.InvalidArgument,
                    $"Cannot {what}: CephFS refused the value (Invalid argument){(exception.Attribute is null ? string.Empty : $" for {exception.Attribute}")}.",
                    path,
                    "Quotas are set on directories only, as a plain count of bytes or files (0 removes the limit).",
                    exception);
            case Errno.ENOTCONN:
                return new OpsToolsException(
                    "CephMountDisconnected",
                    OpsToolsErrorKind.ConnectionError,
                    $"Cannot {what}: the mount {(mount is null ? "holding it" : "at " + mount.MountPoint)} is disconnected ({exception.Description}); its ceph-fuse process has probably exited.",
                    path,
                    "Remount the file system (umount -l, then ceph-fuse or mount -t ceph again).",
                    exception);
            case Errno.ETIMEDOUT:
                return new OpsToolsException(
                    "CephMetadataTimeout",
                    OpsToolsErrorKind.OperationTimeout,
                    $"Cannot {what}: the call timed out ({exception.Description}).",
                    path,
                    "Check the MDS ('ceph fs status') and the mount (Test-CephMount).",
                    exception);
            default:
                return new OpsToolsException(
                    "CephMetadataCallFailed",
                    OpsToolsErrorKind.NotSpecified,
                    $"Cannot {what}: {exception.Description} (errno {exception.Errno}, {exception.Call} {exception.Attribute}).",
                    path,
                    "Check the mount (Test-CephMount) and the cluster (Get-CephHealth).",
                    exception);
        }
    }

    /// <summary>Maps an exception from a .NET file-system call (directory listing, unlink, rmdir).</summary>
    public static OpsToolsException Map(Exception exception, string path, string what) => exception switch
    {
        OpsToolsException own => own,
        DirectoryNotFoundException or FileNotFoundException => new OpsToolsException(
            "CephPathNotFound",
            OpsToolsErrorKind.ObjectNotFound,
            $"Cannot {what}: '{path}' does not exist.",
            path,
            "Check the path; Get-ChildItem on its parent lists what is there.",
            exception),
        UnauthorizedAccessException => new OpsToolsException(
            "CephPermissionDenied",
            OpsToolsErrorKind.PermissionDenied,
            $"Cannot {what}: permission denied.",
            path,
            "Check the permissions of the directory and of its parent.",
            exception),
        _ => new OpsToolsException(
            "CephMetadataCallFailed",
            OpsToolsErrorKind.NotSpecified,
            $"Cannot {what}: {exception.Message}",
            path,
            "Check the mount (Test-CephMount) and the cluster (Get-CephHealth).",
            exception),
    };

    public static OpsToolsException NotCephFs(string path, string what, MountEntry? mount, Exception? inner = null, bool offerWalk = false) => new(
        "CephPathNotCephFs",
        OpsToolsErrorKind.InvalidArgument,
        $"Cannot {what}: '{path}' is not on CephFS{(mount is null ? string.Empty : $" (it is on {mount.Describe()})")}, so it has no ceph.* attributes.",
        path,
        offerWalk
            ? "Give a path on a CephFS mount (Test-CephMount tells), or add -Recurse to count by walking the tree instead (slow on large trees)."
            : "Give a path on a CephFS mount; Test-CephMount tells whether a path is on one.",
        inner);

    public static OpsToolsException NotDirectory(string path, string what, Exception? inner = null) => new(
        "CephPathNotDirectory",
        OpsToolsErrorKind.InvalidArgument,
        $"Cannot {what}: '{path}' is not a directory. CephFS keeps quotas and recursive statistics on directories only.",
        path,
        "Give the directory that holds the file.",
        inner);
}
