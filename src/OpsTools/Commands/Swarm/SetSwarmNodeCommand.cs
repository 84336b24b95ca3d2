using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using OpsTools.Infrastructure;
using OpsTools.Swarm;

namespace OpsTools.Commands.Swarm;

/// <summary>
/// <para type="synopsis">Sets the availability (Active, Pause, Drain) and labels of swarm nodes in one node update, and optionally waits until a drained node's tasks have left.</para>
/// </summary>
[Cmdlet(VerbsCommon.Set, "SwarmNode", DefaultParameterSetName = ParameterSets.Default, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(SwarmNode))]
public sealed class SetSwarmNodeCommand : SwarmChangeCmdlet
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(200);

    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    private readonly List<string> _output = new();
    private readonly List<(string Id, string Hostname)> _drained = new();
    private IReadOnlyList<SwarmNode>? _nodes;
    private Dictionary<string, string?>? _labels;

    /// <summary>Hostnames or node ids; wildcards match hostnames.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Hostname", "Node")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(SwarmNodeNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>New availability: Active, Pause or Drain.</summary>
    [Parameter]
    public SwarmNodeAvailability? Availability { get; set; }

    /// <summary>Node labels to set; a $null value removes one.</summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable? Label { get; set; }

    /// <summary>Node labels to remove.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? RemoveLabel { get; set; }

    private protected override int ProgressActivityId => 53;

    /// <inheritdoc/>
    protected override void BeginProcessing()
    {
        if (Availability is null && Label is null && RemoveLabel is null)
        {
            ThrowTerminatingError(ErrorRecords.Create(
                "SwarmNodeChangeMissing",
                ErrorCategory.InvalidArgument,
                null,
                "Nothing to change: give at least one of -Availability, -Label or -RemoveLabel.",
                "For example: Set-SwarmNode worker-1 -Availability Drain -Wait, or -Label @{ 'db' = 'true' }."));
        }

        _labels = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Label ?? new Hashtable())
        {
            string key = Convert.ToString(entry.Key is PSObject pk ? pk.BaseObject : entry.Key, CultureInfo.InvariantCulture) ?? string.Empty;
            object? value = entry.Value is PSObject pv ? pv.BaseObject : entry.Value;
            _labels[CheckKey(key)] = value is null ? null : Convert.ToString(value, CultureInfo.InvariantCulture);
        }

        foreach (string key in RemoveLabel ?? Array.Empty<string>())
        {
            if (_labels.TryGetValue(CheckKey(key), out string? value) && value is not null)
            {
                ThrowTerminatingError(ErrorRecords.Create(
                    "SwarmNodeLabelConflict",
                    ErrorCategory.InvalidArgument,
                    key,
                    $"The label '{key}' is both set with -Label and removed with -RemoveLabel.",
                    "Name each label in one of the two parameters."));
            }

            _labels[key] = null;
        }
    }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        _nodes ??= AwaitOrTerminate(ct => EngineCalls.ReadNodes(DockerHost, ct));
        IReadOnlyList<SwarmNode> selected = new NameFilter(Name).Select(_nodes, n => n.Hostname, n => n.Id, out IReadOnlyList<string> unmatched);
        foreach (string missing in unmatched)
        {
            WriteError(ErrorRecords.Create(
                "SwarmNodeNotFound",
                ErrorCategory.ObjectNotFound,
                missing,
                $"No swarm node with hostname or id '{missing}' was found.",
                "Run Get-SwarmNode to list the nodes."));
        }

        foreach (SwarmNode node in selected.Where(n => !_output.Contains(n.Id)))
        {
            try
            {
                Update(node);
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
        if (Wait && _drained.Count > 0)
        {
            WaitUntilDrained();
        }
        else if (Wait)
        {
            WriteVerbose("-Wait: no node was set to Drain; nothing to wait for.");
        }

        IReadOnlyList<SwarmNode> nodes = _output.Count == 0 ? Array.Empty<SwarmNode>() : AwaitOrTerminate(ct => EngineCalls.ReadNodes(DockerHost, ct));
        WriteObject(_output.Select(id => nodes.FirstOrDefault(n => n.Id == id)).Where(n => n is not null), enumerateCollection: true);
    }

    private void Update(SwarmNode node)
    {
        var updater = new OpsTools.Engine.Swarm.SwarmNodeUpdater(OpsTools.Engine.Docker.DockerConnection.Get(DockerHost));
        var change = new OpsTools.Engine.Swarm.SwarmNodeChange { Availability = Availability, Labels = _labels };
        OpsTools.Engine.Swarm.SwarmNodePlan plan = Await(updater.PlanAsync(node.Id, change, CancellationToken));
        if (plan.Changes.Count == 0)
        {
            WriteVerbose($"{node.Hostname}: already as requested; not updated.");
            _output.Add(node.Id);
            RememberDrain(node);
            return;
        }

        if (!ShouldProcess($"{node.Hostname} on {plan.DockerHost}", $"Update node ({plan.Summary})"))
        {
            return;
        }

        Await(EngineCalls.Apply(updater, plan, CancellationToken));
        WriteVerbose(string.Create(CultureInfo.InvariantCulture, $"{node.Hostname}: updated at version {plan.Version} ({plan.Summary})."));
        _output.Add(node.Id);
        RememberDrain(node);
    }

    private void RememberDrain(SwarmNode node)
    {
        if (Availability == SwarmNodeAvailability.Drain)
        {
            _drained.Add((node.Id, node.Hostname));
        }
    }

    private void WaitUntilDrained()
    {
        var remaining = new int[_drained.Count];
        for (int i = 0; i < remaining.Length; i++)
        {
            remaining[i] = -1;
        }

        var progress = new ProgressRecord(ProgressActivityId, "Set-SwarmNode: waiting for the drained nodes to empty", "Reading the tasks");
        DateTime lastWrite = DateTime.MinValue;
        bool wrote = false;
        try
        {
            Task<(string Id, int Remaining, bool TimedOut, TimeSpan Elapsed)[]> wait = EngineCalls.WaitUntilDrained(
                DockerHost, _drained.Select(d => d.Id).ToList(), Timeout, (index, count) => Volatile.Write(ref remaining[index], count), CancellationToken);
            while (!((IAsyncResult)wait).AsyncWaitHandle.WaitOne(50))
            {
                if (DateTime.UtcNow - lastWrite < ProgressInterval)
                {
                    continue;
                }

                int left = Enumerable.Range(0, remaining.Length).Sum(i => Math.Max(0, Volatile.Read(ref remaining[i])));
                progress.StatusDescription = string.Create(CultureInfo.InvariantCulture, $"{left} task(s) still on {Describe()}");
                WriteProgress(progress);
                wrote = true;
                lastWrite = DateTime.UtcNow;
            }

            foreach ((string id, int count, bool timedOut, TimeSpan elapsed) in Await(wait))
            {
                string hostname = _drained.First(d => d.Id == id).Hostname;
                if (!timedOut)
                {
                    WriteVerbose(string.Create(CultureInfo.InvariantCulture, $"{hostname}: drained in {elapsed.TotalSeconds:0.0} s."));
                    continue;
                }

                string message = string.Create(CultureInfo.InvariantCulture, $"Node '{hostname}' still has {count} task(s) after {elapsed.TotalSeconds:0} s; it is set to Drain and they go on stopping.");
                WriteError(ErrorRecords.Create(
                    "SwarmNodeDrainTimeout",
                    ErrorCategory.OperationTimeout,
                    hostname,
                    message,
                    $"See which tasks are still there with Get-SwarmTask -Node {hostname} -DesiredState Running (a long stop grace period, a task that ignores SIGTERM), or give a longer -Timeout."));
            }
        }
        catch (PipelineStoppedException)
        {
            Host?.UI?.WriteWarningLine($"Stopped waiting: {Describe()} stays set to Drain and its tasks go on stopping. Check with Get-SwarmTask.");
            throw;
        }
        catch (OpsToolsException ex)
        {
            ThrowTerminatingError(ErrorRecords.From(ex));
        }
        finally
        {
            if (wrote)
            {
                progress.RecordType = ProgressRecordType.Completed;
                try
                {
                    WriteProgress(progress);
                }
                catch (PipelineStoppedException)
                {
                    // Stopping: the host clears the bar itself.
                }
            }
        }
    }

    private string CheckKey(string key)
    {
        if (key.Length == 0 || key.Contains('=', StringComparison.Ordinal))
        {
            ThrowTerminatingError(ErrorRecords.Create(
                "SwarmNodeLabelInvalid",
                ErrorCategory.InvalidArgument,
                key,
                $"'{key}' is not a valid node label key: keys must be non-empty and contain no '='.",
                "Pass -Label @{ 'db' = 'true' } or -RemoveLabel db."));
        }

        return key;
    }

    private string Describe() => _drained.Count == 1 ? _drained[0].Hostname : $"{_drained.Count} nodes";

    /// <summary>Engine calls, in their own type so that loading the cmdlet does not load the engine.</summary>
    private static class EngineCalls
    {
        public static async Task<bool> Apply(OpsTools.Engine.Swarm.SwarmNodeUpdater updater, OpsTools.Engine.Swarm.SwarmNodePlan plan, CancellationToken cancellationToken)
        {
            await updater.ApplyAsync(plan, cancellationToken).ConfigureAwait(false);
            return true;
        }

        public static Task<IReadOnlyList<SwarmNode>> ReadNodes(string? dockerHost, CancellationToken cancellationToken) =>
            new OpsTools.Engine.Swarm.SwarmInspector(OpsTools.Engine.Docker.DockerConnection.Get(dockerHost)).GetNodesAsync(cancellationToken);

        public static Task<(string Id, int Remaining, bool TimedOut, TimeSpan Elapsed)[]> WaitUntilDrained(
            string? dockerHost, IReadOnlyList<string> nodeIds, TimeSpan timeout, Action<int, int> onProgress, CancellationToken cancellationToken)
        {
            var updater = new OpsTools.Engine.Swarm.SwarmNodeUpdater(OpsTools.Engine.Docker.DockerConnection.Get(dockerHost));
            return Task.Run(async () =>
            {
                var waits = nodeIds.Select((id, index) => updater.WaitUntilDrainedAsync(id, timeout, count => onProgress(index, count), null, cancellationToken));
                OpsTools.Engine.Swarm.SwarmNodeDrainResult[] results = await Task.WhenAll(waits).ConfigureAwait(false);
                return results.Select(r => (r.NodeId, r.RemainingTasks, r.TimedOut, r.Elapsed)).ToArray();
            }, cancellationToken);
        }
    }
}
