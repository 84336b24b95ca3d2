using System;
using System.Collections.Generic;
using System.Management.Automation;
using OpsTools.Engine.Docker;
using OpsTools.Engine.Swarm;
using OpsTools.Infrastructure;
using OpsTools.Swarm;

namespace OpsTools.Commands.Swarm;

/// <summary>
/// <para type="synopsis">Gets Swarm services with their running and desired replica counts.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "SwarmService", DefaultParameterSetName = ParameterSets.Default)]
[OutputType(typeof(SwarmService))]
public sealed class GetSwarmServiceCommand : DockerCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    private IReadOnlyList<SwarmService>? _services;
    private long _callsBefore;

    /// <summary>Service names or ids; wildcards match names.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("ServiceName")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(SwarmServiceNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>Only services of this stack.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(SwarmStackNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Stack { get; set; }

    /// <summary>Only services with these labels: <c>key=value</c> or <c>key</c>.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Label { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        _services ??= LoadServices();
        var filter = new NameFilter(Name);
        IReadOnlyList<SwarmService> selected = filter.Select(_services, s => s.Name, s => s.Id, out IReadOnlyList<string> unmatched);
        foreach (string missing in unmatched)
        {
            WriteError(ErrorRecords.SwarmServiceNotFound(missing, Stack, "Run Get-SwarmService without -Name to list the services."));
        }

        WriteObject(selected, enumerateCollection: true);
    }

    private IReadOnlyList<SwarmService> LoadServices()
    {
        var labels = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (string label in Label ?? Array.Empty<string>())
        {
            int eq = label.IndexOf('=', StringComparison.Ordinal);
            if (eq == 0)
            {
                ThrowTerminatingError(ErrorRecords.Create("SwarmLabelInvalid", ErrorCategory.InvalidArgument, label, $"'{label}' is not a label filter.", "Use key=value or key."));
            }

            labels[eq < 0 ? label : label[..eq]] = eq < 0 ? null : label[(eq + 1)..];
        }

        DockerConnection connection = AwaitOrTerminate(_ => System.Threading.Tasks.Task.FromResult(DockerConnection.Get(DockerHost)));
        _callsBefore = connection.ApiCallCount;
        var inspector = new SwarmInspector(connection);
        IReadOnlyList<SwarmService> services = AwaitOrTerminate(ct => inspector.GetServicesAsync(new SwarmServiceQuery { Stack = Stack, Labels = labels }, ct));
        WriteApiCallSummary(connection.Endpoint.DisplayName, connection.ApiVersion, _callsBefore, connection.ApiCallCount);
        return services;
    }
}
