using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Docker.DotNet.Models;
using OpsTools.Docker;

namespace OpsTools.Engine.Docker;

/// <summary>Which objects a prune considers, with <c>docker system prune</c>'s filters.</summary>
public sealed class DockerPruneFilter
{
    /// <summary>Only objects created before this time (containers, images, networks; volumes have no such filter).</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>
    /// Label conditions, all of which must hold: <c>key</c>, <c>key=value</c>, and negated with a leading
    /// <c>!</c> (<c>!key</c>, <c>!key=value</c>) as the CLI's <c>label!=</c>.
    /// </summary>
    public IReadOnlyList<string> Labels { get; init; } = Array.Empty<string>();

    /// <summary>Images: every image no container uses, not only dangling ones (<c>-a</c>).</summary>
    public bool AllImages { get; init; }
}

/// <summary>
/// Finds what <c>docker system prune</c> would remove, with the same semantics (stopped containers,
/// dangling or unused images, unused volumes, unused networks, label and until filters), and removes
/// the objects one by one, so each can be confirmed. The prune API has no dry run; listing the
/// candidates first gives -WhatIf an exact answer and -Confirm one object at a time.
/// </summary>
public sealed class DockerPruner
{
    private static readonly HashSet<string> PredefinedNetworks = new(StringComparer.Ordinal) { "bridge", "host", "none", "docker_gwbridge" };

    private readonly DockerConnection _connection;

    /// <summary>Creates a pruner for one endpoint.</summary>
    /// <param name="connection">The Docker connection.</param>
    public DockerPruner(DockerConnection connection)
    {
        _connection = connection ?? throw new ArgumentNullException(nameof(connection));
    }

    /// <summary>Checks label conditions, so bad input fails before anything is listed or removed.</summary>
    /// <param name="labels">The conditions.</param>
    /// <exception cref="OpsToolsException">DockerPruneLabelInvalid.</exception>
    public static void ValidateLabels(IEnumerable<string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        foreach (string label in labels)
        {
            string key = ParseLabel(label).Key;
            if (key.Length == 0 || key.Any(char.IsWhiteSpace))
            {
                throw new OpsToolsException(
                    "DockerPruneLabelInvalid",
                    OpsToolsErrorKind.InvalidArgument,
                    $"'{label}' is not a label condition.",
                    label,
                    "Use key, key=value, or !key / !key=value for objects without that label.");
            }
        }
    }

    /// <summary>Lists the objects of one kind a prune would remove now.</summary>
    /// <param name="kind">The kind.</param>
    /// <param name="filter">The filters.</param>
    /// <param name="goingContainers">Containers about to be removed: they no longer keep images or volumes in use.</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <returns>The candidates.</returns>
    public async Task<IReadOnlyList<DockerPruneItem>> FindAsync(DockerObjectKind kind, DockerPruneFilter filter, IReadOnlyCollection<string>? goingContainers = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ValidateLabels(filter.Labels);
        goingContainers ??= Array.Empty<string>();
        return kind switch
        {
            DockerObjectKind.Container => await FindContainersAsync(filter, cancellationToken).ConfigureAwait(false),
            DockerObjectKind.Image => await FindImagesAsync(filter, goingContainers, cancellationToken).ConfigureAwait(false),
            DockerObjectKind.Volume => await FindVolumesAsync(filter, goingContainers, cancellationToken).ConfigureAwait(false),
            _ => await FindNetworksAsync(filter, cancellationToken).ConfigureAwait(false),
        };
    }

