using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Docker.DotNet.Models;
using OpsTools.Engine.Docker;
using OpsTools.Swarm;
using ApiTaskState = Docker.DotNet.Models.TaskState;

namespace OpsTools.Engine.Swarm;

/// <summary>What to change on a node. Null members are left as they are.</summary>
public sealed class SwarmNodeChange
{
    /// <summary>New availability.</summary>
    public SwarmNodeAvailability? Availability { get; init; }

    /// <summary>Node labels to set; a null value removes the label.</summary>
    public IReadOnlyDictionary<string, string?>? Labels { get; init; }
}

/// <summary>A node update read and computed, not yet sent.</summary>
public sealed class SwarmNodePlan
{
    internal SwarmNodePlan(NodeListResponse current, NodeUpdateParameters newSpec, IReadOnlyList<SwarmSpecChange> changes, string dockerHost)
    {
        NodeId = current.ID;
        Hostname = current.Description?.Hostname ?? current.ID;
        Version = current.Version?.Index ?? 0;
        NewSpec = newSpec;
        Changes = changes;
        DockerHost = dockerHost;
    }

    /// <summary>Endpoint.</summary>
    public string DockerHost { get; }

    /// <summary>Node id.</summary>
    public string NodeId { get; }

    /// <summary>Hostname of the node.</summary>
    public string Hostname { get; }

    /// <summary>Object version the update is based on.</summary>
    public ulong Version { get; }

    /// <summary>Fields that change, old and new.</summary>
    public IReadOnlyList<SwarmSpecChange> Changes { get; }

    /// <summary>The changes on one line, e.g. <c>Availability: active -> drain</c>.</summary>
    public string Summary => Changes.Count == 0 ? "no change" : string.Join("; ", Changes.Select(c => c.ToString()));

    internal NodeUpdateParameters NewSpec { get; }
}

/// <summary>How a wait for a drained node ended.</summary>
/// <param name="NodeId">Node id.</param>
/// <param name="RemainingTasks">Tasks still on the node (0 when drained).</param>
/// <param name="TimedOut">Whether the timeout ran out first.</param>
/// <param name="Elapsed">Time waited.</param>
public sealed record SwarmNodeDrainResult(string NodeId, int RemainingTasks, bool TimedOut, TimeSpan Elapsed);

/// <summary>Changes the availability and labels of Swarm nodes, one update at the version read, and waits for drained nodes to empty.</summary>
public sealed class SwarmNodeUpdater
{
    private static readonly ApiTaskState[] Finished =
    {
        ApiTaskState.Complete, ApiTaskState.Shutdown, ApiTaskState.Failed, ApiTaskState.Rejected, ApiTaskState.Remove, ApiTaskState.Orphaned,
    };

    private readonly DockerConnection _connection;

    /// <summary>Creates an updater for one endpoint.</summary>
    /// <param name="connection">The Docker connection.</param>
    public SwarmNodeUpdater(DockerConnection connection)
    {
        _connection = connection ?? throw new ArgumentNullException(nameof(connection));
    }

