using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using OpsTools.Engine.Docker;
using OpsTools.Engine.Swarm;
using OpsTools.Health;
using OpsTools.Swarm;

namespace OpsTools.Engine.Health;

/// <summary>
/// Swarm services with fewer running replicas than desired (critical at none), paused or rolled-back
/// updates, and tasks that failed or were rejected within the window. Two API calls: services with
/// status, then the tasks of the services checked.
/// </summary>
internal sealed class SwarmServiceHealthCheck : OpsHealthLayerCheck
{
    private readonly SwarmHealthOptions _options;

    public SwarmServiceHealthCheck(SwarmHealthOptions options) => _options = options;

    public override OpsHealthLayer Layer => OpsHealthLayer.Swarm;

    public override string Source => _options.DockerHost ?? "default Docker endpoint";

    public override async Task<IReadOnlyList<OpsHealthFinding>> RunAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        DockerConnection connection = DockerConnection.Get(_options.DockerHost);
        string source = connection.Endpoint.DisplayName;
        var inspector = new SwarmInspector(connection);
        List<SwarmService> services = (await inspector.GetServicesAsync(null, cancellationToken).ConfigureAwait(false))
            .Where(s => _options.IncludeService?.Invoke(s.Name) ?? true)
            .ToList();
        var findings = new List<OpsHealthFinding>();
        if (services.Count == 0)
        {
            return findings;
        }

        IReadOnlyList<SwarmTask> tasks = await inspector.GetTasksAsync(services.Select(s => s.Id).ToList(), null, cancellationToken).ConfigureAwait(false);
        ILookup<string, SwarmTask> tasksByService = tasks.ToLookup(t => t.ServiceId, StringComparer.Ordinal);
        DateTimeOffset windowStart = now - _options.FailedTaskWindow;
        foreach (SwarmService service in services.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            List<SwarmTask> serviceTasks = tasksByService[service.Id].ToList();
            if (service.Mode is SwarmServiceMode.Replicated or SwarmServiceMode.Global
                && service.DesiredReplicas > 0 && service.RunningReplicas < service.DesiredReplicas)
            {
                findings.Add(Finding(service.RunningReplicas == 0 ? OpsHealthSeverity.Critical : OpsHealthSeverity.Warning, service.Name, "SwarmServiceDegraded", string.Create(CultureInfo.InvariantCulture, $"{service.RunningReplicas} of {service.DesiredReplicas} replicas running") + WhyNotRunning(serviceTasks), $"Get-SwarmTask -Service '{service.Name}' | Where-Object CurrentState -ne Running", source, now));
            }

            if (service.UpdateState is "paused" or "rollback_paused" or "rollback_completed")
            {
                findings.Add(Finding(OpsHealthSeverity.Warning, service.Name, "SwarmServiceUpdateNotCompleted", $"Last update {service.UpdateState.Replace('_', ' ')}" + (string.IsNullOrEmpty(service.UpdateMessage) ? "." : $": {service.UpdateMessage}"), $"Get-SwarmService '{service.Name}' | Format-List UpdateState, UpdateMessage, Image", source, now));
            }

            List<SwarmTask> failed = serviceTasks
                .Where(t => t.CurrentState is SwarmTaskState.Failed or SwarmTaskState.Rejected && (t.StateSince ?? t.CreatedAt ?? now) >= windowStart)
                .OrderByDescending(t => t.StateSince ?? t.CreatedAt)
                .ToList();
            if (failed.Count > 0)
            {
                SwarmTask last = failed[0];
                findings.Add(Finding(OpsHealthSeverity.Warning, service.Name, "SwarmTaskFailing", string.Create(CultureInfo.InvariantCulture, $"{failed.Count} task(s) failed in the last {Duration(_options.FailedTaskWindow)}; last: {Describe(last)}"), $"Get-SwarmServiceLog '{service.Name}' -Since {Duration(_options.FailedTaskWindow)} -Tail 50", source, now));
            }
        }

