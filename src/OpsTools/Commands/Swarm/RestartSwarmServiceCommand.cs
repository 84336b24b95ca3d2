using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using OpsTools.Infrastructure;
using OpsTools.Swarm;

namespace OpsTools.Commands.Swarm;

/// <summary>
/// <para type="synopsis">Restarts Swarm services: replaces every task (a forced update), or with -Hard scales to 0 and back.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Restart, "SwarmService", DefaultParameterSetName = ParameterSets.Default, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(SwarmService))]
public sealed class RestartSwarmServiceCommand : SwarmChangeCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    private readonly List<(SwarmService Service, long Replicas)> _selected = new();
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly List<ChangedService> _changedBack = new();
    private IReadOnlyList<SwarmService>? _services;

    /// <summary>Service names or ids; wildcards match names.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("ServiceName")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(SwarmServiceNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>Scale to 0, wait until every task stopped, then scale back to the previous count.</summary>
    [Parameter]
    public SwitchParameter Hard { get; set; }

    private protected override int ProgressActivityId => 42;

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        _services ??= ListServices();
        IReadOnlyList<SwarmService> selected = new NameFilter(Name).Select(_services, s => s.Name, s => s.Id, out IReadOnlyList<string> unmatched);
        WriteNotFound(unmatched);
        foreach (SwarmService service in selected.Where(s => _seen.Add(s.Id)))
        {
            if (!Hard)
            {
                Restart(service);
                continue;
            }

            if (service.Mode != SwarmServiceMode.Replicated)
            {
                WriteError(ErrorRecords.Create(
                    "SwarmServiceNotReplicated",
                    ErrorCategory.InvalidOperation,
                    service.Name,
                    $"Service '{service.Name}' is a {service.Mode} service; -Hard scales to 0 and back, which only replicated services can do.",
                    "Restart it without -Hard (a forced update replaces every task)."));
                continue;
            }

            // Scale-downs are sent in EndProcessing, all at once, so piped services stop together.
            long replicas = service.DesiredReplicas;
            if (ShouldProcess(TargetOf(service), string.Create(CultureInfo.InvariantCulture, $"Restart service hard (Replicas: {replicas} -> 0 -> {replicas})")))
            {
                _selected.Add((service, replicas));
            }
        }
    }

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        if (Hard)
        {
            var stopped = new List<(SwarmService Service, long Replicas)>();
            var stopping = new List<ChangedService>();
            foreach ((SwarmService service, long replicas) in _selected)
            {
                if (Scale(service, 0, replicas) is { } changed)
                {
                    stopping.Add(changed);
                    stopped.Add((service, replicas));
                }
            }

            // The scale-down is always waited for: scaling back before the old tasks are gone is no restart.
            IReadOnlyList<SwarmServiceConvergence> down = WatchConvergence(stopping, "Restart-SwarmService: stopping every task");
            var failed = new HashSet<string>(down.Where(d => d.IsFailure).Select(d => d.ServiceId), StringComparer.Ordinal);
            foreach ((SwarmService service, long replicas) in stopped.Where(s => failed.Contains(s.Service.Id)))
            {
                WriteWarning($"{service.Name}: its tasks did not all stop in time; it is scaled back to {replicas} anyway.");
            }

            foreach ((SwarmService service, long replicas) in stopped)
            {
                if (Scale(service, replicas, replicas) is { } changed)
                {
                    _changedBack.Add(changed);
                }
            }
        }

        if (Wait)
        {
            WatchConvergence(_changedBack, "Restart-SwarmService: waiting for the services to converge");
        }

        WriteObject(ReadServices(_changedBack.Select(c => c.ServiceId)), enumerateCollection: true);
    }

    private void Restart(SwarmService service)
    {
        try
        {
            var updater = new OpsTools.Engine.Swarm.SwarmServiceUpdater(OpsTools.Engine.Docker.DockerConnection.Get(DockerHost));
            OpsTools.Engine.Swarm.SwarmServicePlan plan = Await(updater.PlanAsync(service.Id, new OpsTools.Engine.Swarm.SwarmServiceChange { Force = true }, CancellationToken));
            if (!ShouldProcess(TargetOf(service), "Restart service (replace every task: forced update)"))
            {
                return;
            }

            Await(updater.ApplyAsync(plan, CancellationToken));
            WriteVerbose(string.Create(CultureInfo.InvariantCulture, $"{service.Name}: forced update at version {plan.Version}."));
            _changedBack.Add(new ChangedService(plan.ServiceId, plan.ServiceName, plan.StaleUpdateStartedAt, IsRollback: false));
        }
        catch (OpsToolsException ex)
        {
            WriteEngineError(ex);
        }
    }

    private ChangedService? Scale(SwarmService service, long replicas, long original)
    {
        try
        {
            var updater = new OpsTools.Engine.Swarm.SwarmServiceUpdater(OpsTools.Engine.Docker.DockerConnection.Get(DockerHost));
            OpsTools.Engine.Swarm.SwarmServicePlan plan = Await(updater.PlanAsync(service.Id, new OpsTools.Engine.Swarm.SwarmServiceChange { Replicas = replicas }, CancellationToken));
            if (plan.Changes.Count > 0)
            {
                Await(updater.ApplyAsync(plan, CancellationToken));
            }

            WriteVerbose(string.Create(CultureInfo.InvariantCulture, $"{service.Name}: scaled to {replicas} (of {original}) at version {plan.Version}."));
            return new ChangedService(plan.ServiceId, plan.ServiceName, plan.StaleUpdateStartedAt, IsRollback: false);
        }
        catch (OpsToolsException ex)
        {
            WriteEngineError(ex);
            return null;
        }
    }
}
