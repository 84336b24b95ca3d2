using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Docker.DotNet.Models;
using OpsTools.Docker;

namespace OpsTools.Engine.Docker;

/// <summary>
/// Reads volumes as <c>docker volume ls</c> does, with the containers (running or not) that mount
/// each one and, when asked, the size the daemon's disk-usage endpoint reports. Disk usage walks
/// every volume's files on the daemon side (seconds on big volumes), so it is opt-in.
/// </summary>
public sealed class DockerVolumeInspector
{
    private const string ComposeProjectLabel = "com.docker.compose.project";
    private const string StackLabel = "com.docker.stack.namespace";

    private readonly DockerConnection _connection;

    /// <summary>Creates an inspector for one endpoint.</summary>
    /// <param name="connection">The Docker connection.</param>
    public DockerVolumeInspector(DockerConnection connection)
    {
        _connection = connection ?? throw new ArgumentNullException(nameof(connection));
    }

    /// <summary>Lists every volume, sorted by name.</summary>
    /// <param name="includeSize">Read sizes from <c>GET /system/df</c> (slow: the daemon measures every volume).</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <returns>The volumes.</returns>
    public async Task<IReadOnlyList<DockerVolume>> ListAsync(bool includeSize = false, CancellationToken cancellationToken = default)
    {
        VolumesListResponse volumes = await _connection.RunAsync((client, ct) => client.Volumes.ListAsync(ct), cancellationToken).ConfigureAwait(false);
        IReadOnlyDictionary<string, List<string>> users = await UsersAsync(cancellationToken).ConfigureAwait(false);
        IReadOnlyDictionary<string, long> sizes = includeSize
            ? await SizesAsync(cancellationToken).ConfigureAwait(false)
            : new Dictionary<string, long>();
        string host = _connection.Endpoint.DisplayName;
        return (volumes.Volumes ?? new List<VolumeResponse>())
            .OrderBy(v => v.Name, StringComparer.Ordinal)
            .Select(v => ToModel(host, v, users, includeSize ? sizes : null))
            .ToList();
    }

    /// <summary>Reads one volume.</summary>
    /// <param name="name">Volume name.</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <returns>The volume.</returns>
    /// <exception cref="OpsToolsException"><c>DockerVolumeNotFound</c>.</exception>
    public async Task<DockerVolume> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        VolumeResponse volume;
        try
        {
            volume = await _connection.RunAsync((client, ct) => client.Volumes.InspectAsync(name, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (OpsToolsException ex) when (ex.Kind == OpsToolsErrorKind.ObjectNotFound)
        {
            throw NotFound(name, _connection.Endpoint.DisplayName, ex);
        }

        IReadOnlyDictionary<string, List<string>> users = await UsersAsync(cancellationToken).ConfigureAwait(false);
        return ToModel(_connection.Endpoint.DisplayName, volume, users, null);
    }

    /// <summary>The error for a volume that does not exist.</summary>
    /// <param name="name">Volume name.</param>
    /// <param name="host">Endpoint display name.</param>
    /// <param name="inner">The daemon's error.</param>
    /// <returns>The error.</returns>
    public static OpsToolsException NotFound(string name, string host, Exception? inner = null) => new(
        "DockerVolumeNotFound",
        OpsToolsErrorKind.ObjectNotFound,
        $"No volume named '{name}' exists on {host}.",
        name,
        "Run Get-DockerVolume to list the volumes.",
        inner);

    /// <summary>Volume name to the names of the containers that mount it.</summary>
    private async Task<IReadOnlyDictionary<string, List<string>>> UsersAsync(CancellationToken cancellationToken)
    {
        IList<ContainerListResponse> containers = await _connection.RunAsync((client, ct) => client.Containers.ListContainersAsync(new ContainersListParameters { All = true }, ct), cancellationToken).ConfigureAwait(false);
        var users = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (ContainerListResponse container in containers)
        {
            string containerName = container.Names?.FirstOrDefault()?.TrimStart('/') ?? container.ID;
            foreach (MountPoint mount in container.Mounts ?? new List<MountPoint>())
            {
                if (mount.Type == "volume" && !string.IsNullOrEmpty(mount.Name))
                {
                    if (!users.TryGetValue(mount.Name, out List<string>? names))
                    {
                        users[mount.Name] = names = new List<string>();
                    }

                    names.Add(containerName);
                }
            }
        }

        return users;
    }

    private async Task<IReadOnlyDictionary<string, long>> SizesAsync(CancellationToken cancellationToken)
    {
        // The library has no disk-usage call; type=volume (API 1.42+) spares newer daemons the image and container walk.
        (HttpStatusCode status, string body) = await _connection.SendRawAsync(HttpMethod.Get, "system/df?type=volume", null, null, cancellationToken).ConfigureAwait(false);
        if (status != HttpStatusCode.OK)
        {
            throw new OpsToolsException(
                "DockerDiskUsageFailed",
                OpsToolsErrorKind.InvalidOperation,
                $"{_connection.Endpoint.DisplayName} did not report disk usage ({(int)status}).",
                _connection.Endpoint.DisplayName,
                "Retry without -IncludeSize, or check the daemon's log.");
        }

        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        using JsonDocument document = JsonDocument.Parse(body);
        if (document.RootElement.TryGetProperty("Volumes", out JsonElement volumes) && volumes.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement volume in volumes.EnumerateArray())
            {
                // -1 means the daemon did not measure it (non-local drivers).
                if (volume.TryGetProperty("Name", out JsonElement name) && volume.TryGetProperty("UsageData", out JsonElement usage)
                    && usage.ValueKind == JsonValueKind.Object && usage.TryGetProperty("Size", out JsonElement size) && size.TryGetInt64(out long bytes) && bytes >= 0)
                {
                    sizes[name.GetString() ?? string.Empty] = bytes;
                }
            }
        }

        return sizes;
    }

    private static DockerVolume ToModel(string host, VolumeResponse volume, IReadOnlyDictionary<string, List<string>> users, IReadOnlyDictionary<string, long>? sizes)
    {
        IDictionary<string, string> labels = volume.Labels ?? new Dictionary<string, string>();
        return new DockerVolume
        {
            DockerHost = host,
            Name = volume.Name,
            Driver = volume.Driver,
            Scope = volume.Scope,
            Mountpoint = volume.Mountpoint,
            Project = labels.TryGetValue(ComposeProjectLabel, out string? project) ? project : null,
            Stack = labels.TryGetValue(StackLabel, out string? stack) ? stack : null,
            Size = sizes is not null && sizes.TryGetValue(volume.Name, out long size) ? size : null,
            CreatedAt = DateTimeOffset.TryParse(volume.CreatedAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset created) ? created : null,
            Users = users.TryGetValue(volume.Name, out List<string>? names) ? names.OrderBy(n => n, StringComparer.Ordinal).ToList() : Array.Empty<string>(),
            Labels = new Dictionary<string, string>(labels, StringComparer.Ordinal),
        };
    }
}
