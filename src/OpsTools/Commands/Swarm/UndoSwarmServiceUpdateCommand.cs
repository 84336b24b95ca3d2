using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using OpsTools.Infrastructure;
using OpsTools.Swarm;

namespace OpsTools.Commands.Swarm;

/// <summary>
/// <para type="synopsis">Rolls Swarm services back to their previous spec, as docker service rollback does.</para>
/// </summary>
[Cmdlet(VerbsCommon.Undo, "SwarmServiceUpdate", DefaultParameterSetName = ParameterSets.Default, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(SwarmService))]
public sealed class UndoSwarmServiceUpdateCommand : SwarmChangeCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    private readonly List<ChangedService> _changed = new();
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private IReadOnlyList<SwarmService>? _services;

    /// <summary>Service names or ids; wildcards match names.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("ServiceName")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(SwarmServiceNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = Array.Empty<string>();

    private protected override int ProgressActivityId => 43;

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        _services ??= ListServices();
        IReadOnlyList<SwarmService> selected = new NameFilter(Name).Select(_services, s => s.Name, s => s.Id, out IReadOnlyList<string> unmatched);
        WriteNotFound(unmatched);
        foreach (SwarmService service in selected.Where(s => _seen.Add(s.Id)))
        {
            try
            {
                var updater = new OpsTools.Engine.Swarm.SwarmServiceUpdater(OpsTools.Engine.Docker.DockerConnection.Get(DockerHost));
                OpsTools.Engine.Swarm.SwarmServicePlan plan = Await(updater.PlanRollbackAsync(service.Id, CancellationToken));
                if (!ShouldProcess(TargetOf(service), $"Roll back service to its previous spec ({plan.Summary})"))
                {
                    continue;
                }

                Await(updater.ApplyAsync(plan, CancellationToken));
                WriteVerbose(string.Create(CultureInfo.InvariantCulture, $"{service.Name}: rollback sent at version {plan.Version} ({plan.Summary})."));
                _changed.Add(new ChangedService(plan.ServiceId, plan.ServiceName, plan.StaleUpdateStartedAt, IsRollback: true));
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
        if (Wait)
        {
            WatchConvergence(_changed, "Undo-SwarmServiceUpdate: waiting for the rollback to converge");
        }

        WriteObject(ReadServices(_changed.Select(c => c.ServiceId)), enumerateCollection: true);
    }
}
