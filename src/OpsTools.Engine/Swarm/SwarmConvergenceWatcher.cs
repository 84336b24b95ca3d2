using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Docker.DotNet.Models;
using OpsTools.Engine.Docker;
using OpsTools.Swarm;
using ApiService = Docker.DotNet.Models.SwarmService;
using ApiTaskState = Docker.DotNet.Models.TaskState;

namespace OpsTools.Engine.Swarm;

/// <summary>A service to watch, with what is known of it from before the change.</summary>
public sealed class SwarmWatchTarget
{
    /// <summary>Service id.</summary>
    public required string ServiceId { get; init; }

    /// <summary>
    /// Start time of the update status the service had before the change. An update status that
    /// started then is stale (a scale does not reset it) and is ignored; null when it had none.
    /// </summary>
    public DateTimeOffset? StaleUpdateStartedAt { get; init; }

    /// <summary>The change is a rollback: <c>rollback_started</c>/<c>rollback_completed</c> are progress, not failure.</summary>
    public bool IsRollback { get; init; }
}

/// <summary>How long and how closely to watch.</summary>
public sealed class SwarmConvergenceOptions
{
    /// <summary>Give up after this long; services still moving are reported <see cref="SwarmConvergenceState.TimedOut"/>.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Time between polls.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Failed or rejected tasks of the new spec after which the rollout counts as failed.</summary>
    public int MaxTaskFailures { get; init; } = 3;

    /// <summary>
    /// How long a task started by the change must stay running before it counts, so a process that
    /// crashes right after starting is not taken for a converged service.
    /// </summary>
    public TimeSpan StableFor { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A running task whose spec has a health check counts at once, without <see cref="StableFor"/>:
    /// Swarm reports such a task Running only once its container is healthy, which is proof enough
    /// and lets a deploy detect convergence within one poll of the last task turning healthy.
    /// </summary>
    public bool HealthyIsStable { get; init; }

    /// <summary>How long a task may wait for a node that no constraint allows before the rollout counts as failed.</summary>
    public TimeSpan UnschedulableGrace { get; init; } = TimeSpan.FromSeconds(3);
}

/// <summary>
/// Watches services after a change until every task of their current spec runs (healthy when
/// there is a health check), a job completes, or the rollout fails. Each poll costs two
/// requests whatever the number of services: one service listing (with status) and one listing
/// of the up-to-date tasks of all watched services.
/// </summary>
public sealed class SwarmConvergenceWatcher
{
    private static readonly string[] ImageErrors =
    {
        "No such image", "pull access denied", "manifest unknown", "repository does not exist", "not found: manifest", "invalid reference format",
    };

    private readonly DockerConnection _connection;

    /// <summary>Creates a watcher for one endpoint.</summary>
    /// <param name="connection">The Docker connection.</param>
    public SwarmConvergenceWatcher(DockerConnection connection)
    {
        _connection = connection ?? throw new ArgumentNullException(nameof(connection));
    }

