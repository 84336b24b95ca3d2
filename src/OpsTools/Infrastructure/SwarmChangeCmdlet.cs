using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using OpsTools.Swarm;

namespace OpsTools.Infrastructure;

/// <summary>A service changed by a cmdlet, to be watched until it converges.</summary>
/// <param name="ServiceId">Service id.</param>
/// <param name="Name">Service name.</param>
/// <param name="StaleUpdateStartedAt">Start of the update status the service had before the change.</param>
/// <param name="IsRollback">The change is a rollback.</param>
internal sealed record ChangedService(string ServiceId, string Name, DateTimeOffset? StaleUpdateStartedAt, bool IsRollback);

/// <summary>
/// Base of the cmdlets that change Swarm services: -Wait and -Timeout, the convergence watch
/// with its progress bar, one error per service that failed to converge, and the re-read of
/// the changed services for output. Engine calls stay in a nested class (load isolation).
/// </summary>
public abstract class SwarmChangeCmdlet : DockerCmdlet
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>Wait until every changed service has converged (or failed, or the timeout ran out).</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    /// <summary>How long -Wait waits: seconds (300), a duration (5m) or a TimeSpan.</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The Write-Progress activity id of this cmdlet.</summary>
    private protected abstract int ProgressActivityId { get; }

    /// <summary>Whether a running task with a health check counts at once (see SwarmConvergenceOptions.HealthyIsStable).</summary>
    private protected virtual bool HealthyIsStable => false;

    /// <summary>
    /// Watches services until they converge, showing progress at most every 200 ms, and writes
    /// one non-terminating error per service that failed or timed out. Ctrl+C stops watching,
    /// leaves the services updating and says so.
    /// </summary>
    private protected IReadOnlyList<SwarmServiceConvergence> WatchConvergence(IReadOnlyList<ChangedService> services, string activity)
    {
        if (services.Count == 0)
        {
            return Array.Empty<SwarmServiceConvergence>();
        }

        IReadOnlyList<SwarmServiceConvergence>? latest = null;
        var progress = new ProgressRecord(ProgressActivityId, activity, $"Waiting for {Describe(services)} to converge");
        DateTime lastWrite = DateTime.MinValue;
        bool wrote = false;
        try
        {
            Task<IReadOnlyList<SwarmServiceConvergence>> watch = EngineCalls.Watch(DockerHost, services, Timeout, HealthyIsStable, snapshot => Volatile.Write(ref latest, snapshot), CancellationToken);
            while (!((IAsyncResult)watch).AsyncWaitHandle.WaitOne(50))
            {
                if (DateTime.UtcNow - lastWrite < ProgressInterval || Volatile.Read(ref latest) is not { } snapshot)
                {
                    continue;
                }

                Volatile.Write(ref latest, null);
                Describe(progress, snapshot);
                WriteProgress(progress);
                wrote = true;
                lastWrite = DateTime.UtcNow;
            }

            IReadOnlyList<SwarmServiceConvergence> results = Await(watch);
            foreach (SwarmServiceConvergence result in results)
            {
                WriteVerbose(result.State == SwarmConvergenceState.Converged
                    ? string.Create(CultureInfo.InvariantCulture, $"{result.Service}: converged in {result.Elapsed.TotalSeconds:0.0} s ({result.RunningTasks}/{result.DesiredTasks} running, {result.CompletedTasks} completed).")
                    : $"{result.Service}: {result.State} after {result.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s. {result.Message}");
                if (result.IsFailure)
                {
                    WriteError(ConvergenceError(result));
                }
            }

            return results;
        }
        catch (PipelineStoppedException)
        {
            // The pipeline is stopping: Write* no longer works, the host still does.
            Host?.UI?.WriteWarningLine(
                $"Stopped waiting: {Describe(services)} may still be updating on {services.Count} service(s); the swarm goes on with the change. Check with Get-SwarmService or Get-SwarmTask.");
            throw;
        }
        catch (OpsToolsException ex)
        {
            ThrowTerminatingError(ErrorRecords.From(ex));
            throw;
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

    /// <summary>Reads the services again after the change (one API call), in the order given.</summary>
    private protected IReadOnlyList<SwarmService> ReadServices(IEnumerable<string> serviceIds)
    {
        List<string> ids = serviceIds.Distinct(StringComparer.Ordinal).ToList();
        if (ids.Count == 0)
        {
            return Array.Empty<SwarmService>();
        }

        IReadOnlyList<SwarmService> all = AwaitOrTerminate(ct => EngineCalls.ReadServices(DockerHost, ct));
        Dictionary<string, SwarmService> byId = all.ToDictionary(s => s.Id, StringComparer.Ordinal);
        return ids.Where(byId.ContainsKey).Select(id => byId[id]).ToList();
    }

    /// <summary>All services (one API call), for resolving names and wildcards.</summary>
    private protected IReadOnlyList<SwarmService> ListServices() => AwaitOrTerminate(ct => EngineCalls.ReadServices(DockerHost, ct));

    /// <summary>The ShouldProcess target of a service: its name and endpoint.</summary>
    private protected static string TargetOf(SwarmService service) => $"{service.Name} on {service.DockerHost}";

    /// <summary>Writes one SwarmServiceNotFound error per name that matched nothing.</summary>
    private protected void WriteNotFound(IEnumerable<string> names)
    {
        foreach (string missing in names)
        {
            WriteError(ErrorRecords.SwarmServiceNotFound(missing));
        }
    }

    internal static ErrorRecord ConvergenceError(SwarmServiceConvergence result)
    {
        (string id, ErrorCategory category, string advice) = result.State switch
        {
            SwarmConvergenceState.Paused => ("SwarmServiceUpdatePaused", ErrorCategory.InvalidResult,
                "Look at the failed tasks (Get-SwarmTask -Service <name>) and their logs (Get-SwarmServiceLog); fix the spec and update again, or roll back with Undo-SwarmServiceUpdate."),
            SwarmConvergenceState.RolledBack => ("SwarmServiceRolledBack", ErrorCategory.InvalidResult,
                "The orchestrator rolled the service back to its previous spec. Look at the failed tasks (Get-SwarmTask) and their logs before trying again."),
            SwarmConvergenceState.TasksFailing => ("SwarmServiceTasksFailing", ErrorCategory.InvalidResult,
                "Read the task errors (Get-SwarmTask -Service <name>) and logs (Get-SwarmServiceLog); fix the spec or roll back with Undo-SwarmServiceUpdate."),
            SwarmConvergenceState.Unschedulable => ("SwarmServiceUnschedulable", ErrorCategory.ResourceUnavailable,
                "No node satisfies the placement constraints or resource reservations: check -Constraint against the node labels (Get-SwarmNode | Select-Object Hostname, Labels), or free resources."),
            SwarmConvergenceState.ImageNotFound => ("SwarmServiceImageNotFound", ErrorCategory.ObjectNotFound,
                "Check the image name and tag, that it was pushed, and that the nodes can pull it (registry credentials)."),
            SwarmConvergenceState.ServiceRemoved => ("SwarmServiceRemoved", ErrorCategory.ObjectNotFound,
                "Someone removed the service while it was being watched."),
            _ => ("SwarmServiceConvergenceTimeout", ErrorCategory.OperationTimeout,
                "The service is still updating. Watch it with Get-SwarmService / Get-SwarmTask, or give a longer -Timeout."),
        };
        string message = $"Service '{result.Service}' did not converge ({result.State}): {result.Message}";
        var record = new ErrorRecord(new OpsToolsException(id, OpsToolsErrorKind.NotSpecified, message, result), id, category, result);
        record.ErrorDetails = new ErrorDetails(message) { RecommendedAction = advice };
        return record;
    }

    private static string Describe(IReadOnlyList<ChangedService> services) =>
        services.Count == 1 ? services[0].Name : $"{services.Count} services";

    private static void Describe(ProgressRecord progress, IReadOnlyList<SwarmServiceConvergence> snapshot)
    {
        long desired = snapshot.Sum(s => Math.Max(s.DesiredTasks, 0));
        long done = snapshot.Sum(s => s.State == SwarmConvergenceState.Converged ? s.DesiredTasks : Math.Min(Math.Max(s.RunningTasks, s.CompletedTasks), s.DesiredTasks));
        int converged = snapshot.Count(s => s.State == SwarmConvergenceState.Converged);
        SwarmServiceConvergence? waiting = snapshot.FirstOrDefault(s => s.State == SwarmConvergenceState.Converging);
        progress.StatusDescription = string.Create(CultureInfo.InvariantCulture,
            $"{converged}/{snapshot.Count} service(s) converged, {done}/{desired} task(s) ready");
        progress.CurrentOperation = waiting is null ? null : $"{waiting.Service}: {waiting.Message}";
        progress.PercentComplete = desired > 0 ? (int)Math.Min(100, done * 100 / desired) : -1;
    }

    /// <summary>Engine calls, in their own type so that loading the cmdlet does not load the engine.</summary>
    private static class EngineCalls
    {
        public static Task<IReadOnlyList<SwarmServiceConvergence>> Watch(string? dockerHost, IReadOnlyList<ChangedService> services, TimeSpan timeout, bool healthyIsStable, Action<IReadOnlyList<SwarmServiceConvergence>> onProgress, CancellationToken cancellationToken)
        {
            var watcher = new OpsTools.Engine.Swarm.SwarmConvergenceWatcher(OpsTools.Engine.Docker.DockerConnection.Get(dockerHost));
            var targets = services
                .Select(s => new OpsTools.Engine.Swarm.SwarmWatchTarget { ServiceId = s.ServiceId, StaleUpdateStartedAt = s.StaleUpdateStartedAt, IsRollback = s.IsRollback })
                .ToList();
            return Task.Run(() => watcher.WaitAsync(targets, new OpsTools.Engine.Swarm.SwarmConvergenceOptions { Timeout = timeout, HealthyIsStable = healthyIsStable }, onProgress, cancellationToken), cancellationToken);
        }

        public static Task<IReadOnlyList<SwarmService>> ReadServices(string? dockerHost, CancellationToken cancellationToken) =>
            new OpsTools.Engine.Swarm.SwarmInspector(OpsTools.Engine.Docker.DockerConnection.Get(dockerHost)).GetServicesAsync(null, cancellationToken);
    }
}
