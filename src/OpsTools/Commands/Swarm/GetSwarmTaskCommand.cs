using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using OpsTools.Engine.Docker;
using OpsTools.Engine.Swarm;
using OpsTools.Infrastructure;
using OpsTools.Swarm;

namespace OpsTools.Commands.Swarm;

/// <summary>
/// <para type="synopsis">Gets the tasks of Swarm services, as docker service ps does.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "SwarmTask", DefaultParameterSetName = ParameterSets.Default)]
[OutputType(typeof(SwarmTask))]
public sealed class GetSwarmTaskCommand : DockerCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    private IReadOnlyList<SwarmService>? _services;

    /// <summary>Services (names or ids, wildcards on names) whose tasks to list; all services when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("ServiceName")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(SwarmServiceNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Service { get; set; }

    /// <summary>Only tasks whose desired state is this (Running, Shutdown, Accepted...).</summary>
    [Parameter]
    public SwarmTaskState? DesiredState { get; set; }

    /// <summary>Only tasks on these nodes (hostnames or ids; wildcards on hostnames).</summary>
    [Parameter]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(SwarmNodeNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Node { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        DockerConnection connection = AwaitOrTerminate(_ => System.Threading.Tasks.Task.FromResult(DockerConnection.Get(DockerHost)));
        long callsBefore = connection.ApiCallCount;
        var inspector = new SwarmInspector(connection);
        List<string>? serviceIds = null;
        if (Service is { Length: > 0 })
        {
            _services ??= AwaitOrTerminate(ct => inspector.GetServicesAsync(null, ct));
            IReadOnlyList<SwarmService> selected = new NameFilter(Service).Select(_services, s => s.Name, s => s.Id, out IReadOnlyList<string> unmatched);
            foreach (string missing in unmatched)
            {
                WriteError(ErrorRecords.Create(
                    "SwarmServiceNotFound",
                    ErrorCategory.ObjectNotFound,
                    missing,
                    $"No Swarm service named '{missing}' was found.",
                    "Run Get-SwarmService to list the services."));
            }

            if (selected.Count == 0)
            {
                return;
            }

            serviceIds = selected.Select(s => s.Id).ToList();
        }

        IReadOnlyList<SwarmTask> tasks = AwaitOrTerminate(ct => inspector.GetTasksAsync(serviceIds, DesiredState, ct));
        var nodeFilter = new NameFilter(Node);
        IEnumerable<SwarmTask> output = nodeFilter.IsEmpty
            ? tasks
            : nodeFilter.Select(tasks.Where(t => t.NodeId is not null), t => t.Node ?? t.NodeId!, t => t.NodeId!, out _);
        WriteObject(output, enumerateCollection: true);
        WriteApiCallSummary(connection.Endpoint.DisplayName, connection.ApiVersion, callsBefore, connection.ApiCallCount);
    }
}
