using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using OpsTools.Engine.Docker;
using OpsTools.Engine.Swarm;
using OpsTools.Infrastructure;
using OpsTools.Swarm;

namespace OpsTools.Commands.Swarm;

/// <summary>
/// <para type="synopsis">Gets the nodes of the swarm, as docker node ls does.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "SwarmNode", DefaultParameterSetName = ParameterSets.Default)]
[OutputType(typeof(SwarmNode))]
public sealed class GetSwarmNodeCommand : DockerCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
        public const string Task = "Task";
    }

    private readonly HashSet<string> _emitted = new(System.StringComparer.Ordinal);
    private IReadOnlyList<SwarmNode>? _nodes;

    /// <summary>Hostnames or node ids; wildcards match hostnames.</summary>
    [Parameter(ParameterSetName = ParameterSets.Default, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Hostname", "Node")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(SwarmNodeNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>Tasks (from Get-SwarmTask) whose nodes to get.</summary>
    [Parameter(ParameterSetName = ParameterSets.Task, Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public SwarmTask[] Task { get; set; } = System.Array.Empty<SwarmTask>();

    /// <summary>Only nodes with this role.</summary>
    [Parameter]
    public SwarmNodeRole? Role { get; set; }

    /// <summary>Only nodes with this availability.</summary>
    [Parameter]
    public SwarmNodeAvailability? Availability { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        if (_nodes is null)
        {
            DockerConnection connection = AwaitOrTerminate(_ => System.Threading.Tasks.Task.FromResult(DockerConnection.Get(DockerHost)));
            long callsBefore = connection.ApiCallCount;
            _nodes = AwaitOrTerminate(ct => new SwarmInspector(connection).GetNodesAsync(ct));
            WriteApiCallSummary(connection.Endpoint.DisplayName, connection.ApiVersion, callsBefore, connection.ApiCallCount);
        }

        if (ParameterSetName == ParameterSets.Task)
        {
            // A task not yet placed has no node: nothing to report for it.
            var ids = new HashSet<string>(Task.Where(t => t.NodeId is not null).Select(t => t.NodeId!), System.StringComparer.Ordinal);
            WriteObject(_nodes.Where(n => ids.Contains(n.Id) && _emitted.Add(n.Id)), enumerateCollection: true);
            return;
        }

        IReadOnlyList<SwarmNode> selected = new NameFilter(Name).Select(_nodes, n => n.Hostname, n => n.Id, out IReadOnlyList<string> unmatched);
        foreach (string missing in unmatched)
        {
            WriteError(ErrorRecords.Create(
                "SwarmNodeNotFound",
                ErrorCategory.ObjectNotFound,
                missing,
                $"No swarm node with hostname or id '{missing}' was found.",
                "Run Get-SwarmNode without -Name to list the nodes."));
        }

        WriteObject(
            selected.Where(n => (Role is null || n.Role == Role) && (Availability is null || n.Availability == Availability)),
            enumerateCollection: true);
    }
}
