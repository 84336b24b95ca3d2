using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Docker.DotNet.Models;
using OpsTools.Engine.Docker;
using ApiService = Docker.DotNet.Models.SwarmService;

namespace OpsTools.Engine.Swarm;

/// <summary>What to change in a service. Null members are left as they are.</summary>
public sealed class SwarmServiceChange
{
    /// <summary>New replica count (replicated services only).</summary>
    public long? Replicas { get; init; }

    /// <summary>New image reference, used as given (the daemon does not resolve it to a digest).</summary>
    public string? Image { get; init; }

    /// <summary>Environment variables to set; a null value removes the variable.</summary>
    public IReadOnlyDictionary<string, string?>? Environment { get; init; }

    /// <summary>Service labels to set; a null value removes the label.</summary>
    public IReadOnlyDictionary<string, string?>? Labels { get; init; }

    /// <summary>Placement constraints that replace the current ones (empty removes them all).</summary>
    public IReadOnlyList<string>? Constraints { get; init; }

    /// <summary>Replace every task even when nothing else changes (<c>docker service update --force</c>).</summary>
    public bool Force { get; init; }

    /// <summary>Secret and config references to repoint to another object, each keeping its target file, uid, gid and mode.</summary>
    public IReadOnlyList<SwarmObjectReplacement>? ObjectReplacements { get; init; }
}

/// <summary>One field a plan changes, as old and new text for confirmation prompts.</summary>
/// <param name="Field">Field name, e.g. <c>Replicas</c> or <c>Env[DB_HOST]</c>.</param>
/// <param name="Before">Value before, or null when absent.</param>
/// <param name="After">Value after, or null when removed.</param>
public sealed record SwarmSpecChange(string Field, string? Before, string? After)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Field}: {Before ?? "(none)"} -> {After ?? "(none)"}";
}

/// <summary>A service update read and computed, not yet sent: what a -WhatIf or -Confirm shows.</summary>
public sealed class SwarmServicePlan
{
    internal SwarmServicePlan(ApiService current, ServiceSpec newSpec, IReadOnlyList<SwarmSpecChange> changes, bool rollback, string dockerHost)
    {
        Current = current;
        NewSpec = newSpec;
        Changes = changes;
        IsRollback = rollback;
        DockerHost = dockerHost;
    }

    /// <summary>Endpoint of the service.</summary>
    public string DockerHost { get; }

    /// <summary>Service id.</summary>
    public string ServiceId => Current.ID;

    /// <summary>Service name.</summary>
    public string ServiceName => Current.Spec?.Name ?? Current.ID;

    /// <summary>Object version the update is based on.</summary>
    public ulong Version => Current.Version?.Index ?? 0;

    /// <summary>Fields that change, old and new.</summary>
    public IReadOnlyList<SwarmSpecChange> Changes { get; }

    /// <summary>Whether this plan rolls back to the previous spec.</summary>
    public bool IsRollback { get; }

    /// <summary>Replicas of the current spec; null for global and job services.</summary>
    public long? CurrentReplicas => Current.Spec?.Mode?.Replicated?.Replicas is { } r ? (long)r : null;

    /// <summary>The changes on one line, e.g. <c>Replicas: 1 -> 3; Image: a -> b</c>.</summary>
    public string Summary => Changes.Count == 0 ? "no change" : string.Join("; ", Changes.Select(c => c.ToString()));

    /// <summary>Start of the update status the service has now (stale once the update is sent).</summary>
    public DateTimeOffset? StaleUpdateStartedAt => Current.UpdateStatus?.StartedAt is { } started
        ? new DateTimeOffset(started.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(started, DateTimeKind.Utc) : started.ToUniversalTime())
        : null;

    internal ApiService Current { get; }

    internal ServiceSpec NewSpec { get; }

    /// <summary>The watch target for this plan once applied.</summary>
    /// <returns>The target.</returns>
    public SwarmWatchTarget ToWatchTarget() => new() { ServiceId = ServiceId, StaleUpdateStartedAt = StaleUpdateStartedAt, IsRollback = IsRollback };
}

/// <summary>Changes Swarm services: scale, update, force a restart, roll back. One update per call, based on the version read.</summary>
public sealed class SwarmServiceUpdater
{
    private readonly DockerConnection _connection;