    /// <summary>Reads a node and computes the spec a change gives, without sending it.</summary>
    /// <param name="node">Node id or hostname.</param>
    /// <param name="change">The change.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="OpsToolsException">The node does not exist (SwarmNodeNotFound).</exception>
    public async Task<SwarmNodePlan> PlanAsync(string node, SwarmNodeChange change, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(node);
        ArgumentNullException.ThrowIfNull(change);
        NodeListResponse current;
        try
        {
            current = await _connection.RunAsync((client, ct) => client.Swarm.InspectNodeAsync(node, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (OpsToolsException ex) when (ex.Kind == OpsToolsErrorKind.ObjectNotFound)
        {
            throw new OpsToolsException(
                "SwarmNodeNotFound",
                OpsToolsErrorKind.ObjectNotFound,
                $"No swarm node with hostname or id '{node}' was found on {_connection.Endpoint.DisplayName}.",
                node,
                "Run Get-SwarmNode to list the nodes.",
                ex);
        }

        NodeUpdateParameters spec = current.Spec ?? new NodeUpdateParameters();
        var newSpec = new NodeUpdateParameters
        {
            Name = spec.Name,
            Role = spec.Role,
            Availability = spec.Availability,
            Labels = new Dictionary<string, string>(spec.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal),
        };
        var changes = new List<SwarmSpecChange>();
        if (change.Availability is { } availability)
        {
            string wanted = availability.ToString().ToLowerInvariant();
            if (!string.Equals(newSpec.Availability, wanted, StringComparison.OrdinalIgnoreCase))
            {
                changes.Add(new SwarmSpecChange("Availability", newSpec.Availability, wanted));
                newSpec.Availability = wanted;
            }
        }

        foreach ((string key, string? value) in (change.Labels ?? new Dictionary<string, string?>()).OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            newSpec.Labels.TryGetValue(key, out string? old);
            if (value is null ? old is null : string.Equals(old, value, StringComparison.Ordinal))
            {
                continue;
            }

            changes.Add(new SwarmSpecChange($"Label[{key}]", old, value));
            if (value is null)
            {
                newSpec.Labels.Remove(key);
            }
            else
            {
                newSpec.Labels[key] = value;
            }
        }

        return new SwarmNodePlan(current, newSpec, changes, _connection.Endpoint.DisplayName);
    }

    /// <summary>Sends a plan as one node update based on the version it was read at.</summary>
    /// <param name="plan">The plan.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    /// <exception cref="OpsToolsException">The node changed since it was read (SwarmNodeChangedConcurrently), or the daemon refused the spec.</exception>
    public async Task ApplyAsync(SwarmNodePlan plan, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        try
        {
            await _connection.RunAsync(
                async (client, ct) =>
                {
                    await client.Swarm.UpdateNodeAsync(plan.NodeId, plan.Version, plan.NewSpec, ct).ConfigureAwait(false);
                    return true;
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (OpsToolsException ex) when (ex.Message.Contains("out of sequence", StringComparison.OrdinalIgnoreCase))
        {
            throw new OpsToolsException(
                "SwarmNodeChangedConcurrently",
                OpsToolsErrorKind.InvalidOperation,
                $"Node '{plan.Hostname}' was changed by someone else after it was read (version {plan.Version}); nothing was changed.",
                plan.Hostname,
                "Run the command again: it reads the current version first.",
                ex);
        }
    }

    /// <summary>
    /// Waits until no task on a node is running or about to run (drained: its tasks stopped or moved
    /// elsewhere), polling the node's tasks (one API call per poll).
    /// </summary>
    /// <param name="nodeId">Node id.</param>
    /// <param name="timeout">Give up after this long.</param>
    /// <param name="onProgress">Called after each poll with the number of tasks still on the node.</param>
    /// <param name="pollInterval">Time between polls; 250 ms when null.</param>
    /// <param name="cancellationToken">Stops waiting (the drain goes on).</param>
    /// <returns>How the wait ended.</returns>
    public async Task<SwarmNodeDrainResult> WaitUntilDrainedAsync(string nodeId, TimeSpan timeout, Action<int>? onProgress = null, TimeSpan? pollInterval = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(nodeId);
        var clock = Stopwatch.StartNew();
        var parameters = new TasksListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["node"] = new Dictionary<string, bool> { [nodeId] = true } },
        };
        while (true)
        {
            IList<TaskResponse> tasks = await _connection.RunAsync((client, ct) => client.Tasks.ListAsync(parameters, ct), cancellationToken).ConfigureAwait(false);
            int remaining = tasks.Count(t => t.Status?.State is { } state && Array.IndexOf(Finished, state) < 0);
            onProgress?.Invoke(remaining);
            if (remaining == 0)
            {
                return new SwarmNodeDrainResult(nodeId, 0, false, clock.Elapsed);
            }

            TimeSpan left = timeout - clock.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                return new SwarmNodeDrainResult(nodeId, remaining, true, clock.Elapsed);
            }

            TimeSpan interval = pollInterval ?? TimeSpan.FromMilliseconds(250);
            await Task.Delay(interval < left ? interval : left, cancellationToken).ConfigureAwait(false);
        }
    }
}
