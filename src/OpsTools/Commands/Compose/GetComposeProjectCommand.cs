using System;
using System.Collections.Generic;
using System.Management.Automation;
using OpsTools.Compose;
using OpsTools.Engine.Compose;
using OpsTools.Engine.Docker;
using OpsTools.Infrastructure;

namespace OpsTools.Commands.Compose;

/// <summary>
/// <para type="synopsis">Gets the compose projects that have containers on a Docker engine, as docker compose ls lists them.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "ComposeProject", DefaultParameterSetName = ParameterSets.Default)]
[OutputType(typeof(ComposeProjectInfo))]
public sealed class GetComposeProjectCommand : ComposeCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    private IReadOnlyList<ComposeProjectInfo>? _projects;

    /// <summary>Project names; wildcards allowed.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Project")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ComposeProjectNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>Count the containers of docker compose run too.</summary>
    [Parameter]
    public SwitchParameter IncludeOneOff { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        DockerConnection connection = Connection;
        _projects ??= ComposeInventory.GroupProjects(ListContainers(connection, null, IncludeOneOff, detailed: false));
        IReadOnlyList<ComposeProjectInfo> selected = new NameFilter(Name).Select(_projects, p => p.Name, null, out IReadOnlyList<string> unmatched);
        foreach (string missing in unmatched)
        {
            WriteError(ProjectNotFound(missing, connection.Endpoint.DisplayName));
        }

        WriteObject(selected, enumerateCollection: true);
    }
}
