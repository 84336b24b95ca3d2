using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Docker.DotNet.Models;
using OpsTools.Engine.Docker;
using OpsTools.Engine.Images;

namespace OpsTools.Engine.Swarm;

/// <summary>One service that runs an image tag: its digest now, and the update to the tag's current digest (null when current).</summary>
public sealed class SwarmImageServicePlan
{
    internal SwarmImageServicePlan(string serviceId, string serviceName, string image, string? previousDigest, string digest, SwarmServicePlan? update)
    {
        ServiceId = serviceId;
        ServiceName = serviceName;
        Image = image;
        PreviousDigest = previousDigest;
        Digest = digest;
        Update = update;
    }

    /// <summary>Service id.</summary>
    public string ServiceId { get; }

    /// <summary>Service name.</summary>
    public string ServiceName { get; }

    /// <summary>The tag the service runs, in the CLI's familiar form.</summary>
    public string Image { get; }

    /// <summary>Digest the service is pinned to now; null when its spec names the tag alone.</summary>
    public string? PreviousDigest { get; }

    /// <summary>Digest the tag points to in the registry now.</summary>
    public string Digest { get; }

    /// <summary>The service update to send; null when the service already runs <see cref="Digest"/>.</summary>
    public SwarmServicePlan? Update { get; }

    /// <summary>Whether the service already runs the tag's current digest.</summary>
    public bool IsUpToDate => Update is null;
}

/// <summary>
/// Redeploys every service that runs an image tag at the digest the tag points to now: the
/// shared-image pattern (one image for API, worker and beat) after a re-push of a moving tag.
/// </summary>
public sealed class SwarmImageUpdater
{
    private readonly DockerConnection _connection;

    /// <summary>Creates an updater for one endpoint.</summary>
    /// <param name="connection">The Docker connection.</param>
    public SwarmImageUpdater(DockerConnection connection)
    {
        _connection = connection ?? throw new ArgumentNullException(nameof(connection));
    }

    /// <summary>
    /// Resolves the tag's current digest through the daemon and lists the services running the
    /// tag (matched by repository and tag, the digest pin Swarm adds ignored, Docker Hub defaults
    /// filled in), each with the update it needs.
    /// </summary>
    /// <param name="image">The tag (<c>registry/repository:tag</c>; no tag means <c>latest</c>).</param>
    /// <param name="credential">Credential for the registry, or null.</param>
    /// <param name="serviceFilter">Only services whose name passes; null for all.</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <returns>The digest and one plan per matching service, by service name.</returns>
    /// <exception cref="OpsToolsException">ImageReferenceInvalid, ImageTagNotFound, RegistryAccessDenied, RegistryUnreachable, or a Swarm error.</exception>
    public async Task<(string Digest, IReadOnlyList<SwarmImageServicePlan> Services)> PlanAsync(
        string image, RegistryCredential? credential, Func<string, bool>? serviceFilter = null, CancellationToken cancellationToken = default)
    {
        ImageReference wanted = ImageReference.Parse(image);
        if (wanted.Digest is not null)
        {
            throw new OpsToolsException(
                "ImageReferenceInvalid",
                OpsToolsErrorKind.InvalidArgument,
                $"'{image}' names a digest; give the tag whose current digest the services should run.",
                image,
                "Leave the @sha256:... part out (Set-SwarmService -Image deploys a given digest).");
        }

        IList<global::Docker.DotNet.Models.SwarmService> services = await _connection
            .RunAsync((client, ct) => client.Swarm.ListServicesAsync(new ServiceListParameters(), ct), cancellationToken)
            .ConfigureAwait(false);
        var matching = services
            .Select(s => (Service: s, Reference: ImageReference.TryParse(s.Spec?.TaskTemplate?.ContainerSpec?.Image, out ImageReference? r) ? r : null))
            .Where(m => m.Reference is not null && m.Reference.SameRepositoryAndTag(wanted))
            .Where(m => serviceFilter is null || serviceFilter(m.Service.Spec?.Name ?? m.Service.ID))
            .OrderBy(m => m.Service.Spec?.Name, StringComparer.Ordinal)
            .ToList();

        string digest = await new ImagePublisher(_connection).ResolveDigestAsync(wanted.FamiliarTagged, credential, cancellationToken).ConfigureAwait(false);
        var updater = new SwarmServiceUpdater(_connection);
        var plans = new List<SwarmImageServicePlan>();
        foreach ((global::Docker.DotNet.Models.SwarmService service, ImageReference? reference) in matching)
        {
            string name = service.Spec?.Name ?? service.ID;
            SwarmServicePlan? update = null;
            if (!string.Equals(reference!.Digest, digest, StringComparison.Ordinal))
            {
                update = await updater.PlanAsync(service.ID, new SwarmServiceChange { Image = wanted.FamiliarTagged + "@" + digest }, cancellationToken).ConfigureAwait(false);
            }

            plans.Add(new SwarmImageServicePlan(service.ID, name, wanted.FamiliarTagged, reference.Digest, digest, update));
        }

        return (digest, plans);
    }

    /// <summary>Sends one service's update, with the credential the nodes pull with.</summary>
    /// <param name="plan">The plan (one with an update).</param>
    /// <param name="credential">Credential for the registry, or null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Warnings the daemon returned.</returns>
    public Task<IReadOnlyList<string>> ApplyAsync(SwarmImageServicePlan plan, RegistryCredential? credential, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.Update is null)
        {
            return Task.FromResult<IReadOnlyList<string>>(Array.Empty<string>());
        }

        return new SwarmServiceUpdater(_connection).ApplyAsync(plan.Update, credential, cancellationToken);
    }
}
