using System;
using System.IO;
using Docker.DotNet;

namespace OpsTools.Engine.Docker;

/// <summary>Where a Docker endpoint setting came from, for messages that tell the operator what to check.</summary>
public enum DockerEndpointSource
{
    /// <summary>The -DockerHost parameter.</summary>
    Parameter,
    /// <summary>The DOCKER_HOST environment variable.</summary>
    Environment,
    /// <summary>A docker CLI context (DOCKER_CONTEXT or currentContext in config.json).</summary>
    Context,
    /// <summary>The platform's default socket or pipe.</summary>
    Default,
}

/// <summary>A resolved Docker endpoint: address plus the TLS material the docker CLI would use.</summary>
public sealed class DockerEndpoint : IEquatable<DockerEndpoint>
{
    private DockerEndpoint(Uri uri, DockerEndpointSource source, bool tlsVerify, string? certificatePath)
    {
        Uri = uri;
        Source = source;
        TlsVerify = tlsVerify;
        CertificatePath = certificatePath;
    }

    /// <summary>Endpoint address (<c>unix://</c>, <c>npipe://</c>, <c>tcp://</c>, <c>https://</c>).</summary>
    public Uri Uri { get; }

    /// <summary>Where the address came from.</summary>
    public DockerEndpointSource Source { get; }

    /// <summary>Whether TLS with client certificates is used (DOCKER_TLS_VERIFY).</summary>
    public bool TlsVerify { get; }

    /// <summary>Directory holding ca.pem, cert.pem and key.pem (DOCKER_CERT_PATH, default ~/.docker).</summary>
    public string? CertificatePath { get; }

    /// <summary>The endpoint as users write it, e.g. <c>unix:///var/run/docker.sock</c>.</summary>
    public string DisplayName => Uri.Scheme is "unix" or "npipe" ? Uri.OriginalString : Uri.GetLeftPart(UriPartial.Authority);

    /// <summary>
    /// Resolves the endpoint the way the docker CLI does: an explicit host first, then
    /// DOCKER_HOST, then the current docker context, then the platform default.
    /// </summary>
    /// <param name="dockerHost">Explicit host (<c>unix:///path</c>, <c>tcp://host:2376</c>, <c>host:2375</c>), or null.</param>
    /// <returns>The resolved endpoint.</returns>
    /// <exception cref="OpsToolsException">The host or context is not usable.</exception>
    public static DockerEndpoint Resolve(string? dockerHost)
    {
        bool tlsVerify = IsTruthy(System.Environment.GetEnvironmentVariable("DOCKER_TLS_VERIFY"));
        string? certPath = System.Environment.GetEnvironmentVariable("DOCKER_CERT_PATH");
        if (string.IsNullOrEmpty(certPath))
        {
            certPath = Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".docker");
        }

        if (!string.IsNullOrWhiteSpace(dockerHost))
        {
            return new DockerEndpoint(ParseHost(dockerHost.Trim(), "-DockerHost"), DockerEndpointSource.Parameter, tlsVerify, certPath);
        }

        string? environmentHost = System.Environment.GetEnvironmentVariable("DOCKER_HOST");
        if (!string.IsNullOrWhiteSpace(environmentHost))
        {
            return new DockerEndpoint(ParseHost(environmentHost.Trim(), "DOCKER_HOST"), DockerEndpointSource.Environment, tlsVerify, certPath);
        }

        try
        {
            Uri fromConfig = new DockerConfig().GetEndpoint();
            bool isDefault = fromConfig.Scheme is "unix" or "npipe"
                && (fromConfig.OriginalString == "unix:///var/run/docker.sock" || fromConfig.OriginalString == "npipe://./pipe/docker_engine");
            return new DockerEndpoint(fromConfig, isDefault ? DockerEndpointSource.Default : DockerEndpointSource.Context, tlsVerify, certPath);
        }
        catch (DockerConfigurationException ex)
        {
            throw new OpsToolsException(
                "DockerContextInvalid",
                OpsToolsErrorKind.InvalidArgument,
                $"The current docker context cannot be used: {ex.Message}",
                System.Environment.GetEnvironmentVariable("DOCKER_CONTEXT"),
                "Run 'docker context ls' to check the context, or pass -DockerHost explicitly.",
                ex);
        }
    }

    private static Uri ParseHost(string host, string origin)
    {
        string candidate = host.Contains("://", StringComparison.Ordinal) ? host : "tcp://" + host;
        if (!Uri.TryCreate(candidate, UriKind.Absolute, out Uri? uri)
            || uri.Scheme is not ("unix" or "npipe" or "tcp" or "http" or "https")
            || (uri.Scheme is "tcp" or "http" or "https" && string.IsNullOrEmpty(uri.Host)))
        {
            throw new OpsToolsException(
                "DockerHostInvalid",
                OpsToolsErrorKind.InvalidArgument,
                $"'{host}' (from {origin}) is not a Docker endpoint.",
                host,
                "Use unix:///var/run/docker.sock, npipe:////./pipe/docker_engine, tcp://host:2376 or host:port.");
        }

        if (uri.Scheme is "tcp" or "http" or "https" && uri.IsDefaultPort && !host.Contains(':', StringComparison.Ordinal))
        {
            // docker CLI default: 2375 plain, 2376 with TLS; a bare host name gets the plain port.
            uri = new UriBuilder(uri) { Port = 2375 }.Uri;
        }

        return uri;
    }

    private static bool IsTruthy(string? value) =>
        !string.IsNullOrEmpty(value) && value != "0" && !value.Equals("false", StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public bool Equals(DockerEndpoint? other) =>
        other is not null && Uri.Equals(other.Uri) && Source == other.Source && TlsVerify == other.TlsVerify
        && string.Equals(CertificatePath, other.CertificatePath, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as DockerEndpoint);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Uri, Source, TlsVerify, CertificatePath);

    /// <inheritdoc/>
    public override string ToString() => DisplayName;
}
