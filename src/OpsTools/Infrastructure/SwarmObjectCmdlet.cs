using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using OpsTools.Swarm;

namespace OpsTools.Infrastructure;

/// <summary>Parameter set names shared by the cmdlets that take the data of a secret or config.</summary>
internal static class SwarmObjectParameterSets
{
    public const string Value = "Value";
    public const string Path = "Path";
    public const string Pipeline = "Pipeline";
}

/// <summary>
/// Base of New-/Remove-SwarmSecret and -SwarmConfig: creating one object and removing objects no
/// service uses, with ShouldProcess per object naming host and object.
/// </summary>
public abstract class SwarmObjectCmdlet : DockerCmdlet
{
    private readonly HashSet<string> _handled = new(StringComparer.Ordinal);
    private List<(string Name, string Id, IReadOnlyList<string> Services, object Item)>? _objects;

    /// <summary>Lower-case noun of a kind, for messages.</summary>
    private protected static string Noun(SwarmObjectKind kind) => kind == SwarmObjectKind.Secret ? "secret" : "config";

    /// <summary>Endpoint display name; terminates on an unusable -DockerHost.</summary>
    private protected string EndpointName() =>
        AwaitOrTerminate(_ => System.Threading.Tasks.Task.FromResult(OpsTools.Engine.Docker.DockerConnection.Get(DockerHost).Endpoint.DisplayName));

    /// <summary>Creates one secret or config after ShouldProcess and writes it.</summary>
    private protected void CreateObject(SwarmObjectKind kind, string name, byte[] data, Hashtable? label)
    {
        Dictionary<string, string?> parsed = SwarmObjectInput.ParseLabels(label, kind, out ErrorRecord? labelProblem);
        if (labelProblem is not null)
        {
            ThrowTerminatingError(labelProblem);
        }

        Dictionary<string, string> labels = parsed
            .Where(l => l.Value is not null)
            .ToDictionary(l => l.Key, l => l.Value!, StringComparer.Ordinal);
        try
        {
            OpsTools.Engine.Swarm.SwarmObjectStore.ValidateName(kind, name);
            OpsTools.Engine.Swarm.SwarmObjectStore.ValidateData(kind, name, data.LongLength);
        }
        catch (OpsToolsException ex)
        {
            ThrowTerminatingError(ErrorRecords.From(ex));
        }

        string host = EndpointName();
        string size = kind == SwarmObjectKind.Config ? string.Create(CultureInfo.InvariantCulture, $", {data.LongLength} bytes") : string.Empty;
        string labelText = labels.Count == 0 ? string.Empty : ", labels " + string.Join(", ", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));
        if (!ShouldProcess($"{name} on {host}", $"Create {Noun(kind)}{size}{labelText}"))
        {
            return;
        }

        var store = new OpsTools.Engine.Swarm.SwarmObjectStore(OpsTools.Engine.Docker.DockerConnection.Get(DockerHost));
        object created = kind == SwarmObjectKind.Secret
            ? AwaitOrTerminate(ct => store.CreateSecretAsync(name, data, labels, ct))
            : AwaitOrTerminate(ct => store.CreateConfigAsync(name, data, labels, ct));
        WriteVerbose($"Created {Noun(kind)} '{name}' on {host}.");
        WriteObject(created);
    }

    /// <summary>Removes the named objects no service uses; refuses, naming the services, those still used. With passThru writes each removed object as it was.</summary>
    private protected void RemoveObjects(SwarmObjectKind kind, string[] names, bool passThru)
    {
        string host = EndpointName();
        var store = new OpsTools.Engine.Swarm.SwarmObjectStore(OpsTools.Engine.Docker.DockerConnection.Get(DockerHost));
        _objects ??= kind == SwarmObjectKind.Secret
            ? AwaitOrTerminate(ct => store.GetSecretsAsync(ct)).Select(s => (s.Name, s.Id, s.Services, (object)s)).ToList()
            : AwaitOrTerminate(ct => store.GetConfigsAsync(false, ct)).Select(c => (c.Name, c.Id, c.Services, (object)c)).ToList();
        var selected = new NameFilter(names).Select(_objects, o => o.Name, o => o.Id, out IReadOnlyList<string> unmatched);
        foreach (string missing in unmatched)
        {
            WriteError(ErrorRecords.Create(
                $"Swarm{kind}NotFound",
                ErrorCategory.ObjectNotFound,
                missing,
                $"No Swarm {Noun(kind)} named '{missing}' was found on {host}.",
                $"Run Get-Swarm{kind} to list the {Noun(kind)}s."));
        }

        foreach ((string name, string id, IReadOnlyList<string> services, object item) in selected.Where(o => _handled.Add(o.Id)))
        {
            if (services.Count > 0)
            {
                WriteError(ErrorRecords.Create(
                    $"Swarm{kind}InUse",
                    ErrorCategory.InvalidOperation,
                    name,
                    $"The {Noun(kind)} '{name}' is used by {services.Count} service(s): {string.Join(", ", services)}; it was not removed.",
                    $"Repoint those services first (Update-Swarm{kind} creates a new version and does it), or remove them."));
                continue;
            }

            if (!ShouldProcess($"{name} on {host}", $"Remove {Noun(kind)}"))
            {
                continue;
            }

            try
            {
                Await(store.RemoveAsync(kind, id, CancellationToken));
                WriteVerbose($"Removed {Noun(kind)} '{name}' ({id}) from {host}.");
                if (passThru)
                {
                    WriteObject(item);
                }
            }
            catch (OpsToolsException ex)
            {
                WriteEngineError(ex);
            }
        }
    }
}
