using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using OpsTools.Infrastructure;
using OpsTools.Swarm;

namespace OpsTools.Commands.Swarm;

/// <summary>
/// <para type="synopsis">Redeploys every Swarm service that runs an image tag at the digest the tag points to now, so a re-pushed moving tag (latest) is really picked up.</para>
/// </summary>
[Cmdlet(VerbsData.Update, "SwarmServiceImage", DefaultParameterSetName = ParameterSets.Default, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(SwarmServiceImageUpdate))]
public sealed class UpdateSwarmServiceImageCommand : SwarmChangeCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    private readonly List<ChangedService> _changed = new();
    private readonly List<SwarmServiceImageUpdate> _results = new();

    /// <summary>The image tag the services run (<c>registry/repository:tag</c>; no tag means <c>latest</c>).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[] Image { get; set; } = Array.Empty<string>();

    /// <summary>Only these services (names; wildcards allowed); without it every service running the tag.</summary>
    [Parameter]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(SwarmServiceNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Service { get; set; }

    /// <summary>User name and password for the registry; without it the docker config file's credential, if any.</summary>
    [Parameter]
    [Credential]
    [ValidateNotNull]
    public PSCredential? Credential { get; set; }

    private protected override int ProgressActivityId => 44;

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        foreach (string image in Image)
        {
            try
            {
                Update(image);
            }
            catch (OpsToolsException ex)
            {
                WriteEngineError(ex);
            }
        }
    }

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        IReadOnlyList<SwarmServiceConvergence> outcomes = Wait
            ? WatchConvergence(_changed, "Update-SwarmServiceImage: waiting for the services to converge")
            : Array.Empty<SwarmServiceConvergence>();
        Dictionary<string, SwarmConvergenceState> states = outcomes.ToDictionary(o => o.ServiceId, o => o.State, StringComparer.Ordinal);
        foreach (SwarmServiceImageUpdate result in _results)
        {
            WriteObject(states.TryGetValue(result.ServiceId, out SwarmConvergenceState state) && result.Status == SwarmImageUpdateStatus.Updated
                ? new SwarmServiceImageUpdate
                {
                    DockerHost = result.DockerHost,
                    Service = result.Service,
                    ServiceId = result.ServiceId,
                    Image = result.Image,
                    PreviousDigest = result.PreviousDigest,
                    Digest = result.Digest,
                    Status = result.Status,
                    Convergence = state,
                }
                : result);
        }
    }

    private void Update(string image)
    {
        var connection = OpsTools.Engine.Docker.DockerConnection.Get(DockerHost);
        string host = connection.Endpoint.DisplayName;
        var reference = OpsTools.Engine.Images.ImageReference.Parse(image);
        OpsTools.Engine.Images.RegistryCredential? credential = Credential is { } given
            ? new OpsTools.Engine.Images.RegistryCredential(reference.Registry, given.UserName, given.GetNetworkCredential().Password, "-Credential")
            : OpsTools.Engine.Images.RegistryCredential.FromDockerConfig(reference.Registry);
        if (credential is not null)
        {
            WriteVerbose($"{reference.FamiliarTagged}: asking {reference.Registry} as '{credential.UserName}' (from {credential.Source}).");
        }

        var filter = Service is null ? null : new NameFilter(Service);
        var updater = new OpsTools.Engine.Swarm.SwarmImageUpdater(connection);
        (string digest, IReadOnlyList<OpsTools.Engine.Swarm.SwarmImageServicePlan> plans) = Await(updater.PlanAsync(
            image,
            credential,
            filter is null ? null : name => filter.Select(new[] { name }, n => n, null, out _).Count > 0,
            CancellationToken));
        WriteVerbose($"{reference.FamiliarTagged} is {digest} in {reference.Registry}; {plans.Count} service(s) on {host} run the tag.");
        if (plans.Count == 0)
        {
            WriteError(ErrorRecords.Create(
                "SwarmServiceImageNotInUse",
                ErrorCategory.ObjectNotFound,
                image,
                $"No Swarm service{(Service is null ? string.Empty : " named " + string.Join(", ", Service))} on {host} runs '{reference.FamiliarTagged}'.",
                "Check the image name and tag against Get-SwarmService (the Image column), and -Service."));
            return;
        }

        foreach (OpsTools.Engine.Swarm.SwarmImageServicePlan plan in plans)
        {
            if (_results.Any(r => r.ServiceId == plan.ServiceId))
            {
                continue;
            }

            var result = new SwarmServiceImageUpdate
            {
                DockerHost = host,
                Service = plan.ServiceName,
                ServiceId = plan.ServiceId,
                Image = plan.Image,
                PreviousDigest = plan.PreviousDigest,
                Digest = plan.Digest,
                Status = plan.IsUpToDate ? SwarmImageUpdateStatus.UpToDate : SwarmImageUpdateStatus.Updated,
            };
            if (plan.IsUpToDate)
            {
                WriteVerbose($"{plan.ServiceName}: already runs {plan.Image}@{plan.Digest}; not updated.");
                _results.Add(result);
                continue;
            }

            if (!ShouldProcess($"{plan.ServiceName} on {host}", $"Update image {plan.Image}: {plan.PreviousDigest ?? "(tag only)"} -> {plan.Digest}"))
            {
                continue;
            }

            try
            {
                IReadOnlyList<string> warnings = Await(updater.ApplyAsync(plan, credential, CancellationToken));
                foreach (string warning in warnings)
                {
                    WriteWarning($"{plan.ServiceName}: {warning}");
                }
            }
            catch (OpsToolsException ex)
            {
                WriteEngineError(ex);
                continue;
            }

            WriteVerbose(string.Create(CultureInfo.InvariantCulture, $"{plan.ServiceName}: updated at version {plan.Update!.Version} to {plan.Image}@{plan.Digest}."));
            _changed.Add(new ChangedService(plan.ServiceId, plan.ServiceName, plan.Update.StaleUpdateStartedAt, IsRollback: false));
            _results.Add(result);
        }
    }
}
