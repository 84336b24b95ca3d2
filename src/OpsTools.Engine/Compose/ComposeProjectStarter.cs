using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Docker.DotNet.Models;
using OpsTools.Compose;
using OpsTools.Engine.Docker;

namespace OpsTools.Engine.Compose;

/// <summary>What Start-ComposeProject is asked to do.</summary>
public sealed class ComposeUpOptions
{
    /// <summary>Project name (com.docker.compose.project).</summary>
    public required string ProjectName { get; init; }

    /// <summary>Services to start (and their dependencies); empty: all.</summary>
    public IReadOnlyList<string> Services { get; init; } = Array.Empty<string>();

    /// <summary>Replicas per service, overriding <c>scale</c>.</summary>
    public IReadOnlyDictionary<string, int> Scale { get; init; } = new Dictionary<string, int>();

    /// <summary>Remove containers of services the files no longer have.</summary>
    public bool RemoveOrphans { get; init; }

    /// <summary>Longest wait for a dependency's condition, and for -Wait.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>The plan of one Start-ComposeProject: one change per service, in dependency order.</summary>
public sealed class ComposeUpPlan
{
    internal ComposeUpPlan(string dockerHost, string project, ComposeProject model, ComposeUpOptions options)
    {
        DockerHost = dockerHost;
        Project = project;
        Model = model;
        Options = options;
    }

    /// <summary>Docker endpoint.</summary>
    public string DockerHost { get; }

    /// <summary>Project name.</summary>
    public string Project { get; }

    /// <summary>One planned change per service (orphans last).</summary>
    public IReadOnlyList<ComposeServiceChange> Changes => ChangeList;

    /// <summary>Networks to create (full names).</summary>
    public IReadOnlyList<string> NetworksToCreate => NetworkList.Select(n => ComposeContainerSpec.NetworkName(Project, Model, n)).ToList();

    /// <summary>Volumes to create (full names).</summary>
    public IReadOnlyList<string> VolumesToCreate => VolumeList.Select(v => ComposeContainerSpec.VolumeName(Project, Model, v)).ToList();

    /// <summary>Notes for the operator, such as orphan containers left in place without -RemoveOrphans.</summary>
    public IReadOnlyList<string> Warnings => WarningList;

    internal ComposeProject Model { get; }

    internal ComposeUpOptions Options { get; }

    internal List<ComposeServiceChange> ChangeList { get; } = new();

    internal List<string> NetworkList { get; } = new();

    internal List<string> VolumeList { get; } = new();

    internal List<string> WarningList { get; } = new();

    internal Dictionary<string, ComposeContainerSpec> Specs { get; } = new(StringComparer.Ordinal);

    internal Dictionary<string, int> Replicas { get; } = new(StringComparer.Ordinal);

    internal Dictionary<string, List<ComposeContainerRef>> Existing { get; } = new(StringComparer.Ordinal);
}

/// <summary>A service that is not ready once -Wait or a dependency gave up on it.</summary>
/// <param name="Service">Service name.</param>
/// <param name="ErrorId">Stable error id: ComposeServiceUnhealthy, ComposeServiceExited, ComposeServiceRestarting, ComposeWaitTimeout.</param>
/// <param name="Reason">What the operator reads: state, exit code, last health-check output.</param>
public sealed record ComposeServiceProblem(string Service, string ErrorId, string Reason);

/// <summary>A container of a compose project as the label filter lists it.</summary>
internal sealed record ComposeContainerRef(string Id, string Name, string Service, int Number, string? ConfigHash, string State);

/// <summary>
/// Plans and applies <c>docker-compose up -d</c> for a loaded project: validates before any change,
/// creates networks and volumes, then creates, recreates, starts and scales the containers of
/// each service as soon as the services it depends on reached their condition, independent
/// services concurrently.
/// </summary>
public sealed class ComposeProjectStarter
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    private readonly DockerConnection _connection;

    /// <summary>Creates the starter.</summary>
    /// <param name="connection">Docker connection.</param>
    public ComposeProjectStarter(DockerConnection connection)
    {
        _connection = connection ?? throw new ArgumentNullException(nameof(connection));
    }

