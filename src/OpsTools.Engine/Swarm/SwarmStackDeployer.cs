using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Docker.DotNet.Models;
using OpsTools.Compose;
using OpsTools.Engine.Compose;
using OpsTools.Engine.Docker;
using OpsTools.Engine.Images;
using OpsTools.Swarm;
using ApiService = Docker.DotNet.Models.SwarmService;
using SwarmConfig = Docker.DotNet.Models.SwarmConfig;

namespace OpsTools.Engine.Swarm;

/// <summary>The kind of object a stack step touches.</summary>
public enum SwarmStackObjectKind
{
    /// <summary>A service.</summary>
    Service,
    /// <summary>A network.</summary>
    Network,
    /// <summary>A secret.</summary>
    Secret,
    /// <summary>A config.</summary>
    Config,
}

/// <summary>What a stack step does.</summary>
public enum SwarmStackStepAction
{
    /// <summary>The object is created.</summary>
    Create,
    /// <summary>The object is updated.</summary>
    Update,
    /// <summary>The object is removed.</summary>
    Remove,
    /// <summary>The object is already as wanted; nothing is sent.</summary>
    Unchanged,
}

/// <summary>How a stack is deployed.</summary>
public sealed class SwarmStackDeployOptions
{
    /// <summary>Remove services of the stack that the compose files no longer have.</summary>
    public bool Prune { get; init; }

    /// <summary>When to ask the registry for image digests.</summary>
    public SwarmResolveImage ResolveImage { get; init; } = SwarmResolveImage.Always;

    /// <summary>Send the registry credentials of the docker CLI's config file to the nodes.</summary>
    public bool WithRegistryAuth { get; init; }

    /// <summary>Directory of the docker CLI's config.json; null for <c>DOCKER_CONFIG</c>, else <c>~/.docker</c>.</summary>
    public string? DockerConfigDirectory { get; init; }
}

/// <summary>One change of a stack deploy, undo or removal: what a -WhatIf line shows.</summary>
public sealed class SwarmStackStep
{
    internal SwarmStackStep(SwarmStackObjectKind kind, string name, SwarmStackStepAction action, string summary)
    {
        Kind = kind;
        Name = name;
        Action = action;
        Summary = summary;
    }

    /// <summary>Kind of object.</summary>
    public SwarmStackObjectKind Kind { get; }

    /// <summary>Name of the object as deployed.</summary>
    public string Name { get; }

    /// <summary>What the step does.</summary>
    public SwarmStackStepAction Action { get; }

    /// <summary>What changes, for prompts (e.g. <c>Env[LOG_LEVEL]: info -> debug</c>).</summary>
    public string Summary { get; }

    /// <summary>Id of the object once known (existing, or created by the step).</summary>
    public string? Id { get; internal set; }

    /// <summary>Whether the step sends anything.</summary>
    public bool IsChange => Action != SwarmStackStepAction.Unchanged;

    /// <summary>The update status start of the service before the step, so the watcher ignores a stale one.</summary>
    public DateTimeOffset? StaleUpdateStartedAt { get; internal set; }

    internal object? Payload { get; init; }

    internal ulong Version { get; init; }

    /// <inheritdoc/>
    public override string ToString() => $"{Action} {Kind.ToString().ToLowerInvariant()} {Name}" + (Summary.Length > 0 ? $" ({Summary})" : string.Empty);
}

/// <summary>The steps of one stack deploy, undo or removal, computed from the daemon's state; nothing sent yet.</summary>
public sealed class SwarmStackPlan
{
    internal SwarmStackPlan(string stack, string dockerHost, IReadOnlyList<SwarmStackStep> steps, IReadOnlyList<string> warnings)
    {
        Stack = stack;
        DockerHost = dockerHost;
        Steps = steps;
        Warnings = warnings;
    }

    /// <summary>Stack name.</summary>
    public string Stack { get; }

    /// <summary>Endpoint.</summary>
    public string DockerHost { get; }

    /// <summary>Steps in the order they are applied (the docker CLI's: prune, networks, secrets, configs, services).</summary>
    public IReadOnlyList<SwarmStackStep> Steps { get; }

    /// <summary>Warnings found while planning (image digests not resolved, networks reused).</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>Revision of the previous definition this plan restores (undo), or that it saves (deploy); 0 when none.</summary>
    public int Revision { get; internal set; }

    internal byte[]? Snapshot { get; init; }

    internal bool SnapshotSaved { get; set; }

    internal string? SnapshotConfigId { get; init; }

    /// <summary>-WithRegistryAuth credentials by registry host (<c>docker.io</c>, <c>127.0.0.1:5001</c>).</summary>
    internal IReadOnlyDictionary<string, RegistryCredential> RegistryCredentials { get; init; } = new Dictionary<string, RegistryCredential>();

    internal Dictionary<string, string> SecretIds { get; } = new(StringComparer.Ordinal);

    internal Dictionary<string, string> ConfigIds { get; } = new(StringComparer.Ordinal);
}

/// <summary>
/// Deploys, rolls back and removes stacks as <c>docker stack deploy</c> and <c>docker stack rm</c>
/// do (same order, names and labels, so either tool manages what the other deployed), with a
/// plan computed before any change: changed secret or config content, missing external networks
/// and a previous definition too large to keep stop the deploy before anything is sent.
/// Before a deploy changes services, the services' current specs are kept as a Swarm config of
/// the stack (<c>&lt;stack&gt;_opstools-previous-&lt;n&gt;</c>), which an undo restores.
/// </summary>
public sealed class SwarmStackDeployer
{
    /// <summary>Label carrying the revision number on the configs that keep previous definitions.</summary>
    public const string PreviousLabel = "org.opstools.stack.previous";

    /// <summary>How many previous definitions a stack keeps.</summary>
    public const int PreviousKept = 10;

    /// <summary>Swarm's limit on config data: "less than 1024000 bytes" (Docker 20.10's answer to a larger config).</summary>
    public const int MaxConfigBytes = 1_024_000 - 1;

