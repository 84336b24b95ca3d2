using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Docker.DotNet.Models;
using OpsTools.Engine.Docker;
using OpsTools.Swarm;
using ApiService = Docker.DotNet.Models.SwarmService;

namespace OpsTools.Engine.Swarm;

/// <summary>Repoints the references of a service from one secret or config to another, keeping each reference's target file.</summary>
/// <param name="Kind">Secret or config.</param>
/// <param name="OldId">Id of the object referenced now.</param>
/// <param name="OldName">Name of the object referenced now.</param>
/// <param name="NewId">Id of the object to reference instead.</param>
/// <param name="NewName">Name of the object to reference instead.</param>
public sealed record SwarmObjectReplacement(SwarmObjectKind Kind, string OldId, string OldName, string NewId, string NewName);

/// <summary>A service that references the object being rotated.</summary>
/// <param name="ServiceId">Service id.</param>
/// <param name="ServiceName">Service name.</param>
/// <param name="Targets">File names (targets) under which the service mounts the object.</param>
public sealed record SwarmRotationService(string ServiceId, string ServiceName, IReadOnlyList<string> Targets);

/// <summary>A rotation read and computed, nothing created yet: what -WhatIf shows.</summary>
public sealed class SwarmRotationPlan
{
    internal SwarmRotationPlan(
        SwarmObjectKind kind,
        string dockerHost,
        string oldId,
        string oldName,
        string newName,
        int generation,
        IReadOnlyDictionary<string, string> labels,
        IReadOnlyList<SwarmRotationService> services,
        SwarmDriver? templating)
    {
        Kind = kind;
        DockerHost = dockerHost;
        OldId = oldId;
        OldName = oldName;
        NewName = newName;
        Generation = generation;
        Labels = labels;
        Services = services;
        Templating = templating;
    }

    /// <summary>Secret or config.</summary>
    public SwarmObjectKind Kind { get; }

    /// <summary>Endpoint.</summary>
    public string DockerHost { get; }

    /// <summary>Id of the version in use now.</summary>
    public string OldId { get; }

    /// <summary>Name of the version in use now.</summary>
    public string OldName { get; }

    /// <summary>Name of the new version.</summary>
    public string NewName { get; }

    /// <summary>Generation number of the new version (the <c>.vN</c> suffix).</summary>
    public int Generation { get; }

    /// <summary>Labels of the new version: the old version's, plus the rotation labels and any given.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; }

    /// <summary>Services whose spec references the version in use now, sorted by name.</summary>
    public IReadOnlyList<SwarmRotationService> Services { get; }

    internal SwarmDriver? Templating { get; }
}

/// <summary>Options of <see cref="SwarmObjectRotator.RotateAsync"/>.</summary>
public sealed class SwarmRotationOptions
{
    /// <summary>Labels to set on the new version; a null value removes one copied from the old version.</summary>
    public IReadOnlyDictionary<string, string?>? Labels { get; init; }

    /// <summary>Name of the new version instead of <c>&lt;base&gt;.v&lt;N&gt;</c>.</summary>
    public string? NewName { get; init; }

    /// <summary>Wait until the repointed services converge before removing the old version; one that does not keeps it.</summary>
    public bool Wait { get; init; }

    /// <summary>How long to wait for convergence.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Keep the old version even when nothing uses it any more (for a rollback of the services).</summary>
    public bool KeepPrevious { get; init; }
}

/// <summary>What a rotation did.</summary>
public sealed class SwarmRotationResult
{
    /// <summary>The plan it followed.</summary>
    public required SwarmRotationPlan Plan { get; init; }

    /// <summary>Id of the new version.</summary>
    public required string NewId { get; init; }

    /// <summary>Services repointed to the new version.</summary>
    public IReadOnlyList<string> Repointed { get; init; } = Array.Empty<string>();

    /// <summary>Services whose update failed, with the error; they still use the old version.</summary>
    public IReadOnlyList<(string Service, OpsToolsException Error)> Failed { get; init; } = Array.Empty<(string, OpsToolsException)>();

