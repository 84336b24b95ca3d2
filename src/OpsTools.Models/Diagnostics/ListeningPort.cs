namespace OpsTools.Diagnostics;

/// <summary>Transport protocol of a socket.</summary>
public enum PortProtocol
{
    /// <summary>TCP.</summary>
    Tcp,
    /// <summary>UDP.</summary>
    Udp,
}

/// <summary>A socket listening on this host (TCP in LISTEN state, or a bound UDP socket), with the process that owns it.</summary>
public sealed class ListeningPort
{
    /// <summary>Tcp or Udp.</summary>
    public PortProtocol Protocol { get; init; }
    /// <summary>Local address: <c>0.0.0.0</c> or <c>::</c> for every address, <c>127.0.0.1</c>...</summary>
    public required string Address { get; init; }
    /// <summary>Local port.</summary>
    public int Port { get; init; }
    /// <summary><c>IPv4</c> or <c>IPv6</c>.</summary>
    public required string AddressFamily { get; init; }
    /// <summary>Id of the owning process; null when it cannot be read (another user's process without root).</summary>
    public int? ProcessId { get; init; }
    /// <summary>Name of the owning process (<c>docker-proxy</c> for Docker's published ports); null when unknown.</summary>
    public string? ProcessName { get; init; }

    /// <summary>The address and port as <c>ss</c> prints them: <c>0.0.0.0:80</c>, <c>[::]:80</c>.</summary>
    public string Endpoint => (AddressFamily == "IPv6" ? "[" + Address + "]" : Address) + ":" + Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    public override string ToString() => $"{Protocol.ToString().ToLowerInvariant()} {Endpoint}";
}