    private const string NamespaceLabel = ComposeSwarmConverter.NamespaceLabel;
    private const string ImageLabel = ComposeSwarmConverter.ImageLabel;

    private readonly DockerConnection _connection;

    /// <summary>Creates a deployer for one endpoint.</summary>
    /// <param name="connection">The Docker connection.</param>
    public SwarmStackDeployer(DockerConnection connection)
    {
        _connection = connection ?? throw new ArgumentNullException(nameof(connection));
    }

    private string Host => _connection.Endpoint.DisplayName;

    /// <summary>Computes what deploying a project as a stack creates, updates and (with prune) removes. Sends nothing but reads.</summary>
    /// <param name="project">The loaded compose project.</param>
    /// <param name="stack">Stack name.</param>
    /// <param name="options">Deploy options.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="OpsToolsException">The project cannot be deployed as it is (nothing was changed).</exception>
    public async Task<SwarmStackPlan> PlanDeployAsync(ComposeProject project, string stack, SwarmStackDeployOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(options);
        SwarmStackSpec spec = ConvertProject(project, stack);
        var warnings = new List<string>();
        State state = await ReadStateAsync(stack, cancellationToken).ConfigureAwait(false);
        var steps = new List<SwarmStackStep>();

        if (options.Prune)
        {
            var wanted = new HashSet<string>(spec.Services.Values.Select(s => s.Name ?? string.Empty), StringComparer.Ordinal);
            foreach (ApiService service in state.Services.Where(s => !wanted.Contains(NameOf(s))).OrderBy(s => NameOf(s), StringComparer.Ordinal))
            {
                steps.Add(new SwarmStackStep(SwarmStackObjectKind.Service, NameOf(service), SwarmStackStepAction.Remove, "not in the compose files (-Prune)") { Id = service.ID, Payload = service });
            }
        }

        foreach (string external in spec.ExternalNetworks)
        {
            NetworkResponse? found = state.Networks.FirstOrDefault(n => n.Name == external || n.ID == external);
            if (found is null)
            {
                throw new OpsToolsException("SwarmStackNetworkNotFound", OpsToolsErrorKind.ObjectNotFound,
                    $"Network '{external}' is declared as external but does not exist on {Host}; nothing was deployed.", external,
                    $"Create it first (docker network create --driver overlay --attachable {external}), or remove 'external: true' so the stack creates it.");
            }

            if (found.Scope != "swarm")
            {
                throw new OpsToolsException("SwarmStackNetworkScope", OpsToolsErrorKind.InvalidOperation,
                    $"Network '{external}' is declared as external, but its scope is '{found.Scope}' instead of 'swarm'; nothing was deployed.", external,
                    "Services can only use swarm-scoped networks: create an overlay network and name it in the compose file.");
            }
        }

        foreach (NetworksCreateParameters network in spec.Networks)
        {
            NetworkResponse? existing = state.Networks.FirstOrDefault(n => n.Name == network.Name);
            if (existing is null)
            {
                steps.Add(new SwarmStackStep(SwarmStackObjectKind.Network, network.Name, SwarmStackStepAction.Create, $"driver {network.Driver}") { Payload = network });
                continue;
            }

            if (existing.Labels is null || !existing.Labels.TryGetValue(NamespaceLabel, out string? owner) || owner != stack)
            {
                warnings.Add($"Network '{network.Name}' already exists and is not part of stack '{stack}'; the services use it as it is.");
            }

            steps.Add(new SwarmStackStep(SwarmStackObjectKind.Network, network.Name, SwarmStackStepAction.Unchanged, string.Empty) { Id = existing.ID });
        }

        // Every changed secret and config is found before any step runs: Swarm cannot change their content.
        var changedContent = new List<string>();
        foreach (SwarmSecretSpec secret in spec.Secrets)
        {
            Secret? existing = state.Secrets.FirstOrDefault(s => NameOf(s) == secret.Name);
            if (existing is null)
            {
                steps.Add(new SwarmStackStep(SwarmStackObjectKind.Secret, secret.Name!, SwarmStackStepAction.Create, string.Empty) { Payload = secret });
                continue;
            }

            if (secret.Data is not null && !await SecretContentEqualsAsync(existing, secret, cancellationToken).ConfigureAwait(false))
            {
                changedContent.Add("secret " + secret.Name);
            }

            bool relabel = !SameLabels(existing.Spec.Labels, secret.Labels);
            steps.Add(new SwarmStackStep(SwarmStackObjectKind.Secret, secret.Name!, relabel ? SwarmStackStepAction.Update : SwarmStackStepAction.Unchanged, relabel ? "labels" : string.Empty)
            {
                Id = existing.ID,
                Payload = secret,
                Version = existing.Version?.Index ?? 0,
            });
        }

        foreach (SwarmConfigSpec config in spec.Configs)
        {
            SwarmConfig? existing = state.Configs.FirstOrDefault(c => NameOf(c) == config.Name);
            if (existing is null)
            {
                steps.Add(new SwarmStackStep(SwarmStackObjectKind.Config, config.Name!, SwarmStackStepAction.Create, string.Empty) { Payload = config });
                continue;
            }

            if (!(existing.Spec.Data ?? Array.Empty<byte>()).AsSpan().SequenceEqual(config.Data ?? Array.Empty<byte>()))
            {
                changedContent.Add("config " + config.Name);
            }

            bool relabel = !SameLabels(existing.Spec.Labels, config.Labels);
            steps.Add(new SwarmStackStep(SwarmStackObjectKind.Config, config.Name!, relabel ? SwarmStackStepAction.Update : SwarmStackStepAction.Unchanged, relabel ? "labels" : string.Empty)
            {
                Id = existing.ID,
                Payload = config,
                Version = existing.Version?.Index ?? 0,
            });
        }

        if (changedContent.Count > 0)
        {
            throw new OpsToolsException("SwarmStackContentChanged", OpsToolsErrorKind.InvalidOperation,
                $"The content of {string.Join(", ", changedContent)} changed, and Swarm secrets and configs cannot be changed in place; nothing was deployed.",
                string.Join(", ", changedContent),
                "Give the new content a new name in the compose file (e.g. 'name: db_password_v2', which services pick up on deploy), or rotate the object (Update-SwarmSecret / Update-SwarmConfig) and deploy again.");
        }

        // Secrets and configs the services name must exist or be created by this deploy (external ones are not).
        var created = new HashSet<string>(spec.Secrets.Select(x => "secret " + x.Name).Concat(spec.Configs.Select(x => "config " + x.Name)), StringComparer.Ordinal);
        var missing = spec.Services.Values
            .SelectMany(v => (v.TaskTemplate?.ContainerSpec?.Secrets ?? new List<SecretReference>()).Select(r => "secret " + r.SecretName)
                .Concat((v.TaskTemplate?.ContainerSpec?.Configs ?? new List<SwarmConfigReference>()).Select(r => "config " + r.ConfigName)))
            .Distinct(StringComparer.Ordinal)
            .Where(r => !created.Contains(r) && !state.Secrets.Any(x => "secret " + NameOf(x) == r) && !state.Configs.Any(x => "config " + NameOf(x) == r))
            .ToList();
        if (missing.Count > 0)
        {
            throw new OpsToolsException("SwarmStackExternalNotFound", OpsToolsErrorKind.ObjectNotFound,
                $"The {string.Join(", ", missing)} declared as external do not exist on {Host}; nothing was deployed.", string.Join(", ", missing),
                "Create them first (docker secret create / docker config create), or declare them with 'file:' so the stack creates them.");
        }

        IReadOnlyDictionary<string, RegistryCredential> credentials = options.WithRegistryAuth ? ReadRegistryCredentials(spec, options.DockerConfigDirectory, warnings) : new Dictionary<string, RegistryCredential>();
        Dictionary<string, ApiService> existingServices = state.Services.ToDictionary(s => NameOf(s), StringComparer.Ordinal);
        foreach (ServiceSpec service in spec.Services.Values)
        {
            ContainerSpec container = service.TaskTemplate!.ContainerSpec!;
            string? composeImage = service.Labels!.TryGetValue(ImageLabel, out string? label) ? label : container.Image;
            container.Image = ImageWithTag(container.Image);
            FillReferenceIds(service, state);
            foreach (NetworkAttachmentConfig attachment in service.TaskTemplate.Networks ?? new List<NetworkAttachmentConfig>())
            {
                // The daemon keeps network ids, not names: compare (and send) ids where the network exists.
                if (state.Networks.FirstOrDefault(n => n.Name == attachment.Target) is { } known)
                {
                    attachment.Target = known.ID;
                }
            }

            if (!existingServices.TryGetValue(service.Name!, out ApiService? existing))
            {
                bool resolve = options.ResolveImage != SwarmResolveImage.Never;
                steps.Add(new SwarmStackStep(SwarmStackObjectKind.Service, service.Name!, SwarmStackStepAction.Create, $"image {container.Image}")
                {
                    Payload = new ServiceWork(service, resolve),
                });
                continue;
            }

            bool imageChanged = existing.Spec?.Labels is null || !existing.Spec.Labels.TryGetValue(ImageLabel, out string? before) || before != composeImage;
            bool resolveImage = options.ResolveImage == SwarmResolveImage.Always || (options.ResolveImage == SwarmResolveImage.Changed && imageChanged);
            if (!resolveImage && !imageChanged)
            {
                // As the CLI: keep the digest an earlier deploy pinned, or every deploy would update the service.
                container.Image = existing.Spec?.TaskTemplate?.ContainerSpec?.Image;
            }

            service.TaskTemplate.ForceUpdate = existing.Spec?.TaskTemplate?.ForceUpdate ?? 0;
            IReadOnlyList<string> changes = SpecDiff.Describe(existing.Spec, service);
            bool update = resolveImage || changes.Count > 0;
            steps.Add(new SwarmStackStep(SwarmStackObjectKind.Service, service.Name!, update ? SwarmStackStepAction.Update : SwarmStackStepAction.Unchanged,
                changes.Count > 0 ? string.Join("; ", changes) : resolveImage ? "image digest re-resolved" : string.Empty)
            {
                Id = existing.ID,
                Payload = new ServiceWork(service, resolveImage),
                Version = existing.Version?.Index ?? 0,
                StaleUpdateStartedAt = ToOffset(existing.UpdateStatus?.StartedAt),
            });
        }

        byte[]? snapshot = null;
        int revision = 0;
        if (steps.Any(s => s.Kind == SwarmStackObjectKind.Service && s.Action is SwarmStackStepAction.Update or SwarmStackStepAction.Remove))
        {
            snapshot = Snapshot.Write(stack, state.Services);
            if (snapshot.Length > MaxConfigBytes)
            {
                throw new OpsToolsException("SwarmStackPreviousTooLarge", OpsToolsErrorKind.InvalidOperation,
                    $"The current definition of stack '{stack}' takes {snapshot.Length} bytes compressed, more than the {MaxConfigBytes} bytes a Swarm config holds, so it cannot be kept for Undo-SwarmStackDeploy; nothing was deployed.",
                    stack, "Split the stack into smaller stacks.");
            }

            revision = state.PreviousRevisions.Count == 0 ? 1 : state.PreviousRevisions.Max(p => p.Revision) + 1;
        }

        var plan = new SwarmStackPlan(stack, Host, steps, warnings) { Snapshot = snapshot, RegistryCredentials = credentials, Revision = revision };
        foreach (Secret secret in state.Secrets)
        {
            plan.SecretIds[NameOf(secret)] = secret.ID;
        }

        foreach (SwarmConfig config in state.Configs)
        {
            plan.ConfigIds[NameOf(config)] = config.ID;
        }

        return plan;
    }

