using System;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;

namespace OpsTools.Engine.Redis;

/// <summary>
/// Opens StackExchange.Redis connections to one server and turns the library's failures into
/// <see cref="OpsToolsException"/>s that never carry the password.
/// </summary>
public static class RedisConnector
{
    /// <summary>Connects to one server (no cluster discovery, no retry loop: a failure is reported at once).</summary>
    /// <param name="endpoint">The server.</param>
    /// <param name="timeout">Connect and command timeout.</param>
    /// <param name="allowAdmin">Allow CONFIG, BGSAVE, BGREWRITEAOF.</param>
    /// <param name="cancellationToken">Cancels the connect.</param>
    /// <returns>The connection; the caller disposes it.</returns>
    /// <exception cref="OpsToolsException"><c>RedisUnreachable</c>, <c>RedisAuthenticationFailed</c>.</exception>
    public static async Task<ConnectionMultiplexer> ConnectAsync(RedisEndpoint endpoint, TimeSpan timeout, bool allowAdmin, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        cancellationToken.ThrowIfCancellationRequested();
        int milliseconds = (int)Math.Clamp(timeout.TotalMilliseconds, 100, int.MaxValue);
        var options = new ConfigurationOptions
        {
            AbortOnConnectFail = true,
            AllowAdmin = allowAdmin,
            ConnectRetry = 1,
            ConnectTimeout = milliseconds,
            SyncTimeout = milliseconds,
            AsyncTimeout = milliseconds,
            ClientName = "OpsTools",
            User = endpoint.User,
            Password = endpoint.Password,
            Ssl = endpoint.UseTls,
            SslHost = endpoint.UseTls ? endpoint.Host : null,
            // Talk to this server only, whatever its role: no topology discovery, no tie-breaker key.
            TieBreaker = string.Empty,
            CommandMap = CommandMap.Default,
            IncludeDetailInExceptions = false,
        };
        options.EndPoints.Add(endpoint.Host, endpoint.Port);
        try
        {
            return await ConnectionMultiplexer.ConnectAsync(options).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RedisConnectionException ex)
        {
            throw Map(ex, endpoint);
        }
    }

    /// <summary>Maps a library failure on a live connection (timeouts, server errors) to an engine error.</summary>
    /// <param name="exception">The failure.</param>
    /// <param name="endpoint">The server.</param>
    /// <returns>The engine error.</returns>
    public static OpsToolsException Map(Exception exception, RedisEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(endpoint);
        return exception switch
        {
            OpsToolsException known => known,
            RedisConnectionException { FailureType: ConnectionFailureType.AuthenticationFailure } => AuthenticationFailed(endpoint, exception),
            RedisServerException server when IsAuthenticationError(server.Message) => AuthenticationFailed(endpoint, exception),
            RedisServerException server when server.Message.StartsWith("LOADING", StringComparison.Ordinal) => new OpsToolsException(
                "RedisLoading",
                OpsToolsErrorKind.ResourceUnavailable,
                $"Redis at {endpoint.Display} is loading its data set into memory.",
                endpoint.Display,
                "Wait until Test-RedisReady reports Ready, then try again.",
                exception),
            RedisServerException server => new OpsToolsException(
                "RedisCommandFailed",
                OpsToolsErrorKind.InvalidOperation,
                $"Redis at {endpoint.Display} refused the command: {server.Message}",
                endpoint.Display,
                "Check the server's state (Get-RedisInfo) and its log.",
                exception),
            RedisTimeoutException or TimeoutException => new OpsToolsException(
                "RedisTimeout",
                OpsToolsErrorKind.OperationTimeout,
                $"Redis at {endpoint.Display} did not answer in time.",
                endpoint.Display,
                "Check that the server is not blocked (a long command, a slow disk) and raise -Timeout if it is merely slow.",
                exception),
            _ => Unreachable(endpoint, exception),
        };
    }

    /// <summary>Whether a server error text means bad or missing credentials.</summary>
    /// <param name="message">The server's error text.</param>
    /// <returns>True for NOAUTH, WRONGPASS and the pre-ACL "invalid password".</returns>
    public static bool IsAuthenticationError(string message) =>
        message.StartsWith("NOAUTH", StringComparison.Ordinal)
        || message.StartsWith("WRONGPASS", StringComparison.Ordinal)
        || message.Contains("invalid password", StringComparison.OrdinalIgnoreCase)
        || message.Contains("invalid username-password", StringComparison.OrdinalIgnoreCase);

    private static OpsToolsException AuthenticationFailed(RedisEndpoint endpoint, Exception inner) => new(
        "RedisAuthenticationFailed",
        OpsToolsErrorKind.AuthenticationError,
        endpoint.Password is null
            ? $"Redis at {endpoint.Display} requires a password and none was given."
            : $"Redis at {endpoint.Display} rejected the credentials{(endpoint.User is null ? string.Empty : " of user '" + endpoint.User + "'")}.",
        endpoint.Display,
        "Pass the password (and the ACL user, if any) with -Credential; the user 'default' or an empty user name sends AUTH with the password alone.",
        Sanitised(inner));

    private static OpsToolsException Unreachable(RedisEndpoint endpoint, Exception inner) => new(
        "RedisUnreachable",
        OpsToolsErrorKind.ConnectionError,
        $"Cannot connect to Redis at {endpoint.Display}: {Reason(inner)}.",
        endpoint.Display,
        "Check that redis-server runs and listens on that address (bind, protected-mode, firewall); Test-RedisReady tells refused from silent.",
        Sanitised(inner));

    private static string Reason(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is SocketException socket)
            {
                return socket.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused => "connection refused",
                    SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "the host name does not resolve",
                    SocketError.TimedOut => "no answer in time",
                    _ => socket.SocketErrorCode.ToString(),
                };
            }
        }

        return exception is RedisConnectionException connection ? connection.FailureType switch
        {
            ConnectionFailureType.UnableToResolvePhysicalConnection or ConnectionFailureType.UnableToConnect => "no connection could be made (refused, silent or unresolvable)",
            ConnectionFailureType.SocketFailure => "the connection failed",
            _ => connection.FailureType.ToString(),
        } : "the connection failed";
    }

    // The library's messages name the configuration; keep only the type and failure kind as the inner error.
    private static Exception Sanitised(Exception exception) => exception is RedisConnectionException connection
        ? new IOException("StackExchange.Redis: " + connection.FailureType)
        : new IOException("StackExchange.Redis: " + exception.GetType().Name);
}