    /// <summary>Convergence of the repointed services (empty unless waited for).</summary>
    public IReadOnlyList<SwarmServiceConvergence> Convergence { get; init; } = Array.Empty<SwarmServiceConvergence>();

    /// <summary>Whether the old version was removed.</summary>
    public bool PreviousRemoved { get; init; }
}

/// <summary>
/// Rotates an immutable secret or config: creates a new version named <c>&lt;base&gt;.v&lt;N&gt;</c>
/// (the old version's labels kept, <c>com.docker.stack.namespace</c> included, plus labels linking the
/// versions), repoints every service that references the old version in one service update each
/// (target file name, uid, gid and mode kept), and removes the old version once no service
/// references it. The steps are public so a cmdlet can confirm each; <see cref="RotateAsync"/>
/// runs them all.
/// </summary>
public sealed partial class SwarmObjectRotator
{
    /// <summary>Label with the base name shared by every version.</summary>
    public const string BaseLabel = "org.opstools.rotation.base";

    /// <summary>Label with the generation number of a version.</summary>
    public const string GenerationLabel = "org.opstools.rotation.generation";

    /// <summary>Label with the name of the version a version replaced.</summary>
    public const string PreviousLabel = "org.opstools.rotation.previous";

    private readonly DockerConnection _connection;
    private readonly SwarmObjectStore _store;

    /// <summary>Creates a rotator for one endpoint.</summary>
    /// <param name="connection">The Docker connection.</param>
    public SwarmObjectRotator(DockerConnection connection)
    {
        _connection = connection ?? throw new ArgumentNullException(nameof(connection));
        _store = new SwarmObjectStore(connection);
    }

    /// <summary>Reads the object in use and the services that reference it, and computes the new version's name and labels.</summary>
    /// <param name="kind">Secret or config.</param>
    /// <param name="idOrName">Name or id of the version in use now.</param>
    /// <param name="labels">Labels to set on the new version; a null value removes one copied from the old version.</param>
    /// <param name="newName">Name of the new version, or null for <c>&lt;base&gt;.v&lt;N&gt;</c>.</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <returns>The plan (three API calls).</returns>
    /// <exception cref="OpsToolsException">Not found, a secret from an external driver, or the new name is invalid or taken.</exception>
    public async Task<SwarmRotationPlan> PlanAsync(SwarmObjectKind kind, string idOrName, IReadOnlyDictionary<string, string?>? labels = null, string? newName = null, CancellationToken cancellationToken = default)
    {
        var current = await _store.InspectFullAsync(kind, idOrName, cancellationToken).ConfigureAwait(false);
        if (!string.IsNullOrEmpty(current.Driver?.Name))
        {
            throw new OpsToolsException(
                "SwarmSecretExternalDriver",
                OpsToolsErrorKind.InvalidOperation,
                $"The secret '{current.Name}' comes from the secret driver '{current.Driver.Name}'; its value is managed there, not here.",
                current.Name,
                "Rotate the value in the external secret store.");
        }

        Task<IReadOnlyList<string>> namesCall = _store.ListNamesAsync(kind, cancellationToken);
        Task<IList<ApiService>> servicesCall = _store.ListServicesAsync(cancellationToken);
        await Task.WhenAll(namesCall, servicesCall).ConfigureAwait(false);

        IDictionary<string, string> oldLabels = current.Labels ?? new Dictionary<string, string>();
        (string baseName, int oldGeneration) = BaseOf(current.Name, oldLabels);
        var existing = new HashSet<string>(namesCall.Result, StringComparer.Ordinal);
        int generation = Math.Max(oldGeneration, existing.Select(n => GenerationOf(n, baseName)).DefaultIfEmpty(0).Max()) + 1;
        string name = newName ?? string.Create(CultureInfo.InvariantCulture, $"{baseName}.v{generation}");
        SwarmObjectStore.ValidateName(kind, name);
        if (existing.Contains(name))
        {
            throw new OpsToolsException(
                $"Swarm{kind}Exists",
                OpsToolsErrorKind.ResourceExists,
                $"A {SwarmObjectStore.Noun(kind)} named '{name}' already exists on {_connection.Endpoint.DisplayName}.",
                name,
                "Choose another name for the new version.");
        }

        var newLabels = new Dictionary<string, string>(oldLabels, StringComparer.Ordinal)
        {
            [BaseLabel] = baseName,
            [GenerationLabel] = generation.ToString(CultureInfo.InvariantCulture),
            [PreviousLabel] = current.Name,
        };
        foreach ((string key, string? value) in labels ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                newLabels.Remove(key);
            }
            else
            {
                newLabels[key] = value;
            }
        }