    /// <summary>Computes the steps that restore the stack's newest kept definition. Sends nothing.</summary>
    /// <param name="stack">Stack name.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="OpsToolsException">The stack has no kept definition (SwarmStackNoPreviousDeploy).</exception>
    public async Task<SwarmStackPlan> PlanUndoAsync(string stack, CancellationToken cancellationToken = default)
    {
        State state = await ReadStateAsync(stack, cancellationToken).ConfigureAwait(false);
        PreviousDefinition? newest = state.PreviousRevisions.OrderByDescending(p => p.Revision).FirstOrDefault();
        if (newest is null)
        {
            throw new OpsToolsException("SwarmStackNoPreviousDeploy", OpsToolsErrorKind.ObjectNotFound,
                $"Stack '{stack}' on {Host} has no previous definition to go back to: it was never updated by Deploy-SwarmStack, or every kept definition was restored already.",
                stack, "Deploy-SwarmStack keeps the stack's definition before each deploy that changes services; list them with Get-SwarmStack or 'docker config ls --filter label=" + PreviousLabel + "'.");
        }

        IReadOnlyList<ServiceSpec> previous = Snapshot.Read(newest.Config.Spec?.Data ?? Array.Empty<byte>(), NameOf(newest.Config));
        Dictionary<string, ApiService> current = state.Services.ToDictionary(s => NameOf(s), StringComparer.Ordinal);
        var steps = new List<SwarmStackStep>();
        var names = new HashSet<string>(previous.Select(p => p.Name ?? string.Empty), StringComparer.Ordinal);
        foreach (ApiService extra in state.Services.Where(s => !names.Contains(NameOf(s))).OrderBy(s => NameOf(s), StringComparer.Ordinal))
        {
            steps.Add(new SwarmStackStep(SwarmStackObjectKind.Service, NameOf(extra), SwarmStackStepAction.Remove, "not in the previous definition") { Id = extra.ID, Payload = extra });
        }

        foreach (ServiceSpec spec in previous.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            if (!current.TryGetValue(spec.Name ?? string.Empty, out ApiService? existing))
            {
                steps.Add(new SwarmStackStep(SwarmStackObjectKind.Service, spec.Name ?? string.Empty, SwarmStackStepAction.Create, "removed since; created again") { Payload = new ServiceWork(spec, false) });
                continue;
            }

            IReadOnlyList<string> changes = SpecDiff.Describe(existing.Spec, spec);
            steps.Add(new SwarmStackStep(SwarmStackObjectKind.Service, spec.Name ?? string.Empty, changes.Count > 0 ? SwarmStackStepAction.Update : SwarmStackStepAction.Unchanged, string.Join("; ", changes))
            {
                Id = existing.ID,
                Payload = new ServiceWork(spec, false),
                Version = existing.Version?.Index ?? 0,
                StaleUpdateStartedAt = ToOffset(existing.UpdateStatus?.StartedAt),
            });
        }

        return new SwarmStackPlan(stack, Host, steps, Array.Empty<string>()) { SnapshotConfigId = newest.Config.ID, Revision = newest.Revision };
    }

