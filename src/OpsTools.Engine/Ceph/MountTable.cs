using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace OpsTools.Engine.Ceph;

/// <summary>A mounted file system, from <c>/proc/self/mountinfo</c>.</summary>
internal sealed class MountEntry
{
    public required string MountPoint { get; init; }

    public required string FileSystemType { get; init; }

    public required string Source { get; init; }

    public required string SuperOptions { get; init; }

    /// <summary>Kernel client (<c>ceph</c>) or ceph-fuse (<c>fuse.ceph-fuse</c>, or <c>fuse</c> with source <c>ceph-fuse</c>).</summary>
    public bool IsCephFs =>
        FileSystemType is "ceph" or "fuse.ceph-fuse" or "fuse.ceph"
        || (FileSystemType.StartsWith("fuse", StringComparison.Ordinal) && Source.StartsWith("ceph", StringComparison.Ordinal));

    public string Describe() => IsCephFs
        ? $"{(FileSystemType == "ceph" ? "kernel CephFS" : "ceph-fuse")} mount at {MountPoint}"
        : $"{FileSystemType} mounted at {MountPoint}";
}

/// <summary>
/// Which mount a path is on, read from <c>/proc/self/mountinfo</c> without touching the path
/// itself: a lookup that cannot block, even when the MDS behind a CephFS mount is gone.
/// </summary>
internal static class MountTable
{
    private const string MountInfoPath = "/proc/self/mountinfo";

    /// <summary>The current mounts; empty where there is no mountinfo (not Linux).</summary>
    public static IReadOnlyList<MountEntry> Read()
    {
        if (!File.Exists(MountInfoPath))
        {
            return Array.Empty<MountEntry>();
        }

        var entries = new List<MountEntry>();
        foreach (string line in File.ReadLines(MountInfoPath))
        {
            if (Parse(line) is { } entry)
            {
                entries.Add(entry);
            }
        }

        return entries;
    }

    /// <summary>Parses one mountinfo line: <c>id parent major:minor root mountpoint options [optional...] - fstype source superoptions</c>.</summary>
    internal static MountEntry? Parse(string line)
    {
        string[] fields = line.Split(' ');
        int separator = Array.IndexOf(fields, "-");
        if (fields.Length < 7 || separator < 6 || fields.Length < separator + 3)
        {
            return null;
        }

        return new MountEntry
        {
            MountPoint = Unescape(fields[4]),
            FileSystemType = fields[separator + 1],
            Source = Unescape(fields[separator + 2]),
            SuperOptions = fields.Length > separator + 3 ? fields[separator + 3] : string.Empty,
        };
    }

    /// <summary>The mount holding a full path (longest mount point that prefixes it; the last one mounted wins on ties).</summary>
    public static MountEntry? Find(IReadOnlyList<MountEntry> mounts, string fullPath)
    {
        MountEntry? best = null;
        foreach (MountEntry mount in mounts)
        {
            if (IsUnder(fullPath, mount.MountPoint) && (best is null || mount.MountPoint.Length >= best.MountPoint.Length))
            {
                best = mount;
            }
        }

        return best;
    }

    /// <summary>Whether <paramref name="path"/> is <paramref name="directory"/> or below it (both full paths).</summary>
    public static bool IsUnder(string path, string directory)
    {
        string dir = directory.Length > 1 ? directory.TrimEnd('/') : directory;
        if (dir == "/")
        {
            return path.StartsWith('/');
        }

        return path.Equals(dir, StringComparison.Ordinal)
            || (path.StartsWith(dir, StringComparison.Ordinal) && path.Length > dir.Length && path[dir.Length] == '/');
    }

    /// <summary>
    /// The Ceph client a mount runs as: <c>name=</c> of a kernel mount, or the <c>-n</c>/<c>--id</c>
    /// of the ceph-fuse process serving it. Null when it cannot be told.
    /// </summary>
    public static string? FindClient(MountEntry mount)
    {
        if (!mount.IsCephFs)
        {
            return null;
        }

        if (mount.FileSystemType == "ceph")
        {
            string? name = mount.SuperOptions.Split(',').FirstOrDefault(o => o.StartsWith("name=", StringComparison.Ordinal));
            return "client." + (name is null ? "guest" : name["name=".Length..]);
        }

        try
        {
            foreach (string process in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(process), out _))
                {
                    continue;
                }

                string[] arguments;
                try
                {
                    arguments = File.ReadAllText(Path.Combine(process, "cmdline")).Split('\0', StringSplitOptions.RemoveEmptyEntries);
                }
                catch (IOException)
                {
                    continue;
                }
                catch (UnauthorizedAccessException)
                {
                    continue;
                }

                if (arguments.Length > 1 && Path.GetFileName(arguments[0]) == "ceph-fuse"
                    && arguments.Any(a => a.TrimEnd('/') == mount.MountPoint.TrimEnd('/')))
                {
                    return ClientFromArguments(arguments);
                }
            }
        }
        catch (IOException)
        {
            // /proc not readable: the client stays unknown.
        }

        return null;
    }

    internal static string ClientFromArguments(IReadOnlyList<string> arguments)
    {
        for (int i = 1; i < arguments.Count; i++)
        {
            string argument = arguments[i];
            string? next = i + 1 < arguments.Count ? arguments[i + 1] : null;
            switch (argument)
            {
                case "-n" or "--name" when next is not null:
                    return next;
                case "-i" or "--id" or "--user" when next is not null:
                    return "client." + next;
            }

            if (argument.StartsWith("--name=", StringComparison.Ordinal))
            {
                return argument["--name=".Length..];
            }

            if (argument.StartsWith("--id=", StringComparison.Ordinal))
            {
                return "client." + argument["--id=".Length..];
            }
        }

        return "client.admin";
    }

    /// <summary>Undoes the octal escapes of mountinfo (<c>\040</c> for a space...).</summary>
    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var builder = new StringBuilder(field.Length);
        for (int i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length
                && IsOctal(field[i + 1]) && IsOctal(field[i + 2]) && IsOctal(field[i + 3]))
            {
                builder.Append((char)(((field[i + 1] - '0') * 64) + ((field[i + 2] - '0') * 8) + (field[i + 3] - '0')));
                i += 3;
            }
            else
            {
                builder.Append(field[i]);
            }
        }

        return builder.ToString();
    }

    private static bool IsOctal(char c) => c is >= '0' and <= '7';
}
