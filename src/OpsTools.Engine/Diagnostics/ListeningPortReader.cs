using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using OpsTools.Diagnostics;

namespace OpsTools.Engine.Diagnostics;

/// <summary>
/// Lists the listening sockets of this host with their owning process, as <c>ss -ltunp</c> (Linux)
/// or <c>netstat -abno</c> (Windows) do. Linux: the socket tables of <c>/proc/net/{tcp,tcp6,udp,udp6}</c>,
/// owners found by matching socket inodes in <c>/proc/&lt;pid&gt;/fd</c>. Windows: the IP Helper API
/// (<c>GetExtendedTcpTable</c>, <c>GetExtendedUdpTable</c>), which names the owning process itself.
/// </summary>
public static class ListeningPortReader
{
    private const string TcpListenState = "0A";
    private const string UdpUnconnectedState = "07";

    /// <summary>Reads the listening sockets, sorted by protocol, port and address.</summary>
    /// <param name="cancellationToken">Cancels between process directories.</param>
    /// <returns>The sockets.</returns>
    /// <exception cref="OpsToolsException"><c>ListeningPortPlatformNotSupported</c> on other systems.</exception>
    public static Task<IReadOnlyList<ListeningPort>> ReadAsync(CancellationToken cancellationToken = default)
    {
        IReadOnlyList<ListeningPort> ports;
        if (OperatingSystem.IsLinux())
        {
            ports = ReadLinux("/proc", cancellationToken);
        }
        else if (OperatingSystem.IsWindows())
        {
            ports = WindowsSocketTable.Read();
        }
        else
        {
            throw new OpsToolsException(
                "ListeningPortPlatformNotSupported",
                OpsToolsErrorKind.NotImplemented,
                $"Listening ports are read on Linux and Windows only, not on {RuntimeInformation.OSDescription}.",
                RuntimeInformation.OSDescription,
                "Use lsof -i -P or netstat on this system.");
        }

        return Task.FromResult<IReadOnlyList<ListeningPort>>(ports
            .OrderBy(p => p.Protocol)
            .ThenBy(p => p.Port)
            .ThenBy(p => p.AddressFamily, StringComparer.Ordinal)
            .ThenBy(p => p.Address, StringComparer.Ordinal)
            .ToList());
    }

    /// <summary>Reads the Linux socket tables under a proc root (a parameter so tests can read a copy).</summary>
    /// <param name="procRoot">Usually <c>/proc</c>.</param>
    /// <param name="cancellationToken">Cancels between process directories.</param>
    /// <returns>The sockets, unsorted.</returns>
    internal static IReadOnlyList<ListeningPort> ReadLinux(string procRoot, CancellationToken cancellationToken)
    {
        var sockets = new List<(ListeningPort Port, string Inode)>();
        foreach ((string file, PortProtocol protocol, bool ipv6) in new[]
        {
            ("tcp", PortProtocol.Tcp, false), ("tcp6", PortProtocol.Tcp, true),
            ("udp", PortProtocol.Udp, false), ("udp6", PortProtocol.Udp, true),
        })
        {
            string path = Path.Combine(procRoot, "net", file);
            if (!File.Exists(path))
            {
                continue; // No IPv6 in this kernel.
            }

            string listening = protocol == PortProtocol.Tcp ? TcpListenState : UdpUnconnectedState;
            foreach (string line in File.ReadLines(path).Skip(1))
            {
                if (ParseLine(line, protocol, ipv6, listening) is { } socket)
                {
                    sockets.Add(socket);
                }
            }
        }

        Dictionary<string, (int Pid, string? Name)> owners = FindOwners(procRoot, sockets.Select(s => s.Inode).ToHashSet(StringComparer.Ordinal), cancellationToken);
        return sockets
            .Select(s => owners.TryGetValue(s.Inode, out (int Pid, string? Name) owner)
                ? new ListeningPort { Protocol = s.Port.Protocol, Address = s.Port.Address, AddressFamily = s.Port.AddressFamily, Port = s.Port.Port, ProcessId = owner.Pid, ProcessName = owner.Name }
                : s.Port)
            .ToList();
    }

    /// <summary>Parses one line of a <c>/proc/net</c> socket table; null unless it is a listening socket.</summary>
    /// <param name="line">The line.</param>
    /// <param name="protocol">Table's protocol.</param>
    /// <param name="ipv6">Whether the table is tcp6/udp6.</param>
    /// <param name="listeningState">State code of a listening socket (0A for TCP, 07 for UDP).</param>
    /// <returns>The socket and its inode.</returns>
    internal static (ListeningPort Port, string Inode)? ParseLine(string line, PortProtocol protocol, bool ipv6, string listeningState)
    {
        // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
        string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 10 || fields[3] != listeningState)
        {
            return null;
        }

        int colon = fields[1].IndexOf(':', StringComparison.Ordinal);
        if (colon < 0 || !int.TryParse(fields[1].AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int port))
        {
            return null;
        }

        IPAddress? address = ParseAddress(fields[1][..colon], ipv6);
        if (address is null)
        {
            return null;
        }

        var socket = new ListeningPort
        {
            Protocol = protocol,
            Address = address.ToString(),
            AddressFamily = ipv6 ? "IPv6" : "IPv4",
            Port = port,
        };
        return (socket, fields[9]);
    }

    // The kernel prints each 32-bit word of the address in host byte order (little-endian here).
    private static IPAddress? ParseAddress(string hex, bool ipv6)
    {
        int length = ipv6 ? 16 : 4;
        if (hex.Length != length * 2)
        {
            return null;
        }

        byte[] bytes = new byte[length];
        for (int word = 0; word < length / 4; word++)
        {
            if (!uint.TryParse(hex.AsSpan(word * 8, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out uint value))
            {
                return null;
            }

            if (!BitConverter.IsLittleEndian)
            {
                value = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(value);
            }

            bytes[word * 4] = (byte)value;
            bytes[(word * 4) + 1] = (byte)(value >> 8);
            bytes[(word * 4) + 2] = (byte)(value >> 16);
            bytes[(word * 4) + 3] = (byte)(value >> 24);
        }

        var address = new IPAddress(bytes);
        return address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
    }

    private static Dictionary<string, (int Pid, string? Name)> FindOwners(string procRoot, HashSet<string> inodes, CancellationToken cancellationToken)
    {
        var owners = new Dictionary<string, (int Pid, string? Name)>(StringComparer.Ordinal);
        if (inodes.Count == 0)
        {
            return owners;
        }

        foreach (string processDirectory in Directory.EnumerateDirectories(procRoot))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!int.TryParse(Path.GetFileName(processDirectory), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            {
                continue;
            }

            try
            {
                foreach (string descriptor in Directory.EnumerateFileSystemEntries(Path.Combine(processDirectory, "fd")))
                {
                    string? target = new FileInfo(descriptor).LinkTarget;
                    if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal) && target.EndsWith(']'))
                    {
                        string inode = target[8..^1];
                        if (inodes.Contains(inode) && !owners.ContainsKey(inode))
                        {
                            owners[inode] = (pid, ReadName(processDirectory));
                        }
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The process ended meanwhile, or belongs to another user and we are not root.
            }
        }

        return owners;
    }

    private static string? ReadName(string processDirectory)
    {
        try
        {
            return File.ReadAllText(Path.Combine(processDirectory, "comm")).TrimEnd('\n');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
