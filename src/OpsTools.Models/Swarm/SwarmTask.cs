using System;

namespace OpsTools.Swarm;

/// <summary>A task of a Swarm service, as <c>docker service ps</c> shows it.</summary>
public sealed class SwarmTask
{
    /// <summary>Docker endpoint the task was read from.</summary>
    public required string DockerHost { get; init; }
    /// <summary>Task id.</summary>
    public required string Id { get; init; }
    /// <summary>Task name as the CLI prints it: <c>service.slot</c>, or <c>service.nodeid</c> for global services.</summary>
    public required string Name { get; init; }
    /// <summary>Id of the service.</summary>
    public required string ServiceId { get; init; }
    /// <summary>Name of the service.</summary>
    public string? ServiceName { get; init; }
    /// <summary>Replica slot (replicated services only).</summary>
    public long? Slot { get; init; }
    /// <summary>Id of the node the task is assigned to.</summary>
    public string? NodeId { get; init; }
    /// <summary>Hostname of that node.</summary>
    public string? Node { get; init; }
    /// <summary>Image the task runs.</summary>
    public string? Image { get; init; }
    /// <summary>State the orchestrator wants.</summary>
    public SwarmTaskState DesiredState { get; init; }
    /// <summary>State the task is in.</summary>
    public SwarmTaskState CurrentState { get; init; }
    /// <summary>When the task entered its current state.</summary>
    public DateTimeOffset? StateSince { get; init; }
    /// <summary>Error that ended the task, if any.</summary>
    public string? Error { get; init; }
    /// <summary>Last status message.</summary>
    public string? Message { get; init; }
    /// <summary>Container running the task, once one exists.</summary>
    public string? ContainerId { get; init; }
    /// <summary>Exit code of the container, once it exited.</summary>
    public long? ExitCode { get; init; }
    /// <summary>When the task was created.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>Current state and its age the way the CLI prints it, e.g. <c>Running 5 minutes ago</c>.</summary>
    public string State => StateSince is { } since
        ? $"{CurrentState} {Humanize(DateTimeOffset.UtcNow - since)} ago"
        : CurrentState.ToString();

    /// <inheritdoc/>
    public override string ToString() => Name;

    private static string Humanize(TimeSpan age)
    {
        if (age < TimeSpan.Zero)
        {
            age = TimeSpan.Zero;
        }

        return age.TotalSeconds < 60 ? $"{(int)age.TotalSeconds} seconds"
            : age.TotalMinutes < 60 ? $"{(int)age.TotalMinutes} minutes"
            : age.TotalHours < 48 ? $"{(int)age.TotalHours} hours"
            : $"{(int)age.TotalDays} days";
    }
}