    /// <summary>Removes one candidate, refusing (not forcing) when it came into use since it was listed.</summary>
    /// <param name="item">The candidate.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>True when this call removed it; false when it was gone already.</returns>
    /// <exception cref="OpsToolsException">DockerPruneObjectInUse (the object is in use now), or the daemon's error.</exception>
    public async Task<bool> RemoveAsync(DockerPruneItem item, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(item);
        try
        {
            switch (item.Kind)
            {
                case DockerObjectKind.Container:
                    await _connection.RunAsync(async (client, ct) => { await client.Containers.RemoveContainerAsync(item.Id, new ContainerRemoveParameters { Force = false }, ct).ConfigureAwait(false); return true; }, cancellationToken).ConfigureAwait(false);
                    break;
                case DockerObjectKind.Image when item.Name != "<none>":
                    // Untag one tag at a time (no force): the last one removes the image, and an image
                    // that gained a container meanwhile is refused instead of being removed from under it.
                    foreach (string tag in item.Name.Split(", ", StringSplitOptions.RemoveEmptyEntries))
                    {
                        await _connection.RunAsync((client, ct) => client.Images.DeleteImageAsync(tag, new ImageDeleteParameters { Force = false }, ct), cancellationToken).ConfigureAwait(false);
                    }

                    break;
                case DockerObjectKind.Image:
                    await _connection.RunAsync((client, ct) => client.Images.DeleteImageAsync(item.Id, new ImageDeleteParameters { Force = false }, ct), cancellationToken).ConfigureAwait(false);
                    break;
                case DockerObjectKind.Volume:
                    await _connection.RunAsync(async (client, ct) => { await client.Volumes.RemoveAsync(item.Id, false, ct).ConfigureAwait(false); return true; }, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    await _connection.RunAsync(async (client, ct) => { await client.Networks.DeleteNetworkAsync(item.Id, ct).ConfigureAwait(false); return true; }, cancellationToken).ConfigureAwait(false);
                    break;
            }

            return true;
        }
        catch (OpsToolsException ex) when (ex.ErrorId is "DockerConflict" or "DockerNotAcceptable" || (ex.ErrorId == "DockerAccessDenied" && item.Kind == DockerObjectKind.Network))
        {
            throw new OpsToolsException(
                "DockerPruneObjectInUse",
                OpsToolsErrorKind.ResourceExists,
                $"{item.Kind} {item.Name} on {item.DockerHost} was not removed: {ex.Message}",
                item,
                "It came into use (or gained a tag or container) after it was listed; it is kept. Run the prune again to re-check.",
                ex);
        }
        catch (OpsToolsException ex) when (ex.Kind == OpsToolsErrorKind.ObjectNotFound)
        {
            // Gone already (removed with its container, or by someone else): nothing left to do.
            return false;
        }
    }

    private async Task<IReadOnlyList<DockerPruneItem>> FindContainersAsync(DockerPruneFilter filter, CancellationToken cancellationToken)
    {
        var parameters = new ContainersListParameters
        {
            All = true,
            Size = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["status"] = new Dictionary<string, bool> { ["created"] = true, ["exited"] = true, ["dead"] = true } },
        };
        IList<ContainerListResponse> containers = await _connection.RunAsync((client, ct) => client.Containers.ListContainersAsync(parameters, ct), cancellationToken).ConfigureAwait(false);
        string host = _connection.Endpoint.DisplayName;
        return containers
            .Where(c => MatchesLabels(c.Labels, filter.Labels) && Before(c.Created, filter.Until))
            .OrderBy(c => c.Created)
            .Select(c => new DockerPruneItem
            {
                DockerHost = host,
                Kind = DockerObjectKind.Container,
                Id = c.ID,
                Name = c.Names?.FirstOrDefault()?.TrimStart('/') ?? c.ID,
                Size = c.SizeRw ?? 0,
                Created = ToOffset(c.Created),
            })
            .ToList();
    }

    private async Task<IReadOnlyList<DockerPruneItem>> FindImagesAsync(DockerPruneFilter filter, IReadOnlyCollection<string> goingContainers, CancellationToken cancellationToken)
    {
        IList<ImagesListResponse> images = await _connection.RunAsync((client, ct) => client.Images.ListImagesAsync(new ImagesListParameters { All = false }, ct), cancellationToken).ConfigureAwait(false);
        IList<ContainerListResponse> containers = await _connection.RunAsync((client, ct) => client.Containers.ListContainersAsync(new ContainersListParameters { All = true }, ct), cancellationToken).ConfigureAwait(false);
        var used = new HashSet<string>(containers.Where(c => !goingContainers.Contains(c.ID)).Select(c => c.ImageID), StringComparer.Ordinal);
        string host = _connection.Endpoint.DisplayName;
        return images
            .Where(i => !used.Contains(i.ID))
            .Where(i => filter.AllImages || IsDangling(i))
            .Where(i => MatchesLabels(i.Labels, filter.Labels) && Before(i.Created, filter.Until))
            .OrderBy(i => i.Created)
            .Select(i => new DockerPruneItem
            {
                DockerHost = host,
                Kind = DockerObjectKind.Image,
                Id = i.ID,
                Name = IsDangling(i) ? "<none>" : string.Join(", ", i.RepoTags!.Where(t => t != "<none>:<none>")),
                Size = i.Size,
                Created = ToOffset(i.Created),
            })
            .ToList();
    }

    private async Task<IReadOnlyList<DockerPruneItem>> FindVolumesAsync(DockerPruneFilter filter, IReadOnlyCollection<string> goingContainers, CancellationToken cancellationToken)
    {
        if (filter.Until is not null)
        {
            throw new OpsToolsException(
                "DockerPruneUntilVolumes",
                OpsToolsErrorKind.InvalidArgument,
                "Volumes have no creation filter: -Until cannot be used with -Volumes (docker system prune refuses it too).",
                filter.Until,
                "Prune volumes in a run of their own, without -Until, restricted with -Label.");
        }

        VolumesListResponse volumes = await _connection.RunAsync((client, ct) => client.Volumes.ListAsync(new VolumesListParameters(), ct), cancellationToken).ConfigureAwait(false);
        IList<ContainerListResponse> containers = await _connection.RunAsync((client, ct) => client.Containers.ListContainersAsync(new ContainersListParameters { All = true }, ct), cancellationToken).ConfigureAwait(false);
        var used = new HashSet<string>(
            containers.Where(c => !goingContainers.Contains(c.ID)).SelectMany(c => c.Mounts ?? new List<MountPoint>()).Where(m => m.Type == "volume" && !string.IsNullOrEmpty(m.Name)).Select(m => m.Name!),
            StringComparer.Ordinal);
        List<VolumeResponse> candidates = (volumes.Volumes ?? new List<VolumeResponse>())
            .Where(v => !used.Contains(v.Name) && MatchesLabels(v.Labels, filter.Labels))
            .ToList();
        Dictionary<string, long> sizes = candidates.Count == 0 ? new Dictionary<string, long>() : await VolumeSizesAsync(cancellationToken).ConfigureAwait(false);
        string host = _connection.Endpoint.DisplayName;
        return candidates
            .OrderBy(v => v.Name, StringComparer.Ordinal)
            .Select(v => new DockerPruneItem
            {
                DockerHost = host,
                Kind = DockerObjectKind.Volume,
                Id = v.Name,
                Name = v.Name,
                Size = sizes.TryGetValue(v.Name, out long size) && size > 0 ? size : 0,
                Created = DateTimeOffset.TryParse(v.CreatedAt, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out DateTimeOffset created) ? created : null,
            })
            .ToList();
    }

