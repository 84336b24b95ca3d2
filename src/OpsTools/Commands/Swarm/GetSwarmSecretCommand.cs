using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using OpsTools.Engine.Docker;
using OpsTools.Engine.Swarm;
using OpsTools.Infrastructure;
using OpsTools.Swarm;

namespace OpsTools.Commands.Swarm;

/// <summary>
/// <para type="synopsis">Gets Swarm secrets with the services that use them, as docker secret ls does; never their data.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "SwarmSecret", DefaultParameterSetName = ParameterSets.Default)]
[OutputType(typeof(SwarmSecret))]
public sealed class GetSwarmSecretCommand : DockerCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    private IReadOnlyList<SwarmSecret>? _secrets;

    /// <summary>Secret names or ids; wildcards match names.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("SecretName")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(SwarmSecretNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>Only secrets of this stack.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(SwarmStackNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Stack { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        if (_secrets is null)
        {
            DockerConnection connection = AwaitOrTerminate(_ => System.Threading.Tasks.Task.FromResult(DockerConnection.Get(DockerHost)));
            long callsBefore = connection.ApiCallCount;
            _secrets = AwaitOrTerminate(ct => new SwarmObjectStore(connection).GetSecretsAsync(ct))
                .Where(s => Stack is null || s.Stack == Stack)
                .ToList();
            WriteApiCallSummary(connection.Endpoint.DisplayName, connection.ApiVersion, callsBefore, connection.ApiCallCount);
        }

        IReadOnlyList<SwarmSecret> selected = new NameFilter(Name).Select(_secrets, s => s.Name, s => s.Id, out IReadOnlyList<string> unmatched);
        foreach (string missing in unmatched)
        {
            WriteError(ErrorRecords.Create(
                "SwarmSecretNotFound",
                ErrorCategory.ObjectNotFound,
                missing,
                $"No Swarm secret named '{missing}' was found{(Stack is null ? string.Empty : $" in stack '{Stack}'")}.",
                "Run Get-SwarmSecret without -Name to list the secrets."));
        }

        WriteObject(selected, enumerateCollection: true);
    }
}
