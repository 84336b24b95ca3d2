using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using OpsTools.Compose;
using OpsTools.Engine.Compose;
using OpsTools.Engine.Docker;
using OpsTools.Infrastructure;

namespace OpsTools.Commands.Compose;

/// <summary>
/// <para type="synopsis">Removes compose projects as docker compose down does: stops and removes the containers, then the project's networks, and with -Volumes its volumes.</para>
/// </summary>
[Cmdlet(VerbsCommon.Remove, "ComposeProject", DefaultParameterSetName = ParameterSets.Default, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(ComposeResource))]
public sealed class RemoveComposeProjectCommand : ComposeCmdlet
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

    /// <summary>Also remove the project's named volumes and the containers' anonymous volumes (docker compose down -v): their data is lost.</summary>
    [Parameter]
    public SwitchParameter Volumes { get; set; }

    /// <summary>Grace period of the stop before the kill, like docker compose down -t; each container's own when omitted.</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan? Timeout { get; set; }

    /// <summary>Return the networks and volumes removed (containers are reported with -Verbose).</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        DockerConnection connection = Connection;
        var control = new ComposeContainerControl(connection);
        var inventory = new ComposeInventory(connection);
        string host = connection.Endpoint.DisplayName;
        foreach (string project in Name.Distinct(StringComparer.Ordinal))
        {
            IReadOnlyList<ComposeContainer> containers = ListContainers(connection, project, includeOneOff: true, detailed: false);
            IReadOnlyList<ComposeResource> resources = AwaitOrTerminate(ct => inventory.GetResourcesAsync(project, Volumes, ct));
            if (containers.Count == 0 && resources.Count == 0)
            {
                WriteError(ProjectNotFound(project, host));
                continue;
            }

            IReadOnlyList<ComposeContainer> removed = ChangeContainers(connection, containers, "Remove container", 85, (c, ct) => StopAndRemoveAsync(control, c, ct));
            if (removed.Count < containers.Count && !IsWhatIf)
            {
                // The containers that stay still use the networks; removing those would only fail.
                WriteNetworksKept(project, resources, containers.Count - removed.Count);
                resources = resources.Where(r => r.Kind == "volume").ToList();
            }

            foreach (ComposeResource resource in resources)
            {
                string size = resource.Size is { } bytes ? $" ({ByteSize.Format(bytes)})" : string.Empty;
                if (!ShouldProcess($"{resource.Kind} {resource.Name}{size} of project {project} on {host}", $"Remove {resource.Kind}"))
                {
                    continue;
                }

                try
                {
                    Await(Completed(control.RemoveAsync(resource, CancellationToken)));
                    WriteVerbose($"Removed {resource.Kind} {resource.Name}{size}.");
                    if (PassThru)
                    {
                        WriteObject(resource);
                    }
                }
                catch (OpsToolsException ex)
                {
                    WriteEngineError(ex);
                }
            }
        }
    }

    private bool IsWhatIf =>
        MyInvocation.BoundParameters.TryGetValue("WhatIf", out object? whatIf)
            ? whatIf is SwitchParameter { IsPresent: true }
            : LanguagePrimitives.IsTrue(SessionState.PSVariable.GetValue("WhatIfPreference"));

    private void WriteNetworksKept(string project, IReadOnlyList<ComposeResource> resources, int containersLeft)
    {
        foreach (ComposeResource network in resources.Where(r => r.Kind == "network"))
        {
            WriteVerbose($"Network {network.Name} of project {project} is kept: {containersLeft} container(s) of the project were not removed.");
        }
    }

    private Task StopAndRemoveAsync(ComposeContainerControl control, ComposeContainer container, CancellationToken cancellationToken) =>
        StopThenRemoveAsync(control, container, Timeout, Volumes, cancellationToken);

    private static async Task StopThenRemoveAsync(ComposeContainerControl control, ComposeContainer container, TimeSpan? timeout, bool volumes, CancellationToken cancellationToken)
    {
        if (container.State is ComposeContainerState.Running or ComposeContainerState.Restarting or ComposeContainerState.Paused)
        {
            // Stopped first, so the process gets its stop signal and grace period as with docker compose down.
            await control.StopAsync(container, timeout, cancellationToken).ConfigureAwait(false);
        }

        await control.RemoveAsync(container, volumes, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<bool> Completed(Task task)
    {
        await task.ConfigureAwait(false);
        return true;
    }
}
