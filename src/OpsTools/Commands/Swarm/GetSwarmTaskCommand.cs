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

    private readonly HashSet<string> _serviceIds = new(StringComparer.Ordinal);
    private IReadOnlyList<SwarmService>? _services;
    private DockerConnection? _connection;
    private long _callsBefore;
    private bool _allServices;

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
    protected override void BeginProcessing()
    {
        _connection = AwaitOrTerminate(_ => System.Threading.Tasks.Task.FromResult(DockerConnection.Get(DockerHost)));
        _callsBefore = _connection.ApiCallCount;
    }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        // Names from the pipeline are resolved here and the tasks listed once, in EndProcessing,
        // so piping many services costs the same few API calls as naming them.
        if (Service is not { Length: > 0 })
        {
            _allServices = true;
            return;
        }

        DockerConnection connection = _connection!;
        _services ??= AwaitOrTerminate(ct => new SwarmInspector(connection).GetServicesAsync(null, ct));
        IReadOnlyList<SwarmService> selected = new NameFilter(Service).Select(_services, s => s.Name, s => s.Id, out IReadOnlyList<string> unmatched);
        foreach (string missing in unmatched)
        {
            WriteError(ErrorRecords.SwarmServiceNotFound(missing));
        }

        foreach (SwarmService service in selected)
        {
            _serviceIds.Add(service.Id);
        }
    }

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        if (!_allServices && _serviceIds.Count == 0)
        {
            return;
        }

        DockerConnection connection = _connection!;
        List<string>? ids = _allServices ? null : _serviceIds.ToList();
        IReadOnlyList<SwarmTask> tasks = AwaitOrTerminate(ct => new SwarmInspector(connection).GetTasksAsync(ids, DesiredState, ct));
        var nodeFilter = new NameFilter(Node);
        IEnumerable<SwarmTask> output = nodeFilter.IsEmpty
            ? tasks
            : nodeFilter.Select(tasks.Where(t => t.NodeId is not null), t => t.Node ?? t.NodeId!, t => t.NodeId!, out _);
        WriteObject(output, enumerateCollection: true);
        WriteApiCallSummary(connection.Endpoint.DisplayName, connection.ApiVersion, _callsBefore, connection.ApiCallCount);
    }
}
