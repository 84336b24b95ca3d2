using System;

namespace OpsTools.Redis;

/// <summary>Whether a Redis server answers commands, as a readiness probe (<c>redis-cli ping</c>) sees it.</summary>
public sealed class RedisReadiness
{
    /// <summary>The server as probed (<c>host:port</c>).</summary>
    public required string Server { get; init; }
    /// <summary>Ready, Loading, AuthFailed or NoResponse.</summary>
    public RedisReadyStatus Status { get; init; }
    /// <summary>Time until the server answered PING, in milliseconds; null without an answer.</summary>
    public double? LatencyMilliseconds { get; init; }
    /// <summary>What the server or the network said, when not ready.</summary>
    public string? Detail { get; init; }
    /// <summary>Host.</summary>
    public required string Host { get; init; }
    /// <summary>Port.</summary>
    public int Port { get; init; }
    /// <summary>When the probe finished.</summary>
    public DateTimeOffset CheckedAt { get; init; }

    /// <inheritdoc/>
    public override string ToString() => $"{Server} - {Status}";
}
