using System.Runtime.InteropServices;

namespace OpsTools.Engine.Ceph.Native;

/// <summary>
/// The extended-attribute system calls CephFS exposes its quotas and recursive statistics
/// through (<c>ceph.quota.*</c>, <c>ceph.dir.r*</c>). libc directly: no package needed, and
/// errno comes back through <see cref="Marshal.GetLastPInvokeError"/>.
/// </summary>
internal static partial class LibC
{
    private const string Library = "libc";

    /// <summary><c>ssize_t getxattr(const char *path, const char *name, void *value, size_t size)</c>.</summary>
    [LibraryImport(Library, EntryPoint = "getxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint GetXattr(string path, string name, byte[]? value, nuint size);

    /// <summary><c>int setxattr(const char *path, const char *name, const void *value, size_t size, int flags)</c>.</summary>
    [LibraryImport(Library, EntryPoint = "setxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int SetXattr(string path, string name, byte[] value, nuint size, int flags);
}

/// <summary>Linux errno values the CephFS calls report.</summary>
internal static class Errno
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int EIO = 5;
    public const int EACCES = 13;
    public const int ENOTDIR = 20;
    public const int EINVAL = 22;
    public const int ERANGE = 34;
    public const int ENODATA = 61;
    public const int EOPNOTSUPP = 95;
    public const int ENOTCONN = 107;
    public const int ETIMEDOUT = 110;
    public const int EDQUOT = 122;
}