    /// <summary>Creates an updater for one endpoint.</summary>
    /// <param name="connection">The Docker connection.</param>
    public SwarmServiceUpdater(DockerConnection connection)
    {
        _connection = connection ?? throw new ArgumentNullException(nameof(connection));
    }

    /// <summary>Reads a service and computes the spec a change gives, without sending it.</summary>
    /// <param name="service">Service name or id.</param>
    /// <param name="change">The change.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="OpsToolsException">The service does not exist (SwarmServiceNotFound) or the change does not fit it.</exception>
    public async Task<SwarmServicePlan> PlanAsync(string service, SwarmServiceChange change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        ApiService current = await InspectAsync(service, cancellationToken).ConfigureAwait(false);
        ServiceSpec spec = Clone(current.Spec);
        spec.TaskTemplate ??= new TaskSpec();
        spec.TaskTemplate.ContainerSpec ??= new ContainerSpec();
        var changes = new List<SwarmSpecChange>();
        string name = current.Spec?.Name ?? current.ID;

        if (change.Replicas is { } replicas)
        {
            if (replicas < 0)
            {
                throw new OpsToolsException("SwarmReplicasInvalid", OpsToolsErrorKind.InvalidArgument, $"{replicas} is not a replica count.", name, "Give 0 or more replicas.");
            }

            if (spec.Mode?.Replicated is not { } replicated)
            {
                throw new OpsToolsException(
                    "SwarmServiceNotReplicated",
                    OpsToolsErrorKind.InvalidOperation,
                    $"Service '{name}' is not a replicated service ({ModeName(spec.Mode)}); only replicated services can be scaled.",
                    name,
                    "Leave out -Replicas for global and job services.");
            }

            ulong before = replicated.Replicas ?? 1;
            if (before != (ulong)replicas)
            {
                changes.Add(new SwarmSpecChange("Replicas", before.ToString(CultureInfo.InvariantCulture), replicas.ToString(CultureInfo.InvariantCulture)));
                replicated.Replicas = (ulong)replicas;
            }
        }

        ContainerSpec container = spec.TaskTemplate.ContainerSpec;
        if (change.Image is { Length: > 0 } image && !string.Equals(container.Image, image, StringComparison.Ordinal))
        {
            changes.Add(new SwarmSpecChange("Image", container.Image, image));
            container.Image = image;
        }

        if (change.Environment is { Count: > 0 } environment)
        {
            container.Env = ApplyEnvironment(container.Env, environment, changes);
        }

        if (change.Labels is { Count: > 0 } labels)
        {
            spec.Labels ??= new Dictionary<string, string>();
            foreach ((string key, string? value) in labels.OrderBy(l => l.Key, StringComparer.Ordinal))
            {
                spec.Labels.TryGetValue(key, out string? old);
                if (value is null ? old is null : string.Equals(old, value, StringComparison.Ordinal))
                {
                    continue;
                }

                changes.Add(new SwarmSpecChange($"Label[{key}]", old, value));
                if (value is null)
                {
                    spec.Labels.Remove(key);
                }
                else
                {
                    spec.Labels[key] = value;
                }
            }
        }

        if (change.Constraints is { } constraints)
        {
            IList<string> old = spec.TaskTemplate.Placement?.Constraints ?? new List<string>();
            if (!old.SequenceEqual(constraints, StringComparer.Ordinal))
            {
                changes.Add(new SwarmSpecChange("Constraints", Join(old), Join(constraints)));
                spec.TaskTemplate.Placement ??= new Placement();
                spec.TaskTemplate.Placement.Constraints = constraints.ToList();
            }
        }

        if (change.ObjectReplacements is { Count: > 0 } replacements)
        {
            SwarmObjectRotator.Repoint(container, replacements, changes);
        }

        if (change.Force)
        {
            ulong force = spec.TaskTemplate.ForceUpdate;
            changes.Add(new SwarmSpecChange("ForceUpdate", force.ToString(CultureInfo.InvariantCulture), (force + 1).ToString(CultureInfo.InvariantCulture)));
            spec.TaskTemplate.ForceUpdate = force + 1;
        }

        return new SwarmServicePlan(current, spec, changes, rollback: false, _connection.Endpoint.DisplayName);
    }