        return findings;
    }

    /// <summary>Why the service does not run: the newest failed task's error, else the newest task that should run and does not.</summary>
    private static string WhyNotRunning(IReadOnlyList<SwarmTask> tasks)
    {
        SwarmTask? why = tasks
            .Where(t => t.CurrentState is SwarmTaskState.Failed or SwarmTaskState.Rejected)
            .OrderByDescending(t => t.StateSince ?? t.CreatedAt)
            .FirstOrDefault()
            ?? tasks
            .Where(t => t.DesiredState == SwarmTaskState.Running && t.CurrentState != SwarmTaskState.Running)
            .OrderByDescending(t => t.StateSince ?? t.CreatedAt)
            .FirstOrDefault();
        return why is null ? "." : $"; {Describe(why)}";
    }

    private static string Describe(SwarmTask task)
    {
        string state = task.CurrentState.ToString().ToLowerInvariant();
        string why = !string.IsNullOrEmpty(task.Error) ? task.Error : task.Message ?? string.Empty;
        string exit = task.ExitCode is long code && code != 0 ? string.Create(CultureInfo.InvariantCulture, $" (exit code {code})") : string.Empty;
        return $"task {task.Name} {state}{(why.Length == 0 ? string.Empty : ": " + why)}{exit}";
    }

    internal static string Duration(TimeSpan span) =>
        span.TotalHours >= 1 && span.TotalHours == Math.Floor(span.TotalHours) ? string.Create(CultureInfo.InvariantCulture, $"{(long)span.TotalHours}h")
        : span.TotalMinutes >= 1 && span.TotalMinutes == Math.Floor(span.TotalMinutes) ? string.Create(CultureInfo.InvariantCulture, $"{(long)span.TotalMinutes}m")
        : string.Create(CultureInfo.InvariantCulture, $"{(long)Math.Ceiling(span.TotalSeconds)}s");
}

/// <summary>Swarm nodes that are down, disconnected or unreachable managers (critical), and drained or paused ones (warning).</summary>
internal sealed class NodeHealthCheck : OpsHealthLayerCheck
{
    private readonly NodeHealthOptions _options;

    public NodeHealthCheck(NodeHealthOptions options) => _options = options;

    public override OpsHealthLayer Layer => OpsHealthLayer.Node;

    public override string Source => _options.DockerHost ?? "default Docker endpoint";

    public override async Task<IReadOnlyList<OpsHealthFinding>> RunAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        DockerConnection connection = DockerConnection.Get(_options.DockerHost);
        string source = connection.Endpoint.DisplayName;
        IReadOnlyList<SwarmNode> nodes = await new SwarmInspector(connection).GetNodesAsync(cancellationToken).ConfigureAwait(false);
        var findings = new List<OpsHealthFinding>();
        foreach (SwarmNode node in nodes.OrderBy(n => n.Hostname, StringComparer.Ordinal))
        {
            string target = node.Hostname + (nodes.Count(n => n.Hostname == node.Hostname) > 1 ? $" ({node.Id[..Math.Min(12, node.Id.Length)]})" : string.Empty);
            if (node.Status != SwarmNodeStatus.Ready)
            {
                bool planned = node.Availability == SwarmNodeAvailability.Drain;
                findings.Add(Finding(
                    planned ? OpsHealthSeverity.Warning : OpsHealthSeverity.Critical,
                    target,
                    "SwarmNodeDown",
                    $"Node is {node.Status.ToString().ToLowerInvariant()} (availability {node.Availability.ToString().ToLowerInvariant()}, {node.Role.ToString().ToLowerInvariant()}{(node.Address is null ? string.Empty : ", " + node.Address)})",
                    $"Get-SwarmNode '{node.Hostname}' | Format-List *",
                    source,
                    now));
            }
            else if (string.Equals(node.ManagerReachability, "unreachable", StringComparison.OrdinalIgnoreCase))
            {
                findings.Add(Finding(OpsHealthSeverity.Critical, target, "SwarmManagerUnreachable", "Manager is unreachable from the other managers: the raft quorum is at risk", $"Get-SwarmNode -Role Manager", source, now));
            }
            else if (_options.ReportDrained && node.Availability != SwarmNodeAvailability.Active)
            {
                findings.Add(Finding(
                    OpsHealthSeverity.Warning,
                    target,
                    "SwarmNodeNotActive",
                    $"Node is ready but {node.Availability.ToString().ToLowerInvariant()}: it takes no new tasks",
                    $"Set-SwarmNode '{node.Hostname}' -Availability Active",
                    source,
                    now));
            }
        }

        return findings;
    }

}
