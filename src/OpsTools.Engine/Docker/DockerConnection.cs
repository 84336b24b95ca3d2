using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Docker.DotNet;
using Docker.DotNet.Handler.Abstractions;
using Docker.DotNet.X509;

namespace OpsTools.Engine.Docker;

/// <summary>
/// A Docker client for one endpoint, with the API version negotiated with the daemon the way
/// the docker CLI does (min of ours and the daemon's) and a count of the HTTP calls it made.
/// Connections are cached per endpoint for the life of the PowerShell session.
/// </summary>
public sealed class DockerConnection : IDisposable
{
    /// <summary>Highest Engine API version this engine's models are written for.</summary>
    public static readonly Version MaxApiVersion = new(1, 51);

    private static readonly ConcurrentDictionary<DockerEndpoint, DockerConnection> Cache = new();

    // A header the library gives no parameter for (X-Registry-Auth on distribution inspect),
    // scoped to one logical call: it flows into that call's requests and nowhere else.
    private static readonly AsyncLocal<KeyValuePair<string, string>?> ExtraHeader = new();

    private readonly SemaphoreSlim _negotiation = new(1, 1);
    private readonly CallCounter _counter = new();
    private DockerClient? _client;
    private HttpMessageHandler? _transport;

    private DockerConnection(DockerEndpoint endpoint)
    {
        Endpoint = endpoint;
    }

    /// <summary>The endpoint this connection talks to.</summary>
    public DockerEndpoint Endpoint { get; }

    /// <summary>API version in use once negotiated; null before the first call.</summary>
    public Version? ApiVersion { get; private set; }

    /// <summary>Docker Engine version of the daemon once negotiated.</summary>
    public string? EngineVersion { get; private set; }

    /// <summary>HTTP requests sent to the daemon so far on this connection.</summary>
    public long ApiCallCount => _counter.Count;

    /// <summary>Returns the cached connection for an endpoint, creating it on first use.</summary>
    /// <param name="dockerHost">Explicit host, or null for the docker CLI defaults.</param>
    /// <returns>The connection.</returns>
    public static DockerConnection Get(string? dockerHost) =>
        Cache.GetOrAdd(DockerEndpoint.Resolve(dockerHost), static endpoint => new DockerConnection(endpoint));

    /// <summary>Disposes every cached connection (module removal).</summary>
    public static void DisposeAll()
    {
        foreach (DockerConnection connection in Cache.Values)
        {
            connection.Dispose();
        }

        Cache.Clear();
    }