    /// <summary>Computes the steps that remove a stack as <c>docker stack rm</c> does: services, secrets, configs, networks.</summary>
    /// <param name="stack">Stack name.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="OpsToolsException">Nothing carries the stack's label (SwarmStackNotFound).</exception>
    public async Task<SwarmStackPlan> PlanRemoveAsync(string stack, CancellationToken cancellationToken = default)
    {
        State state = await ReadStateAsync(stack, cancellationToken).ConfigureAwait(false);
        var steps = new List<SwarmStackStep>();
        steps.AddRange(state.Services.OrderBy(s => NameOf(s), StringComparer.Ordinal).Select(s => new SwarmStackStep(SwarmStackObjectKind.Service, NameOf(s), SwarmStackStepAction.Remove, string.Empty) { Id = s.ID }));
        steps.AddRange(state.Secrets.Where(s => Owned(s.Spec.Labels, stack)).OrderBy(s => NameOf(s), StringComparer.Ordinal).Select(s => new SwarmStackStep(SwarmStackObjectKind.Secret, NameOf(s), SwarmStackStepAction.Remove, string.Empty) { Id = s.ID }));
        steps.AddRange(state.Configs.Where(c => Owned(c.Spec.Labels, stack)).OrderBy(c => NameOf(c), StringComparer.Ordinal).Select(c => new SwarmStackStep(SwarmStackObjectKind.Config, NameOf(c), SwarmStackStepAction.Remove, string.Empty) { Id = c.ID }));
        steps.AddRange(state.Networks.Where(n => Owned(n.Labels, stack)).OrderBy(n => n.Name, StringComparer.Ordinal).Select(n => new SwarmStackStep(SwarmStackObjectKind.Network, n.Name, SwarmStackStepAction.Remove, string.Empty) { Id = n.ID }));
        if (steps.Count == 0)
        {
            throw new OpsToolsException("SwarmStackNotFound", OpsToolsErrorKind.ObjectNotFound,
                $"Nothing on {Host} belongs to stack '{stack}' (no service, secret, config or network labelled {NamespaceLabel}={stack}).",
                stack, "Run Get-SwarmStack to list the stacks.");
        }

        return new SwarmStackPlan(stack, Host, steps, Array.Empty<string>());
    }