    /// <summary>Reads a service and computes a rollback to its previous spec, without sending it.</summary>
    /// <param name="service">Service name or id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="OpsToolsException">The service does not exist or has no previous spec (SwarmServiceNoPreviousSpec).</exception>
    public async Task<SwarmServicePlan> PlanRollbackAsync(string service, CancellationToken cancellationToken = default)
    {
        ApiService current = await InspectAsync(service, cancellationToken).ConfigureAwait(false);
        string name = current.Spec?.Name ?? current.ID;
        if (current.PreviousSpec is null)
        {
            throw new OpsToolsException(
                "SwarmServiceNoPreviousSpec",
                OpsToolsErrorKind.InvalidOperation,
                $"Service '{name}' has no previous spec to roll back to: it was never updated.",
                name,
                "Only a service that was updated at least once can be rolled back.");
        }

        return new SwarmServicePlan(current, Clone(current.Spec), Diff(current.Spec, current.PreviousSpec), rollback: true, _connection.Endpoint.DisplayName);
    }

    /// <summary>Sends a plan as one service update based on the version it was read at.</summary>
    /// <param name="plan">The plan.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Warnings the daemon returned.</returns>
    /// <exception cref="OpsToolsException">The service changed since it was read (SwarmServiceChangedConcurrently), or the daemon refused the spec.</exception>
    public Task<IReadOnlyList<string>> ApplyAsync(SwarmServicePlan plan, CancellationToken cancellationToken = default) =>
        ApplyAsync(plan, registryCredential: null, cancellationToken);

    /// <summary>
    /// Sends a plan as one service update based on the version it was read at, with the credential
    /// the nodes use to pull the image (<c>docker service update --with-registry-auth</c>).
    /// </summary>
    /// <param name="plan">The plan.</param>
    /// <param name="registryCredential">Credential for the image's registry, or null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Warnings the daemon returned.</returns>
    /// <exception cref="OpsToolsException">The service changed since it was read (SwarmServiceChangedConcurrently), or the daemon refused the spec.</exception>
    public async Task<IReadOnlyList<string>> ApplyAsync(SwarmServicePlan plan, OpsTools.Engine.Images.RegistryCredential? registryCredential, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var parameters = new ServiceUpdateParameters
        {
            Service = plan.NewSpec,
            Version = (long)plan.Version,
            Rollback = plan.IsRollback ? "previous" : null,
        };
        if (registryCredential is not null)
        {
            parameters.RegistryAuth = registryCredential.ToAuthConfig();
        }

        try
        {
            ServiceUpdateResponse response = await _connection
                .RunAsync((client, ct) => client.Swarm.UpdateServiceAsync(plan.ServiceId, parameters, ct), cancellationToken)
                .ConfigureAwait(false);
            return response.Warnings?.ToList() ?? new List<string>();
        }
        catch (OpsToolsException ex) when (ex.Message.Contains("out of sequence", StringComparison.OrdinalIgnoreCase))
        {
            throw new OpsToolsException(
                "SwarmServiceChangedConcurrently",
                OpsToolsErrorKind.InvalidOperation,
                $"Service '{plan.ServiceName}' was changed by someone else after it was read (version {plan.Version}); nothing was changed.",
                plan.ServiceName,
                "Run the command again: it reads the current version first.",
                ex);
        }
    }