    /// <summary>
    /// Watches until every service has converged or failed, or the timeout runs out. A task in
    /// the Running state is healthy: with a health check, swarm keeps the task Starting until the
    /// container reports healthy.
    /// </summary>
    /// <param name="targets">The services to watch.</param>
    /// <param name="options">Timeout and poll settings.</param>
    /// <param name="onProgress">Called after each poll with the state of every service (on the watcher's thread).</param>
    /// <param name="cancellationToken">Stops watching (the services go on updating).</param>
    /// <returns>The outcome per service, in the order of <paramref name="targets"/>.</returns>
    public async Task<IReadOnlyList<SwarmServiceConvergence>> WaitAsync(
        IReadOnlyList<SwarmWatchTarget> targets,
        SwarmConvergenceOptions? options = null,
        Action<IReadOnlyList<SwarmServiceConvergence>>? onProgress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(targets);
        options ??= new SwarmConvergenceOptions();
        if (targets.Count == 0)
        {
            return Array.Empty<SwarmServiceConvergence>();
        }

        var clock = Stopwatch.StartNew();
        var tracker = new Tracker(targets, options, _connection.Endpoint.DisplayName);
        var idFilter = targets.Select(t => t.ServiceId).Distinct(StringComparer.Ordinal).ToDictionary(id => id, _ => true, StringComparer.Ordinal);
        var serviceParameters = new ServiceListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["id"] = idFilter },
        };
        var taskParameters = new TasksListParameters
        {
            // The docker CLI's own filter: tasks whose spec matches their service's current spec.
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["service"] = idFilter,
                ["_up-to-date"] = new Dictionary<string, bool> { ["true"] = true },
            },
        };

        await _connection.GetClientAsync(cancellationToken).ConfigureAwait(false);
        serviceParameters.Status = _connection.SupportsApi(1, 41) ? true : null;
        while (true)
        {
            TimeSpan remaining = options.Timeout - clock.Elapsed;
            if (remaining <= TimeSpan.Zero)
            {
                return tracker.Finish(clock.Elapsed, timedOut: true);
            }

            using var pollTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            pollTimeout.CancelAfter(remaining);
            IList<ApiService> services;
            IList<TaskResponse> tasks;
            try
            {
                Task<IList<ApiService>> servicesCall = _connection.RunAsync((client, ct) => client.Swarm.ListServicesAsync(serviceParameters, ct), pollTimeout.Token);
                Task<IList<TaskResponse>> tasksCall = _connection.RunAsync((client, ct) => client.Tasks.ListAsync(taskParameters, ct), pollTimeout.Token);
                await Task.WhenAll(servicesCall, tasksCall).ConfigureAwait(false);
                services = servicesCall.Result;
                tasks = tasksCall.Result;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return tracker.Finish(clock.Elapsed, timedOut: true);
            }

            IReadOnlyList<SwarmServiceConvergence> states = tracker.Update(services, tasks, clock.Elapsed);
            onProgress?.Invoke(states);
            if (states.All(s => s.IsFinished))
            {
                return states;
            }

            TimeSpan delay = options.PollInterval < options.Timeout - clock.Elapsed ? options.PollInterval : options.Timeout - clock.Elapsed;
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Keeps per-service memory between polls (first time a task was seen unschedulable, the last state).</summary>
    private sealed class Tracker
    {
        private readonly IReadOnlyList<SwarmWatchTarget> _targets;
        private readonly SwarmConvergenceOptions _options;
        private readonly string _host;
        private readonly Dictionary<string, TimeSpan> _unschedulableSince = new(StringComparer.Ordinal);
        private readonly Dictionary<string, SwarmServiceConvergence> _last = new(StringComparer.Ordinal);
        private readonly Dictionary<string, TimeSpan> _runningSince = new(StringComparer.Ordinal);

        public Tracker(IReadOnlyList<SwarmWatchTarget> targets, SwarmConvergenceOptions options, string host)
        {
            _targets = targets;
            _options = options;
            _host = host;
        }

        public IReadOnlyList<SwarmServiceConvergence> Update(IList<ApiService> services, IList<TaskResponse> tasks, TimeSpan elapsed)
        {
            Dictionary<string, ApiService> byId = services.ToDictionary(s => s.ID, StringComparer.Ordinal);
            ILookup<string, TaskResponse> tasksByService = tasks.ToLookup(t => t.ServiceID ?? string.Empty, StringComparer.Ordinal);
            var result = new List<SwarmServiceConvergence>(_targets.Count);
            foreach (SwarmWatchTarget target in _targets)
            {
                if (_last.TryGetValue(target.ServiceId, out SwarmServiceConvergence? done) && done.IsFinished)
                {
                    result.Add(done);
                    continue;
                }

                SwarmServiceConvergence state = byId.TryGetValue(target.ServiceId, out ApiService? service)
                    ? Evaluate(service, tasksByService[target.ServiceId].ToList(), target, elapsed)
                    : new SwarmServiceConvergence
                    {
                        DockerHost = _host,
                        ServiceId = target.ServiceId,
                        Service = _last.TryGetValue(target.ServiceId, out SwarmServiceConvergence? before) ? before.Service : target.ServiceId,
                        State = SwarmConvergenceState.ServiceRemoved,
                        Message = "The service was removed while it was being watched.",
                        Elapsed = elapsed,
                    };
                _last[target.ServiceId] = state;
                result.Add(state);
            }

            return result;
        }

        public IReadOnlyList<SwarmServiceConvergence> Finish(TimeSpan elapsed, bool timedOut) => _targets
            .Select(t => _last.TryGetValue(t.ServiceId, out SwarmServiceConvergence? last)
                ? last.IsFinished || !timedOut ? last : With(last, SwarmConvergenceState.TimedOut, TimedOutMessage(last), elapsed)
                : new SwarmServiceConvergence
                {
                    DockerHost = _host,
                    ServiceId = t.ServiceId,
                    Service = t.ServiceId,
                    State = SwarmConvergenceState.TimedOut,
                    Message = $"The timeout of {_options.Timeout} ran out before the service could be read.",
                    Elapsed = elapsed,
                })
            .ToList();

        private string TimedOutMessage(SwarmServiceConvergence last) =>
            $"The timeout of {_options.Timeout} ran out with {last.RunningTasks}/{last.DesiredTasks} task(s) of the new spec running; the service is still updating."
            + (last.Message is { Length: > 0 } why ? " Last seen: " + why : string.Empty);

        private static SwarmServiceConvergence With(SwarmServiceConvergence last, SwarmConvergenceState state, string message, TimeSpan elapsed) => new()
        {
            DockerHost = last.DockerHost,
            ServiceId = last.ServiceId,
            Service = last.Service,
            State = state,
            RunningTasks = last.RunningTasks,
            DesiredTasks = last.DesiredTasks,
            CompletedTasks = last.CompletedTasks,
            FailedTasks = last.FailedTasks,
            UpdateState = last.UpdateState,
            Message = message,
            Elapsed = elapsed,
        };

        private SwarmServiceConvergence Evaluate(ApiService service, List<TaskResponse> tasks, SwarmWatchTarget target, TimeSpan elapsed)
        {
            string name = service.Spec?.Name ?? service.ID;
            UpdateStatus? status = service.UpdateStatus;
            bool ownStatus = status is not null && (target.StaleUpdateStartedAt is null || ToOffset(status.StartedAt) != target.StaleUpdateStartedAt);
            string? updateState = ownStatus ? status!.State : null;
            string? updateMessage = ownStatus ? status!.Message : null;

            ServiceMode? mode = service.Spec?.Mode;
            bool isJob = mode?.ReplicatedJob is not null || mode?.GlobalJob is not null;
            if (isJob)
            {
                ulong iteration = service.JobStatus?.JobIteration?.Index ?? 0;
                tasks = tasks.Where(t => (t.JobIteration?.Index ?? 0) == iteration).ToList();
            }

            // Failures since the spec last changed; older ones belong to an earlier rollout. For a service
            // meant to keep running (restart condition any), a task that exited by itself failed too,
            // whatever its exit code: e.g. a process that ends cleanly when killed for being unhealthy.
            DateTime changedAt = (service.UpdatedAt ?? DateTime.MinValue).ToUniversalTime().AddSeconds(-1);
            bool keepsRunning = !isJob && (service.Spec?.TaskTemplate?.RestartPolicy?.Condition ?? "any") == "any";
            List<TaskResponse> failed = tasks
                .Where(t => (t.Status?.State is ApiTaskState.Failed or ApiTaskState.Rejected || (keepsRunning && t.Status?.State == ApiTaskState.Complete))
                    && (t.CreatedAt ?? DateTime.MaxValue).ToUniversalTime() >= changedAt)
                .OrderByDescending(t => t.Status?.Timestamp)
                .ToList();
            List<TaskResponse> wanted = tasks.Where(t => t.DesiredState is ApiTaskState.Running or ApiTaskState.Complete).ToList();
            DateTime changed = (service.UpdatedAt ?? DateTime.MinValue).ToUniversalTime();
            bool IsStable(TaskResponse t)
            {
                // A task already running before the change (daemon clock on both sides) has proven itself.
                if ((t.Status?.Timestamp ?? DateTime.MaxValue).ToUniversalTime() < changed)
                {
                    return true;
                }

                if (_options.HealthyIsStable && t.Spec?.ContainerSpec?.Healthcheck?.Test is { Count: > 0 } test && test[0] != "NONE")
                {
                    return true;
                }

                if (!_runningSince.TryGetValue(t.ID, out TimeSpan since))
                {
                    _runningSince[t.ID] = since = elapsed;
                }

                return elapsed - since >= _options.StableFor;
            }

            List<TaskResponse> runningTasks = wanted.Where(t => t.Status?.State == ApiTaskState.Running).ToList();
            var stable = new HashSet<string>(runningTasks.Where(IsStable).Select(t => t.ID), StringComparer.Ordinal);
            long running = runningTasks.Count;
            long completed = tasks.Count(t => t.Status?.State == ApiTaskState.Complete);
            long desired = DesiredTasks(service, wanted);

            SwarmServiceConvergence Make(SwarmConvergenceState state, string? message) => new()
            {
                DockerHost = _host,
                ServiceId = service.ID,
                Service = name,
                State = state,
                RunningTasks = running,
                DesiredTasks = desired,
                CompletedTasks = completed,
                FailedTasks = failed.Count,
                UpdateState = updateState,
                Message = message,
                Elapsed = elapsed,
            };

            // The most specific reason first: a missing image also pauses the update.
            if (failed.FirstOrDefault(t => t.Status?.State == ApiTaskState.Rejected && IsImageError(t.Status.Err)) is { } noImage)
            {
                return Make(SwarmConvergenceState.ImageNotFound, $"The image '{noImage.Spec?.ContainerSpec?.Image}' cannot be found: {noImage.Status!.Err}");
            }

            switch (updateState)
            {
                case "paused":
                    return Make(SwarmConvergenceState.Paused, $"The update was paused: {updateMessage}");
                case "rollback_paused":
                    return Make(SwarmConvergenceState.Paused, $"The rollback was paused: {updateMessage}");
                case "rollback_started" or "rollback_completed" when !target.IsRollback:
                    return Make(SwarmConvergenceState.RolledBack, $"The update failed and was rolled back ({updateState}): {updateMessage}");
            }

            if (failed.Count >= _options.MaxTaskFailures)
            {
                TaskResponse last = failed[0];
                string exit = last.Status?.ContainerStatus is { ExitCode: not 0 } cs ? $" (exit code {cs.ExitCode})" : string.Empty;
                return Make(SwarmConvergenceState.TasksFailing, $"{failed.Count} task(s) of the new spec failed; the last: {last.Status?.Err ?? last.Status?.Message}{exit}");
            }

            TaskResponse? unplaced = wanted.FirstOrDefault(t => t.Status?.State == ApiTaskState.Pending && t.Status.Err is { Length: > 0 } err && err.Contains("no suitable node", StringComparison.OrdinalIgnoreCase));
            if (unplaced is not null)
            {
                if (!_unschedulableSince.TryGetValue(service.ID, out TimeSpan since))
                {
                    _unschedulableSince[service.ID] = since = elapsed;
                }

                if (elapsed - since >= _options.UnschedulableGrace)
                {
                    return Make(SwarmConvergenceState.Unschedulable, $"A task cannot be placed: {unplaced.Status!.Err}");
                }
            }
            else
            {
                _unschedulableSince.Remove(service.ID);
            }

            bool updating = updateState is "updating" or "rollback_started";
            if (isJob)
            {
                long total = mode!.ReplicatedJob is { } job ? (long)(job.TotalCompletions ?? job.MaxConcurrent ?? 1) : desired;
                return completed >= total && total > 0
                    ? Make(SwarmConvergenceState.Converged, $"The job completed {completed} task(s).")
                    : Make(SwarmConvergenceState.Converging, $"{completed}/{total} task(s) completed.");
            }

            // One-shot services (restart condition none or on-failure) count a completed task as done.
            string condition = service.Spec?.TaskTemplate?.RestartPolicy?.Condition ?? "any";
            bool oneShot = condition is "none" or "on-failure";
            // The orchestrator sets a finished one-shot task's desired state to shutdown: count it whatever it wants now.
            long done = tasks
                .Where(t => (stable.Contains(t.ID) && t.DesiredState is ApiTaskState.Running) || (oneShot && t.Status?.State == ApiTaskState.Complete))
                .Select(t => t.Slot is > 0 ? "slot:" + t.Slot : "node:" + t.NodeID)
                .Distinct(StringComparer.Ordinal)
                .LongCount();
            bool stopping = tasks.Any(t => t.DesiredState is not (ApiTaskState.Running or ApiTaskState.Complete) && t.Status?.State is ApiTaskState.Running or ApiTaskState.Starting);
            // Converged as soon as every slot runs the new spec: the orchestrator's own "completed"
            // comes one monitor period (5 s by default) later and adds nothing an operator waits for.
            if (!stopping && done >= desired)
            {
                return Make(SwarmConvergenceState.Converged, null);
            }

            string waiting = updating ? $"Update {updateState}: {done}/{desired} task(s) of the new spec running."
                : stopping ? "Waiting for removed tasks to stop."
                : $"{done}/{desired} task(s) of the new spec running.";
            if (unplaced is not null)
            {
                waiting += " A task waits for a node: " + unplaced.Status!.Err;
            }
            else if (wanted.FirstOrDefault(t => t.Status?.State == ApiTaskState.Starting) is { } starting)
            {
                waiting += " A task is starting" + (starting.Spec?.ContainerSpec?.Healthcheck is not null ? " (waiting for its health check)." : ".");
            }

            return Make(SwarmConvergenceState.Converging, waiting);
        }

        private static long DesiredTasks(ApiService service, List<TaskResponse> wanted)
        {
            if (service.Spec?.Mode?.Replicated is { } replicated)
            {
                return (long)(replicated.Replicas ?? 1);
            }

            if (service.Spec?.Mode?.ReplicatedJob is { } job)
            {
                return (long)(job.TotalCompletions ?? job.MaxConcurrent ?? 1);
            }

            return service.ServiceStatus is { } status
                ? (long)status.DesiredTasks
                : wanted.Select(t => t.NodeID).Distinct(StringComparer.Ordinal).LongCount();
        }

        private static bool IsImageError(string? error) =>
            error is { Length: > 0 } && ImageErrors.Any(e => error.Contains(e, StringComparison.OrdinalIgnoreCase));

        private static DateTimeOffset? ToOffset(DateTime? value) => value is { } v
            ? new DateTimeOffset(v.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(v, DateTimeKind.Utc) : v.ToUniversalTime())
            : null;
    }
}
