namespace OpsTools.Swarm;

/// <summary>How a Swarm service schedules its tasks.</summary>
public enum SwarmServiceMode
{
    /// <summary>A fixed number of replicas.</summary>
    Replicated,
    /// <summary>One task on every eligible node.</summary>
    Global,
    /// <summary>A job that runs a number of tasks to completion.</summary>
    ReplicatedJob,
    /// <summary>A job that runs one task to completion on every eligible node.</summary>
    GlobalJob,
}

/// <summary>State of a Swarm task, as the orchestrator reports it.</summary>
public enum SwarmTaskState
{
    /// <summary>Unrecognised state.</summary>
    Unknown,
    /// <summary>Task was initialized.</summary>
    New,
    /// <summary>Resources were allocated.</summary>
    Allocated,
    /// <summary>Waiting for a node.</summary>
    Pending,
    /// <summary>Assigned to a node.</summary>
    Assigned,
    /// <summary>Accepted by a worker.</summary>
    Accepted,
    /// <summary>Preparing (pulling the image, creating the container).</summary>
    Preparing,
    /// <summary>Ready to start.</summary>
    Ready,
    /// <summary>Starting.</summary>
    Starting,
    /// <summary>Running.</summary>
    Running,
    /// <summary>Exited without an error.</summary>
    Complete,
    /// <summary>Shut down on request.</summary>
    Shutdown,
    /// <summary>Exited with an error.</summary>
    Failed,
    /// <summary>Rejected by the worker.</summary>
    Rejected,
    /// <summary>Marked for removal.</summary>
    Remove,
    /// <summary>The node that ran it is gone.</summary>
    Orphaned,
}

/// <summary>Role of a node in the swarm.</summary>
public enum SwarmNodeRole
{
    /// <summary>Runs tasks only.</summary>
    Worker,
    /// <summary>Takes part in the Raft consensus and can schedule.</summary>
    Manager,
}

/// <summary>Scheduling availability of a node.</summary>
public enum SwarmNodeAvailability
{
    /// <summary>Accepts new tasks.</summary>
    Active,
    /// <summary>Keeps its tasks but takes no new ones.</summary>
    Pause,
    /// <summary>Its tasks are moved elsewhere.</summary>
    Drain,
}

/// <summary>Health of a node as seen by the managers.</summary>
public enum SwarmNodeStatus
{
    /// <summary>Unknown.</summary>
    Unknown,
    /// <summary>Down.</summary>
    Down,
    /// <summary>Ready.</summary>
    Ready,
    /// <summary>Disconnected.</summary>
    Disconnected,
}

/// <summary>Which output stream a log line came from.</summary>
public enum LogStream
{
    /// <summary>Standard output.</summary>
    StdOut,
    /// <summary>Standard error.</summary>
    StdErr,
}
