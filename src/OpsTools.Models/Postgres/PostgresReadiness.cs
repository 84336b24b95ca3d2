using System;

namespace OpsTools.Postgres;

/// <summary>Whether a PostgreSQL server accepts connections, as <c>pg_isready</c> reports it.</summary>
public sealed class PostgresReadiness
{
    /// <summary>Server as <c>pg_isready</c> names it: <c>host:port</c> (or <c>socket-directory:port</c>).</summary>
    public required string Server { get; init; }
    /// <summary>Accepting, Rejecting, NoResponse or NoAttempt.</summary>
    public PostgresReadyStatus Status { get; init; }
    /// <summary>Time until the server answered the startup request, in milliseconds; null without an answer.</summary>
    public double? LatencyMilliseconds { get; init; }
    /// <summary>Server version (e.g. <c>15.18</c>), when it could be read: after trust authentication, or when credentials were available.</summary>
    public string? ServerVersion { get; init; }
    /// <summary><c>pg_isready</c>'s words: accepting connections, rejecting connections, no response, no attempt.</summary>
    public required string Message { get; init; }
    /// <summary>What the server or the network said, when there is more to say.</summary>
    public string? Detail { get; init; }
    /// <summary>Host, or the socket directory.</summary>
    public string? Host { get; init; }
    /// <summary>Port.</summary>
    public int? Port { get; init; }
    /// <summary>When the probe finished.</summary>
    public DateTimeOffset CheckedAt { get; init; }

    /// <summary>The exit code <c>pg_isready</c> would return: 0 accepting, 1 rejecting, 2 no response, 3 no attempt.</summary>
    public int ExitCode => (int)Status;

    /// <inheritdoc/>
    public override string ToString() => $"{Server} - {Message}";
}
