using System;
using System.Runtime.InteropServices;
using System.Text;
using OpsTools.Engine.Ceph.Native;

namespace OpsTools.Engine.Ceph;

/// <summary>A failed system call on a CephFS path, with its errno; <see cref="CephErrors"/> turns it into an operator error.</summary>
internal sealed class CephSyscallException : Exception
{
    public CephSyscallException(int errno, string call, string path, string? attribute)
        : base($"{call}({path}{(attribute is null ? string.Empty : ", " + attribute)}): {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})")
    {
        Errno = errno;
        Call = call;
        Path = path;
        Attribute = attribute;
    }

    public int Errno { get; }

    public string Call { get; }

    public string Path { get; }

    public string? Attribute { get; }

    /// <summary>The C library's text for the errno, e.g. <c>Permission denied</c>.</summary>
    public string Description => Marshal.GetPInvokeErrorMessage(Errno);
}

/// <summary>
/// Blocking reads and writes of CephFS virtual extended attributes. Each read of a
/// <c>ceph.dir.*</c> attribute is a round trip to the MDS, and blocks while the MDS is away:
/// callers run these on <see cref="BlockingCalls"/> threads, never on a caller's thread.
/// </summary>
internal static class CephXattr
{
    public const string RecursiveBytes = "ceph.dir.rbytes";
    public const string RecursiveFiles = "ceph.dir.rfiles";
    public const string RecursiveSubdirectories = "ceph.dir.rsubdirs";
    public const string RecursiveEntries = "ceph.dir.rentries";
    public const string RecursiveChangeTime = "ceph.dir.rctime";
    public const string Quota = "ceph.quota";
    public const string QuotaMaxBytes = "ceph.quota.max_bytes";
    public const string QuotaMaxFiles = "ceph.quota.max_files";

    /// <summary>Reads an attribute as text; null when the path has no such attribute (ENODATA).</summary>
    /// <exception cref="CephSyscallException">Any other failure.</exception>
    public static string? Get(string path, string name)
    {
        // Ceph's virtual attributes are short numbers; 256 bytes fits every one of them.
        byte[] buffer = new byte[256];
        while (true)
        {
            nint length = LibC.GetXattr(path, name, buffer, (nuint)buffer.Length);
            if (length >= 0)
            {
                return Encoding.UTF8.GetString(buffer, 0, (int)length).TrimEnd('\0');
            }

            int errno = Marshal.GetLastPInvokeError();
            switch (errno)
            {
                case Errno.ENODATA:
                    return null;
                case Errno.ERANGE:
                    nint needed = LibC.GetXattr(path, name, null, 0);
                    if (needed < 0)
                    {
                        int sizeErrno = Marshal.GetLastPInvokeError();
                        if (sizeErrno == Errno.ENODATA)
                        {
                            return null;
                        }

                        throw new CephSyscallException(sizeErrno, "getxattr", path, name);
                    }

                    buffer = new byte[(int)needed + 16];
                    continue;
                default:
                    throw new CephSyscallException(errno, "getxattr", path, name);
            }
        }
    }

    /// <summary>Writes an attribute.</summary>
    /// <exception cref="CephSyscallException">The call failed.</exception>
    public static void Set(string path, string name, string value)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value);
        if (LibC.SetXattr(path, name, bytes, (nuint)bytes.Length, 0) != 0)
        {
            throw new CephSyscallException(Marshal.GetLastPInvokeError(), "setxattr", path, name);
        }
    }
}
