using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using OpsTools.Engine.Docker;
using OpsTools.Engine.Swarm;
using OpsTools.Infrastructure;
using OpsTools.Swarm;

namespace OpsTools.Commands.Swarm;

/// <summary>
/// <para type="synopsis">Gets the stacks deployed on the swarm, with how many of their services are fully running.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "SwarmStack", DefaultParameterSetName = ParameterSets.Default)]
[OutputType(typeof(SwarmStack))]
public sealed class GetSwarmStackCommand : DockerCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
        public const string Service = "Service";
    }

    private readonly HashSet<string> _emitted = new(System.StringComparer.Ordinal);
    private IReadOnlyList<SwarmStack>? _stacks;

    /// <summary>Stack names; wildcards allowed.</summary>
    [Parameter(ParameterSetName = ParameterSets.Default, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Stack")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(SwarmStackNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>Services (from Get-SwarmService) whose stacks to get.</summary>
    [Parameter(ParameterSetName = ParameterSets.Service, Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public SwarmService[] Service { get; set; } = System.Array.Empty<SwarmService>();

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        if (_stacks is null)
        {
            DockerConnection connection = AwaitOrTerminate(_ => System.Threading.Tasks.Task.FromResult(DockerConnection.Get(DockerHost)));
            long callsBefore = connection.ApiCallCount;
            _stacks = AwaitOrTerminate(ct => new SwarmInspector(connection).GetStacksAsync(ct));
            WriteApiCallSummary(connection.Endpoint.DisplayName, connection.ApiVersion, callsBefore, connection.ApiCallCount);
        }

        if (ParameterSetName == ParameterSets.Service)
        {
            foreach (SwarmService service in Service)
            {
                if (service.Stack is null)
                {
                    WriteVerbose($"Service '{service.Name}' is not part of a stack.");
                }
            }

            var names = new HashSet<string>(Service.Where(s => s.Stack is not null).Select(s => s.Stack!), System.StringComparer.Ordinal);
            WriteObject(_stacks.Where(s => names.Contains(s.Name) && _emitted.Add(s.Name)), enumerateCollection: true);
            return;
        }

        IReadOnlyList<SwarmStack> selected = new NameFilter(Name).Select(_stacks, s => s.Name, null, out IReadOnlyList<string> unmatched);
        foreach (string missing in unmatched)
        {
            WriteError(ErrorRecords.Create(
                "SwarmStackNotFound",
                ErrorCategory.ObjectNotFound,
                missing,
                $"No stack named '{missing}' is deployed.",
                "Run Get-SwarmStack without -Name to list the stacks."));
        }

        WriteObject(selected, enumerateCollection: true);
    }
}
