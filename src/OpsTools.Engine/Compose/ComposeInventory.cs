using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Docker.DotNet.Models;
using OpsTools.Compose;
using OpsTools.Engine.Docker;

namespace OpsTools.Engine.Compose;

/// <summary>
/// Finds compose projects on a daemon from the labels docker compose v2, docker-compose v1 and
/// OpsTools put on containers, networks and volumes. One container list call answers a listing;
/// health and exit codes come from the list's status text, so no container is inspected unless
/// restart counts are asked for.
/// </summary>
public sealed partial class ComposeInventory
{
    private const int InspectConcurrency = 8;

    private readonly DockerConnection _connection;

    /// <summary>Creates an inventory for one endpoint.</summary>
    /// <param name="connection">The Docker connection.</param>
    public ComposeInventory(DockerConnection connection)
    {
        _connection = connection ?? throw new ArgumentNullException(nameof(connection));
    }

    /// <summary>Lists the containers of compose projects, stopped ones included, sorted by project, service and number.</summary>
    /// <param name="project">Only this project (exact name), or null for all.</param>
    /// <param name="includeOneOff">Include containers of <c>docker compose run</c>.</param>
    /// <param name="detailed">Inspect each container for its restart count.</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <returns>The containers.</returns>
    public async Task<IReadOnlyList<ComposeContainer>> GetContainersAsync(string? project, bool includeOneOff, bool detailed, CancellationToken cancellationToken = default)
    {
        var parameters = new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = new Dictionary<string, bool> { [project is null ? ComposeLabels.Project : ComposeLabels.Project + "=" + project] = true },
            },
        };
        IList<ContainerListResponse> listed = await _connection.RunAsync((client, ct) => client.Containers.ListContainersAsync(parameters, ct), cancellationToken).ConfigureAwait(false);
        string host = _connection.Endpoint.DisplayName;
        List<ComposeContainer> containers = listed
            .Where(c => c.Labels is not null && c.Labels.ContainsKey(ComposeLabels.Service))
            .Select(c => ToContainer(host, c))
            .Where(c => includeOneOff || !c.OneOff)
            .OrderBy(c => c.Project, StringComparer.Ordinal)
            .ThenBy(c => c.Service, StringComparer.Ordinal)
            .ThenBy(c => c.OneOff)
            .ThenBy(c => c.Number)
            .ThenBy(c => c.Name, StringComparer.Ordinal)
            .ToList();
        if (!detailed || containers.Count == 0)
        {
            return containers;
        }

        using var gate = new SemaphoreSlim(InspectConcurrency);
        ComposeContainer[] withCounts = await Task.WhenAll(containers.Select(async c =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                ContainerInspectResponse inspect = await _connection.RunAsync((client, ct) => client.Containers.InspectContainerAsync(c.Id, ct), cancellationToken).ConfigureAwait(false);
                return With(c, inspect.RestartCount);
            }
            catch (OpsToolsException ex) when (ex.Kind == OpsToolsErrorKind.ObjectNotFound)
            {
                // Removed between the list and the inspect: keep what the list said.
                return c;
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);
        return withCounts;
    }

    /// <summary>Groups containers into services, sorted by project and name.</summary>
    /// <param name="containers">Containers of <see cref="GetContainersAsync"/>.</param>
    /// <returns>The services.</returns>
    public static IReadOnlyList<ComposeServiceInfo> GroupServices(IEnumerable<ComposeContainer> containers)
    {
        ArgumentNullException.ThrowIfNull(containers);
        return containers
            .GroupBy(c => (c.DockerHost, c.Project, c.Service))
            .OrderBy(g => g.Key.Project, StringComparer.Ordinal)
            .ThenBy(g => g.Key.Service, StringComparer.Ordinal)
            .Select(g =>
            {
                List<ComposeContainer> members = g.ToList();
                List<ComposeContainer> running = members.Where(c => c.State == ComposeContainerState.Running).ToList();
                return new ComposeServiceInfo
                {
                    DockerHost = g.Key.DockerHost,
                    Project = g.Key.Project,
                    Name = g.Key.Service,
                    Running = running.Count,
                    Total = members.Count,
                    Health = WorstHealth(running),
                    Status = StatusText(members),
                    Image = members.MaxBy(c => c.CreatedAt)?.Image,
                    Ports = string.Join(", ", members.SelectMany(c => c.PublishedPorts).Select(p => p.ToString()).Distinct(StringComparer.Ordinal)),
                    RestartCount = members.All(c => c.RestartCount is not null) ? members.Sum(c => c.RestartCount!.Value) : null,
                    CreatedAt = members.Min(c => c.CreatedAt),
                    Containers = members,
                };
            })
            .ToList();
    }

    /// <summary>Groups containers into projects, sorted by name.</summary>
    /// <param name="containers">Containers of <see cref="GetContainersAsync"/>.</param>
    /// <returns>The projects.</returns>
    public static IReadOnlyList<ComposeProjectInfo> GroupProjects(IEnumerable<ComposeContainer> containers)
    {
        ArgumentNullException.ThrowIfNull(containers);
        return containers
            .GroupBy(c => (c.DockerHost, c.Project))
            .OrderBy(g => g.Key.Project, StringComparer.Ordinal)
            .Select(g =>
            {
                List<ComposeContainer> members = g.ToList();
                // The newest container carries the files of the latest up.
                ComposeContainer newest = members.MaxBy(c => c.CreatedAt)!;
                return new ComposeProjectInfo
                {
                    DockerHost = g.Key.DockerHost,
                    Name = g.Key.Project,
                    Status = StatusText(members),
                    Running = members.Count(c => c.State == ComposeContainerState.Running),
                    Total = members.Count,
                    WorkingDirectory = newest.Labels.GetValueOrDefault(ComposeLabels.WorkingDirectory),
                    ConfigFiles = newest.Labels.GetValueOrDefault(ComposeLabels.ConfigFiles) is { Length: > 0 } files
                        ? files.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                        : Array.Empty<string>(),
                    Services = GroupServices(members),
                };
            })
            .ToList();
    }

    /// <summary>Lists the networks and, when asked, the volumes labelled with a project's name, volumes with their data size.</summary>
    /// <param name="project">Project name (exact).</param>
    /// <param name="volumes">Also list the project's volumes.</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <returns>Networks first, then volumes, each sorted by name.</returns>
    public async Task<IReadOnlyList<ComposeResource>> GetResourcesAsync(string project, bool volumes, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(project);
        var label = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [ComposeLabels.Project + "=" + project] = true } };
        IList<NetworkResponse> networks = await _connection.RunAsync((client, ct) => client.Networks.ListNetworksAsync(new NetworksListParameters { Filters = label }, ct), cancellationToken).ConfigureAwait(false);
        var resources = networks
            .OrderBy(n => n.Name, StringComparer.Ordinal)
            .Select(n => new ComposeResource { Kind = "network", Name = n.Name })
            .ToList();
        if (!volumes)
        {
            return resources;
        }

        VolumesListResponse listed = await _connection.RunAsync((client, ct) => client.Volumes.ListAsync(new VolumesListParameters { Filters = label }, ct), cancellationToken).ConfigureAwait(false);
        List<VolumeResponse> found = (listed.Volumes ?? new List<VolumeResponse>()).OrderBy(v => v.Name, StringComparer.Ordinal).ToList();
        if (found.Count == 0)
        {
            return resources;
        }

        Dictionary<string, long> sizes = await DockerVolumeSizes.ReadAsync(_connection, cancellationToken).ConfigureAwait(false);
        resources.AddRange(found.Select(v => new ComposeResource { Kind = "volume", Name = v.Name, Size = sizes.TryGetValue(v.Name, out long size) ? size : null }));
        return resources;
    }

    /// <summary>Reads the exit code from a status text such as <c>Exited (137) 2 minutes ago</c>.</summary>
    /// <param name="status">The daemon's status text.</param>
    /// <returns>The exit code, or null.</returns>
    internal static int? ExitCodeOf(string? status) =>
        status is not null && ExitedPattern().Match(status) is { Success: true } match
            ? int.Parse(match.Groups[1].Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)
            : null;

    /// <summary>Reads the health from a status text such as <c>Up 5 seconds (health: starting)</c>.</summary>
    /// <param name="status">The daemon's status text.</param>
    /// <returns>The health.</returns>
    internal static ComposeHealth HealthOf(string? status) => status switch
    {
        null => ComposeHealth.None,
        _ when status.EndsWith("(healthy)", StringComparison.Ordinal) => ComposeHealth.Healthy,
        _ when status.EndsWith("(unhealthy)", StringComparison.Ordinal) => ComposeHealth.Unhealthy,
        _ when status.EndsWith("(health: starting)", StringComparison.Ordinal) => ComposeHealth.Starting,
        _ => ComposeHealth.None,
    };

    /// <summary>States counted the way <c>docker compose ls</c> prints them, e.g. <c>running(2), exited(1)</c>.</summary>
    /// <param name="containers">The containers.</param>
    /// <returns>The text.</returns>
    internal static string StatusText(IEnumerable<ComposeContainer> containers) => string.Join(", ", containers
        .GroupBy(c => c.State)
        .OrderBy(g => g.Key)
        .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key.ToString().ToLowerInvariant()}({g.Count()})")));

    private static ComposeHealth WorstHealth(IReadOnlyCollection<ComposeContainer> running) =>
        running.Any(c => c.Health == ComposeHealth.Unhealthy) ? ComposeHealth.Unhealthy
        : running.Any(c => c.Health == ComposeHealth.Starting) ? ComposeHealth.Starting
        : running.Any(c => c.Health == ComposeHealth.Healthy) ? ComposeHealth.Healthy
        : ComposeHealth.None;

    private static ComposeContainer ToContainer(string host, ContainerListResponse c)
    {
        var labels = new Dictionary<string, string>(c.Labels, StringComparer.Ordinal);
        ComposeContainerState state = Enum.TryParse(c.State, ignoreCase: true, out ComposeContainerState parsed) ? parsed : ComposeContainerState.Dead;
        return new ComposeContainer
        {
            DockerHost = host,
            Project = labels[ComposeLabels.Project],
            Service = labels[ComposeLabels.Service],
            Name = c.Names?.FirstOrDefault()?.TrimStart('/') ?? c.ID,
            Id = c.ID,
            Number = int.TryParse(labels.GetValueOrDefault(ComposeLabels.ContainerNumber), NumberStyles.None, CultureInfo.InvariantCulture, out int number) ? number : 0,
            OneOff = string.Equals(labels.GetValueOrDefault(ComposeLabels.OneOff), "True", StringComparison.OrdinalIgnoreCase),
            Image = c.Image,
            Command = c.Command,
            State = state,
            Health = state == ComposeContainerState.Running ? HealthOf(c.Health?.Status is { Length: > 0 } health ? $"({health})" : c.Status) : ComposeHealth.None,
            Status = c.Status,
            ExitCode = state is ComposeContainerState.Exited or ComposeContainerState.Dead ? ExitCodeOf(c.Status) : null,
            CreatedAt = new DateTimeOffset(DateTime.SpecifyKind(c.Created, DateTimeKind.Utc)),
            ConfigHash = labels.GetValueOrDefault(ComposeLabels.ConfigHash),
            PublishedPorts = (c.Ports ?? new List<PortSummary>())
                .OrderBy(p => p.PublicPort is null)
                .ThenBy(p => p.PrivatePort)
                .ThenBy(p => p.Type, StringComparer.Ordinal)
                .ThenBy(p => p.IP, StringComparer.Ordinal)
                .Select(p => new ComposePublishedPort
                {
                    HostIp = p.PublicPort is null ? null : p.IP,
                    PublishedPort = p.PublicPort,
                    TargetPort = p.PrivatePort,
                    Protocol = p.Type ?? "tcp",
                })
                .ToList(),
            Labels = labels,
        };
    }

    private static ComposeContainer With(ComposeContainer c, long restartCount) => new()
    {
        DockerHost = c.DockerHost,
        Project = c.Project,
        Service = c.Service,
        Name = c.Name,
        Id = c.Id,
        Number = c.Number,
        OneOff = c.OneOff,
        Image = c.Image,
        Command = c.Command,
        State = c.State,
        Health = c.Health,
        Status = c.Status,
        ExitCode = c.ExitCode,
        RestartCount = restartCount,
        CreatedAt = c.CreatedAt,
        ConfigHash = c.ConfigHash,
        PublishedPorts = c.PublishedPorts,
        Labels = c.Labels,
    };

    [GeneratedRegex(@"^Exited \((-?\d+)\)", RegexOptions.CultureInvariant)]
    private static partial Regex ExitedPattern();
}
