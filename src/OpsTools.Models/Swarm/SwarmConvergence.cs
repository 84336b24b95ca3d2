using System;

namespace OpsTools.Swarm;

/// <summary>Where a service stands while it is watched after a change.</summary>
public enum SwarmConvergenceState
{
    /// <summary>Still moving towards its spec.</summary>
    Converging,
    /// <summary>Every task of the current spec runs (healthy when the image or spec has a health check), or a job completed.</summary>
    Converged,
    /// <summary>The update (or rollback) was paused by the orchestrator after task failures.</summary>
    Paused,
    /// <summary>The orchestrator rolled the update back (failure_action rollback).</summary>
    RolledBack,
    /// <summary>Tasks of the current spec keep failing.</summary>
    TasksFailing,
    /// <summary>A task cannot be placed: no node satisfies the constraints or resources.</summary>
    Unschedulable,
    /// <summary>The image cannot be found on the node or in its registry.</summary>
    ImageNotFound,
    /// <summary>The service was removed while it was watched.</summary>
    ServiceRemoved,
    /// <summary>The timeout ran out before the service converged; it is still updating.</summary>
    TimedOut,
}

/// <summary>The state of one watched service: a progress event while watching, the outcome at the end.</summary>
public sealed class SwarmServiceConvergence
{
    /// <summary>Docker endpoint the service lives on.</summary>
    public required string DockerHost { get; init; }
    /// <summary>Service id.</summary>
    public required string ServiceId { get; init; }
    /// <summary>Service name.</summary>
    public required string Service { get; init; }
    /// <summary>Where the service stands.</summary>
    public SwarmConvergenceState State { get; init; }
    /// <summary>Tasks of the current spec that are running (and healthy when there is a health check).</summary>
    public long RunningTasks { get; init; }
    /// <summary>Tasks the service wants: replicas, eligible nodes, or completions for a job.</summary>
    public long DesiredTasks { get; init; }
    /// <summary>Tasks of the current spec (or job iteration) that completed.</summary>
    public long CompletedTasks { get; init; }
    /// <summary>Tasks of the current spec that failed or were rejected since the change.</summary>
    public long FailedTasks { get; init; }
    /// <summary>The orchestrator's update state (<c>updating</c>, <c>completed</c>, <c>paused</c>...), if any.</summary>
    public string? UpdateState { get; init; }
    /// <summary>What went wrong, or what the service waits for.</summary>
    public string? Message { get; init; }
    /// <summary>Time since the watch started.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>True once the state no longer changes by itself (converged or failed).</summary>
    public bool IsFinished => State is not (SwarmConvergenceState.Converging or SwarmConvergenceState.TimedOut);

    /// <summary>True for every outcome other than <see cref="SwarmConvergenceState.Converged"/> and <see cref="SwarmConvergenceState.Converging"/>.</summary>
    public bool IsFailure => State is not (SwarmConvergenceState.Converged or SwarmConvergenceState.Converging);

    /// <inheritdoc/>
    public override string ToString() => $"{Service}: {State} {RunningTasks}/{DesiredTasks}";
}
