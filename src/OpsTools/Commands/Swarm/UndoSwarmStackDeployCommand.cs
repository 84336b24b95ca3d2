using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using OpsTools.Infrastructure;
using OpsTools.Swarm;

namespace OpsTools.Commands.Swarm;

/// <summary>
/// <para type="synopsis">Rolls a whole Swarm stack back to the definition it had before its last Deploy-SwarmStack.</para>
/// </summary>
[Cmdlet(VerbsCommon.Undo, "SwarmStackDeploy", DefaultParameterSetName = ParameterSets.Default, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(SwarmService))]
public sealed class UndoSwarmStackDeployCommand : SwarmChangeCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    /// <summary>Creates the cmdlet; -Wait is on unless -Wait:$false is given.</summary>
    public UndoSwarmStackDeployCommand()
    {
        Wait = true;
    }

    /// <summary>Stack name.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Stack")]
    [ArgumentCompleter(typeof(SwarmStackNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = string.Empty;

    private protected override int ProgressActivityId => 46;

    private protected override bool HealthyIsStable => true;

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        var connection = OpsTools.Engine.Docker.DockerConnection.Get(DockerHost);
        long callsBefore = connection.ApiCallCount;
        var deployer = new OpsTools.Engine.Swarm.SwarmStackDeployer(connection);
        OpsTools.Engine.Swarm.SwarmStackPlan plan;
        try
        {
            plan = Await(deployer.PlanUndoAsync(Name, CancellationToken));
        }
        catch (OpsToolsException ex)
        {
            WriteEngineError(ex);
            return;
        }

        var changed = new List<ChangedService>();
        var output = new List<string>();
        bool all = true;
        foreach (OpsTools.Engine.Swarm.SwarmStackStep step in plan.Steps)
        {
            if (!step.IsChange)
            {
                WriteVerbose($"service {step.Name}: already as in revision {plan.Revision}.");
                output.Add(step.Id!);
                continue;
            }

            string action = step.Action switch
            {
                OpsTools.Engine.Swarm.SwarmStackStepAction.Create => "Create service",
                OpsTools.Engine.Swarm.SwarmStackStepAction.Remove => "Remove service",
                _ => "Update service",
            };
            string what = string.Create(CultureInfo.InvariantCulture, $"{action} to revision {plan.Revision}") + (step.Summary.Length > 0 ? $" ({step.Summary})" : string.Empty);
            if (!ShouldProcess($"{step.Name} of stack {Name} on {plan.DockerHost}", what))
            {
                all = false;
                continue;
            }

            IReadOnlyList<string> warnings = AwaitOrTerminate(ct => deployer.ApplyAsync(plan, step, ct));
            foreach (string warning in warnings)
            {
                WriteWarning($"{step.Name}: {warning}");
            }

            WriteVerbose($"{what} {step.Name}: done.");
            if (step.Action != OpsTools.Engine.Swarm.SwarmStackStepAction.Remove)
            {
                changed.Add(new ChangedService(step.Id!, step.Name, step.StaleUpdateStartedAt, IsRollback: false));
                output.Add(step.Id!);
            }
        }

        if (all)
        {
            // Restored: the next undo goes one definition further back.
            AwaitOrTerminate(async ct => { await deployer.CompleteUndoAsync(plan, ct).ConfigureAwait(false); return true; });
        }

        if (Wait)
        {
            WatchConvergence(changed, $"Undo-SwarmStackDeploy: waiting for stack {Name} to converge");
        }

        WriteApiCallSummary(connection.Endpoint.DisplayName, connection.ApiVersion, callsBefore, connection.ApiCallCount);
        WriteObject(ReadServices(output), enumerateCollection: true);
    }
}