    /// <summary>Fields that differ between two specs, for prompts (image, replicas, env, labels, constraints, force).</summary>
    internal static IReadOnlyList<SwarmSpecChange> Diff(ServiceSpec? from, ServiceSpec? to)
    {
        var changes = new List<SwarmSpecChange>();
        void Compare(string field, string? a, string? b)
        {
            if (!string.Equals(a, b, StringComparison.Ordinal))
            {
                changes.Add(new SwarmSpecChange(field, a, b));
            }
        }

        Compare("Replicas", from?.Mode?.Replicated?.Replicas?.ToString(CultureInfo.InvariantCulture), to?.Mode?.Replicated?.Replicas?.ToString(CultureInfo.InvariantCulture));
        Compare("Image", from?.TaskTemplate?.ContainerSpec?.Image, to?.TaskTemplate?.ContainerSpec?.Image);
        Dictionary<string, string> envFrom = EnvMap(from?.TaskTemplate?.ContainerSpec?.Env);
        Dictionary<string, string> envTo = EnvMap(to?.TaskTemplate?.ContainerSpec?.Env);
        foreach (string key in envFrom.Keys.Union(envTo.Keys).OrderBy(k => k, StringComparer.Ordinal))
        {
            Compare($"Env[{key}]", envFrom.GetValueOrDefault(key), envTo.GetValueOrDefault(key));
        }

        IDictionary<string, string> labelsFrom = from?.Labels ?? new Dictionary<string, string>();
        IDictionary<string, string> labelsTo = to?.Labels ?? new Dictionary<string, string>();
        foreach (string key in labelsFrom.Keys.Union(labelsTo.Keys).OrderBy(k => k, StringComparer.Ordinal))
        {
            Compare($"Label[{key}]", labelsFrom.TryGetValue(key, out string? a) ? a : null, labelsTo.TryGetValue(key, out string? b) ? b : null);
        }

        Compare("Constraints", Join(from?.TaskTemplate?.Placement?.Constraints), Join(to?.TaskTemplate?.Placement?.Constraints));
        Compare("ForceUpdate", from?.TaskTemplate?.ForceUpdate.ToString(CultureInfo.InvariantCulture), to?.TaskTemplate?.ForceUpdate.ToString(CultureInfo.InvariantCulture));
        return changes;
    }

    private async Task<ApiService> InspectAsync(string service, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(service);
        try
        {
            return await _connection.RunAsync((client, ct) => client.Swarm.InspectServiceAsync(service, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (OpsToolsException ex) when (ex.Kind == OpsToolsErrorKind.ObjectNotFound)
        {
            throw new OpsToolsException(
                "SwarmServiceNotFound",
                OpsToolsErrorKind.ObjectNotFound,
                $"No Swarm service named '{service}' was found on {_connection.Endpoint.DisplayName}.",
                service,
                "Run Get-SwarmService to list the services.",
                ex);
        }
    }

    private static IList<string> ApplyEnvironment(IList<string>? current, IReadOnlyDictionary<string, string?> environment, List<SwarmSpecChange> changes)
    {
        var result = new List<string>(current ?? new List<string>());
        foreach ((string key, string? value) in environment.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            int index = result.FindIndex(e => KeyOf(e) == key);
            string? old = index < 0 ? null : ValueOf(result[index]);
            if (value is null ? index < 0 : string.Equals(old, value, StringComparison.Ordinal) && result[index].Contains('=', StringComparison.Ordinal))
            {
                continue;
            }

            changes.Add(new SwarmSpecChange($"Env[{key}]", old, value));
            if (value is null)
            {
                result.RemoveAll(e => KeyOf(e) == key);
            }
            else if (index < 0)
            {
                result.Add(key + "=" + value);
            }
            else
            {
                result[index] = key + "=" + value;
            }
        }

        return result;
    }

    private static Dictionary<string, string> EnvMap(IList<string>? env)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string entry in env ?? new List<string>())
        {
            map[KeyOf(entry)] = ValueOf(entry);
        }

        return map;
    }

    private static string KeyOf(string entry) => entry.IndexOf('=', StringComparison.Ordinal) is var eq and >= 0 ? entry[..eq] : entry;

    private static string ValueOf(string entry) => entry.IndexOf('=', StringComparison.Ordinal) is var eq and >= 0 ? entry[(eq + 1)..] : string.Empty;

    private static string Join(IEnumerable<string>? items) => items is null ? string.Empty : string.Join(", ", items);

    private static string ModeName(ServiceMode? mode) => mode switch
    {
        { Global: not null } => "global",
        { ReplicatedJob: not null } => "replicated-job",
        { GlobalJob: not null } => "global-job",
        _ => "replicated",
    };

    /// <summary>A deep copy through the library's own JSON shape, so nothing the daemon sent is lost or shared.</summary>
    private static ServiceSpec Clone(ServiceSpec? spec) =>
        spec is null ? new ServiceSpec() : JsonSerializer.Deserialize<ServiceSpec>(JsonSerializer.Serialize(spec)) ?? new ServiceSpec();
}