    private Task<Dictionary<string, long>> VolumeSizesAsync(CancellationToken cancellationToken) =>
        DockerVolumeSizes.ReadAsync(_connection, cancellationToken);

    private async Task<IReadOnlyList<DockerPruneItem>> FindNetworksAsync(DockerPruneFilter filter, CancellationToken cancellationToken)
    {
        IList<NetworkResponse> networks = await _connection.RunAsync((client, ct) => client.Networks.ListNetworksAsync(new NetworksListParameters(), ct), cancellationToken).ConfigureAwait(false);
        List<NetworkResponse> candidates = networks
            .Where(n => !PredefinedNetworks.Contains(n.Name) && !n.Ingress && MatchesLabels(n.Labels, filter.Labels) && Before(n.Created, filter.Until))
            .ToList();
        if (candidates.Count == 0)
        {
            return Array.Empty<DockerPruneItem>();
        }

        // Swarm networks are in use when a service names them; local ones when a container is attached.
        var usedByServices = new HashSet<string>(StringComparer.Ordinal);
        if (candidates.Any(n => n.Scope == "swarm"))
        {
            IList<global::Docker.DotNet.Models.SwarmService> services = await _connection.RunAsync((client, ct) => client.Swarm.ListServicesAsync(new ServiceListParameters(), ct), cancellationToken).ConfigureAwait(false);
            foreach (global::Docker.DotNet.Models.SwarmService service in services)
            {
                foreach (NetworkAttachmentConfig attachment in service.Spec?.TaskTemplate?.Networks ?? new List<NetworkAttachmentConfig>())
                {
                    if (!string.IsNullOrEmpty(attachment.Target))
                    {
                        usedByServices.Add(attachment.Target);
                    }
                }
            }
        }

        var result = new List<DockerPruneItem>();
        string host = _connection.Endpoint.DisplayName;
        foreach (NetworkResponse network in candidates.OrderBy(n => n.Created))
        {
            if (usedByServices.Contains(network.ID) || usedByServices.Contains(network.Name))
            {
                continue;
            }

            NetworkResponse inspected = await _connection.RunAsync((client, ct) => client.Networks.InspectNetworkAsync(network.ID, ct), cancellationToken).ConfigureAwait(false);
            if (inspected.Containers is { Count: > 0 })
            {
                continue;
            }

            result.Add(new DockerPruneItem
            {
                DockerHost = host,
                Kind = DockerObjectKind.Network,
                Id = network.ID,
                Name = network.Name,
                Created = ToOffset(network.Created),
            });
        }

        return result;
    }

    private static bool IsDangling(ImagesListResponse image) =>
        image.RepoTags is null || image.RepoTags.Count == 0 || image.RepoTags.All(t => t == "<none>:<none>");

    private static bool Before(DateTime created, DateTimeOffset? until) => until is not { } limit || ToOffset(created) is not { } at || at < limit;

    private static DateTimeOffset? ToOffset(DateTime time) => time == default ? null
        : new DateTimeOffset(time.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(time, DateTimeKind.Utc) : time.ToUniversalTime());

    private static (bool Negated, string Key, string? Value) ParseLabel(string condition)
    {
        bool negated = condition.StartsWith('!');
        string text = negated ? condition[1..] : condition;
        int eq = text.IndexOf('=', StringComparison.Ordinal);
        return eq < 0 ? (negated, text.Trim(), null) : (negated, text[..eq].Trim(), text[(eq + 1)..]);
    }

    internal static bool MatchesLabels(IDictionary<string, string>? labels, IReadOnlyList<string> conditions)
    {
        foreach (string condition in conditions)
        {
            (bool negated, string key, string? value) = ParseLabel(condition);
            bool has = labels is not null && labels.TryGetValue(key, out string? actual) && (value is null || string.Equals(actual, value, StringComparison.Ordinal));
            if (has == negated)
            {
                return false;
            }
        }

        return true;
    }
}
