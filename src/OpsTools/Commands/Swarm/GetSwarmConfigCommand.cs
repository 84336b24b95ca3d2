using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using OpsTools.Engine.Docker;
using OpsTools.Engine.Swarm;
using OpsTools.Infrastructure;
using OpsTools.Swarm;

namespace OpsTools.Commands.Swarm;

/// <summary>
/// <para type="synopsis">Gets Swarm configs with the services that use them, as docker config ls does; with -IncludeData, their content.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "SwarmConfig", DefaultParameterSetName = ParameterSets.Default)]
[OutputType(typeof(SwarmConfig))]
public sealed class GetSwarmConfigCommand : DockerCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    private IReadOnlyList<SwarmConfig>? _configs;

    /// <summary>Config names or ids; wildcards match names.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("ConfigName")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(SwarmConfigNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>Only configs of this stack.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(SwarmStackNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Stack { get; set; }

    /// <summary>Fill the Data property with the content of each config, as UTF-8 text.</summary>
    [Parameter]
    public SwitchParameter IncludeData { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        if (_configs is null)
        {
            DockerConnection connection = AwaitOrTerminate(_ => System.Threading.Tasks.Task.FromResult(DockerConnection.Get(DockerHost)));
            long callsBefore = connection.ApiCallCount;
            _configs = AwaitOrTerminate(ct => new SwarmObjectStore(connection).GetConfigsAsync(IncludeData, ct))
                .Where(c => Stack is null || c.Stack == Stack)
                .ToList();
            WriteApiCallSummary(connection.Endpoint.DisplayName, connection.ApiVersion, callsBefore, connection.ApiCallCount);
        }

        IReadOnlyList<SwarmConfig> selected = new NameFilter(Name).Select(_configs, c => c.Name, c => c.Id, out IReadOnlyList<string> unmatched);
        foreach (string missing in unmatched)
        {
            WriteError(ErrorRecords.Create(
                "SwarmConfigNotFound",
                ErrorCategory.ObjectNotFound,
                missing,
                $"No Swarm config named '{missing}' was found{(Stack is null ? string.Empty : $" in stack '{Stack}'")}.",
                "Run Get-SwarmConfig without -Name to list the configs."));
        }

        WriteObject(selected, enumerateCollection: true);
    }
}
