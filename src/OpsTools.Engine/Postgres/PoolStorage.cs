using System;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;

namespace OpsTools.Engine.Postgres;

/// <summary>
/// Pool data directories on CephFS: created for the image's postgres user (uid/gid 999, mode
/// 0700) before the service starts, as bind-mount sources must exist; moved aside when archived.
/// </summary>
internal static class PoolStorage
{
    /// <summary>uid and gid of the postgres user in the official image (and the lab's).</summary>
    public const int PostgresUid = 999;

    /// <summary>Creates a new, empty data directory owned by the postgres user.</summary>
    public static void CreateDataDirectory(string path)
    {
        if (Directory.Exists(path) || File.Exists(path))
        {
            throw new OpsToolsException(
                "PoolDataDirectoryExists",
                OpsToolsErrorKind.ResourceExists,
                $"The data directory {path} exists already; a new pool must start empty.",
                path,
                "Archive or remove the old directory, or let New-DatabasePool pick the next pool number.");
        }

        try
        {
            string? parent = Path.GetDirectoryName(path);
            if (parent is not null)
            {
                Directory.CreateDirectory(parent);
            }

            Directory.CreateDirectory(path);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                if (NativeMethods.chown(path, PostgresUid, PostgresUid) != 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    Directory.Delete(path);
                    throw new OpsToolsException(
                        "PoolDataDirectoryFailed",
                        errno == 1 ? OpsToolsErrorKind.PermissionDenied : OpsToolsErrorKind.NotSpecified,
                        string.Create(CultureInfo.InvariantCulture, $"Cannot give {path} to uid {PostgresUid} (errno {errno})."),
                        path,
                        "Run as root on a node that mounts the CephFS root.");
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new OpsToolsException(
                "PoolDataDirectoryFailed",
                ex is UnauthorizedAccessException ? OpsToolsErrorKind.PermissionDenied : OpsToolsErrorKind.NotSpecified,
                $"Cannot create the data directory {path}: {ex.Message}",
                path,
                "Run on a node that mounts the CephFS root (-StorageRoot), as a user that may write there.",
                ex);
        }
    }

    /// <summary>Moves a data directory to <c>&lt;parent&gt;/archive/&lt;name&gt;-&lt;UTC time&gt;</c>; null when it does not exist.</summary>
    public static string? Archive(string path, DateTimeOffset now)
    {
        if (!Directory.Exists(path))
        {
            return null;
        }

        string full = Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar);
        string? parent = Path.GetDirectoryName(full);
        if (parent is null || string.IsNullOrEmpty(Path.GetFileName(full)))
        {
            throw new OpsToolsException(
                "PoolDataDirectoryInvalid",
                OpsToolsErrorKind.InvalidData,
                $"The recorded data directory '{path}' cannot be archived.",
                path,
                "Fix storage_path in the pool's db_servers row.");
        }

        string archiveDirectory = Path.Combine(parent, "archive");
        string target = Path.Combine(archiveDirectory, Path.GetFileName(full) + "-" + now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture));
        try
        {
            Directory.CreateDirectory(archiveDirectory);
            Directory.Move(full, target);
            return target;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new OpsToolsException(
                "PoolArchiveFailed",
                ex is UnauthorizedAccessException ? OpsToolsErrorKind.PermissionDenied : OpsToolsErrorKind.NotSpecified,
                $"Cannot move {full} to {target}: {ex.Message}",
                full,
                "Check that the CephFS root is mounted here and writable; the pool's service is already removed, so run Remove-DatabasePool again to retry.",
                ex);
        }
    }

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int chown([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int owner, int group);
    }
}
