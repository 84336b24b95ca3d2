using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading.Tasks;
using OpsTools.Compose;
using OpsTools.Infrastructure;

namespace OpsTools.Commands.Compose;

/// <summary>
/// <para type="synopsis">Scales a service of a running compose project, as docker-compose up -d --scale does: new containers are clones of the service's last container with the next numbers; scaling down removes the highest numbers first.</para>
/// </summary>
[Cmdlet(VerbsCommon.Set, "ComposeService", DefaultParameterSetName = ParameterSets.Default, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ComposeServiceChange))]
public sealed class SetComposeServiceCommand : DockerCmdlet
{
    private const int ProgressActivityId = 82;

    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    /// <summary>Project name (com.docker.compose.project).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("ProjectName")]
    [ValidateNotNullOrEmpty]
    public string Project { get; set; } = string.Empty;

    /// <summary>Service name.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("Service")]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = string.Empty;

    /// <summary>Number of containers the service should have.</summary>
    [Parameter(Mandatory = true)]
    [ValidateRange(0, 1000)]
    public int Replicas { get; set; }

    /// <summary>Return only once every container of the service runs and is healthy, or write an error saying why not.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    /// <summary>Longest wait with -Wait: 2m, 90s, a TimeSpan. Default 5 minutes.</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        var connection = OpsTools.Engine.Docker.DockerConnection.Get(DockerHost);
        var scaler = new OpsTools.Engine.Compose.ComposeServiceScaler(connection);
        OpsTools.Engine.Compose.ComposeScalePlan plan;
        try
        {
            plan = Await(scaler.PlanAsync(Project, Name, Replicas, CancellationToken));
        }
        catch (OpsToolsException ex)
        {
            WriteEngineError(ex);
            return;
        }

        ComposeServiceChange change = plan.Change;
        if (change.Action != ComposeServiceAction.Unchanged)
        {
            string what = change.Action == ComposeServiceAction.ScaleUp
                ? $"Scale {change.Reason} (create {string.Join(", ", change.Containers)})"
                : $"Scale {change.Reason} (remove {string.Join(", ", plan.ToRemove)})";
            if (!ShouldProcess($"service {Name} of project {Project} on {change.DockerHost}", what))
            {
                return;
            }

            var queue = new MessageQueue<string>();
            var progress = new ThrottledProgress(this, new ProgressRecord(ProgressActivityId, $"Set-ComposeService: scaling {Project}/{Name}", "Scaling"));
            try
            {
                Task<ComposeServiceChange> apply = scaler.ApplyAsync(plan, queue, CancellationToken);
                queue.DrainUntil(apply, message => Report(progress, message), progress.Tick);
                change = Await(apply);
            }
            catch (OpsToolsException ex)
            {
                WriteEngineError(ex);
                return;
            }
            finally
            {
                progress.Complete();
            }
        }

        if (Wait && Replicas > 0)
        {
            var starter = new OpsTools.Engine.Compose.ComposeProjectStarter(connection);
            IReadOnlyList<OpsTools.Engine.Compose.ComposeServiceProblem> problems = Await(starter.WaitAsync(Project, new[] { Name }, Timeout, null, CancellationToken));
            foreach (OpsTools.Engine.Compose.ComposeServiceProblem problem in problems)
            {
                WriteError(ErrorRecords.Create(
                    problem.ErrorId,
                    problem.ErrorId == "ComposeWaitTimeout" ? ErrorCategory.OperationTimeout : ErrorCategory.InvalidResult,
                    problem.Service,
                    $"Service '{problem.Service}' of project {Project} is not ready: {problem.Reason}.",
                    "Look at the logs of its containers, or give a longer -Timeout if it is only slow."));
            }
        }

        WriteObject(change);
    }

    private void Report(ThrottledProgress progress, string message)
    {
        WriteVerbose(message);
        progress.Record.StatusDescription = message;
        progress.Changed();
    }
}
