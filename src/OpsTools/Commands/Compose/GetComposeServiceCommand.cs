using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using OpsTools.Compose;
using OpsTools.Engine.Compose;
using OpsTools.Infrastructure;

namespace OpsTools.Commands.Compose;

/// <summary>
/// <para type="synopsis">Gets the services of compose projects with their running and total containers, health and ports, as docker compose ps shows them.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "ComposeService", DefaultParameterSetName = ParameterSets.Default)]
[OutputType(typeof(ComposeServiceInfo))]
public sealed class GetComposeServiceCommand : ComposeCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
    }


    /// <summary>Service names; wildcards allowed.</summary>
    [Parameter(Position = 0)]
    [Alias("Service")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ComposeServiceNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>Only services of these projects; wildcards allowed.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ComposeProjectNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Project { get; set; }

    /// <summary>Count the containers of docker compose run too.</summary>
    [Parameter]
    public SwitchParameter IncludeOneOff { get; set; }

    /// <summary>Inspect every container to fill RestartCount (one more API call per container).</summary>
    [Parameter]
    public SwitchParameter Detailed { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        IReadOnlyList<ComposeContainer> inProjects = SelectProjectContainers(Project, IncludeOneOff, Detailed, out string? exactProject, out int missingProjects);

        IReadOnlyList<ComposeServiceInfo> services = ComposeInventory.GroupServices(inProjects);
        IReadOnlyList<ComposeServiceInfo> selected = new NameFilter(Name).Select(services, s => s.Name, null, out IReadOnlyList<string> unmatched);
        foreach (string missing in unmatched.Where(_ => missingProjects == 0))
        {
            WriteError(ServiceNotFound(missing, exactProject));
        }

        WriteObject(selected, enumerateCollection: true);
    }
}
