using System;
using System.Collections.Generic;
using System.Management.Automation;
using OpsTools.Docker;
using OpsTools.Engine.Docker;
using OpsTools.Infrastructure;

namespace OpsTools.Commands.Docker;

/// <summary>
/// <para type="synopsis">Gets Docker volumes with their compose project or stack, the containers that mount them and, on request, their size, as docker volume ls and docker system df -v do.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "DockerVolume", DefaultParameterSetName = ParameterSets.Default)]
[OutputType(typeof(DockerVolume))]
public sealed class GetDockerVolumeCommand : DockerCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    private IReadOnlyList<DockerVolume>? _volumes;

    /// <summary>Volume names; wildcards allowed.</summary>
    [Parameter(ParameterSetName = ParameterSets.Default, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Volume", "VolumeName")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(DockerVolumeNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>Also read each volume's size from the daemon's disk usage (slow: the daemon measures every volume).</summary>
    [Parameter]
    public SwitchParameter IncludeSize { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        DockerConnection connection = DockerConnection.Get(DockerHost);
        long callsBefore = connection.ApiCallCount;
        _volumes ??= AwaitOrTerminate(ct => new DockerVolumeInspector(connection).ListAsync(IncludeSize, ct));
        IReadOnlyList<DockerVolume> selected = new NameFilter(Name).Select(_volumes, v => v.Name, null, out IReadOnlyList<string> unmatched);
        foreach (string missing in unmatched)
        {
            WriteEngineError(DockerVolumeInspector.NotFound(missing, connection.Endpoint.DisplayName));
        }

        WriteObject(selected, enumerateCollection: true);
        WriteApiCallSummary(connection.Endpoint.DisplayName, connection.ApiVersion, callsBefore, connection.ApiCallCount);
    }
}
