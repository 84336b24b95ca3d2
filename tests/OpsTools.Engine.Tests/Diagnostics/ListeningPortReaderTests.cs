using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using OpsTools.Diagnostics;
using OpsTools.Engine.Diagnostics;

namespace OpsTools.Engine.Tests.Diagnostics;

/// <summary>The socket tables of this host, read while the test holds real sockets open.</summary>
public sealed class ListeningPortReaderTests
{
    [Fact]
    public void Parses_a_listening_IPv4_line_of_proc_net_tcp()
    {
        // 127.0.0.1:8069 in LISTEN state, inode 4242 (the kernel prints the address word little-endian).
        (ListeningPort Port, string Inode)? parsed = ListeningPortReader.ParseLine(
            "   0: 0100007F:1F85 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0",
            PortProtocol.Tcp, ipv6: false, "0A");

        Assert.NotNull(parsed);
        Assert.Equal("127.0.0.1", parsed.Value.Port.Address);
        Assert.Equal(8069, parsed.Value.Port.Port);
        Assert.Equal("4242", parsed.Value.Inode);
        Assert.Equal("127.0.0.1:8069", parsed.Value.Port.Endpoint);
    }

    [Fact]
    public void Parses_the_IPv6_any_address_and_skips_established_sockets()
    {
        const string Any6 = "00000000000000000000000000000000";
        (ListeningPort Port, string Inode)? listening = ListeningPortReader.ParseLine(
            $"   1: {Any6}:0050 {Any6}:0000 0A 00000000:00000000 00:00000000 00000000     0        0 77 1 0 100 0 0 10 0",
            PortProtocol.Tcp, ipv6: true, "0A");
        (ListeningPort Port, string Inode)? established = ListeningPortReader.ParseLine(
            $"   2: {Any6}:0050 {Any6}:D431 01 00000000:00000000 00:00000000 00000000     0        0 78 1 0 100 0 0 10 0",
            PortProtocol.Tcp, ipv6: true, "0A");

        Assert.Equal("[::]:80", listening!.Value.Port.Endpoint);
        Assert.Null(established);
    }

    [SkippableFact]
    public async Task Lists_a_tcp_and_a_udp_socket_opened_by_this_process_with_its_pid()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "The /proc reader runs on Linux; the Windows IP Helper path cannot run here.");

        using var tcp = new TcpListener(IPAddress.Loopback, 0);
        tcp.Start();
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        int tcpPort = ((IPEndPoint)tcp.LocalEndpoint).Port;
        int udpPort = ((IPEndPoint)udp.Client.LocalEndPoint!).Port;

        IReadOnlyList<ListeningPort> ports = await ListeningPortReader.ReadAsync();

        ListeningPort tcpSocket = Assert.Single(ports, p => p.Protocol == PortProtocol.Tcp && p.Port == tcpPort);
        ListeningPort udpSocket = Assert.Single(ports, p => p.Protocol == PortProtocol.Udp && p.Port == udpPort);
        Assert.Equal("127.0.0.1", tcpSocket.Address);
        Assert.Equal(Environment.ProcessId, tcpSocket.ProcessId);
        Assert.Equal(Environment.ProcessId, udpSocket.ProcessId);
        Assert.False(string.IsNullOrEmpty(tcpSocket.ProcessName));
    }

    [SkippableFact]
    public async Task Does_not_list_a_port_once_its_socket_is_closed()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "The /proc reader runs on Linux; the Windows IP Helper path cannot run here.");

        var tcp = new TcpListener(IPAddress.Loopback, 0);
        tcp.Start();
        int port = ((IPEndPoint)tcp.LocalEndpoint).Port;
        tcp.Stop();

        IReadOnlyList<ListeningPort> ports = await ListeningPortReader.ReadAsync();

        Assert.DoesNotContain(ports, p => p.Protocol == PortProtocol.Tcp && p.Port == port && p.ProcessId == Environment.ProcessId);
    }
}
