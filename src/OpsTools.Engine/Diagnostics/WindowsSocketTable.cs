using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using OpsTools.Diagnostics;

namespace OpsTools.Engine.Diagnostics;

/// <summary>
/// The listening sockets of a Windows host from the IP Helper API: <c>GetExtendedTcpTable</c> with
/// <c>TCP_TABLE_OWNER_PID_LISTENER</c> and <c>GetExtendedUdpTable</c> with <c>UDP_TABLE_OWNER_PID</c>,
/// for IPv4 and IPv6. Rows are read from the returned buffer at the documented offsets
/// (MIB_TCPROW_OWNER_PID, MIB_TCP6ROW_OWNER_PID, MIB_UDPROW_OWNER_PID, MIB_UDP6ROW_OWNER_PID).
/// </summary>
[SupportedOSPlatform("windows")]
internal static partial class WindowsSocketTable
{
    private const int AfInet = 2;
    private const int AfInet6 = 23;
    private const int TcpTableOwnerPidListener = 3;
    private const int UdpTableOwnerPid = 1;
    private const uint ErrorInsufficientBuffer = 122;

    public static IReadOnlyList<ListeningPort> Read()
    {
        var ports = new List<ListeningPort>();
        var names = new Dictionary<int, string?>();
        Add(ports, names, PortProtocol.Tcp, AfInet, rowSize: 24, addressOffset: 4, portOffset: 8, pidOffset: 20, addressLength: 4);
        Add(ports, names, PortProtocol.Tcp, AfInet6, rowSize: 56, addressOffset: 0, portOffset: 20, pidOffset: 52, addressLength: 16);
        Add(ports, names, PortProtocol.Udp, AfInet, rowSize: 12, addressOffset: 0, portOffset: 4, pidOffset: 8, addressLength: 4);
        Add(ports, names, PortProtocol.Udp, AfInet6, rowSize: 28, addressOffset: 0, portOffset: 20, pidOffset: 24, addressLength: 16);
        return ports;
    }

    private static void Add(List<ListeningPort> ports, Dictionary<int, string?> names, PortProtocol protocol, int family, int rowSize, int addressOffset, int portOffset, int pidOffset, int addressLength)
    {
        int size = 0;
        IntPtr buffer = IntPtr.Zero;
        try
        {
            uint result = ErrorInsufficientBuffer;
            while (result == ErrorInsufficientBuffer)
            {
                Marshal.FreeHGlobal(buffer);
                buffer = size == 0 ? IntPtr.Zero : Marshal.AllocHGlobal(size);
                result = protocol == PortProtocol.Tcp
                    ? GetExtendedTcpTable(buffer, ref size, false, family, TcpTableOwnerPidListener, 0)
                    : GetExtendedUdpTable(buffer, ref size, false, family, UdpTableOwnerPid, 0);
            }

            if (result != 0)
            {
                throw new OpsToolsException(
                    "ListeningPortTableUnavailable",
                    OpsToolsErrorKind.NotSpecified,
                    $"Windows did not return the {protocol} socket table (error {result}).",
                    protocol,
                    "Retry; run netstat -abno to compare.");
            }

            int count = Marshal.ReadInt32(buffer);
            byte[] address = new byte[addressLength];
            for (int row = 0; row < count; row++)
            {
                IntPtr at = buffer + 4 + (row * rowSize);
                Marshal.Copy(at + addressOffset, address, 0, addressLength);

                // The port is in network byte order in the low 16 bits of a DWORD.
                int port = (Marshal.ReadByte(at + portOffset) << 8) | Marshal.ReadByte(at + portOffset + 1);
                int pid = Marshal.ReadInt32(at + pidOffset);
                if (!names.TryGetValue(pid, out string? name))
                {
                    names[pid] = name = ProcessName(pid);
                }

                ports.Add(new ListeningPort
                {
                    Protocol = protocol,
                    Address = new IPAddress(address).ToString(),
                    AddressFamily = family == AfInet6 ? "IPv6" : "IPv4",
                    Port = port,
                    ProcessId = pid,
                    ProcessName = name,
                });
            }
        }
        finally
        {
            Marshal.FreeHGlobal(buffer);
        }
    }

    private static string? ProcessName(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.ProcessName;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    [LibraryImport("iphlpapi.dll", SetLastError = true)]
    private static partial uint GetExtendedTcpTable(IntPtr table, ref int size, [MarshalAs(UnmanagedType.Bool)] bool sort, int family, int tableClass, uint reserved);

    [LibraryImport("iphlpapi.dll", SetLastError = true)]
    private static partial uint GetExtendedUdpTable(IntPtr table, ref int size, [MarshalAs(UnmanagedType.Bool)] bool sort, int family, int tableClass, uint reserved);
}
