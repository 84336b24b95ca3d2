using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Docker.DotNet.Models;
using OpsTools.Engine.Docker;

namespace OpsTools.Engine.Ceph;

/// <summary>A host directory a Swarm service mounts into its containers (a bind mount, or a local volume bound to a directory).</summary>
public sealed class SwarmServiceMount
{
    /// <summary>Service name.</summary>
    public required string ServiceName { get; init; }

    /// <summary>Service id.</summary>
    public required string ServiceId { get; init; }

    /// <summary>Host directory (the mount's source, or the <c>device</c> of a local volume with <c>o=bind</c>).</summary>
    public required string Source { get; init; }

    /// <summary>Path inside the containers.</summary>
    public string Target { get; init; } = string.Empty;

    /// <summary>Whether the service has tasks running or wanted (replicas above 0, or global).</summary>
    public bool IsRunning { get; init; }

    /// <summary>
    /// Reads the mounts of every Swarm service from the daemon in one request
    /// (<c>GET /services?status=true</c>).
    /// </summary>
    /// <param name="connection">Connection to a swarm manager.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The host directories mounted by services.</returns>
    public static async Task<IReadOnlyList<SwarmServiceMount>> GetAsync(DockerConnection connection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
        var parameters = new ServiceListParameters { Status = connection.SupportsApi(1, 41) ? true : null };
        IList<global::Docker.DotNet.Models.SwarmService> services = await connection
            .RunAsync((client, ct) => client.Swarm.ListServicesAsync(parameters, ct), cancellationToken)
            .ConfigureAwait(false);
        var mounts = new List<SwarmServiceMount>();
        foreach (global::Docker.DotNet.Models.SwarmService service in services)
        {
            bool running = service.ServiceStatus is { } status
                ? status.RunningTasks > 0 || status.DesiredTasks > 0
                : service.Spec?.Mode?.Global is not null || (service.Spec?.Mode?.Replicated?.Replicas ?? 0) > 0;
            foreach (Mount mount in service.Spec?.TaskTemplate?.ContainerSpec?.Mounts ?? new List<Mount>())
            {
                if (HostDirectory(mount) is { } source)
                {
                    mounts.Add(new SwarmServiceMount
                    {
                        ServiceName = service.Spec?.Name ?? service.ID,
                        ServiceId = service.ID,
                        Source = source,
                        Target = mount.Target ?? string.Empty,
                        IsRunning = running,
                    });
                }
            }
        }

        return mounts;
    }

    /// <summary>Names of the running services that mount <paramref name="directory"/> or a directory below it.</summary>
    /// <param name="mounts">Service mounts.</param>
    /// <param name="directory">Full path of the directory.</param>
    /// <returns>Service names, sorted, each once.</returns>
    public static IReadOnlyList<string> ServicesUsing(IReadOnlyList<SwarmServiceMount> mounts, string directory)
    {
        ArgumentNullException.ThrowIfNull(mounts);
        string dir = Path.TrimEndingDirectorySeparator(directory);
        return mounts
            .Where(m => m.IsRunning && MountTable.IsUnder(Path.TrimEndingDirectorySeparator(m.Source), dir))
            .Select(m => m.ServiceName)
            .Distinct(StringComparer.Ordinal)
            .OrderBy(n => n, StringComparer.Ordinal)
            .ToList();
    }

    private static string? HostDirectory(Mount mount)
    {
        if (string.Equals(mount.Type, "bind", StringComparison.OrdinalIgnoreCase) && !string.IsNullOrEmpty(mount.Source))
        {
            return mount.Source;
        }

        // Compose's "driver_opts: {type: none, o: bind, device: /mnt/cephfs/...}" volumes.
        IDictionary<string, string>? options = mount.VolumeOptions?.DriverConfig?.Options;
        if (string.Equals(mount.Type, "volume", StringComparison.OrdinalIgnoreCase)
            && options is not null
            && options.TryGetValue("device", out string? device)
            && options.TryGetValue("o", out string? o)
            && o.Split(',').Contains("bind", StringComparer.Ordinal)
            && device.StartsWith('/'))
        {
            return device;
        }

        return null;
    }
}