    /// <summary>
    /// Applies one step of a plan. Before the first service of a deploy is updated or removed, the
    /// stack's current definition is saved for <see cref="PlanUndoAsync"/>.
    /// </summary>
    /// <param name="plan">The plan the step belongs to.</param>
    /// <param name="step">The step.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Warnings the daemon or the image resolution gave.</returns>
    public async Task<IReadOnlyList<string>> ApplyAsync(SwarmStackPlan plan, SwarmStackStep step, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(step);
        var warnings = new List<string>();
        if (!step.IsChange)
        {
            return warnings;
        }

        if (plan.Snapshot is not null && !plan.SnapshotSaved && step.Kind == SwarmStackObjectKind.Service && step.Action is SwarmStackStepAction.Update or SwarmStackStepAction.Remove)
        {
            await SavePreviousAsync(plan, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            switch (step.Kind, step.Action)
            {
                case (SwarmStackObjectKind.Network, SwarmStackStepAction.Create):
                    NetworksCreateResponse network = await _connection.RunAsync((c, ct) => c.Networks.CreateNetworkAsync((NetworksCreateParameters)step.Payload!, ct), cancellationToken).ConfigureAwait(false);
                    step.Id = network.ID;
                    break;
                case (SwarmStackObjectKind.Secret, SwarmStackStepAction.Create):
                    SecretCreateResponse secret = await _connection.RunAsync((c, ct) => c.Secrets.CreateAsync((SwarmSecretSpec)step.Payload!, ct), cancellationToken).ConfigureAwait(false);
                    step.Id = secret.ID;
                    plan.SecretIds[step.Name] = secret.ID;
                    break;
                case (SwarmStackObjectKind.Config, SwarmStackStepAction.Create):
                    SwarmCreateConfigResponse config = await _connection.RunAsync((c, ct) => c.Configs.CreateConfigAsync(new SwarmCreateConfigParameters { Config = (SwarmConfigSpec)step.Payload! }, ct), cancellationToken).ConfigureAwait(false);
                    step.Id = config.ID;
                    plan.ConfigIds[step.Name] = config.ID;
                    break;
                case (SwarmStackObjectKind.Secret or SwarmStackObjectKind.Config, SwarmStackStepAction.Update):
                    await UpdateLabelsAsync(step, cancellationToken).ConfigureAwait(false);
                    break;
                case (SwarmStackObjectKind.Service, SwarmStackStepAction.Create):
                    {
                        ServiceWork work = (ServiceWork)step.Payload!;
                        ServiceSpec spec = await PrepareAsync(plan, work, warnings, cancellationToken).ConfigureAwait(false);
                        ServiceCreateResponse created = await _connection.RunAsync((c, ct) => c.Swarm.CreateServiceAsync(new ServiceCreateParameters { Service = spec, RegistryAuth = AuthFor(plan, spec)! }, ct), cancellationToken).ConfigureAwait(false);
                        step.Id = created.ID;
                        warnings.AddRange(created.Warnings ?? Enumerable.Empty<string>());
                        break;
                    }

                case (SwarmStackObjectKind.Service, SwarmStackStepAction.Update):
                    {
                        ServiceWork work = (ServiceWork)step.Payload!;
                        ServiceSpec spec = await PrepareAsync(plan, work, warnings, cancellationToken).ConfigureAwait(false);
                        var parameters = new ServiceUpdateParameters { Service = spec, Version = (long)step.Version, RegistryAuth = AuthFor(plan, spec)! };
                        ServiceUpdateResponse updated;
                        try
                        {
                            updated = await _connection.RunAsync((c, ct) => c.Swarm.UpdateServiceAsync(step.Id!, parameters, ct), cancellationToken).ConfigureAwait(false);
                        }
                        catch (OpsToolsException ex) when (ex.Message.Contains("out of sequence", StringComparison.OrdinalIgnoreCase))
                        {
                            // A rollout in progress bumps the version with every status change; only a changed spec is a conflict.
                            ApiService now = await _connection.RunAsync((c, ct) => c.Swarm.InspectServiceAsync(step.Id!, ct), cancellationToken).ConfigureAwait(false);
                            if (SpecDiff.Describe(work.Read, now.Spec).Count > 0)
                            {
                                throw new OpsToolsException("SwarmServiceChangedConcurrently", OpsToolsErrorKind.InvalidOperation,
                                    $"Service '{step.Name}' was changed by someone else after the plan was made; it was not updated.", step.Name,
                                    "Deploy again: the plan is made from the current state.", ex);
                            }

                            parameters.Version = (long)(now.Version?.Index ?? 0);
                            updated = await _connection.RunAsync((c, ct) => c.Swarm.UpdateServiceAsync(step.Id!, parameters, ct), cancellationToken).ConfigureAwait(false);
                        }

                        warnings.AddRange(updated.Warnings ?? Enumerable.Empty<string>());
                        break;
                    }

                case (SwarmStackObjectKind.Service, SwarmStackStepAction.Remove):
                    await _connection.RunAsync(async (c, ct) => { await c.Swarm.RemoveServiceAsync(step.Id!, ct).ConfigureAwait(false); return true; }, cancellationToken).ConfigureAwait(false);
                    break;
                case (SwarmStackObjectKind.Secret, SwarmStackStepAction.Remove):
                    await _connection.RunAsync(async (c, ct) => { await c.Secrets.DeleteAsync(step.Id!, ct).ConfigureAwait(false); return true; }, cancellationToken).ConfigureAwait(false);
                    break;
                case (SwarmStackObjectKind.Config, SwarmStackStepAction.Remove):
                    await _connection.RunAsync(async (c, ct) => { await c.Configs.RemoveConfigAsync(step.Id!, ct).ConfigureAwait(false); return true; }, cancellationToken).ConfigureAwait(false);
                    break;
                case (SwarmStackObjectKind.Network, SwarmStackStepAction.Remove):
                    await _connection.RunAsync(async (c, ct) => { await c.Networks.DeleteNetworkAsync(step.Id!, ct).ConfigureAwait(false); return true; }, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
        catch (OpsToolsException ex) when (ex.Kind != OpsToolsErrorKind.ConnectionError && ex.ErrorId.StartsWith("Docker", StringComparison.Ordinal))
        {
            throw new OpsToolsException("SwarmStackStepFailed", ex.Kind,
                $"Could not {step.Action.ToString().ToLowerInvariant()} {step.Kind.ToString().ToLowerInvariant()} '{step.Name}' of stack '{plan.Stack}': {ex.Message}",
                step.Name, "Fix the cause and deploy again: the steps before this one were applied, later ones were not.", ex);
        }

        return warnings;
    }

    /// <summary>After an undo: drops the definition it restored, so the next undo goes one further back.</summary>
    /// <param name="plan">The undo plan.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    public Task CompleteUndoAsync(SwarmStackPlan plan, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return plan.SnapshotConfigId is null
            ? Task.CompletedTask
            : _connection.RunAsync(async (c, ct) => { await c.Configs.RemoveConfigAsync(plan.SnapshotConfigId, ct).ConfigureAwait(false); return true; }, cancellationToken);
    }

    /// <summary>Waits until the tasks of removed services are gone (their containers stopped), so their networks can be removed.</summary>
    /// <param name="serviceIds">Removed services.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The number of tasks still there when the wait ended (0 when all are gone).</returns>
    public async Task<int> WaitForTasksGoneAsync(IReadOnlyCollection<string> serviceIds, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(serviceIds);
        if (serviceIds.Count == 0)
        {
            return 0;
        }

        // No service filter: the daemon refuses one naming a service that is gone.
        var parameters = new TasksListParameters();
        DateTime deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            IList<TaskResponse> tasks = await _connection.RunAsync((c, ct) => c.Tasks.ListAsync(parameters, ct), cancellationToken).ConfigureAwait(false);
            int left = tasks.Count(t => serviceIds.Contains(t.ServiceID));
            if (left == 0 || DateTime.UtcNow >= deadline)
            {
                return left;
            }

            await Task.Delay(250, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Removes a network, retrying while containers of removed services still hold it.</summary>
    /// <param name="plan">The removal plan.</param>
    /// <param name="step">The network step.</param>
    /// <param name="timeout">How long to keep retrying.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task.</returns>
    public async Task RemoveNetworkAsync(SwarmStackPlan plan, SwarmStackStep step, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                await ApplyAsync(plan, step, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (OpsToolsException ex) when (ex.InnerException is OpsToolsException { Kind: OpsToolsErrorKind.ObjectNotFound })
            {
                return;
            }
            catch (OpsToolsException ex) when (DateTime.UtcNow < deadline && ex.Message.Contains("active endpoints", StringComparison.OrdinalIgnoreCase) || ex.Message.Contains("in use", StringComparison.OrdinalIgnoreCase) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(250, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The service ids of a stack (for reading the result).</summary>
    /// <param name="stack">Stack name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Service ids.</returns>
    public async Task<IReadOnlyList<string>> GetServiceIdsAsync(string stack, CancellationToken cancellationToken = default) =>
        (await ListServicesAsync(stack, cancellationToken).ConfigureAwait(false)).Select(s => s.ID).ToList();

    private async Task SavePreviousAsync(SwarmStackPlan plan, CancellationToken cancellationToken)
    {
        string name = ComposeSwarmConverter.Scope(plan.Stack, "opstools-previous-" + plan.Revision.ToString(CultureInfo.InvariantCulture));
        if (name.Length > 64)
        {
            name = "opstools-previous-" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(plan.Stack)))[..16].ToLowerInvariant() + "-" + plan.Revision.ToString(CultureInfo.InvariantCulture);
        }

        var spec = new SwarmConfigSpec
        {
            Name = name,
            Labels = new Dictionary<string, string>
            {
                [NamespaceLabel] = plan.Stack,
                [PreviousLabel] = plan.Revision.ToString(CultureInfo.InvariantCulture),
            },
            Data = plan.Snapshot,
        };
        await _connection.RunAsync((c, ct) => c.Configs.CreateConfigAsync(new SwarmCreateConfigParameters { Config = spec }, ct), cancellationToken).ConfigureAwait(false);
        plan.SnapshotSaved = true;

        IList<SwarmConfig> configs = await _connection.RunAsync((c, ct) => c.Configs.ListConfigsAsync(ct), cancellationToken).ConfigureAwait(false);
        foreach (PreviousDefinition old in PreviousOf(configs, plan.Stack).OrderByDescending(p => p.Revision).Skip(PreviousKept))
        {
            await _connection.RunAsync(async (c, ct) => { await c.Configs.RemoveConfigAsync(old.Config.ID, ct).ConfigureAwait(false); return true; }, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<ServiceSpec> PrepareAsync(SwarmStackPlan plan, ServiceWork work, List<string> warnings, CancellationToken cancellationToken)
    {
        ServiceSpec spec = work.Spec;
        foreach (SecretReference reference in spec.TaskTemplate?.ContainerSpec?.Secrets ?? new List<SecretReference>())
        {
            if (string.IsNullOrEmpty(reference.SecretID) && plan.SecretIds.TryGetValue(reference.SecretName, out string? id))
            {
                reference.SecretID = id;
            }
        }

        foreach (SwarmConfigReference reference in spec.TaskTemplate?.ContainerSpec?.Configs ?? new List<SwarmConfigReference>())
        {
            if (string.IsNullOrEmpty(reference.ConfigID) && plan.ConfigIds.TryGetValue(reference.ConfigName, out string? id))
            {
                reference.ConfigID = id;
            }
        }

        if (work.ResolveImage && spec.TaskTemplate?.ContainerSpec is { } container && !string.IsNullOrEmpty(container.Image) && !container.Image.Contains('@', StringComparison.Ordinal))
        {
            (string? digest, List<SwarmPlatform>? platforms) = await InspectDistributionAsync(container.Image, CredentialFor(plan, container.Image), cancellationToken).ConfigureAwait(false);
            if (digest is null)
            {
                // The docker CLI's own words (client/service_create.go digestWarning).
                warnings.Add($"image {container.Image} could not be accessed on a registry to record its digest. Each node will access {container.Image} independently, possibly leading to different nodes running different versions of the image.");
            }
            else
            {
                container.Image = container.Image + "@" + digest;
                if (platforms is { Count: > 0 })
                {
                    spec.TaskTemplate.Placement ??= new Placement();
                    spec.TaskTemplate.Placement.Platforms = platforms;
                }
            }
        }

        return spec;
    }

    // As the CLI's --with-registry-auth: each service gets the credential of its own image's registry.
    private static IReadOnlyDictionary<string, RegistryCredential> ReadRegistryCredentials(SwarmStackSpec spec, string? configDirectory, List<string> warnings)
    {
        var credentials = new Dictionary<string, RegistryCredential>(StringComparer.OrdinalIgnoreCase);
        bool usesCredentialHelpers = false;
        try
        {
            foreach (string registry in spec.Services.Values
                .Select(s => ImageReference.TryParse(s.TaskTemplate?.ContainerSpec?.Image, out ImageReference? reference) ? reference.Registry : null)
                .OfType<string>()
                .Distinct(StringComparer.OrdinalIgnoreCase))
            {
                if (RegistryCredential.FromDockerConfig(registry, configDirectory, out bool helpers) is { } credential)
                {
                    credentials[registry] = credential;
                }

                usesCredentialHelpers |= helpers;
            }
        }
        catch (OpsToolsException ex) when (ex.ErrorId == "DockerConfigInvalid")
        {
            warnings.Add("-WithRegistryAuth: " + ex.Message + " The nodes pull without credentials.");
            return new Dictionary<string, RegistryCredential>();
        }

        if (usesCredentialHelpers)
        {
            warnings.Add("-WithRegistryAuth: credential helpers (credsStore, credHelpers) are not read; only credentials stored in the config file itself are sent.");
        }
        else if (credentials.Count == 0)
        {
            warnings.Add("-WithRegistryAuth: the docker CLI's config file has no credentials for the stack's registries ('docker login' first); the nodes pull without credentials.");
        }

        return credentials;
    }

    private static RegistryCredential? CredentialFor(SwarmStackPlan plan, string? image) =>
        plan.RegistryCredentials.Count > 0 && ImageReference.TryParse(image, out ImageReference? reference)
            && plan.RegistryCredentials.TryGetValue(reference.Registry, out RegistryCredential? credential) ? credential : null;

    private static AuthConfig? AuthFor(SwarmStackPlan plan, ServiceSpec spec) => CredentialFor(plan, spec.TaskTemplate?.ContainerSpec?.Image)?.ToAuthConfig();

    private async Task<(string? Digest, List<SwarmPlatform>? Platforms)> InspectDistributionAsync(string image, RegistryCredential? credential, CancellationToken cancellationToken)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        if (credential is not null)
        {
            headers["X-Registry-Auth"] = credential.ToRegistryAuthHeader();
        }

        (HttpStatusCode status, string body) = await _connection.SendRawAsync(HttpMethod.Get, $"distribution/{image}/json", null, headers, cancellationToken).ConfigureAwait(false);
        if (status != HttpStatusCode.OK)
        {
            return (null, null);
        }

        using JsonDocument document = JsonDocument.Parse(body);
        string? digest = document.RootElement.TryGetProperty("Descriptor", out JsonElement descriptor) && descriptor.TryGetProperty("digest", out JsonElement d) ? d.GetString() : null;
        var platforms = new List<SwarmPlatform>();
        if (document.RootElement.TryGetProperty("Platforms", out JsonElement list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement p in list.EnumerateArray())
            {
                string arch = p.TryGetProperty("architecture", out JsonElement a) ? a.GetString() ?? string.Empty : string.Empty;
                // As the CLI: "arm" manifests would not match nodes reporting armv7l.
                platforms.Add(new SwarmPlatform { Architecture = string.Equals(arch, "arm", StringComparison.OrdinalIgnoreCase) ? string.Empty : arch, OS = p.TryGetProperty("os", out JsonElement o) ? o.GetString() : null });
            }
        }

        return (digest, platforms);
    }

    /// <summary>
    /// Whether a secret on the daemon holds the given data. Swarm never returns secret data, so this
    /// sends an update at version 0, which cannot succeed: swarmkit checks the data before the version
    /// and answers "only updates to Labels are allowed" when it differs, "update out of sequence"
    /// when it is the same. Nothing changes either way.
    /// </summary>
    private async Task<bool> SecretContentEqualsAsync(Secret existing, SwarmSecretSpec wanted, CancellationToken cancellationToken)
    {
        string body = JsonSerializer.Serialize(new SwarmSecretSpec { Name = NameOf(existing), Labels = existing.Spec.Labels, Data = wanted.Data });
        (HttpStatusCode status, string answer) = await _connection.SendRawAsync(HttpMethod.Post, $"secrets/{existing.ID}/update?version=0", body, null, cancellationToken).ConfigureAwait(false);
        if (answer.Contains("only updates to Labels are allowed", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (answer.Contains("out of sequence", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        throw new OpsToolsException("SwarmStackSecretUnreadable", OpsToolsErrorKind.NotSpecified,
            $"Could not tell whether secret '{NameOf(existing)}' changed: the daemon answered {(int)status}: {answer.Trim()}", NameOf(existing),
            "Check the daemon log; deploy again once the daemon answers secret requests.");
    }

    private async Task UpdateLabelsAsync(SwarmStackStep step, CancellationToken cancellationToken)
    {
        string kind = step.Kind == SwarmStackObjectKind.Secret ? "secrets" : "configs";
        string body = step.Payload switch
        {
            SwarmSecretSpec secret => JsonSerializer.Serialize(secret),
            SwarmConfigSpec config => JsonSerializer.Serialize(config),
            _ => throw new InvalidOperationException("not a secret or config step"),
        };
        (HttpStatusCode status, string answer) = await _connection.SendRawAsync(HttpMethod.Post, $"{kind}/{step.Id}/update?version={step.Version.ToString(CultureInfo.InvariantCulture)}", body, null, cancellationToken).ConfigureAwait(false);
        if (status != HttpStatusCode.OK)
        {
            throw new OpsToolsException("SwarmStackStepFailed", OpsToolsErrorKind.InvalidOperation,
                $"Could not update the labels of {step.Kind.ToString().ToLowerInvariant()} '{step.Name}': {answer.Trim()}", step.Name,
                "Deploy again: it reads the current version first.");
        }
    }

    private static SwarmStackSpec ConvertProject(ComposeProject project, string stack)
    {
        try
        {
            return ComposeSwarmConverter.Convert(project, stack);
        }
        catch (IOException ex)
        {
            throw new OpsToolsException("SwarmStackFileUnreadable", OpsToolsErrorKind.ObjectNotFound,
                $"A secret or config file of the compose project cannot be read: {ex.Message}; nothing was deployed.", project.WorkingDirectory,
                "Check the 'file:' paths of the secrets and configs (relative to the first compose file's directory).", ex);
        }
    }

    private static void FillReferenceIds(ServiceSpec service, State state)
    {
        foreach (SecretReference reference in service.TaskTemplate?.ContainerSpec?.Secrets ?? new List<SecretReference>())
        {
            reference.SecretID = state.Secrets.FirstOrDefault(s => NameOf(s) == reference.SecretName)?.ID!;
        }

        foreach (SwarmConfigReference reference in service.TaskTemplate?.ContainerSpec?.Configs ?? new List<SwarmConfigReference>())
        {
            reference.ConfigID = state.Configs.FirstOrDefault(c => NameOf(c) == reference.ConfigName)?.ID!;
        }
    }

    private async Task<IList<ApiService>> ListServicesAsync(string stack, CancellationToken cancellationToken)
    {
        var parameters = new ServiceListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{NamespaceLabel}={stack}"] = true } },
        };
        return await _connection.RunAsync((c, ct) => c.Swarm.ListServicesAsync(parameters, ct), cancellationToken).ConfigureAwait(false);
    }

    private async Task<State> ReadStateAsync(string stack, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(stack);
        await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
        Task<IList<ApiService>> services = ListServicesAsync(stack, cancellationToken);
        Task<IList<NetworkResponse>> networks = _connection.RunAsync((c, ct) => c.Networks.ListNetworksAsync(new NetworksListParameters(), ct), cancellationToken);
        Task<IList<Secret>> secrets = _connection.RunAsync((c, ct) => c.Secrets.ListAsync(ct), cancellationToken);
        Task<IList<SwarmConfig>> configs = _connection.RunAsync((c, ct) => c.Configs.ListConfigsAsync(ct), cancellationToken);
        await Task.WhenAll(services, networks, secrets, configs).ConfigureAwait(false);
        List<SwarmConfig> allConfigs = configs.Result.ToList();
        List<PreviousDefinition> previous = PreviousOf(allConfigs, stack).ToList();
        var previousIds = new HashSet<string>(previous.Select(p => p.Config.ID), StringComparer.Ordinal);
        return new State(
            services.Result.Where(s => s.Spec is not null).ToList(),
            networks.Result.ToList(),
            secrets.Result.Where(s => s.Spec is not null).ToList(),
            allConfigs.Where(c => c.Spec is not null && !previousIds.Contains(c.ID)).ToList(),
            previous,
            allConfigs.Where(c => previousIds.Contains(c.ID)).ToList());
    }

    private static IEnumerable<PreviousDefinition> PreviousOf(IEnumerable<SwarmConfig> configs, string stack) => configs
        .Where(c => c.Spec?.Labels is { } labels && Owned(labels, stack) && labels.TryGetValue(PreviousLabel, out string? r) && int.TryParse(r, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        .Select(c => new PreviousDefinition(c, int.Parse(c.Spec.Labels[PreviousLabel], CultureInfo.InvariantCulture)));

    private static bool Owned(IDictionary<string, string>? labels, string stack) =>
        labels is not null && labels.TryGetValue(NamespaceLabel, out string? owner) && owner == stack;

    private static bool SameLabels(IDictionary<string, string>? a, IDictionary<string, string>? b)
    {
        a ??= new Dictionary<string, string>();
        b ??= new Dictionary<string, string>();
        return a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out string? v) && v == p.Value);
    }

    /// <summary>As the docker client library (imageWithTagString): a reference without tag or digest gets <c>:latest</c>; Docker Hub prefixes are dropped; what is no reference stays as given.</summary>
    internal static string? ImageWithTag(string? image) =>
        ImageReference.TryParse(image, out ImageReference? reference) ? reference.FamiliarString : image;

    private static string NameOf(ApiService service) => service.Spec?.Name ?? service.ID;

    private static string NameOf(Secret secret) => secret.Spec?.Name ?? secret.ID;

    private static string NameOf(SwarmConfig config) => config.Spec?.Name ?? config.ID;

    private static DateTimeOffset? ToOffset(DateTime? value) => value is { } v
        ? new DateTimeOffset(v.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(v, DateTimeKind.Utc) : v.ToUniversalTime())
        : null;

    private sealed record State(List<ApiService> Services, List<NetworkResponse> Networks, List<Secret> Secrets, List<SwarmConfig> Configs, List<PreviousDefinition> PreviousRevisions, List<SwarmConfig> PreviousConfigs);

    private sealed record PreviousDefinition(SwarmConfig Config, int Revision);

    private sealed record ServiceWork(ServiceSpec Spec, bool ResolveImage, ServiceSpec? Read = null);

    /// <summary>The kept definition: the services' specs as the daemon had them, JSON, gzip-compressed.</summary>
    private static class Snapshot
    {
        public static byte[] Write(string stack, IEnumerable<ApiService> services)
        {
            var root = new JsonObject
            {
                ["Stack"] = stack,
                ["SavedAt"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
                ["Services"] = new JsonArray(services.OrderBy(s => NameOf(s), StringComparer.Ordinal).Select(s => JsonNode.Parse(JsonSerializer.Serialize(s.Spec))).ToArray()),
            };
            using var buffer = new MemoryStream();
            using (var gzip = new GZipStream(buffer, CompressionLevel.SmallestSize, leaveOpen: true))
            {
                gzip.Write(Encoding.UTF8.GetBytes(root.ToJsonString()));
            }

            return buffer.ToArray();
        }

        public static IReadOnlyList<ServiceSpec> Read(byte[] data, string configName)
        {
            try
            {
                using var gzip = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
                JsonNode root = JsonNode.Parse(gzip) ?? throw new JsonException("empty");
                return (root["Services"] as JsonArray ?? new JsonArray())
                    .Select(n => n.Deserialize<ServiceSpec>() ?? throw new JsonException("null service"))
                    .ToList();
            }
            catch (Exception ex) when (ex is JsonException or InvalidDataException)
            {
                throw new OpsToolsException("SwarmStackPreviousInvalid", OpsToolsErrorKind.InvalidData,
                    $"The kept definition in config '{configName}' cannot be read: {ex.Message}", configName,
                    "Remove that config (docker config rm) to go back to the one before it.", ex);
            }
        }
    }
}