    /// <summary>Validates the project and computes what to change; changes nothing.</summary>
    /// <param name="model">Loaded project.</param>
    /// <param name="options">Options.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="OpsToolsException">Unknown service or dependency, cycle, missing image, host port taken.</exception>
    public async Task<ComposeUpPlan> PlanAsync(ComposeProject model, ComposeUpOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        var plan = new ComposeUpPlan(_connection.Endpoint.DisplayName, options.ProjectName, model, options);
        Dictionary<string, ComposeService> services = model.Services.ToDictionary(s => s.Name, StringComparer.Ordinal);
        foreach (string name in options.Services.Concat(options.Scale.Keys).Where(n => !services.ContainsKey(n)))
        {
            throw new OpsToolsException("ComposeServiceUnknown", OpsToolsErrorKind.ObjectNotFound, $"The project has no service '{name}'.", name, $"Use one of: {string.Join(", ", services.Keys)}.");
        }

        foreach (ComposeService service in model.Services)
        {
            foreach (ComposeDependency dependency in service.DependsOn.Where(d => !services.ContainsKey(d.Service)))
            {
                throw new OpsToolsException("ComposeDependencyUnknown", OpsToolsErrorKind.InvalidData, $"Service '{service.Name}' depends on '{dependency.Service}', which is not a service of the project.", dependency.Service, $"Fix depends_on of '{service.Name}' or add the service '{dependency.Service}'.");
            }
        }

        List<string> order = DependencyOrder(services);
        HashSet<string> selected = Selection(services, options.Services);
        List<ComposeContainerRef> existing = await ListProjectContainersAsync(options.ProjectName, cancellationToken).ConfigureAwait(false);

        var imageIds = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string image in selected.Select(s => services[s].Image!).Distinct(StringComparer.Ordinal))
        {
            imageIds[image] = await ImageIdAsync(image, cancellationToken).ConfigureAwait(false);
        }

        foreach (string name in order.Where(selected.Contains))
        {
            ComposeService service = services[name];
            ComposeContainerSpec spec = ComposeContainerSpec.Build(model, options.ProjectName, service, imageIds[service.Image!]);
            List<ComposeContainerRef> current = existing.Where(c => c.Service == name).OrderBy(c => c.Number).ToList();
            int wanted = options.Scale.TryGetValue(name, out int scale) ? scale : (int)(service.Scale ?? 1);
            plan.Specs[name] = spec;
            plan.Replicas[name] = wanted;
            plan.Existing[name] = current;
            plan.ChangeList.Add(Change(plan, name, current, wanted, spec.ConfigHash));
        }

        foreach (IGrouping<string, ComposeContainerRef> orphan in existing.Where(c => !services.ContainsKey(c.Service)).GroupBy(c => c.Service))
        {
            if (options.RemoveOrphans)
            {
                plan.Existing[orphan.Key] = orphan.ToList();
                plan.ChangeList.Add(new ComposeServiceChange { DockerHost = plan.DockerHost, Project = plan.Project, Service = orphan.Key, Action = ComposeServiceAction.RemoveOrphan, Reason = "not in the compose files", Replicas = 0 });
            }
            else
            {
                plan.WarningList.Add($"Found orphan containers ({string.Join(", ", orphan.Select(c => c.Name))}) of service '{orphan.Key}', which the compose files no longer have; -RemoveOrphans removes them.");
            }
        }

