using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using OpsTools.Http;

namespace OpsTools.Engine.Http;

/// <summary>What an endpoint must answer to count as healthy.</summary>
public sealed class EndpointExpectations
{
    /// <summary>Accepted status codes; empty means any status below 400 (as <c>curl -f</c>).</summary>
    public IReadOnlyCollection<int> Status { get; init; } = Array.Empty<int>();

    /// <summary>JSON values the body must hold: a property path (<c>status</c>, <c>checks.db</c>) to the expected value.</summary>
    public IReadOnlyDictionary<string, object?> Json { get; init; } = new Dictionary<string, object?>();
}

/// <summary>One URI to check, with the Swarm service it came from, if any.</summary>
/// <param name="Uri">An absolute http or https URI.</param>
/// <param name="Service">Service name, or null.</param>
public sealed record EndpointTarget(Uri Uri, string? Service = null);

/// <summary>
/// HTTP(S) health checks of many endpoints at once with one <see cref="HttpClient"/>, each bounded
/// by its own timeout that covers connecting, the headers and the body, so a server that accepts
/// the connection and never answers costs one timeout, not a hang.
/// </summary>
public sealed class EndpointChecker : IDisposable
{
    // Bodies are read for JSON expectations only; a health endpoint that sends more is not one.
    private const int MaxBodyBytes = 1 << 20;

    private readonly HttpClient _client;
    private readonly TimeSpan _timeout;

