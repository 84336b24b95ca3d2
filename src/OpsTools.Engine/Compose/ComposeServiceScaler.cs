using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Docker.DotNet.Models;
using OpsTools.Compose;
using OpsTools.Engine.Docker;

namespace OpsTools.Engine.Compose;

/// <summary>The scaling of one running service, computed before any change.</summary>
public sealed class ComposeScalePlan
{
    internal ComposeScalePlan(ComposeServiceChange change, IReadOnlyList<string> toRemove, IReadOnlyList<int> toCreate, string? templateId)
    {
        Change = change;
        ToRemove = toRemove;
        ToCreate = toCreate;
        TemplateId = templateId;
    }

    /// <summary>The change (ScaleUp, ScaleDown or Unchanged) with the container names the service will have.</summary>
    public ComposeServiceChange Change { get; }

    /// <summary>Names of the containers removed (highest numbers first).</summary>
    public IReadOnlyList<string> ToRemove { get; }

    /// <summary>Numbers of the containers created.</summary>
    public IReadOnlyList<int> ToCreate { get; }

    internal string? TemplateId { get; }

    internal List<string> RemoveIds { get; } = new();
}

/// <summary>
/// Scales a service of a running compose project without its files, like <c>docker-compose up -d
/// --scale</c>: new containers are clones of the service's highest-numbered container (same
/// configuration, labels and config hash) with the next numbers; scaling down removes the highest
/// numbers first.
/// </summary>
public sealed class ComposeServiceScaler
{
    private readonly DockerConnection _connection;
    private readonly ComposeProjectStarter _containers;

    /// <summary>Creates the scaler.</summary>
    /// <param name="connection">Docker connection.</param>
    public ComposeServiceScaler(DockerConnection connection)
    {
        _connection = connection ?? throw new ArgumentNullException(nameof(connection));
        _containers = new ComposeProjectStarter(connection);
    }

    /// <summary>Computes the scaling; changes nothing.</summary>
    /// <param name="project">Project name.</param>
    /// <param name="service">Service name.</param>
    /// <param name="replicas">Wanted number of containers.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="OpsToolsException">The service has no container, or a fixed host port prevents more than one.</exception>
    public async Task<ComposeScalePlan> PlanAsync(string project, string service, int replicas, CancellationToken cancellationToken = default)
    {
        List<ComposeContainerRef> current = (await _containers.ListProjectContainersAsync(project, cancellationToken, service).ConfigureAwait(false)).OrderBy(c => c.Number).ToList();
        if (current.Count == 0)
        {
            throw new OpsToolsException("ComposeServiceNotFound", OpsToolsErrorKind.ObjectNotFound, $"Service '{service}' of project '{project}' has no container on {_connection.Endpoint.DisplayName}.", service, "Start the project first (Start-ComposeProject), or check the names with Get-ComposeService.");
        }

        ComposeContainerRef template = current[^1];
        var toCreate = new List<int>();
        if (replicas > current.Count)
        {
            ContainerInspectResponse inspected = await InspectAsync(template.Id, cancellationToken).ConfigureAwait(false);
            string? fixedPort = inspected.HostConfig?.PortBindings?.SelectMany(b => b.Value ?? new List<PortBinding>()).Select(b => b.HostPort).FirstOrDefault(p => !string.IsNullOrEmpty(p));
            if (fixedPort is not null)
            {
                throw new OpsToolsException("ComposePortInUse", OpsToolsErrorKind.ResourceUnavailable, $"Service '{service}' publishes host port {fixedPort}: a second container could not bind it. Nothing was created.", fixedPort, "Publish the port without a fixed host port, or put a proxy in front of the service.");
            }

            int next = template.Number + 1;
            toCreate.AddRange(Enumerable.Range(next, replicas - current.Count));
        }

        List<ComposeContainerRef> removed = current.OrderByDescending(c => c.Number).Take(Math.Max(0, current.Count - replicas)).ToList();
        List<string> names = current.Except(removed).Select(c => c.Name).Concat(toCreate.Select(n => ComposeContainerSpec.ContainerName(project, service, n))).ToList();
        var change = new ComposeServiceChange
        {
            DockerHost = _connection.Endpoint.DisplayName,
            Project = project,
            Service = service,
            Action = replicas > current.Count ? ComposeServiceAction.ScaleUp : replicas < current.Count ? ComposeServiceAction.ScaleDown : ComposeServiceAction.Unchanged,
            Reason = replicas == current.Count ? "up to date" : string.Create(CultureInfo.InvariantCulture, $"{current.Count} -> {replicas}"),
            Replicas = replicas,
            Containers = names,
            ConfigHash = template.ConfigHash,
        };
        var plan = new ComposeScalePlan(change, removed.Select(c => c.Name).ToList(), toCreate, template.Id);
        plan.RemoveIds.AddRange(removed.Select(c => c.Id));
        return plan;
    }

