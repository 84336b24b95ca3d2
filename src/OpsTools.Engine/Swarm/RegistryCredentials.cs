using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;
using Docker.DotNet.Models;

namespace OpsTools.Engine.Swarm;

/// <summary>
/// Registry credentials from the docker CLI's config file (<c>$DOCKER_CONFIG/config.json</c> or
/// <c>~/.docker/config.json</c>), for <c>--with-registry-auth</c>. Only the <c>auths</c> entries
/// (<c>docker login</c> without a credential store) are read; the password never leaves this type
/// except towards the daemon.
/// </summary>
internal static class RegistryCredentials
{
    private const string DockerHub = "https://index.docker.io/v1/";

    /// <summary>The credentials for Docker Hub, or the only registry configured; null when there are none.</summary>
    public static AuthConfig? Read(Func<string?>? readConfig, List<string> warnings)
    {
        string? json = (readConfig ?? ReadDefault)();
        if (string.IsNullOrWhiteSpace(json))
        {
            warnings.Add("-WithRegistryAuth: the docker CLI's config file has no registry credentials ('docker login' first); the nodes pull without credentials.");
            return null;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            JsonElement root = document.RootElement;
            if (root.TryGetProperty("credsStore", out _) || root.TryGetProperty("credHelpers", out _))
            {
                warnings.Add("-WithRegistryAuth: credential helpers (credsStore, credHelpers) are not read; only credentials stored in the config file itself are sent.");
            }

            if (!root.TryGetProperty("auths", out JsonElement auths) || auths.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            foreach (JsonProperty entry in auths.EnumerateObject())
            {
                if (entry.Value.TryGetProperty("auth", out JsonElement encoded) && encoded.GetString() is { Length: > 0 } text)
                {
                    string pair = Encoding.UTF8.GetString(Convert.FromBase64String(text));
                    int colon = pair.IndexOf(':', StringComparison.Ordinal);
                    if (colon > 0)
                    {
                        return new AuthConfig { Username = pair[..colon], Password = pair[(colon + 1)..], ServerAddress = entry.Name == DockerHub ? DockerHub : entry.Name };
                    }
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            warnings.Add("-WithRegistryAuth: the docker CLI's config file cannot be read (" + ex.GetType().Name + "); the nodes pull without credentials.");
        }

        return null;
    }

    /// <summary>The X-Registry-Auth header value: base64url of the JSON credentials.</summary>
    public static string Encode(AuthConfig auth) =>
        Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(auth)).Replace('+', '-').Replace('/', '_');

    private static string? ReadDefault()
    {
        string directory = Environment.GetEnvironmentVariable("DOCKER_CONFIG") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker");
        string path = Path.Combine(directory, "config.json");
        return File.Exists(path) ? File.ReadAllText(path) : null;
    }
}
