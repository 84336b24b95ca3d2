using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using OpsTools.Redis;

namespace OpsTools.Engine.Redis;

/// <summary>
/// A readiness probe in the style of <c>redis-cli ping</c> as Kubernetes probes use it: one
/// connection, <c>AUTH</c> when a password is known, then <c>PING</c>, speaking RESP directly so
/// that a server which is loading (<c>-LOADING</c>) or wants a password (<c>-NOAUTH</c>) is told
/// apart from one that does not answer. Never throws for the server's state.
/// </summary>
public static class RedisReadinessProbe
{
    private const int MaxLineLength = 4096;

    /// <summary>Probes one server.</summary>
    /// <param name="endpoint">The server, with its credentials.</param>
    /// <param name="timeout">Time for the whole exchange.</param>
    /// <param name="cancellationToken">Cancels the probe.</param>
    /// <returns>The readiness.</returns>
    public static async Task<RedisReadiness> ProbeAsync(RedisEndpoint endpoint, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var watch = Stopwatch.StartNew();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        RedisReadyStatus status;
        string? detail;
        try
        {
            (status, detail) = await ExchangeAsync(endpoint, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            (status, detail) = (RedisReadyStatus.NoResponse, $"no answer within {timeout.TotalSeconds:0.###} s");
        }
        catch (SocketException ex)
        {
            (status, detail) = (RedisReadyStatus.NoResponse, ex.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused",
                SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "the host name does not resolve",
                _ => ex.SocketErrorCode.ToString(),
            });
        }
        catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException)
        {
            (status, detail) = (RedisReadyStatus.NoResponse, "the connection failed: " + ex.GetType().Name);
        }

        return new RedisReadiness
        {
            Server = endpoint.Display,
            Host = endpoint.Host,
            Port = endpoint.Port,
            Status = status,
            Detail = detail,
            LatencyMilliseconds = status == RedisReadyStatus.NoResponse ? null : Math.Round(watch.Elapsed.TotalMilliseconds, 1),
            CheckedAt = DateTimeOffset.UtcNow,
        };
    }

    private static async Task<(RedisReadyStatus Status, string? Detail)> ExchangeAsync(RedisEndpoint endpoint, CancellationToken cancellationToken)
    {
        using var client = new TcpClient { NoDelay = true };
        if (IPAddress.TryParse(endpoint.Host, out IPAddress? address))
        {
            client.Client.Dispose();
            client.Client = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await client.Client.ConnectAsync(new IPEndPoint(address, endpoint.Port), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await client.ConnectAsync(endpoint.Host, endpoint.Port, cancellationToken).ConfigureAwait(false);
        }

        Stream stream = client.GetStream();
        if (endpoint.UseTls)
        {
            // Readiness is not about trust: any certificate will do for the probe.
            var ssl = new SslStream(stream, leaveInnerStreamOpen: false, (_, _, _, _) => true);
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = endpoint.Host }, cancellationToken).ConfigureAwait(false);
            stream = ssl;
        }

        await using (stream.ConfigureAwait(false))
        {
            var commands = new List<string[]>();
            if (endpoint.Password is not null)
            {
                commands.Add(endpoint.User is null ? new[] { "AUTH", endpoint.Password } : new[] { "AUTH", endpoint.User, endpoint.Password });
            }

            commands.Add(new[] { "PING" });
            var request = new StringBuilder();
            foreach (string[] command in commands)
            {
                request.Append('*').Append(command.Length).Append("\r\n");
                foreach (string argument in command)
                {
                    request.Append('$').Append(Encoding.UTF8.GetByteCount(argument)).Append("\r\n").Append(argument).Append("\r\n");
                }
            }

            await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()), cancellationToken).ConfigureAwait(false);
            var reader = new LineReader(stream);
            foreach (string[] command in commands)
            {
                string? line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
                if (line is null)
                {
                    return (RedisReadyStatus.NoResponse, "the server closed the connection without answering");
                }

                if (line.StartsWith('-'))
                {
                    string error = line[1..];
                    if (RedisConnector.IsAuthenticationError(error) || (command[0] == "AUTH" && !error.StartsWith("LOADING", StringComparison.Ordinal)))
                    {
                        // Never echo the server's text for AUTH beyond its error code: it is about our credentials.
                        return (RedisReadyStatus.AuthFailed, endpoint.Password is null ? "the server requires a password" : "the server rejected the credentials (" + FirstWord(error) + ")");
                    }

                    if (error.StartsWith("LOADING", StringComparison.Ordinal))
                    {
                        return (RedisReadyStatus.Loading, error);
                    }

                    return (RedisReadyStatus.NoResponse, "the server answered PING with an error: " + error);
                }

                if (command[0] == "PING" && line != "+PONG")
                {
                    return (RedisReadyStatus.NoResponse, "the answer to PING is not Redis's PONG");
                }
            }

            return (RedisReadyStatus.Ready, null);
        }
    }

    private static string FirstWord(string text)
    {
        int space = text.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? text : text[..space];
    }

    /// <summary>Reads CRLF-terminated RESP lines without buffering more than one answer's worth.</summary>
    private sealed class LineReader
    {
        private readonly Stream _stream;
        private readonly byte[] _buffer = new byte[512];
        private int _start;
        private int _end;

        public LineReader(Stream stream) => _stream = stream;

        public async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
        {
            var line = new StringBuilder();
            while (true)
            {
                for (int i = _start; i < _end; i++)
                {
                    if (_buffer[i] == (byte)'\n')
                    {
                        line.Append(Encoding.UTF8.GetString(_buffer, _start, i - _start));
                        _start = i + 1;
                        return line.ToString().TrimEnd('\r');
                    }
                }

                line.Append(Encoding.UTF8.GetString(_buffer, _start, _end - _start));
                if (line.Length > MaxLineLength)
                {
                    return "-the answer is not RESP";
                }

                _start = 0;
                _end = await _stream.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
                if (_end == 0)
                {
                    return null;
                }
            }
        }
    }
}
