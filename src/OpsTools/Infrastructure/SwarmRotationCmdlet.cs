using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using OpsTools.Swarm;

namespace OpsTools.Infrastructure;

/// <summary>
/// Base of Update-SwarmSecret and Update-SwarmConfig: rotates an immutable object through the
/// engine's SwarmObjectRotator with one ShouldProcess for the new version, one per service
/// repointed and one for the removal of the old version; -Wait/-Timeout from SwarmChangeCmdlet.
/// </summary>
public abstract class SwarmRotationCmdlet : SwarmChangeCmdlet
{
    private readonly List<string> _names = new();
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private SwarmObjectInput? _input;

    /// <summary>Names or ids of the objects to rotate.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(SwarmSecretOrConfigNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>A file whose bytes are the new value.</summary>
    [Parameter(Mandatory = true, ParameterSetName = SwarmObjectParameterSets.Path)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>Strings (lines, joined with a line feed) or bytes from the pipeline.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = SwarmObjectParameterSets.Pipeline)]
    [AllowEmptyString]
    public object? InputObject { get; set; }

    /// <summary>Labels to set on the new version; a $null value drops one copied from the old version.</summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable? Label { get; set; }

    /// <summary>Name of the new version instead of &lt;base&gt;.v&lt;N&gt;.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? NewName { get; set; }

    /// <summary>Keep the old version after the services were repointed.</summary>
    [Parameter]
    public SwitchParameter KeepPrevious { get; set; }

    /// <summary>Secret or config.</summary>
    private protected abstract SwarmObjectKind Kind { get; }

    /// <summary>Hands the -Value parameter of the derived cmdlet to the input.</summary>
    private protected abstract void TakeValue(SwarmObjectInput input);

    private string Noun => Kind == SwarmObjectKind.Secret ? "secret" : "config";

    /// <inheritdoc/>
    protected override void BeginProcessing()
    {
        _input = new SwarmObjectInput(Kind);
        if (ParameterSetName == SwarmObjectParameterSets.Value)
        {
            TakeValue(_input);
        }
        else if (ParameterSetName == SwarmObjectParameterSets.Path && _input.SetPath(this, Path!) is { } problem)
        {
            ThrowTerminatingError(problem);
        }
    }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        if (ParameterSetName == SwarmObjectParameterSets.Pipeline && _input!.Add(InputObject) is { } problem)
        {
            ThrowTerminatingError(problem);
        }

        _names.AddRange(Name.Where(_seen.Add));
    }

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        if (NewName is not null && _names.Count > 1)
        {
            ThrowTerminatingError(ErrorRecords.Create(
                $"Swarm{Kind}NewNameAmbiguous",
                ErrorCategory.InvalidArgument,
                NewName,
                $"-NewName names one new version, but {_names.Count} {Noun}s are to be rotated.",
                "Rotate one object at a time with -NewName, or leave it out to get <name>.v<N> names."));
        }

        byte[] data = _input!.Data;
        try
        {
            OpsTools.Engine.Swarm.SwarmObjectStore.ValidateData(Kind, string.Join(", ", _names), data.LongLength);
        }
        catch (OpsToolsException ex)
        {
            ThrowTerminatingError(ErrorRecords.From(ex));
        }

        Dictionary<string, string?> labels = SwarmObjectInput.ParseLabels(Label, Kind, out ErrorRecord? labelProblem);
        if (labelProblem is not null)
        {
            ThrowTerminatingError(labelProblem);
        }
        var rotations = new List<Rotation>();
        foreach (string name in _names)
        {
            try
            {
                if (Rotate(name, data, labels) is { } rotation)
                {
                    rotations.Add(rotation);
                }
            }
            catch (OpsToolsException ex)
            {
                WriteEngineError(ex);
            }
        }

        List<ChangedService> changed = rotations.SelectMany(r => r.Changed).ToList();
        if (Wait)
        {
            IReadOnlyList<SwarmServiceConvergence> results = WatchConvergence(changed, $"Update-Swarm{Kind}: waiting for the repointed services to converge");
            foreach (SwarmServiceConvergence failure in results.Where(r => r.IsFailure))
            {
                foreach (Rotation rotation in rotations.Where(r => r.Changed.Any(c => c.ServiceId == failure.ServiceId)))
                {
                    rotation.Blockers.Add($"{failure.Service} did not converge ({failure.State})");
                }
            }
        }

        foreach (Rotation rotation in rotations)
        {
            RemovePrevious(rotation);
        }

        WriteObject(ReadNewVersions(rotations.Where(r => r.NewId is not null).Select(r => r.NewId!)), enumerateCollection: true);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _input?.Dispose();
        }

        base.Dispose(disposing);
    }

    private Rotation? Rotate(string name, byte[] data, Dictionary<string, string?> labels)
    {
        var connection = OpsTools.Engine.Docker.DockerConnection.Get(DockerHost);
        var rotator = new OpsTools.Engine.Swarm.SwarmObjectRotator(connection);
        OpsTools.Engine.Swarm.SwarmRotationPlan plan = Await(rotator.PlanAsync(Kind, name, labels, NewName, CancellationToken));
        string host = plan.DockerHost;
        string users = plan.Services.Count == 0 ? "no service uses it" : $"repoint {plan.Services.Count} service(s): {string.Join(", ", plan.Services.Select(s => s.ServiceName))}";
        string action = $"Create {Noun} '{plan.NewName}' as the new version of '{plan.OldName}' ({users})";
        string target = $"{plan.OldName} on {host}";
        string description = $"Performing the operation \"{action}\" on target \"{target}\".";
        bool create = ShouldProcess(description, $"Are you sure you want to perform this action?\n{description}", "Confirm", out ShouldProcessReason reason);
        bool whatIf = reason == ShouldProcessReason.WhatIf;
        if (!create && !whatIf)
        {
            return null;
        }

        var rotation = new Rotation(plan.OldId, plan.OldName, plan.NewName);
        OpsTools.Engine.Swarm.SwarmObjectReplacement? replacement = null;
        if (create)
        {
            replacement = Await(rotator.CreateVersionAsync(plan, data, CancellationToken));
            rotation.NewId = replacement.NewId;
            WriteVerbose($"Created {Noun} '{plan.NewName}' ({replacement.NewId}) on {host}, labelled as version {plan.Generation.ToString(CultureInfo.InvariantCulture)} of '{plan.Labels[OpsTools.Engine.Swarm.SwarmObjectRotator.BaseLabel]}'.");
        }

        var updater = new OpsTools.Engine.Swarm.SwarmServiceUpdater(connection);
        foreach (OpsTools.Engine.Swarm.SwarmRotationService service in plan.Services)
        {
            string change = string.Join("; ", service.Targets.Select(t => $"{Kind}[{t}]: {plan.OldName} -> {plan.NewName}"));
            if (!ShouldProcess($"{service.ServiceName} on {host}", $"Update service ({change})"))
            {
                rotation.Blockers.Add($"{service.ServiceName} was not repointed");
                continue;
            }

            try
            {
                OpsTools.Engine.Swarm.SwarmServicePlan servicePlan = Await(rotator.PlanServiceAsync(replacement!, service.ServiceId, CancellationToken));
                if (servicePlan.Changes.Count == 0)
                {
                    WriteVerbose($"{service.ServiceName}: no longer uses '{plan.OldName}'; not updated.");
                    continue;
                }

                foreach (string warning in Await(updater.ApplyAsync(servicePlan, CancellationToken)))
                {
                    WriteWarning($"{service.ServiceName}: {warning}");
                }

                WriteVerbose(string.Create(CultureInfo.InvariantCulture, $"{service.ServiceName}: updated at version {servicePlan.Version} ({servicePlan.Summary})."));
                rotation.Changed.Add(new ChangedService(servicePlan.ServiceId, servicePlan.ServiceName, servicePlan.StaleUpdateStartedAt, IsRollback: false));
            }
            catch (OpsToolsException ex)
            {
                rotation.Blockers.Add($"{service.ServiceName} could not be repointed");
                var record = new ErrorRecord(ex, $"Swarm{Kind}RepointFailed", ErrorRecords.CategoryOf(ex.Kind), service.ServiceName)
                {
                    ErrorDetails = new ErrorDetails(
                        $"Service '{service.ServiceName}' was not repointed from {Noun} '{plan.OldName}' to '{plan.NewName}': {ex.Message} '{plan.OldName}' is kept.")
                    {
                        RecommendedAction = ex.RecommendedAction ?? $"Run Update-Swarm{Kind} again once the service can be updated, or repoint it with docker service update.",
                    },
                };
                WriteError(record);
            }
        }

        if (whatIf)
        {
            ShouldProcess(target, $"Remove previous {Noun} version '{plan.OldName}'");
            return null;
        }

        return rotation;
    }

    private void RemovePrevious(Rotation rotation)
    {
        string host = OpsTools.Engine.Docker.DockerConnection.Get(DockerHost).Endpoint.DisplayName;
        if (KeepPrevious)
        {
            WriteVerbose($"'{rotation.OldName}' is kept (-KeepPrevious).");
            return;
        }

        if (rotation.Blockers.Count > 0)
        {
            WriteWarning($"The previous {Noun} version '{rotation.OldName}' is kept on {host}: {string.Join("; ", rotation.Blockers)}.");
            return;
        }

        if (!ShouldProcess($"{rotation.OldName} on {host}", $"Remove previous {Noun} version '{rotation.OldName}'"))
        {
            return;
        }

        try
        {
            var store = new OpsTools.Engine.Swarm.SwarmObjectStore(OpsTools.Engine.Docker.DockerConnection.Get(DockerHost));
            Await(store.RemoveAsync(Kind, rotation.OldId, CancellationToken));
            WriteVerbose($"Removed the previous {Noun} version '{rotation.OldName}' from {host}.");
        }
        catch (OpsToolsException ex)
        {
            WriteEngineError(ex);
        }
    }

    private IEnumerable<object> ReadNewVersions(IEnumerable<string> ids)
    {
        var wanted = ids.ToList();
        if (wanted.Count == 0)
        {
            return Array.Empty<object>();
        }

        var store = new OpsTools.Engine.Swarm.SwarmObjectStore(OpsTools.Engine.Docker.DockerConnection.Get(DockerHost));
        Dictionary<string, object> byId = Kind == SwarmObjectKind.Secret
            ? AwaitOrTerminate(ct => store.GetSecretsAsync(ct)).ToDictionary(s => s.Id, s => (object)s, StringComparer.Ordinal)
            : AwaitOrTerminate(ct => store.GetConfigsAsync(false, ct)).ToDictionary(c => c.Id, c => (object)c, StringComparer.Ordinal);
        return wanted.Where(byId.ContainsKey).Select(id => byId[id]).ToList();
    }

    /// <summary>One rotation in progress: plain data only, so the cmdlet's fields never name engine types.</summary>
    private sealed class Rotation(string oldId, string oldName, string newName)
    {
        public string OldId { get; } = oldId;

        public string OldName { get; } = oldName;

        public string NewName { get; } = newName;

        public string? NewId { get; set; }

        public List<ChangedService> Changed { get; } = new();

        public List<string> Blockers { get; } = new();
    }
}
