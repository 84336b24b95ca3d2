using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using OpsTools.Compose;
using OpsTools.Engine.Compose;
using OpsTools.Engine.Docker;
using OpsTools.Infrastructure;

namespace OpsTools.Commands.Compose;

/// <summary>
/// <para type="synopsis">Stops every running container of compose projects, as docker compose stop does; the containers stay and start again with Start-ComposeService.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "ComposeProject", DefaultParameterSetName = ParameterSets.Default, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ComposeProjectInfo))]
public sealed class StopComposeProjectCommand : ComposeCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    /// <summary>Project names (exact).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Project")]
    [ArgumentCompleter(typeof(ComposeProjectNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>Grace period before the kill, like docker compose stop -t; each container's own stop_grace_period (default 10 s) when omitted.</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan? Timeout { get; set; }

    /// <summary>Return each project as it is after the stop.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        DockerConnection connection = Connection;
        var control = new ComposeContainerControl(connection);
        foreach (string project in Name.Distinct(StringComparer.Ordinal))
        {
            IReadOnlyList<ComposeContainer> containers = ListContainers(connection, project, includeOneOff: false, detailed: false);
            if (containers.Count == 0)
            {
                WriteError(ProjectNotFound(project, connection.Endpoint.DisplayName));
                continue;
            }

            IEnumerable<ComposeContainer> running = containers.Where(c => c.State is ComposeContainerState.Running or ComposeContainerState.Restarting or ComposeContainerState.Paused);
            IReadOnlyList<ComposeContainer> stopped = ChangeContainers(connection, running, "Stop container", 84, (c, ct) => control.StopAsync(c, Timeout, ct));
            if (PassThru && stopped.Count > 0)
            {
                WriteObject(ComposeInventory.GroupProjects(ListContainers(connection, project, includeOneOff: false, detailed: false)), enumerateCollection: true);
            }
        }
    }
}