    /// <summary>Creates a checker for one run.</summary>
    /// <param name="timeout">Per-request timeout.</param>
    /// <param name="skipCertificateCheck">Accept any server certificate.</param>
    public EndpointChecker(TimeSpan timeout, bool skipCertificateCheck)
    {
        _timeout = timeout;
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = timeout,
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = 5,
            AutomaticDecompression = DecompressionMethods.All,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            UseProxy = false,
        };
        if (skipCertificateCheck)
        {
            handler.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, _, _, _) => true };
        }

        _client = new HttpClient(handler, disposeHandler: true) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        _client.DefaultRequestHeaders.UserAgent.ParseAdd("OpsTools-Test-ServiceEndpoint/1");
    }

    /// <summary>Checks every target, at most <paramref name="throttleLimit"/> at a time.</summary>
    /// <param name="targets">The targets.</param>
    /// <param name="expectations">What counts as healthy.</param>
    /// <param name="throttleLimit">Requests in flight at most.</param>
    /// <param name="onResult">Called as each result is ready (from any thread).</param>
    /// <param name="cancellationToken">Cancels every check.</param>
    /// <returns>The results, in the order of the targets.</returns>
    public async Task<IReadOnlyList<ServiceEndpointCheck>> CheckAllAsync(IReadOnlyList<EndpointTarget> targets, EndpointExpectations expectations, int throttleLimit, Action<ServiceEndpointCheck>? onResult = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(expectations);
        using var gate = new SemaphoreSlim(Math.Max(1, throttleLimit));
        IEnumerable<Task<ServiceEndpointCheck>> checks = targets.Select(async target =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                ServiceEndpointCheck result = await CheckAsync(target, expectations, cancellationToken).ConfigureAwait(false);
                onResult?.Invoke(result);
                return result;
            }
            finally
            {
                gate.Release();
            }
        });
        return await Task.WhenAll(checks.ToList()).ConfigureAwait(false);
    }

    /// <summary>Checks one target.</summary>
    /// <param name="target">The target.</param>
    /// <param name="expectations">What counts as healthy.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>The result; never throws for the endpoint's state, only for cancellation.</returns>
    public async Task<ServiceEndpointCheck> CheckAsync(EndpointTarget target, EndpointExpectations expectations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(expectations);
        var watch = Stopwatch.StartNew();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, target.Uri);
            using HttpResponseMessage response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            byte[] body = await ReadBodyAsync(response, deadline.Token).ConfigureAwait(false);
            TimeSpan latency = watch.Elapsed;
            int status = (int)response.StatusCode;
            var failed = new List<string>();
            bool statusMet = expectations.Status.Count == 0 ? status < 400 : expectations.Status.Contains(status);
            if (!statusMet)
            {
                failed.Add(expectations.Status.Count == 0
                    ? $"status {status} is an error (expected below 400)"
                    : $"status {status} is not {string.Join(" or ", expectations.Status)}");
            }

            bool jsonMet = expectations.Json.Count == 0 || CheckJson(body, expectations.Json, failed);
            EndpointFailureReason reason = !statusMet ? EndpointFailureReason.Status : !jsonMet ? EndpointFailureReason.JsonMismatch : EndpointFailureReason.None;
            return Result(target, reason, status, latency, failed, reason == EndpointFailureReason.None ? null : string.Join("; ", failed));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Result(target, EndpointFailureReason.Timeout, null, watch.Elapsed, null, $"no complete answer within {_timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s");
        }
        catch (HttpRequestException ex)
        {
            (EndpointFailureReason reason, string detail) = Classify(ex);
            return Result(target, reason, null, watch.Elapsed, null, detail);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _client.Dispose();

    private static ServiceEndpointCheck Result(EndpointTarget target, EndpointFailureReason reason, int? status, TimeSpan latency, List<string>? failed, string? detail) => new()
    {
        Uri = target.Uri,
        Service = target.Service,
        Healthy = reason == EndpointFailureReason.None,
        StatusCode = status,
        Latency = latency,
        Reason = reason,
        ExpectationsMet = status is not null && (failed is null || failed.Count == 0),
        FailedExpectations = failed ?? (IReadOnlyList<string>)Array.Empty<string>(),
        Detail = detail,
        CheckedAt = DateTimeOffset.UtcNow,
    };

    private static async Task<byte[]> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[MaxBodyBytes];
            int total = 0;
            int read;
            while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
            {
                total += read;
            }

            return buffer[..total];
        }
    }

    private static bool CheckJson(byte[] body, IReadOnlyDictionary<string, object?> expected, List<string> failed)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            failed.Add("the body is not JSON");
            return false;
        }

        using (document)
        {
            bool met = true;
            foreach ((string path, object? value) in expected)
            {
                JsonElement? element = Find(document.RootElement, path);
                string wanted = Text(value);
                if (element is null)
                {
                    failed.Add($"JSON has no '{path}' (expected '{wanted}')");
                    met = false;
                }
                else if (!string.Equals(Text(element.Value), wanted, StringComparison.OrdinalIgnoreCase))
                {
                    failed.Add($"JSON '{path}' is '{Text(element.Value)}', expected '{wanted}'");
                    met = false;
                }
            }

            return met;
        }
    }

    private static JsonElement? Find(JsonElement root, string path)
    {
        JsonElement current = root;
        foreach (string part in path.Split('.'))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(part, out current))
            {
                return null;
            }
        }

        return current;
    }

    private static string Text(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString() ?? string.Empty,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null => "null",
        _ => element.GetRawText(),
    };

    private static string Text(object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private static (EndpointFailureReason Reason, string Detail) Classify(HttpRequestException exception)
    {
        SocketException? socket = null;
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is AuthenticationException)
            {
                return (EndpointFailureReason.Tls, "TLS handshake failed: " + e.Message);
            }

            socket ??= e as SocketException;
        }

        return exception.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => (EndpointFailureReason.Dns, "the host name does not resolve"),
            HttpRequestError.SecureConnectionError => (EndpointFailureReason.Tls, "TLS handshake failed"),
            _ when socket?.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset => (EndpointFailureReason.Refused, "connection refused"),
            _ when socket?.SocketErrorCode is SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => (EndpointFailureReason.Dns, "the host name does not resolve"),
            HttpRequestError.ResponseEnded => (EndpointFailureReason.Error, "the server closed the connection before a complete answer"),
            HttpRequestError.InvalidResponse => (EndpointFailureReason.Error, "the answer is not HTTP"),
            _ => (EndpointFailureReason.Error, exception.Message),
        };
    }
}