        await PlanNetworksAndVolumesAsync(plan, selected, cancellationToken).ConfigureAwait(false);
        await CheckPortsAsync(plan, existing, cancellationToken).ConfigureAwait(false);
        return plan;
    }

    /// <summary>Applies the plan: networks and volumes, orphans, then every approved service in dependency order.</summary>
    /// <param name="plan">The plan.</param>
    /// <param name="approved">Services the user approved (ShouldProcess); others are left as they are but still waited for as dependencies.</param>
    /// <param name="progress">Receives one line per step.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>One change per service, with the containers it has now.</returns>
    public async Task<IReadOnlyList<ComposeServiceChange>> ApplyAsync(ComposeUpPlan plan, IReadOnlySet<string> approved, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(approved);
        await CreateNetworksAndVolumesAsync(plan, progress, cancellationToken).ConfigureAwait(false);
        foreach (ComposeServiceChange orphan in plan.ChangeList.Where(c => c.Action == ComposeServiceAction.RemoveOrphan && approved.Contains(c.Service)))
        {
            foreach (ComposeContainerRef container in plan.Existing[orphan.Service])
            {
                progress?.Report($"Removing orphan {container.Name}");
                await RemoveContainerAsync(container.Id, cancellationToken).ConfigureAwait(false);
            }
        }

        DateTimeOffset deadline = DateTimeOffset.UtcNow + plan.Options.Timeout;
        var tasks = new Dictionary<string, Task<ComposeServiceChange>>(StringComparer.Ordinal);
        foreach (ComposeServiceChange change in plan.ChangeList.Where(c => c.Action != ComposeServiceAction.RemoveOrphan))
        {
            ComposeService service = plan.Model.Services.First(s => s.Name == change.Service);
            Task[] dependencies = service.DependsOn.Select(d => (Task)tasks[d.Service]).ToArray();
            tasks[change.Service] = ApplyServiceAsync(plan, change, service, dependencies, approved.Contains(change.Service), deadline, progress, cancellationToken);
        }

        await Task.WhenAll(tasks.Values).ConfigureAwait(false);
        var result = tasks.Values.Select(t => t.Result).ToList();
        result.AddRange(plan.ChangeList.Where(c => c.Action == ComposeServiceAction.RemoveOrphan && approved.Contains(c.Service)));
        return result;
    }

    /// <summary>
    /// Waits until every container of the services runs (and is healthy when it has a health check),
    /// or exited 0 without a restart policy (one-shot); gives up on a service as soon as it is
    /// unhealthy, exited with an error or restarting, and on all remaining ones at the timeout.
    /// </summary>
    /// <param name="project">Project name.</param>
    /// <param name="services">Services to wait for.</param>
    /// <param name="timeout">Longest wait.</param>
    /// <param name="progress">Receives the services still waited for.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The services that are not ready, with why; empty when all are.</returns>
    public async Task<IReadOnlyList<ComposeServiceProblem>> WaitAsync(string project, IReadOnlyCollection<string> services, TimeSpan timeout, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        DateTimeOffset deadline = DateTimeOffset.UtcNow + timeout;
        var pending = new HashSet<string>(services, StringComparer.Ordinal);
        var problems = new List<ComposeServiceProblem>();
        var lastState = new Dictionary<string, string>(StringComparer.Ordinal);
        while (true)
        {
            List<ComposeContainerRef> containers = await ListProjectContainersAsync(project, cancellationToken).ConfigureAwait(false);
            foreach (string service in pending.ToList())
            {
                (bool ready, ComposeServiceProblem? problem, string state) = await ReadinessAsync(service, containers.Where(c => c.Service == service).ToList(), cancellationToken).ConfigureAwait(false);
                lastState[service] = state;
                if (ready || problem is not null)
                {
                    pending.Remove(service);
                }

                if (problem is not null)
                {
                    problems.Add(problem);
                }
            }

            if (pending.Count == 0)
            {
                return problems;
            }

            if (DateTimeOffset.UtcNow >= deadline)
            {
                problems.AddRange(pending.OrderBy(s => s, StringComparer.Ordinal).Select(s => new ComposeServiceProblem(s, "ComposeWaitTimeout", string.Create(CultureInfo.InvariantCulture, $"not ready after {timeout.TotalSeconds:0.#} s: {lastState[s]}"))));
                return problems;
            }

            progress?.Report($"Waiting for {string.Join(", ", pending.OrderBy(s => s, StringComparer.Ordinal))}");
            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    // The one place that finds a project's containers; the lead may point it at the shared inventory.
    internal async Task<List<ComposeContainerRef>> ListProjectContainersAsync(string project, CancellationToken cancellationToken, string? service = null)
    {
        var labels = new Dictionary<string, bool>(StringComparer.Ordinal) { [$"{ComposeLabels.Project}={project}"] = true };
        if (service is not null)
        {
            labels[$"{ComposeLabels.Service}={service}"] = true;
        }

        var parameters = new ContainersListParameters { All = true, Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = labels } };
        IList<ContainerListResponse> list = await _connection.RunAsync((client, ct) => client.Containers.ListContainersAsync(parameters, ct), cancellationToken).ConfigureAwait(false);
        return list
            .Where(c => c.Labels is not null && (!c.Labels.TryGetValue(ComposeLabels.OneOff, out string? oneOff) || !string.Equals(oneOff, "True", StringComparison.OrdinalIgnoreCase)))
            .Select(c => new ComposeContainerRef(
                c.ID,
                (c.Names?.FirstOrDefault() ?? c.ID).TrimStart('/'),
                c.Labels.TryGetValue(ComposeLabels.Service, out string? s) ? s : string.Empty,
                c.Labels.TryGetValue(ComposeLabels.ContainerNumber, out string? n) && int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out int number) ? number : 0,
                c.Labels.TryGetValue(ComposeLabels.ConfigHash, out string? h) ? h : null,
                c.State ?? string.Empty))
            .ToList();
    }

    internal async Task RemoveContainerAsync(string id, CancellationToken cancellationToken)
    {
        await _connection.RunAsync(async (client, ct) => { await client.Containers.StopContainerAsync(id, new ContainerStopParameters(), ct).ConfigureAwait(false); return true; }, cancellationToken).ConfigureAwait(false);
        await _connection.RunAsync(async (client, ct) => { await client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true }, ct).ConfigureAwait(false); return true; }, cancellationToken).ConfigureAwait(false);
    }

    internal async Task StartContainerAsync(string id, CancellationToken cancellationToken) =>
        await _connection.RunAsync((client, ct) => client.Containers.StartContainerAsync(id, new ContainerStartParameters(), ct), cancellationToken).ConfigureAwait(false);

    /// <summary>Creates a container and attaches it to its other networks (API 1.41 takes one network at create).</summary>
    internal async Task<string> CreateContainerAsync(string name, CreateContainerParameters parameters, IEnumerable<KeyValuePair<string, EndpointSettings>> moreNetworks, CancellationToken cancellationToken)
    {
        parameters.Name = name;
        CreateContainerResponse created = await _connection.RunAsync((client, ct) => client.Containers.CreateContainerAsync(parameters, ct), cancellationToken).ConfigureAwait(false);
        foreach (KeyValuePair<string, EndpointSettings> network in moreNetworks)
        {
            var connect = new NetworkConnectParameters { Container = created.ID, EndpointConfig = network.Value };
            await _connection.RunAsync(async (client, ct) => { await client.Networks.ConnectNetworkAsync(network.Key, connect, ct).ConfigureAwait(false); return true; }, cancellationToken).ConfigureAwait(false);
        }

        return created.ID;
    }

    private static ComposeServiceChange Change(ComposeUpPlan plan, string service, List<ComposeContainerRef> current, int wanted, string hash)
    {
        (ComposeServiceAction action, string reason) = current.Count == 0
            ? (ComposeServiceAction.Create, string.Create(CultureInfo.InvariantCulture, $"{wanted} container(s)"))
            : current.Any(c => c.ConfigHash != hash)
                ? (ComposeServiceAction.Recreate, "configuration changed")
                : current.Count < wanted
                    ? (ComposeServiceAction.ScaleUp, string.Create(CultureInfo.InvariantCulture, $"{current.Count} -> {wanted}"))
                    : current.Count > wanted
                        ? (ComposeServiceAction.ScaleDown, string.Create(CultureInfo.InvariantCulture, $"{current.Count} -> {wanted}"))
                        : current.Any(c => c.State != "running")
                            ? (ComposeServiceAction.Start, string.Create(CultureInfo.InvariantCulture, $"{current.Count(c => c.State != "running")} not running"))
                            : (ComposeServiceAction.Unchanged, "up to date");
        return new ComposeServiceChange
        {
            DockerHost = plan.DockerHost,
            Project = plan.Project,
            Service = service,
            Action = action,
            Reason = reason,
            Replicas = wanted,
            Containers = Enumerable.Range(1, wanted).Select(n => ComposeContainerSpec.ContainerName(plan.Project, service, n)).ToList(),
            ConfigHash = hash,
        };
    }

    private static List<string> DependencyOrder(Dictionary<string, ComposeService> services)
    {
        var order = new List<string>();
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        var path = new List<string>();

        void Visit(string name)
        {
            state.TryGetValue(name, out int seen);
            if (seen == 2)
            {
                return;
            }

            if (seen == 1)
            {
                string cycle = string.Join(" -> ", path.Skip(path.IndexOf(name)).Append(name));
                throw new OpsToolsException("ComposeDependencyCycle", OpsToolsErrorKind.InvalidData, $"The services depend on each other in a cycle: {cycle}.", cycle, "Remove one depends_on entry of the cycle.");
            }

            state[name] = 1;
            path.Add(name);
            foreach (ComposeDependency dependency in services[name].DependsOn)
            {
                Visit(dependency.Service);
            }

            path.RemoveAt(path.Count - 1);
            state[name] = 2;
            order.Add(name);
        }

        foreach (string name in services.Keys.OrderBy(n => n, StringComparer.Ordinal))
        {
            Visit(name);
        }

        return order;
    }

    private static HashSet<string> Selection(Dictionary<string, ComposeService> services, IReadOnlyList<string> requested)
    {
        if (requested.Count == 0)
        {
            return new HashSet<string>(services.Keys, StringComparer.Ordinal);
        }

        var selected = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>(requested);
        while (stack.Count > 0)
        {
            string name = stack.Pop();
            if (selected.Add(name))
            {
                foreach (ComposeDependency dependency in services[name].DependsOn)
                {
                    stack.Push(dependency.Service);
                }
            }
        }

        return selected;
    }

    private async Task<string> ImageIdAsync(string image, CancellationToken cancellationToken)
    {
        try
        {
            ImageInspectResponse inspected = await _connection.RunAsync((client, ct) => client.Images.InspectImageAsync(image, ct), cancellationToken).ConfigureAwait(false);
            return inspected.ID;
        }
        catch (OpsToolsException ex) when (ex.Kind == OpsToolsErrorKind.ObjectNotFound)
        {
            throw new OpsToolsException("ComposeImageNotFound", OpsToolsErrorKind.ObjectNotFound, $"The image '{image}' is not on {_connection.Endpoint.DisplayName}.", image, "Pull or build the image first (docker pull, Build-DockerImage); Start-ComposeProject does not pull.", ex);
        }
    }

    private async Task PlanNetworksAndVolumesAsync(ComposeUpPlan plan, HashSet<string> selected, CancellationToken cancellationToken)
    {
        IList<NetworkResponse> networks = await _connection.RunAsync((client, ct) => client.Networks.ListNetworksAsync(new NetworksListParameters(), ct), cancellationToken).ConfigureAwait(false);
        var have = new HashSet<string>(networks.Select(n => n.Name), StringComparer.Ordinal);
        foreach (string name in plan.Model.Services.Where(s => selected.Contains(s.Name)).SelectMany(s => s.Networks.Count == 0 ? new[] { "default" } : s.Networks.Select(n => n.Name)).Distinct(StringComparer.Ordinal))
        {
            ComposeNetwork? declared = plan.Model.Networks.FirstOrDefault(n => n.Name == name);
            string full = ComposeContainerSpec.NetworkName(plan.Project, plan.Model, name);
            if (have.Contains(full))
            {
                continue;
            }

            if (declared?.External == true)
            {
                throw new OpsToolsException("ComposeNetworkNotFound", OpsToolsErrorKind.ObjectNotFound, $"The external network '{full}' does not exist on {plan.DockerHost}.", full, $"Create it first (docker network create {full}).");
            }

            plan.NetworkList.Add(name);
        }

        VolumesListResponse volumes = await _connection.RunAsync((client, ct) => client.Volumes.ListAsync(new VolumesListParameters(), ct), cancellationToken).ConfigureAwait(false);
        var haveVolumes = new HashSet<string>((volumes.Volumes ?? new List<VolumeResponse>()).Select(v => v.Name), StringComparer.Ordinal);
        foreach (string name in plan.Model.Services.Where(s => selected.Contains(s.Name)).SelectMany(s => s.Volumes).Where(v => v.Type == "volume" && v.Source is not null).Select(v => v.Source!).Distinct(StringComparer.Ordinal))
        {
            ComposeVolume declared = plan.Model.Volumes.First(v => v.Name == name);
            string full = ComposeContainerSpec.VolumeName(plan.Project, plan.Model, name);
            if (haveVolumes.Contains(full))
            {
                continue;
            }

            if (declared.External)
            {
                throw new OpsToolsException("ComposeVolumeNotFound", OpsToolsErrorKind.ObjectNotFound, $"The external volume '{full}' does not exist on {plan.DockerHost}.", full, $"Create it first (docker volume create {full}).");
            }

            plan.VolumeList.Add(name);
        }
    }

    private async Task CheckPortsAsync(ComposeUpPlan plan, List<ComposeContainerRef> existing, CancellationToken cancellationToken)
    {
        // Ports the new containers will bind: those of services that create containers. Containers of
        // the same service that are replaced free their ports first, so those do not count as taken.
        var wanted = new Dictionary<(uint Port, string Protocol), string>();
        foreach (ComposeServiceChange change in plan.ChangeList.Where(c => c.Action is ComposeServiceAction.Create or ComposeServiceAction.Recreate or ComposeServiceAction.ScaleUp or ComposeServiceAction.Start))
        {
            ComposeService service = plan.Model.Services.First(s => s.Name == change.Service);
            foreach (ComposePort port in service.Ports.Where(p => p.Published is not null))
            {
                (uint, string) key = (port.Published!.Value, port.Protocol);
                if (wanted.TryGetValue(key, out string? other))
                {
                    throw PortTaken(key.Item1, key.Item2, other == change.Service ? $"service '{other}' publishes it twice or runs more than one container" : $"services '{other}' and '{change.Service}' both publish it");
                }

                wanted[key] = change.Service;
                if (plan.Replicas[change.Service] > 1)
                {
                    throw PortTaken(key.Item1, key.Item2, $"service '{change.Service}' would run {plan.Replicas[change.Service]} containers on the same host port");
                }
            }
        }

        if (wanted.Count == 0)
        {
            return;
        }

        IList<ContainerListResponse> running = await _connection.RunAsync((client, ct) => client.Containers.ListContainersAsync(new ContainersListParameters(), ct), cancellationToken).ConfigureAwait(false);
        var ours = new Dictionary<string, string>(existing.Select(c => KeyValuePair.Create(c.Id, c.Service)), StringComparer.Ordinal);
        foreach (ContainerListResponse container in running)
        {
            foreach (PortSummary port in container.Ports ?? new List<PortSummary>())
            {
                if (port.PublicPort is not { } published || !wanted.TryGetValue((published, port.Type ?? "tcp"), out string? service))
                {
                    continue;
                }

                if (ours.TryGetValue(container.ID, out string? owner) && owner == service)
                {
                    continue;
                }

                throw PortTaken(published, port.Type ?? "tcp", $"container '{(container.Names?.FirstOrDefault() ?? container.ID).TrimStart('/')}' publishes it (wanted by service '{service}')");
            }
        }

        if (_connection.Endpoint.Uri.Scheme is not ("unix" or "npipe"))
        {
            return;
        }

        // A local daemon binds on this host: a port held by any other process fails the container's
        // start half-way, so test it now.
        var heldByUs = new HashSet<string>(existing.Select(c => c.Service), StringComparer.Ordinal);
        foreach (((uint port, string protocol), string service) in wanted.Where(w => w.Key.Protocol == "tcp" && !heldByUs.Contains(w.Value)))
        {
            try
            {
                using var listener = new TcpListener(IPAddress.Any, (int)port);
                listener.Start();
                listener.Stop();
            }
            catch (SocketException ex)
            {
                throw PortTaken(port, protocol, $"another process listens on it (wanted by service '{service}'): {ex.Message}");
            }
        }
    }

    private static OpsToolsException PortTaken(uint port, string protocol, string why) => new(
        "ComposePortInUse",
        OpsToolsErrorKind.ResourceUnavailable,
        string.Create(CultureInfo.InvariantCulture, $"Host port {port}/{protocol} is not free: {why}. Nothing was created."),
        port,
        "Free the port, or publish another one (set the port variable, e.g. -Variables @{API_PORT = 18001}).");

    private async Task CreateNetworksAndVolumesAsync(ComposeUpPlan plan, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        foreach (string name in plan.NetworkList)
        {
            ComposeNetwork declared = plan.Model.Networks.FirstOrDefault(n => n.Name == name) ?? new ComposeNetwork { Name = name };
            string full = ComposeContainerSpec.NetworkName(plan.Project, plan.Model, name);
            progress?.Report($"Creating network {full}");
            var labels = new Dictionary<string, string>(declared.Labels, StringComparer.Ordinal)
            {
                [ComposeLabels.Network] = name,
                [ComposeLabels.Project] = plan.Project,
                [ComposeLabels.Version] = ComposeContainerSpec.ComposeVersion,
            };
            var parameters = new NetworksCreateParameters
            {
                Name = full,
                Driver = declared.Driver ?? "bridge",
                Options = new Dictionary<string, string>(declared.DriverOpts),
                Internal = declared.Internal,
                Attachable = true,
                Labels = labels,
                IPAM = declared.IpamDriver is null && declared.IpamSubnets.Count == 0 ? null : new IPAM { Driver = declared.IpamDriver ?? "default", Config = declared.IpamSubnets.Select(s => new IPAMConfig { Subnet = s }).ToList() },
            };
            await _connection.RunAsync((client, ct) => client.Networks.CreateNetworkAsync(parameters, ct), cancellationToken).ConfigureAwait(false);
        }

        foreach (string name in plan.VolumeList)
        {
            ComposeVolume declared = plan.Model.Volumes.First(v => v.Name == name);
            string full = ComposeContainerSpec.VolumeName(plan.Project, plan.Model, name);
            progress?.Report($"Creating volume {full}");
            var parameters = new VolumesCreateParameters
            {
                Name = full,
                Driver = declared.Driver ?? "local",
                DriverOpts = new Dictionary<string, string>(declared.DriverOpts),
                Labels = new Dictionary<string, string>(declared.Labels, StringComparer.Ordinal)
                {
                    [ComposeLabels.Project] = plan.Project,
                    [ComposeLabels.Volume] = name,
                    [ComposeLabels.Version] = ComposeContainerSpec.ComposeVersion,
                },
            };
            await _connection.RunAsync((client, ct) => client.Volumes.CreateAsync(parameters, ct), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<ComposeServiceChange> ApplyServiceAsync(ComposeUpPlan plan, ComposeServiceChange change, ComposeService service, Task[] dependencies, bool approved, DateTimeOffset deadline, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        await Task.WhenAll(dependencies).ConfigureAwait(false);
        foreach (ComposeDependency dependency in service.DependsOn)
        {
            await WaitForConditionAsync(plan.Project, service.Name, dependency, deadline, progress, cancellationToken).ConfigureAwait(false);
        }

        if (!approved || change.Action == ComposeServiceAction.Unchanged)
        {
            return change;
        }

        ComposeContainerSpec spec = plan.Specs[service.Name];
        List<ComposeContainerRef> current = plan.Existing[service.Name];
        int wanted = plan.Replicas[service.Name];
        var names = new List<string>();

        // Scale down first (highest numbers go), then recreate or start what stays, then add numbers.
        foreach (ComposeContainerRef extra in current.OrderByDescending(c => c.Number).Take(Math.Max(0, current.Count - wanted)))
        {
            progress?.Report($"Removing {extra.Name}");
            await RemoveContainerAsync(extra.Id, cancellationToken).ConfigureAwait(false);
        }

        List<ComposeContainerRef> kept = current.OrderBy(c => c.Number).Take(wanted).ToList();
        foreach (ComposeContainerRef container in kept)
        {
            if (container.ConfigHash != spec.ConfigHash)
            {
                progress?.Report($"Recreating {container.Name}");
                await RemoveContainerAsync(container.Id, cancellationToken).ConfigureAwait(false);
                await CreateAndStartAsync(plan.Project, spec, container.Number, cancellationToken).ConfigureAwait(false);
            }
            else if (container.State != "running")
            {
                progress?.Report($"Starting {container.Name}");
                await StartContainerAsync(container.Id, cancellationToken).ConfigureAwait(false);
            }

            names.Add(ComposeContainerSpec.ContainerName(plan.Project, service.Name, container.Number));
        }

        int next = current.Count == 0 ? 1 : current.Max(c => c.Number) + 1;
        for (int i = kept.Count; i < wanted; i++)
        {
            int number = next++;
            progress?.Report($"Creating {ComposeContainerSpec.ContainerName(plan.Project, service.Name, number)}");
            await CreateAndStartAsync(plan.Project, spec, number, cancellationToken).ConfigureAwait(false);
            names.Add(ComposeContainerSpec.ContainerName(plan.Project, service.Name, number));
        }

        return new ComposeServiceChange
        {
            DockerHost = change.DockerHost,
            Project = change.Project,
            Service = change.Service,
            Action = change.Action,
            Reason = change.Reason,
            Replicas = names.Count,
            Containers = names,
            ConfigHash = spec.ConfigHash,
        };
    }

    private async Task CreateAndStartAsync(string project, ComposeContainerSpec spec, int number, CancellationToken cancellationToken)
    {
        string id = await CreateContainerAsync(ComposeContainerSpec.ContainerName(project, spec.Service, number), spec.ForNumber(number), spec.Networks.Skip(1), cancellationToken).ConfigureAwait(false);
        await StartContainerAsync(id, cancellationToken).ConfigureAwait(false);
    }

    private async Task WaitForConditionAsync(string project, string service, ComposeDependency dependency, DateTimeOffset deadline, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        progress?.Report($"{service}: waiting for {dependency.Service} ({dependency.Condition})");
        while (true)
        {
            List<ComposeContainerRef> containers = await ListProjectContainersAsync(project, cancellationToken, dependency.Service).ConfigureAwait(false);
            var states = new List<State>();
            foreach (ComposeContainerRef container in containers)
            {
                ContainerInspectResponse inspected = await _connection.RunAsync((client, ct) => client.Containers.InspectContainerAsync(container.Id, ct), cancellationToken).ConfigureAwait(false);
                states.Add(inspected.State ?? new State());
            }

            string? failure = null;
            bool met = states.Count > 0 && dependency.Condition switch
            {
                "service_healthy" => states.All(s => s.Health?.Status == "healthy"),
                "service_completed_successfully" => states.All(s => s.Status == "exited" && s.ExitCode == 0),
                _ => states.All(s => s.Running || s.Status == "exited"),
            };
            if (!met)
            {
                failure = dependency.Condition switch
                {
                    "service_healthy" when states.Any(s => s.Health is null) => "has no health check",
                    "service_healthy" when states.FirstOrDefault(s => s.Health?.Status == "unhealthy") is { } sick => $"is unhealthy: {LastHealthOutput(sick)}",
                    "service_completed_successfully" when states.FirstOrDefault(s => s.Status == "exited" && s.ExitCode != 0) is { } failed => string.Create(CultureInfo.InvariantCulture, $"exited with code {failed.ExitCode}"),
                    _ => null,
                };
            }

            if (met)
            {
                return;
            }

            if (failure is not null || DateTimeOffset.UtcNow >= deadline)
            {
                throw new OpsToolsException(
                    "ComposeDependencyFailed",
                    failure is null ? OpsToolsErrorKind.OperationTimeout : OpsToolsErrorKind.InvalidOperation,
                    $"Service '{service}' depends on '{dependency.Service}' ({dependency.Condition}), which {failure ?? "did not get there within the timeout"}; '{service}' was not started.",
                    dependency.Service,
                    $"Look at the logs of '{dependency.Service}' (docker logs {ComposeContainerSpec.ContainerName(project, dependency.Service, 1)}), fix it and run Start-ComposeProject again.");
            }

            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<(bool Ready, ComposeServiceProblem? Problem, string State)> ReadinessAsync(string service, List<ComposeContainerRef> containers, CancellationToken cancellationToken)
    {
        if (containers.Count == 0)
        {
            return (false, new ComposeServiceProblem(service, "ComposeServiceExited", "has no container"), "no container");
        }

        bool ready = true;
        var states = new List<string>();
        foreach (ComposeContainerRef container in containers)
        {
            ContainerInspectResponse inspected = await _connection.RunAsync((client, ct) => client.Containers.InspectContainerAsync(container.Id, ct), cancellationToken).ConfigureAwait(false);
            State state = inspected.State ?? new State();
            string health = state.Health?.Status ?? "none";
            states.Add($"{container.Name} {state.Status}{(health == "none" ? string.Empty : " (" + health + ")")}");
            if (state.Restarting)
            {
                return (false, new ComposeServiceProblem(service, "ComposeServiceRestarting", string.Create(CultureInfo.InvariantCulture, $"{container.Name} is restarting (last exit code {state.ExitCode}, {inspected.RestartCount} restart(s))")), states[^1]);
            }

            if (state.Status is "exited" or "dead")
            {
                bool oneShot = state.ExitCode == 0 && inspected.HostConfig?.RestartPolicy?.Name is RestartPolicyKind.No or RestartPolicyKind.Undefined or RestartPolicyKind.OnFailure;
                if (!oneShot)
                {
                    return (false, new ComposeServiceProblem(service, "ComposeServiceExited", string.Create(CultureInfo.InvariantCulture, $"{container.Name} exited with code {state.ExitCode}")), states[^1]);
                }

                continue;
            }

            if (health == "unhealthy")
            {
                return (false, new ComposeServiceProblem(service, "ComposeServiceUnhealthy", $"{container.Name} is unhealthy; last health check: {LastHealthOutput(state)}"), states[^1]);
            }

            ready &= state.Running && health is "none" or "healthy";
        }

        return (ready, null, string.Join(", ", states));
    }

    private static string LastHealthOutput(State state) =>
        state.Health?.Log?.LastOrDefault() is { } last
            ? string.Create(CultureInfo.InvariantCulture, $"exit code {last.ExitCode}, output '{last.Output?.Trim()}'")
            : "no result yet";
}
