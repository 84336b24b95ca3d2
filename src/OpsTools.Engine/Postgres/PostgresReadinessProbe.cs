using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using OpsTools.Postgres;

namespace OpsTools.Engine.Postgres;

/// <summary>
/// <c>pg_isready</c> without the binary: opens a connection, sends the startup message and reads
/// the first answer, following libpq's <c>PQping</c>. An authentication request, or any error
/// other than "cannot connect now" (57P03), means the server accepts connections; 57P03 means it
/// rejects them (starting up, shutting down, in recovery); no answer means no response. No
/// password is needed. When the server lets us in without one (trust), or when a password is
/// known, the server version is read too.
/// </summary>
public static class PostgresReadinessProbe
{
    private const int ProtocolVersion3 = 196608;
    private const int SslRequestCode = 80877103;
    private const int MaxMessageLength = 1 << 20;

    /// <summary>Probes one server.</summary>
    /// <param name="request">The server and credentials, as for any PostgreSQL command.</param>
    /// <param name="cancellationToken">Cancels the probe.</param>
    /// <returns>The readiness; never throws for the server's state, only for cancellation.</returns>
    public static async Task<PostgresReadiness> ProbeAsync(PostgresConnectionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        PostgresEndpoint endpoint;
        try
        {
            endpoint = PostgresEndpoint.Resolve(request);
        }
        catch (OpsToolsException ex)
        {
            return new PostgresReadiness
            {
                Server = request.Server ?? "(default)",
                Status = PostgresReadyStatus.NoAttempt,
                Message = "no attempt",
                Detail = ex.Message,
                CheckedAt = DateTimeOffset.UtcNow,
            };
        }

        var watch = Stopwatch.StartNew();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(endpoint.Timeout);
        Answer answer;
        try
        {
            answer = await ExchangeAsync(endpoint, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            answer = Answer.NoAnswer(PostgresErrorMapper.Timeout(endpoint, null).Message);
        }
        catch (Exception ex) when (ex is SocketException or IOException or System.Security.Authentication.AuthenticationException)
        {
            answer = Answer.NoAnswer(PostgresErrorMapper.Map(ex, endpoint, cancellationToken)?.Message ?? ex.Message);
        }

        double? latency = answer.Status == PostgresReadyStatus.NoResponse ? null : Math.Round(watch.Elapsed.TotalMilliseconds, 1);
        string? version = answer.ServerVersion;
        string? detail = answer.Detail;
        if (answer.Status == PostgresReadyStatus.Accepting && version is null && answer.AuthenticationRequested && endpoint.HasPassword)
        {
            (version, string? note) = await ReadVersionAsync(endpoint, cancellationToken).ConfigureAwait(false);
            detail = note ?? detail;
        }

        return new PostgresReadiness
        {
            Server = endpoint.Server,
            Host = endpoint.Host,
            Port = endpoint.Port,
            Status = answer.Status,
            Message = answer.Status switch
            {
                PostgresReadyStatus.Accepting => "accepting connections",
                PostgresReadyStatus.Rejecting => "rejecting connections",
                _ => "no response",
            },
            Detail = detail,
            LatencyMilliseconds = latency,
            ServerVersion = version,
            CheckedAt = DateTimeOffset.UtcNow,
        };
    }

    private static async Task<(string? Version, string? Note)> ReadVersionAsync(PostgresEndpoint endpoint, CancellationToken cancellationToken)
    {
        try
        {
            await using Npgsql.NpgsqlConnection connection = await PostgresConnector.OpenAsync(endpoint, cancellationToken).ConfigureAwait(false);
            return (PostgresConnector.ShortVersion(connection.ServerVersion), null);
        }
        catch (OpsToolsException ex)
        {
            return (null, "accepting connections; the version could not be read: " + ex.Message);
        }
    }

    private static async Task<Answer> ExchangeAsync(PostgresEndpoint endpoint, CancellationToken cancellationToken)
    {
        using Socket socket = await ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
        Stream stream = new NetworkStream(socket, ownsSocket: false);
        await using (stream.ConfigureAwait(false))
        {
            string mode = endpoint.SslMode;
            if (mode is "prefer" or "require" or "verify-ca" or "verify-full" && !endpoint.IsSocket)
            {
                var sslRequest = new byte[8];
                BinaryPrimitives.WriteInt32BigEndian(sslRequest, 8);
                BinaryPrimitives.WriteInt32BigEndian(sslRequest.AsSpan(4), SslRequestCode);
                await stream.WriteAsync(sslRequest, cancellationToken).ConfigureAwait(false);
                var reply = new byte[1];
                await stream.ReadExactlyAsync(reply, cancellationToken).ConfigureAwait(false);
                if (reply[0] == (byte)'S')
                {
                    // Readiness is not about trust: any certificate will do for the probe.
                    var ssl = new SslStream(stream, leaveInnerStreamOpen: false, (_, _, _, _) => true);
                    await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = endpoint.Host }, cancellationToken).ConfigureAwait(false);
                    stream = ssl;
                }
                else if (reply[0] == (byte)'E')
                {
                    // A server too old to know SSLRequest answers with an error: it is up.
                    return Answer.Accepting(authenticationRequested: false, detail: "the server answered the SSL request with an error");
                }
                else if (mode is not "prefer")
                {
                    return Answer.NoAnswer($"the server does not offer SSL, and sslmode is {mode}");
                }
            }

            await stream.WriteAsync(StartupMessage(endpoint), cancellationToken).ConfigureAwait(false);
            return await ReadAnswerAsync(stream, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<Socket> ConnectAsync(PostgresEndpoint endpoint, CancellationToken cancellationToken)
    {
        if (endpoint.IsSocket)
        {
            var unixSocket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await unixSocket.ConnectAsync(new UnixDomainSocketEndPoint(Path.Combine(endpoint.Host, ".s.PGSQL." + endpoint.Port)), cancellationToken).ConfigureAwait(false);
                return unixSocket;
            }
            catch
            {
                unixSocket.Dispose();
                throw;
            }
        }

        IPAddress[] addresses = IPAddress.TryParse(endpoint.Host, out IPAddress? literal)
            ? new[] { literal }
            : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken).ConfigureAwait(false);
        SocketException? last = null;
        foreach (IPAddress address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endpoint.Port), cancellationToken).ConfigureAwait(false);
                return socket;
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                last = ex;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }

    private static byte[] StartupMessage(PostgresEndpoint endpoint)
    {
        using var body = new MemoryStream();
        Span<byte> version = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(version, ProtocolVersion3);
        body.Write(version);
        foreach ((string key, string value) in new[] { ("user", endpoint.User), ("database", endpoint.Database), ("application_name", endpoint.ApplicationName) })
        {
            body.Write(Encoding.UTF8.GetBytes(key));
            body.WriteByte(0);
            body.Write(Encoding.UTF8.GetBytes(value));
            body.WriteByte(0);
        }

        body.WriteByte(0);
        byte[] message = new byte[4 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(message, message.Length);
        body.ToArray().CopyTo(message, 4);
        return message;
    }

    private static async Task<Answer> ReadAnswerAsync(Stream stream, CancellationToken cancellationToken)
    {
        bool authenticated = false;
        string? version = null;
        var header = new byte[5];
        while (true)
        {
            try
            {
                await stream.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
            }
            catch (EndOfStreamException)
            {
                return authenticated
                    ? Answer.Accepting(authenticationRequested: false, detail: null, version)
                    : Answer.NoAnswer("the server closed the connection without answering");
            }

            char type = (char)header[0];
            int length = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1)) - 4;
            if (length is < 0 or > MaxMessageLength)
            {
                return Answer.NoAnswer("the server's answer is not the PostgreSQL protocol");
            }

            byte[] payload = new byte[length];
            await stream.ReadExactlyAsync(payload, cancellationToken).ConfigureAwait(false);
            switch (type)
            {
                case 'R' when length >= 4:
                    int code = BinaryPrimitives.ReadInt32BigEndian(payload);
                    if (code != 0)
                    {
                        return Answer.Accepting(authenticationRequested: true, detail: null);
                    }

                    authenticated = true;
                    break;
                case 'S':
                    string[] parts = Encoding.UTF8.GetString(payload).Split('\0');
                    if (parts.Length >= 2 && parts[0] == "server_version")
                    {
                        version = PostgresConnector.ShortVersion(parts[1]);
                    }

                    break;
                case 'Z':
                    await stream.WriteAsync(new byte[] { (byte)'X', 0, 0, 0, 4 }, cancellationToken).ConfigureAwait(false);
                    return Answer.Accepting(authenticationRequested: false, detail: null, version);
                case 'E':
                    Dictionary<char, string> fields = ParseFields(payload);
                    fields.TryGetValue('C', out string? sqlState);
                    fields.TryGetValue('M', out string? message);
                    return sqlState == "57P03"
                        ? Answer.Rejecting(message)
                        : Answer.Accepting(authenticationRequested: false, detail: message);
                case 'N' or 'v' or 'K':
                    break;
                default:
                    return Answer.NoAnswer($"unexpected message '{type}' from the server");
            }
        }
    }

    private static Dictionary<char, string> ParseFields(byte[] payload)
    {
        var fields = new Dictionary<char, string>();
        int i = 0;
        while (i < payload.Length && payload[i] != 0)
        {
            char code = (char)payload[i++];
            int end = Array.IndexOf(payload, (byte)0, i);
            if (end < 0)
            {
                break;
            }

            fields[code] = Encoding.UTF8.GetString(payload, i, end - i);
            i = end + 1;
        }

        return fields;
    }

    private sealed record Answer(PostgresReadyStatus Status, bool AuthenticationRequested, string? Detail, string? ServerVersion)
    {
        public static Answer Accepting(bool authenticationRequested, string? detail, string? version = null) => new(PostgresReadyStatus.Accepting, authenticationRequested, detail, version);

        public static Answer Rejecting(string? detail) => new(PostgresReadyStatus.Rejecting, false, detail, null);

        public static Answer NoAnswer(string detail) => new(PostgresReadyStatus.NoResponse, false, detail, null);
    }
}
