using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using OpsTools.Infrastructure;
using OpsTools.Swarm;

namespace OpsTools.Commands.Swarm;

/// <summary>
/// <para type="synopsis">Removes a Swarm stack as docker stack rm does (services, then secrets, configs and networks), and waits until they are gone.</para>
/// </summary>
[Cmdlet(VerbsCommon.Remove, "SwarmStack", DefaultParameterSetName = ParameterSets.Default, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(SwarmStack))]
public sealed class RemoveSwarmStackCommand : DockerCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    /// <summary>Stack names (exact).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Stack")]
    [ArgumentCompleter(typeof(SwarmStackNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>How long to wait for the services' tasks to stop and the networks to be free.</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Return each removed stack as it was before the removal.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        foreach (string stack in Name.Distinct(StringComparer.Ordinal))
        {
            try
            {
                Remove(stack);
            }
            catch (OpsToolsException ex)
            {
                WriteEngineError(ex);
            }
        }
    }

    private void Remove(string stack)
    {
        var connection = OpsTools.Engine.Docker.DockerConnection.Get(DockerHost);
        var deployer = new OpsTools.Engine.Swarm.SwarmStackDeployer(connection);
        OpsTools.Engine.Swarm.SwarmStackPlan plan = Await(deployer.PlanRemoveAsync(stack, CancellationToken));
        var before = new SwarmStack
        {
            DockerHost = plan.DockerHost,
            Name = stack,
            Services = plan.Steps.Count(s => s.Kind == OpsTools.Engine.Swarm.SwarmStackObjectKind.Service),
        };
        DateTime deadline = DateTime.UtcNow + Timeout;
        var removedServices = new List<string>();
        bool complete = true;
        foreach (OpsTools.Engine.Swarm.SwarmStackStep step in plan.Steps.Where(s => s.Kind == OpsTools.Engine.Swarm.SwarmStackObjectKind.Service))
        {
            complete &= RemoveOne(plan, step, () => deployer.ApplyAsync(plan, step, CancellationToken));
            if (complete)
            {
                removedServices.Add(step.Id!);
            }
        }

        if (removedServices.Count > 0)
        {
            var progress = new ProgressRecord(47, $"Remove-SwarmStack: removing stack {stack}", $"Waiting for the tasks of {removedServices.Count} service(s) to stop");
            WriteProgress(progress);
            int left;
            try
            {
                left = Await(deployer.WaitForTasksGoneAsync(removedServices, Remaining(deadline), CancellationToken));
            }
            finally
            {
                progress.RecordType = ProgressRecordType.Completed;
                WriteProgress(progress);
            }

            if (left > 0)
            {
                WriteError(ErrorRecords.Create(
                    "SwarmStackRemoveTimeout",
                    ErrorCategory.OperationTimeout,
                    stack,
                    string.Create(CultureInfo.InvariantCulture, $"{left} task(s) of the removed services of stack '{stack}' were still stopping after {Timeout}; their networks may stay until they are gone."),
                    "Run Remove-SwarmStack again once Get-SwarmTask shows no task of the stack, or give a longer -Timeout."));
            }
        }

        foreach (OpsTools.Engine.Swarm.SwarmStackStep step in plan.Steps.Where(s => s.Kind != OpsTools.Engine.Swarm.SwarmStackObjectKind.Service))
        {
            // Networks: retried until the removed services' containers have left them (or the time is up).
            complete &= RemoveOne(plan, step, () => step.Kind == OpsTools.Engine.Swarm.SwarmStackObjectKind.Network
                ? deployer.RemoveNetworkAsync(plan, step, Remaining(deadline), CancellationToken)
                : deployer.ApplyAsync(plan, step, CancellationToken));
        }

        if (PassThru && complete)
        {
            WriteObject(before);
        }
    }

    private bool RemoveOne(OpsTools.Engine.Swarm.SwarmStackPlan plan, OpsTools.Engine.Swarm.SwarmStackStep step, Func<System.Threading.Tasks.Task> remove)
    {
        string kind = step.Kind.ToString().ToLowerInvariant();
        if (!ShouldProcess($"{step.Name} of stack {plan.Stack} on {plan.DockerHost}", $"Remove {kind}"))
        {
            return false;
        }

        try
        {
            Await(Completed(remove()));
            WriteVerbose($"Removed {kind} {step.Name}.");
            return true;
        }
        catch (OpsToolsException ex)
        {
            WriteEngineError(ex);
            return false;
        }
    }

    private static async System.Threading.Tasks.Task<bool> Completed(System.Threading.Tasks.Task task)
    {
        await task.ConfigureAwait(false);
        return true;
    }

    private static TimeSpan Remaining(DateTime deadline) => deadline - DateTime.UtcNow is { Ticks: > 0 } left ? left : TimeSpan.Zero;
}
