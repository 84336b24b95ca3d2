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
/// <para type="synopsis">Gets the networks of the swarm with the services attached to each, as docker network ls does.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "SwarmNetwork", DefaultParameterSetName = ParameterSets.Default)]
[OutputType(typeof(SwarmNetwork))]
public sealed class GetSwarmNetworkCommand : DockerCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
        public const string Service = "Service";
        public const string Stack = "Stack";
    }

    private readonly HashSet<string> _serviceIds = new(StringComparer.Ordinal);
    private readonly HashSet<string> _stacks = new(StringComparer.Ordinal);
    private IReadOnlyList<SwarmNetwork>? _networks;

    /// <summary>Network names or ids; wildcards match names.</summary>
    [Parameter(ParameterSetName = ParameterSets.Default, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("NetworkName")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(SwarmNetworkNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>Only networks of this stack: labelled with it, or attached to one of its services.</summary>
    [Parameter(ParameterSetName = ParameterSets.Default)]
    [ArgumentCompleter(typeof(SwarmStackNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Stack { get; set; }

    /// <summary>Services (from Get-SwarmService) whose networks to get.</summary>
    [Parameter(ParameterSetName = ParameterSets.Service, Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public SwarmService[] Service { get; set; } = Array.Empty<SwarmService>();

    /// <summary>Stacks (from Get-SwarmStack) whose networks to get.</summary>
    [Parameter(ParameterSetName = ParameterSets.Stack, Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public SwarmStack[] StackObject { get; set; } = Array.Empty<SwarmStack>();

    /// <summary>Also list the networks local to the node the endpoint is (bridge, host, none, docker_gwbridge...).</summary>
    [Parameter]
    public SwitchParameter IncludeLocal { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case ParameterSets.Service:
                _serviceIds.UnionWith(Service.Select(s => s.Id));
                return;
            case ParameterSets.Stack:
                _stacks.UnionWith(StackObject.Select(s => s.Name));
                return;
        }

        _networks ??= Load(new SwarmNetworkQuery { IncludeLocal = IncludeLocal, Stacks = Stack is null ? null : new[] { Stack } });
        IReadOnlyList<SwarmNetwork> selected = new NameFilter(Name).Select(_networks, n => n.Name, n => n.Id, out IReadOnlyList<string> unmatched);
        foreach (string missing in unmatched)
        {
            WriteError(ErrorRecords.Create(
                "SwarmNetworkNotFound",
                ErrorCategory.ObjectNotFound,
                missing,
                $"No network named '{missing}' was found{(Stack is null ? string.Empty : $" in stack '{Stack}'")}{(IncludeLocal ? string.Empty : " among the swarm networks")}.",
                IncludeLocal ? "Run Get-SwarmNetwork -IncludeLocal without -Name to list the networks." : "Run Get-SwarmNetwork without -Name to list the swarm networks; add -IncludeLocal for bridge, host and other local networks."));
        }

        WriteObject(selected, enumerateCollection: true);
    }

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        if (ParameterSetName == ParameterSets.Service && _serviceIds.Count > 0)
        {
            WriteObject(Load(new SwarmNetworkQuery { IncludeLocal = IncludeLocal, ServiceIds = _serviceIds }), enumerateCollection: true);
        }
        else if (ParameterSetName == ParameterSets.Stack && _stacks.Count > 0)
        {
            WriteObject(Load(new SwarmNetworkQuery { IncludeLocal = IncludeLocal, Stacks = _stacks }), enumerateCollection: true);
        }
    }

    private IReadOnlyList<SwarmNetwork> Load(SwarmNetworkQuery query)
    {
        DockerConnection connection = AwaitOrTerminate(_ => System.Threading.Tasks.Task.FromResult(DockerConnection.Get(DockerHost)));
        long callsBefore = connection.ApiCallCount;
        IReadOnlyList<SwarmNetwork> networks = AwaitOrTerminate(ct => new SwarmNetworkInspector(connection).GetNetworksAsync(query, ct));
        WriteApiCallSummary(connection.Endpoint.DisplayName, connection.ApiVersion, callsBefore, connection.ApiCallCount);
        return networks;
    }
}
