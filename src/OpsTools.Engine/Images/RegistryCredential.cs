using System;
using System.IO;
using System.Text;
using System.Text.Json;
using Docker.DotNet.Models;

namespace OpsTools.Engine.Images;

/// <summary>
/// A user name and password for one registry, from -Credential or the docker CLI's config file
/// (<c>$DOCKER_CONFIG/config.json</c>, else <c>~/.docker/config.json</c>, <c>auths</c> section).
/// Only the <c>auths</c> entries (<c>docker login</c> without a credential store) are read.
/// The password never appears in <see cref="ToString"/> or in any message.
/// </summary>
public sealed class RegistryCredential
{
    /// <summary>Key of Docker Hub in the config file's <c>auths</c>.</summary>
    public const string DockerHubConfigKey = "https://index.docker.io/v1/";

    /// <summary>Creates a credential.</summary>
    /// <param name="registry">Registry host as in image references (<c>docker.io</c>, <c>127.0.0.1:5001</c>).</param>
    /// <param name="userName">User name.</param>
    /// <param name="password">Password or token.</param>
    /// <param name="source">Where it came from, for verbose messages.</param>
    public RegistryCredential(string registry, string userName, string password, string source)
    {
        Registry = registry;
        UserName = userName;
        Password = password;
        Source = source;
    }

    /// <summary>Registry host.</summary>
    public string Registry { get; }

    /// <summary>User name.</summary>
    public string UserName { get; }

    /// <summary>Password (never printed).</summary>
    internal string Password { get; }

    /// <summary>Where the credential came from: <c>-Credential</c> or the config file's path.</summary>
    public string Source { get; }

    /// <summary>Server address as the daemon expects it in an auth config.</summary>
    public string ServerAddress => Registry == ImageReference.DockerHub ? DockerHubConfigKey : Registry;

    /// <summary>Reads the docker CLI config file's credential for a registry.</summary>
    /// <param name="registry">Registry host as in image references.</param>
    /// <param name="configDirectory">Directory of config.json; null for DOCKER_CONFIG, else ~/.docker.</param>
    /// <returns>The credential, or null when the file has none for the registry.</returns>
    /// <exception cref="OpsToolsException">The file exists but cannot be read (DockerConfigInvalid).</exception>
    public static RegistryCredential? FromDockerConfig(string registry, string? configDirectory = null) =>
        FromDockerConfig(registry, configDirectory, out _);

    /// <summary>Reads the docker CLI config file's credential for a registry.</summary>
    /// <param name="registry">Registry host as in image references.</param>
    /// <param name="configDirectory">Directory of config.json; null for DOCKER_CONFIG, else ~/.docker.</param>
    /// <param name="usesCredentialHelpers">True when the file names credential helpers (<c>credsStore</c>, <c>credHelpers</c>), which are not read.</param>
    /// <returns>The credential, or null when the file has none for the registry.</returns>
    /// <exception cref="OpsToolsException">The file exists but cannot be read (DockerConfigInvalid).</exception>
    internal static RegistryCredential? FromDockerConfig(string registry, string? configDirectory, out bool usesCredentialHelpers)
    {
        ArgumentException.ThrowIfNullOrEmpty(registry);
        string directory = configDirectory
            ?? (Environment.GetEnvironmentVariable("DOCKER_CONFIG") is { Length: > 0 } fromEnvironment ? fromEnvironment
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker"));
        string path = Path.Combine(directory, "config.json");
        usesCredentialHelpers = false;
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path));
            usesCredentialHelpers = document.RootElement.ValueKind == JsonValueKind.Object
                && (document.RootElement.TryGetProperty("credsStore", out _) || document.RootElement.TryGetProperty("credHelpers", out _));
            if (!document.RootElement.TryGetProperty("auths", out JsonElement auths) || auths.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            foreach (JsonProperty entry in auths.EnumerateObject())
            {
                if (!string.Equals(HostOf(entry.Name), registry, StringComparison.OrdinalIgnoreCase) || entry.Value.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                if (entry.Value.TryGetProperty("auth", out JsonElement auth) && auth.GetString() is { Length: > 0 } encoded)
                {
                    string decoded = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
                    int colon = decoded.IndexOf(':', StringComparison.Ordinal);
                    if (colon <= 0)
                    {
                        throw Invalid(path, $"the 'auth' value for '{entry.Name}' is not base64 of user:password");
                    }

                    return new RegistryCredential(registry, decoded[..colon], decoded[(colon + 1)..], path);
                }

                if (entry.Value.TryGetProperty("username", out JsonElement user) && entry.Value.TryGetProperty("password", out JsonElement password)
                    && user.GetString() is { Length: > 0 } userName)
                {
                    return new RegistryCredential(registry, userName, password.GetString() ?? string.Empty, path);
                }
            }

            return null;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            throw Invalid(path, ex is FormatException ? "an 'auth' value is not base64" : ex.Message, ex);
        }
    }

    /// <summary>The auth config the daemon expects with a push or a service create/update.</summary>
    /// <returns>A new auth config.</returns>
    internal AuthConfig ToAuthConfig() => new() { Username = UserName, Password = Password, ServerAddress = ServerAddress };

    /// <summary>The <c>X-Registry-Auth</c> header value: base64url of the auth config JSON.</summary>
    /// <returns>The header value.</returns>
    internal string ToRegistryAuthHeader()
    {
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(new { username = UserName, password = Password, serveraddress = ServerAddress });
        return Convert.ToBase64String(json).Replace('+', '-').Replace('/', '_');
    }

    /// <inheritdoc/>
    public override string ToString() => $"{UserName}@{Registry} (from {Source})";

    // Config keys may be "host", "https://host", "https://host/v1/" (Docker Hub's legacy key).
    private static string HostOf(string key)
    {
        string host = key;
        int scheme = host.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            host = host[(scheme + 3)..];
        }

        int slash = host.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            host = host[..slash];
        }

        return host is "index.docker.io" or "registry-1.docker.io" ? ImageReference.DockerHub : host;
    }

    private static OpsToolsException Invalid(string path, string reason, Exception? inner = null) => new(
        "DockerConfigInvalid",
        OpsToolsErrorKind.InvalidData,
        $"The docker config file '{path}' cannot be read: {reason}.",
        path,
        "Fix or remove the file (docker login rewrites it), or pass -Credential.",
        inner);
}
