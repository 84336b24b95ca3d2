using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using OpsTools.Infrastructure;
using OpsTools.Swarm;

namespace OpsTools.Commands.Swarm;

/// <summary>
/// <para type="synopsis">Scales and updates Swarm services in one service update, and optionally waits until they converge.</para>
/// </summary>
[Cmdlet(VerbsCommon.Set, "SwarmService", DefaultParameterSetName = ParameterSets.Default, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(SwarmService))]
public sealed class SetSwarmServiceCommand : SwarmChangeCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    private readonly List<ChangedService> _changed = new();
    private readonly List<string> _output = new();
    private IReadOnlyList<SwarmService>? _services;

    /// <summary>Service names or ids; wildcards match names.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("ServiceName")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(SwarmServiceNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>New number of replicas (replicated services).</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int? Replicas { get; set; }

    /// <summary>New image reference.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Image { get; set; }

    /// <summary>Environment variables to set; a $null value removes one.</summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable? Env { get; set; }

    /// <summary>Service labels to set; a $null value removes one.</summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable? Label { get; set; }

    /// <summary>Placement constraints that replace the current ones; an empty array removes them.</summary>
    [Parameter]
    [AllowEmptyCollection]
    [ValidateNotNull]
    public string[]? Constraint { get; set; }

    private protected override int ProgressActivityId => 41;

    /// <inheritdoc/>
    protected override void BeginProcessing()
    {
        if (Replicas is null && Image is null && Env is null && Label is null && Constraint is null)
        {
            ThrowTerminatingError(ErrorRecords.Create(
                "SwarmServiceChangeMissing",
                ErrorCategory.InvalidArgument,
                null,
                "Nothing to change: give at least one of -Replicas, -Image, -Env, -Label or -Constraint.",
                "To replace the tasks without changing the spec, use Restart-SwarmService."));
        }
    }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        _services ??= ListServices();
        IReadOnlyList<SwarmService> selected = new NameFilter(Name).Select(_services, s => s.Name, s => s.Id, out IReadOnlyList<string> unmatched);
        WriteNotFound(unmatched);
        Dictionary<string, string?>? environment = ToMap(Env, "Env");
        Dictionary<string, string?>? labels = ToMap(Label, "Label");
        foreach (SwarmService service in selected)
        {
            if (_output.Contains(service.Id))
            {
                continue;
            }

            try
            {
                Update(service, environment, labels);
            }
            catch (OpsToolsException ex)
            {
                WriteEngineError(ex);
            }
        }
    }

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        if (Wait)
        {
            WatchConvergence(_changed, "Set-SwarmService: waiting for the services to converge");
        }

        WriteObject(ReadServices(_output), enumerateCollection: true);
    }

    private void Update(SwarmService service, Dictionary<string, string?>? environment, Dictionary<string, string?>? labels)
    {
        var updater = new OpsTools.Engine.Swarm.SwarmServiceUpdater(OpsTools.Engine.Docker.DockerConnection.Get(DockerHost));
        var change = new OpsTools.Engine.Swarm.SwarmServiceChange
        {
            Replicas = Replicas,
            Image = Image,
            Environment = environment,
            Labels = labels,
            Constraints = Constraint,
        };
        OpsTools.Engine.Swarm.SwarmServicePlan plan = Await(updater.PlanAsync(service.Id, change, CancellationToken));
        if (plan.Changes.Count == 0)
        {
            WriteVerbose($"{service.Name}: already as requested; not updated.");
            _output.Add(service.Id);
            return;
        }

        if (!ShouldProcess(TargetOf(service), $"Update service ({plan.Summary})"))
        {
            return;
        }

        IReadOnlyList<string> warnings = Await(updater.ApplyAsync(plan, CancellationToken));
        foreach (string warning in warnings)
        {
            WriteWarning($"{service.Name}: {warning}");
        }

        WriteVerbose(string.Create(CultureInfo.InvariantCulture, $"{service.Name}: updated at version {plan.Version} ({plan.Summary})."));
        _changed.Add(new ChangedService(plan.ServiceId, plan.ServiceName, plan.StaleUpdateStartedAt, IsRollback: false));
        _output.Add(service.Id);
    }

    private Dictionary<string, string?>? ToMap(Hashtable? table, string parameter)
    {
        if (table is null)
        {
            return null;
        }

        var map = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in table)
        {
            string key = Convert.ToString(entry.Key is PSObject pk ? pk.BaseObject : entry.Key, CultureInfo.InvariantCulture) ?? string.Empty;
            if (key.Length == 0 || key.Contains('=', StringComparison.Ordinal))
            {
                ThrowTerminatingError(ErrorRecords.Create(
                    "SwarmServiceKeyInvalid",
                    ErrorCategory.InvalidArgument,
                    key,
                    $"'{key}' is not a valid key for -{parameter}: keys must be non-empty and contain no '='.",
                    $"Pass -{parameter} @{{ NAME = 'value' }}; a $null value removes the entry."));
            }

            object? value = entry.Value is PSObject pv ? pv.BaseObject : entry.Value;
            map[key] = value is null ? null : Convert.ToString(value, CultureInfo.InvariantCulture);
        }

        return map;
    }
}