    /// <summary>Applies the plan.</summary>
    /// <param name="plan">The plan.</param>
    /// <param name="progress">Receives one line per container.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The change.</returns>
    public async Task<ComposeServiceChange> ApplyAsync(ComposeScalePlan plan, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        for (int i = 0; i < plan.RemoveIds.Count; i++)
        {
            progress?.Report($"Removing {plan.ToRemove[i]}");
            await _containers.RemoveContainerAsync(plan.RemoveIds[i], cancellationToken).ConfigureAwait(false);
        }

        if (plan.ToCreate.Count > 0)
        {
            ContainerInspectResponse template = await InspectAsync(plan.TemplateId!, cancellationToken).ConfigureAwait(false);
            foreach (int number in plan.ToCreate)
            {
                string name = ComposeContainerSpec.ContainerName(plan.Change.Project, plan.Change.Service, number);
                progress?.Report($"Creating {name}");
                (CreateContainerParameters parameters, List<KeyValuePair<string, EndpointSettings>> more) = Clone(template, number);
                string id = await _containers.CreateContainerAsync(name, parameters, more, cancellationToken).ConfigureAwait(false);
                await _containers.StartContainerAsync(id, cancellationToken).ConfigureAwait(false);
            }
        }

        return plan.Change;
    }

    private Task<ContainerInspectResponse> InspectAsync(string id, CancellationToken cancellationToken) =>
        _connection.RunAsync((client, ct) => client.Containers.InspectContainerAsync(id, ct), cancellationToken);

    private static (CreateContainerParameters Parameters, List<KeyValuePair<string, EndpointSettings>> MoreNetworks) Clone(ContainerInspectResponse template, int number)
    {
        ContainerConfig config = template.Config ?? new ContainerConfig();
        string shortId = template.ID[..12];
        var labels = new Dictionary<string, string>(config.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            [ComposeLabels.ContainerNumber] = number.ToString(CultureInfo.InvariantCulture),
        };

        // The daemon adds each container's short id as an alias and fills the hostname with it: not
        // configuration, so the clone does not inherit them. Static addresses are not cloned either
        // (two containers cannot share one).
        List<KeyValuePair<string, EndpointSettings>> networks = (template.NetworkSettings?.Networks ?? new Dictionary<string, EndpointSettings>())
            .OrderBy(n => n.Key == template.HostConfig?.NetworkMode ? 0 : 1)
            .Select(n => KeyValuePair.Create(n.Key, new EndpointSettings
            {
                Aliases = (n.Value.Aliases ?? new List<string>()).Where(a => a != shortId).ToList(),
            }))
            .ToList();
        var parameters = new CreateContainerParameters
        {
            Image = config.Image,
            Cmd = config.Cmd,
            Entrypoint = config.Entrypoint,
            Env = config.Env,
            Labels = labels,
            ExposedPorts = config.ExposedPorts,
            Volumes = config.Volumes,
            Hostname = config.Hostname == shortId ? string.Empty : config.Hostname,
            Domainname = config.Domainname,
            User = config.User,
            WorkingDir = config.WorkingDir,
            Tty = config.Tty,
            OpenStdin = config.OpenStdin,
            StopSignal = config.StopSignal,
            StopTimeout = config.StopTimeout,
            Healthcheck = config.Healthcheck,
            HostConfig = template.HostConfig,
        };
        if (networks.Count > 0)
        {
            parameters.NetworkingConfig = new NetworkingConfig { EndpointsConfig = new Dictionary<string, EndpointSettings> { [networks[0].Key] = networks[0].Value } };
        }

        return (parameters, networks.Skip(1).ToList());
    }
}
