using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Docker.DotNet.Models;
using OpsTools.Engine.Docker;
using OpsTools.Swarm;
using ApiTaskState = Docker.DotNet.Models.TaskState;

namespace OpsTools.Engine.Swarm;

/// <summary>Filters for <see cref="SwarmInspector.GetServicesAsync"/>, applied by the daemon.</summary>
public sealed class SwarmServiceQuery
{
    /// <summary>Only services of this stack.</summary>
    public string? Stack { get; init; }

    /// <summary>Only services carrying these labels; a null value matches the key alone.</summary>
    public IReadOnlyDictionary<string, string?> Labels { get; init; } = new Dictionary<string, string?>();
}

/// <summary>Read-only views of a swarm: services, tasks, nodes and stacks.</summary>
public sealed class SwarmInspector
{
    /// <summary>Label the docker CLI puts on every object of a stack.</summary>
    public const string StackNamespaceLabel = "com.docker.stack.namespace";

    private readonly DockerConnection _connection;

    /// <summary>Creates an inspector for one endpoint.</summary>
    /// <param name="connection">The Docker connection.</param>
    public SwarmInspector(DockerConnection connection)
    {
        _connection = connection ?? throw new ArgumentNullException(nameof(connection));
    }

    /// <summary>
    /// Lists services with their running and desired task counts. On API 1.41 and later this is one
    /// request (<c>GET /services?status=true</c>); older daemons need one task listing as well.
    /// </summary>
    /// <param name="query">Daemon-side filters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The services, sorted by name.</returns>
    public async Task<IReadOnlyList<OpsTools.Swarm.SwarmService>> GetServicesAsync(SwarmServiceQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new SwarmServiceQuery();
        var labelFilter = new Dictionary<string, bool>(StringComparer.Ordinal);
        if (!string.IsNullOrEmpty(query.Stack))
        {
            labelFilter[$"{StackNamespaceLabel}={query.Stack}"] = true;
        }

        foreach (KeyValuePair<string, string?> label in query.Labels)
        {
            labelFilter[label.Value is null ? label.Key : $"{label.Key}={label.Value}"] = true;
        }

        var parameters = new ServiceListParameters
        {
            Filters = labelFilter.Count == 0 ? null : new Dictionary<string, IDictionary<string, bool>> { ["label"] = labelFilter },
        };

        await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
        bool statusSupported = _connection.SupportsApi(1, 41);
        parameters.Status = statusSupported ? true : null;
        IList<global::Docker.DotNet.Models.SwarmService> services = await _connection
            .RunAsync((client, ct) => client.Swarm.ListServicesAsync(parameters, ct), cancellationToken)
            .ConfigureAwait(false);

        Dictionary<string, (long Running, long Desired)>? counted = null;
        if (!statusSupported)
        {
            counted = await CountTasksAsync(services, cancellationToken).ConfigureAwait(false);
        }

        return services
            .Select(service => ToService(service, counted))
            .OrderBy(service => service.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Lists tasks, optionally of some services only (ids or names).</summary>
    /// <param name="serviceIds">Service ids or names to restrict to; empty for all.</param>
    /// <param name="desiredState">Only tasks whose desired state is this.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Tasks sorted by service, slot, then newest first (as <c>docker service ps</c>).</returns>
    public async Task<IReadOnlyList<SwarmTask>> GetTasksAsync(IReadOnlyCollection<string>? serviceIds = null, SwarmTaskState? desiredState = null, CancellationToken cancellationToken = default)
    {
        var filters = new Dictionary<string, IDictionary<string, bool>>();
        if (serviceIds is { Count: > 0 })
        {
            filters["service"] = serviceIds.ToDictionary(id => id, _ => true, StringComparer.Ordinal);
        }

        if (desiredState is { } desired)
        {
            filters["desired-state"] = new Dictionary<string, bool> { [desired.ToString().ToLowerInvariant()] = true };
        }

        var tasksParameters = new TasksListParameters { Filters = filters.Count == 0 ? null : filters };
        Task<IList<TaskResponse>> tasksCall = _connection.RunAsync((client, ct) => client.Tasks.ListAsync(tasksParameters, ct), cancellationToken);
        Task<IList<global::Docker.DotNet.Models.SwarmService>> servicesCall = _connection.RunAsync((client, ct) => client.Swarm.ListServicesAsync(new ServiceListParameters(), ct), cancellationToken);
        Task<IList<NodeListResponse>> nodesCall = _connection.RunAsync((client, ct) => client.Swarm.ListNodesAsync(ct), cancellationToken);
        await Task.WhenAll(tasksCall, servicesCall, nodesCall).ConfigureAwait(false);

        Dictionary<string, global::Docker.DotNet.Models.SwarmService> servicesById = servicesCall.Result.ToDictionary(s => s.ID, StringComparer.Ordinal);
        Dictionary<string, string> nodeNames = nodesCall.Result.ToDictionary(n => n.ID, n => n.Description?.Hostname ?? n.ID, StringComparer.Ordinal);

        return tasksCall.Result
            .Select(task => ToTask(task, servicesById, nodeNames))
            .OrderBy(task => task.ServiceName, StringComparer.Ordinal)
            .ThenBy(task => task.Slot ?? 0)
            .ThenBy(task => task.NodeId, StringComparer.Ordinal)
            .ThenByDescending(task => task.CreatedAt)
            .ToList();
    }

    /// <summary>Lists the nodes of the swarm.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Nodes sorted by hostname.</returns>
    public async Task<IReadOnlyList<SwarmNode>> GetNodesAsync(CancellationToken cancellationToken = default)
    {
        IList<NodeListResponse> nodes = await _connection.RunAsync((client, ct) => client.Swarm.ListNodesAsync(ct), cancellationToken).ConfigureAwait(false);
        return nodes.Select(ToNode).OrderBy(n => n.Hostname, StringComparer.Ordinal).ToList();
    }

    /// <summary>Lists stacks (services grouped by <see cref="StackNamespaceLabel"/>) from one service listing.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Stacks sorted by name.</returns>
    public async Task<IReadOnlyList<SwarmStack>> GetStacksAsync(CancellationToken cancellationToken = default)
    {
        var query = new SwarmServiceQuery { Labels = new Dictionary<string, string?> { [StackNamespaceLabel] = null } };
        IReadOnlyList<OpsTools.Swarm.SwarmService> services = await GetServicesAsync(query, cancellationToken).ConfigureAwait(false);
        string host = _connection.Endpoint.DisplayName;
        return services
            .Where(s => s.Stack is not null)
            .GroupBy(s => s.Stack!, StringComparer.Ordinal)
            .Select(g => new SwarmStack
            {
                DockerHost = host,
                Name = g.Key,
                Services = g.Count(),
                RunningServices = g.Count(IsFullyRunning),
            })
            .OrderBy(s => s.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Whether a service has all the tasks it wants (jobs: none failed to start).</summary>
    /// <param name="service">The service.</param>
    /// <returns>True when fully running.</returns>
    public static bool IsFullyRunning(OpsTools.Swarm.SwarmService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        return service.Mode is SwarmServiceMode.ReplicatedJob or SwarmServiceMode.GlobalJob
            ? service.RunningReplicas + service.CompletedTasks >= service.DesiredReplicas
            : service.RunningReplicas >= service.DesiredReplicas;
    }

    private async Task<Dictionary<string, (long Running, long Desired)>> CountTasksAsync(IList<global::Docker.DotNet.Models.SwarmService> services, CancellationToken cancellationToken)
    {
        // Daemons before API 1.41 have no ServiceStatus: one listing of the tasks meant to run gives both counts.
        var parameters = new TasksListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["desired-state"] = new Dictionary<string, bool> { ["running"] = true } },
        };
        IList<TaskResponse> tasks = await _connection.RunAsync((client, ct) => client.Tasks.ListAsync(parameters, ct), cancellationToken).ConfigureAwait(false);
        var counts = new Dictionary<string, (long Running, long Desired)>(StringComparer.Ordinal);
        foreach (global::Docker.DotNet.Models.SwarmService service in services)
        {
            List<TaskResponse> own = tasks.Where(t => t.ServiceID == service.ID).ToList();
            long running = own.Count(t => t.Status?.State == ApiTaskState.Running);
            long desired = service.Spec?.Mode?.Replicated?.Replicas is { } replicas ? (long)replicas : own.Count;
            counts[service.ID] = (running, desired);
        }

        return counts;
    }

    private OpsTools.Swarm.SwarmService ToService(global::Docker.DotNet.Models.SwarmService service, Dictionary<string, (long Running, long Desired)>? counted)
    {
        ServiceSpec? spec = service.Spec;
        IDictionary<string, string> labels = spec?.Labels ?? new Dictionary<string, string>();
        labels.TryGetValue(StackNamespaceLabel, out string? stack);
        List<SwarmPort> ports = (service.Endpoint?.Ports ?? spec?.EndpointSpec?.Ports ?? new List<PortConfig>())
            .Select(p => new SwarmPort
            {
                TargetPort = p.TargetPort ?? 0,
                PublishedPort = p.PublishedPort is > 0 ? p.PublishedPort : null,
                Protocol = string.IsNullOrEmpty(p.Protocol) ? "tcp" : p.Protocol,
                PublishMode = string.IsNullOrEmpty(p.PublishMode) ? "ingress" : p.PublishMode,
            })
            .ToList();

        long running;
        long desired;
        if (counted is not null && counted.TryGetValue(service.ID, out (long Running, long Desired) count))
        {
            (running, desired) = count;
        }
        else
        {
            running = (long)(service.ServiceStatus?.RunningTasks ?? 0);
            desired = (long)(service.ServiceStatus?.DesiredTasks ?? (spec?.Mode?.Replicated?.Replicas ?? 0));
        }

        return new OpsTools.Swarm.SwarmService
        {
            DockerHost = _connection.Endpoint.DisplayName,
            Id = service.ID,
            Name = spec?.Name ?? service.ID,
            Stack = stack,
            Mode = ModeOf(spec?.Mode),
            RunningReplicas = running,
            DesiredReplicas = desired,
            CompletedTasks = (long)(service.ServiceStatus?.CompletedTasks ?? 0),
            Image = StripDigest(spec?.TaskTemplate?.ContainerSpec?.Image),
            Ports = string.Join(", ", ports.Where(p => p.PublishedPort is not null).Select(p => p.ToString())),
            PublishedPorts = ports,
            UpdateState = service.UpdateStatus?.State,
            UpdateMessage = service.UpdateStatus?.Message,
            CreatedAt = ToOffset(service.CreatedAt),
            UpdatedAt = ToOffset(service.UpdatedAt),
            Version = service.Version?.Index ?? 0,
            Labels = new Dictionary<string, string>(labels, StringComparer.Ordinal),
        };
    }

    private SwarmTask ToTask(TaskResponse task, Dictionary<string, global::Docker.DotNet.Models.SwarmService> servicesById, Dictionary<string, string> nodeNames)
    {
        string serviceId = task.ServiceID ?? string.Empty;
        servicesById.TryGetValue(serviceId, out global::Docker.DotNet.Models.SwarmService? service);
        string? serviceName = service?.Spec?.Name;
        string? node = task.NodeID is { Length: > 0 } nodeId ? nodeNames.GetValueOrDefault(nodeId, nodeId) : null;
        string name = (serviceName ?? serviceId) + "." + (task.Slot is > 0 ? task.Slot.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) : task.NodeID);
        return new SwarmTask
        {
            DockerHost = _connection.Endpoint.DisplayName,
            Id = task.ID,
            Name = name,
            ServiceId = serviceId,
            ServiceName = serviceName,
            Slot = task.Slot is > 0 ? task.Slot : null,
            NodeId = string.IsNullOrEmpty(task.NodeID) ? null : task.NodeID,
            Node = node,
            Image = StripDigest(task.Spec?.ContainerSpec?.Image),
            DesiredState = ToState(task.DesiredState),
            CurrentState = ToState(task.Status?.State),
            StateSince = ToOffset(task.Status?.Timestamp),
            Error = string.IsNullOrEmpty(task.Status?.Err) ? null : task.Status!.Err,
            Message = task.Status?.Message,
            ContainerId = string.IsNullOrEmpty(task.Status?.ContainerStatus?.ContainerID) ? null : task.Status!.ContainerStatus!.ContainerID,
            ExitCode = task.Status?.ContainerStatus is { } cs && ToState(task.Status.State) is SwarmTaskState.Complete or SwarmTaskState.Failed or SwarmTaskState.Shutdown ? cs.ExitCode : null,
            CreatedAt = ToOffset(task.CreatedAt),
        };
    }

    private SwarmNode ToNode(NodeListResponse node) => new()
    {
        DockerHost = _connection.Endpoint.DisplayName,
        Id = node.ID,
        Hostname = node.Description?.Hostname ?? node.ID,
        Role = string.Equals(node.Spec?.Role, "manager", StringComparison.OrdinalIgnoreCase) ? SwarmNodeRole.Manager : SwarmNodeRole.Worker,
        Availability = ParseEnum(node.Spec?.Availability, SwarmNodeAvailability.Active),
        Status = ParseEnum(node.Status?.State, SwarmNodeStatus.Unknown),
        IsLeader = node.ManagerStatus?.Leader ?? false,
        ManagerReachability = node.ManagerStatus?.Reachability,
        EngineVersion = node.Description?.Engine?.EngineVersion,
        Address = node.Status?.Addr,
        Platform = node.Description?.Platform is { } p ? $"{p.OS}/{p.Architecture}" : null,
        Cpus = (node.Description?.Resources?.NanoCPUs ?? 0) / 1e9,
        MemoryBytes = node.Description?.Resources?.MemoryBytes ?? 0,
        Labels = new Dictionary<string, string>(node.Spec?.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal),
        EngineLabels = new Dictionary<string, string>(node.Description?.Engine?.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal),
        CreatedAt = ToOffset(node.CreatedAt),
        Version = node.Version?.Index ?? 0,
    };

    private static SwarmServiceMode ModeOf(ServiceMode? mode) => mode switch
    {
        { Global: not null } => SwarmServiceMode.Global,
        { ReplicatedJob: not null } => SwarmServiceMode.ReplicatedJob,
        { GlobalJob: not null } => SwarmServiceMode.GlobalJob,
        _ => SwarmServiceMode.Replicated,
    };

    private static SwarmTaskState ToState(ApiTaskState? state) =>
        state is { } s && Enum.TryParse(s.ToString(), ignoreCase: true, out SwarmTaskState parsed) ? parsed : SwarmTaskState.Unknown;

    private static TEnum ParseEnum<TEnum>(string? value, TEnum fallback)
        where TEnum : struct, Enum =>
        value is not null && Enum.TryParse(value, ignoreCase: true, out TEnum parsed) ? parsed : fallback;

    /// <summary>Drops the <c>@sha256:...</c> pin the daemon adds, as <c>docker service ls</c> does.</summary>
    internal static string? StripDigest(string? image)
    {
        if (string.IsNullOrEmpty(image))
        {
            return image;
        }

        int at = image.IndexOf('@', StringComparison.Ordinal);
        return at > 0 ? image[..at] : image;
    }

    internal static DateTimeOffset? ToOffset(DateTime? value) => value is { } v
        ? new DateTimeOffset(v.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(v, DateTimeKind.Utc) : v.ToUniversalTime())
        : null;
}