    /// <summary>Runs a call against the daemon, translating library failures into <see cref="OpsToolsException"/>.</summary>
    /// <typeparam name="T">Result type.</typeparam>
    /// <param name="call">The call.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The call's result.</returns>
    public async Task<T> RunAsync<T>(Func<DockerClient, CancellationToken, Task<T>> call, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        DockerClient client = await GetClientAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await call(client, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (DockerErrorMapper.Map(ex, Endpoint, cancellationToken) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <summary>
    /// Runs a call with one more HTTP header on its requests, for library methods that take no
    /// credentials although the daemon reads them (X-Registry-Auth on <c>GET /distribution/{name}/json</c>).
    /// </summary>
    /// <typeparam name="T">Result type.</typeparam>
    /// <param name="name">Header name.</param>
    /// <param name="value">Header value.</param>
    /// <param name="call">The call.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The call's result.</returns>
    public async Task<T> RunWithHeaderAsync<T>(string name, string value, Func<DockerClient, CancellationToken, Task<T>> call, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        // Negotiated first, so the version probe does not carry the header.
        await GetClientAsync(cancellationToken).ConfigureAwait(false);
        ExtraHeader.Value = new KeyValuePair<string, string>(name, value);
        try
        {
            return await RunAsync(call, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ExtraHeader.Value = null;
        }
    }

    /// <summary>Negotiates the API version (first call only) and returns the versioned client.</summary>
    /// <param name="cancellationToken">Cancels the negotiation.</param>
    /// <returns>The client.</returns>
    public async Task<DockerClient> GetClientAsync(CancellationToken cancellationToken = default)
    {
        if (_client is { } ready)
        {
            return ready;
        }

        await _negotiation.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_client is { } raced)
            {
                return raced;
            }

            using DockerClient probe = Build(apiVersion: null, out _);
            global::Docker.DotNet.Models.VersionResponse version;
            try
            {
                version = await probe.System.GetVersionAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (DockerErrorMapper.Map(ex, Endpoint, cancellationToken) is { } mapped)
            {
                throw mapped;
            }

            Version negotiated = MaxApiVersion;
            if (Version.TryParse(version.APIVersion, out Version? daemonVersion) && daemonVersion < negotiated)
            {
                negotiated = daemonVersion;
            }

            ApiVersion = negotiated;
            EngineVersion = version.Version;
            _client = Build(negotiated, out _transport);
            return _client;
        }
        finally
        {
            _negotiation.Release();
        }
    }

    /// <summary>Whether the negotiated API version is at least <paramref name="major"/>.<paramref name="minor"/>.</summary>
    /// <param name="major">Major version.</param>
    /// <param name="minor">Minor version.</param>
    /// <returns>True when supported.</returns>
    public bool SupportsApi(int major, int minor) => ApiVersion is { } v && v >= new Version(major, minor);

    private DockerClient Build(Version? apiVersion, out HttpMessageHandler? transport)
    {
        IAuthProvider auth = NoopAuthProvider.Instance;
        Uri uri = Endpoint.Uri;
        if (Endpoint.TlsVerify && uri.Scheme is "tcp" or "https")
        {
            try
            {
                auth = DockerTlsCertificates.LoadFromDirectory(Endpoint.CertificatePath!).CreateCredentials();
            }
            catch (Exception ex) when (ex is System.IO.IOException or System.Security.Cryptography.CryptographicException)
            {
                throw new OpsToolsException(
                    "DockerTlsCertificateInvalid",
                    OpsToolsErrorKind.InvalidArgument,
                    $"DOCKER_TLS_VERIFY is set but the client certificates in '{Endpoint.CertificatePath}' cannot be loaded: {ex.Message}",
                    Endpoint.CertificatePath,
                    "Set DOCKER_CERT_PATH to the directory holding ca.pem, cert.pem and key.pem.",
                    ex);
            }

            uri = new UriBuilder(uri) { Scheme = "https" }.Uri;
        }

        var counting = new CountingAuthProvider(auth, _counter);
        DockerClient client = new DockerClientBuilder()
            .WithEndpoint(uri)
            .WithApiVersion(apiVersion)
            .WithAuthProvider(counting)
            .WithTimeout(TimeSpan.FromSeconds(60))
            .Build();
        transport = counting.Configured;
        return client;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _client?.Dispose();
        _client = null;
        _negotiation.Dispose();
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Endpoint} (API {ApiVersion})");

    private sealed class CallCounter
    {
        private long _count;

        public long Count => Interlocked.Read(ref _count);

        public void Increment() => Interlocked.Increment(ref _count);
    }

    /// <summary>
    /// Sends one request the client library has no method for (secret update, distribution
    /// inspect with registry credentials) over the same transport, versioned and counted.
    /// </summary>
    /// <param name="method">HTTP method.</param>
    /// <param name="pathAndQuery">Path below the version prefix, e.g. <c>secrets/abc/update?version=3</c>.</param>
    /// <param name="jsonBody">Request body (JSON), or null.</param>
    /// <param name="headers">Extra headers, or null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Status code and response body.</returns>
    internal async Task<(System.Net.HttpStatusCode Status, string Body)> SendRawAsync(HttpMethod method, string pathAndQuery, string? jsonBody, IReadOnlyDictionary<string, string>? headers, CancellationToken cancellationToken)
    {
        await GetClientAsync(cancellationToken).ConfigureAwait(false);
        HttpMessageHandler transport = _transport ?? throw new InvalidOperationException("The Docker transport is not ready.");
        Uri baseUri = Endpoint.Uri.Scheme is "tcp" or "https" or "http"
            ? new UriBuilder(Endpoint.Uri) { Scheme = Endpoint.TlsVerify || Endpoint.Uri.Scheme == "https" ? "https" : "http", Path = "/" }.Uri
            : new Uri("http://docker/");
        using var request = new HttpRequestMessage(method, new Uri(baseUri, $"v{ApiVersion!.ToString(2)}/{pathAndQuery}"));
        if (jsonBody is not null)
        {
            request.Content = new StringContent(jsonBody, System.Text.Encoding.UTF8, "application/json");
        }

        foreach ((string name, string value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var http = new HttpClient(transport, disposeHandler: false) { Timeout = TimeSpan.FromSeconds(60) };
        try
        {
            using HttpResponseMessage response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            return (response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (Exception ex) when (DockerErrorMapper.Map(ex, Endpoint, cancellationToken) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <summary>Wraps the transport so every request is counted; keeps TLS configuration of the inner provider.</summary>
    private sealed class CountingAuthProvider(IAuthProvider inner, CallCounter counter) : IAuthProvider
    {
        public bool TlsEnabled => inner.TlsEnabled;

        /// <summary>The counted transport handler, once the client was built (for <see cref="SendRawAsync"/>).</summary>
        public HttpMessageHandler? Configured { get; private set; }

        public HttpMessageHandler ConfigureHandler(HttpMessageHandler handler) =>
            Configured = new CountingHandler(inner.ConfigureHandler(handler), counter);
    }

    private sealed class CountingHandler(HttpMessageHandler inner, CallCounter counter) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            counter.Increment();
            if (ExtraHeader.Value is { } header)
            {
                request.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
