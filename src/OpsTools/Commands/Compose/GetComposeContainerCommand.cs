using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using OpsTools.Compose;
using OpsTools.Infrastructure;

namespace OpsTools.Commands.Compose;

/// <summary>
/// <para type="synopsis">Gets the containers of compose projects, one per line, as docker compose ps lists them.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "ComposeContainer", DefaultParameterSetName = ParameterSets.Default)]
[OutputType(typeof(ComposeContainer))]
public sealed class GetComposeContainerCommand : ComposeCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
    }


    /// <summary>Only containers of these projects; wildcards allowed.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ComposeProjectNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Project { get; set; }

    /// <summary>Only containers of these services; wildcards allowed.</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ComposeServiceNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Service { get; set; }

    /// <summary>Include the containers of docker compose run.</summary>
    [Parameter]
    public SwitchParameter IncludeOneOff { get; set; }

    /// <summary>Inspect every container to fill RestartCount (one more API call per container).</summary>
    [Parameter]
    public SwitchParameter Detailed { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        IReadOnlyList<ComposeContainer> inProjects = SelectProjectContainers(Project, IncludeOneOff, Detailed, out string? exactProject, out int missingProjects);

        IReadOnlyList<ComposeContainer> selected = new NameFilter(Service).Select(inProjects, c => c.Service, null, out IReadOnlyList<string> unmatched);
        foreach (string missing in unmatched.Where(_ => missingProjects == 0))
        {
            WriteError(ServiceNotFound(missing, exactProject));
        }

        WriteObject(selected, enumerateCollection: true);
    }
}