        List<SwarmRotationService> services = servicesCall.Result
            .Select(s => new SwarmRotationService(s.ID, s.Spec?.Name ?? s.ID, TargetsOf(kind, s, current.Id)))
            .Where(s => s.Targets.Count > 0)
            .OrderBy(s => s.ServiceName, StringComparer.Ordinal)
            .ToList();
        return new SwarmRotationPlan(kind, _connection.Endpoint.DisplayName, current.Id, current.Name, name, generation, newLabels, services, current.Templating);
    }

    /// <summary>Creates the new version.</summary>
    /// <param name="plan">The plan.</param>
    /// <param name="data">The new data; sent once, never kept.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The replacement to give <see cref="PlanServiceAsync"/> for each service.</returns>
    public async Task<SwarmObjectReplacement> CreateVersionAsync(SwarmRotationPlan plan, byte[] data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        string id = await _store.CreateAsync(plan.Kind, plan.NewName, data, plan.Labels, plan.Templating, cancellationToken).ConfigureAwait(false);
        return new SwarmObjectReplacement(plan.Kind, plan.OldId, plan.OldName, id, plan.NewName);
    }

    /// <summary>Reads a service and computes its update that references the new version; send it with <see cref="SwarmServiceUpdater.ApplyAsync(SwarmServicePlan, CancellationToken)"/>.</summary>
    /// <param name="replacement">From <see cref="CreateVersionAsync"/>.</param>
    /// <param name="serviceId">Service id or name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The service plan.</returns>
    public Task<SwarmServicePlan> PlanServiceAsync(SwarmObjectReplacement replacement, string serviceId, CancellationToken cancellationToken = default) =>
        new SwarmServiceUpdater(_connection).PlanAsync(serviceId, new SwarmServiceChange { ObjectReplacements = new[] { replacement } }, cancellationToken);

    /// <summary>Removes the old version; refused (Swarm&lt;Kind&gt;InUse) while any service references it.</summary>
    /// <param name="plan">The plan.</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <returns>A task.</returns>
    public Task RemovePreviousAsync(SwarmRotationPlan plan, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return _store.RemoveAsync(plan.Kind, plan.OldId, cancellationToken);
    }

    /// <summary>
    /// Runs a whole rotation without asking: plan, create the new version, repoint every service
    /// (one update each), optionally wait for them, and remove the old version when every service
    /// was repointed (and converged, when waited for). A failed service keeps the old version.
    /// </summary>
    /// <param name="kind">Secret or config.</param>
    /// <param name="idOrName">Name or id of the version in use now.</param>
    /// <param name="data">The new data.</param>
    /// <param name="options">Labels, name, wait and keep options.</param>
    /// <param name="cancellationToken">Cancels the calls (and the wait).</param>
    /// <returns>What was done.</returns>
    public async Task<SwarmRotationResult> RotateAsync(SwarmObjectKind kind, string idOrName, byte[] data, SwarmRotationOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SwarmRotationOptions();
        SwarmRotationPlan plan = await PlanAsync(kind, idOrName, options.Labels, options.NewName, cancellationToken).ConfigureAwait(false);
        SwarmObjectReplacement replacement = await CreateVersionAsync(plan, data, cancellationToken).ConfigureAwait(false);
        var updater = new SwarmServiceUpdater(_connection);
        var repointed = new List<string>();
        var failed = new List<(string, OpsToolsException)>();
        var watch = new List<SwarmWatchTarget>();
        foreach (SwarmRotationService service in plan.Services)
        {
            try
            {
                SwarmServicePlan servicePlan = await PlanServiceAsync(replacement, service.ServiceId, cancellationToken).ConfigureAwait(false);
                await updater.ApplyAsync(servicePlan, cancellationToken).ConfigureAwait(false);
                repointed.Add(service.ServiceName);
                watch.Add(servicePlan.ToWatchTarget());
            }
            catch (OpsToolsException ex)
            {
                failed.Add((service.ServiceName, ex));
            }
        }

        IReadOnlyList<SwarmServiceConvergence> convergence = Array.Empty<SwarmServiceConvergence>();
        if (options.Wait)
        {
            convergence = await new SwarmConvergenceWatcher(_connection)
                .WaitAsync(watch, new SwarmConvergenceOptions { Timeout = options.Timeout }, null, cancellationToken)
                .ConfigureAwait(false);
        }

        bool removable = !options.KeepPrevious && failed.Count == 0 && convergence.All(c => !c.IsFailure);
        if (removable)
        {
            await RemovePreviousAsync(plan, cancellationToken).ConfigureAwait(false);
        }

        return new SwarmRotationResult
        {
            Plan = plan,
            NewId = replacement.NewId,
            Repointed = repointed,
            Failed = failed,
            Convergence = convergence,
            PreviousRemoved = removable,
        };
    }

    /// <summary>Repoints the references of a container spec in place, adding one change per target file.</summary>
    internal static void Repoint(ContainerSpec container, IEnumerable<SwarmObjectReplacement> replacements, List<SwarmSpecChange> changes)
    {
        foreach (SwarmObjectReplacement replacement in replacements)
        {
            if (replacement.Kind == SwarmObjectKind.Secret)
            {
                foreach (SecretReference reference in (container.Secrets ?? new List<SecretReference>()).Where(r => r.SecretID == replacement.OldId))
                {
                    changes.Add(new SwarmSpecChange($"Secret[{reference.File?.Name ?? reference.SecretName}]", reference.SecretName, replacement.NewName));
                    reference.SecretID = replacement.NewId;
                    reference.SecretName = replacement.NewName;
                }
            }
            else
            {
                foreach (SwarmConfigReference reference in (container.Configs ?? new List<SwarmConfigReference>()).Where(r => r.ConfigID == replacement.OldId))
                {
                    changes.Add(new SwarmSpecChange($"Config[{reference.File?.Name ?? reference.ConfigName}]", reference.ConfigName, replacement.NewName));
                    reference.ConfigID = replacement.NewId;
                    reference.ConfigName = replacement.NewName;
                }
            }
        }
    }

    /// <summary>The base name and generation of a version: from the rotation labels, else a <c>.vN</c> suffix, else the name and 1.</summary>
    internal static (string BaseName, int Generation) BaseOf(string name, IDictionary<string, string> labels)
    {
        if (labels.TryGetValue(BaseLabel, out string? baseName) && baseName.Length > 0
            && labels.TryGetValue(GenerationLabel, out string? text) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int labelled))
        {
            return (baseName, labelled);
        }

        Match suffix = VersionSuffix().Match(name);
        return suffix.Success && int.TryParse(suffix.Groups["n"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int parsed)
            ? (suffix.Groups["base"].Value, parsed)
            : (name, 1);
    }

    private static int GenerationOf(string name, string baseName)
    {
        Match suffix = VersionSuffix().Match(name);
        return suffix.Success && string.Equals(suffix.Groups["base"].Value, baseName, StringComparison.Ordinal)
            && int.TryParse(suffix.Groups["n"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : 0;
    }

    private static List<string> TargetsOf(SwarmObjectKind kind, ApiService service, string id)
    {
        ContainerSpec? container = service.Spec?.TaskTemplate?.ContainerSpec;
        return kind == SwarmObjectKind.Secret
            ? (container?.Secrets ?? new List<SecretReference>()).Where(r => r.SecretID == id).Select(r => r.File?.Name ?? r.SecretName).ToList()
            : (container?.Configs ?? new List<SwarmConfigReference>()).Where(r => r.ConfigID == id).Select(r => r.File?.Name ?? "(runtime)").ToList();
    }

    [GeneratedRegex(@"^(?<base>.+)\.v(?<n>[0-9]{1,6})$", RegexOptions.CultureInvariant)]
    private static partial Regex VersionSuffix();
}
