using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using OpsTools.Engine.Docker;
using OpsTools.Engine.Swarm;
using OpsTools.Engine.Tests.Lab;
using OpsTools.Swarm;

namespace OpsTools.Engine.Tests.Swarm;

[Collection(SwarmChangeCollection.Name)]
public sealed class SwarmConvergenceWatcherTests
{
    private const string Forever = "trap 'exit 0' TERM; while true; do sleep 1; done";
    private static readonly SwarmConvergenceOptions Generous = new() { Timeout = TimeSpan.FromSeconds(90) };

    [SkippableFact]
    public async Task A_scale_up_converges_when_every_replica_runs_with_two_api_calls_per_poll()
    {
        await using LabServices lab = await LabServices.StartAsync();
        string id = await lab.CreateAsync("scale", Forever, "--replicas", "1");
        await lab.WaitForReplicasAsync(id, "1/1");
        DockerConnection connection = lab.Connect();
        var updater = new SwarmServiceUpdater(connection);
        SwarmServicePlan plan = await updater.PlanAsync(id, new SwarmServiceChange { Replicas = 3 });
        await updater.ApplyAsync(plan);
        long before = connection.ApiCallCount;
        int polls = 0;

        IReadOnlyList<SwarmServiceConvergence> result = await new SwarmConvergenceWatcher(connection)
            .WaitAsync(new[] { plan.ToWatchTarget() }, Generous, _ => polls++);

        SwarmServiceConvergence outcome = Assert.Single(result);
        Assert.Equal(SwarmConvergenceState.Converged, outcome.State);
        Assert.Equal(3, outcome.RunningTasks);
        Assert.Equal(3, outcome.DesiredTasks);
        Assert.Equal(2L * polls, connection.ApiCallCount - before);
        Assert.Equal("3/3", await lab.InspectAsync(id, "{{.Spec.Mode.Replicated.Replicas}}") + "/3");
    }

    [SkippableFact]
    public async Task A_health_check_holds_convergence_until_the_task_is_healthy()
    {
        await using LabServices lab = await LabServices.StartAsync();
        string id = await lab.CreateAsync("health", "sleep 3; touch /tmp/ok; " + Forever,
            "--health-cmd", "test -f /tmp/ok", "--health-interval", "1s", "--health-start-period", "30s");
        var clock = Stopwatch.StartNew();

        SwarmServiceConvergence outcome = Assert.Single(await new SwarmConvergenceWatcher(lab.Connect())
            .WaitAsync(new[] { new SwarmWatchTarget { ServiceId = id } }, Generous));

        Assert.Equal(SwarmConvergenceState.Converged, outcome.State);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(3), $"converged after {clock.Elapsed}, before the health check could pass");
        Assert.Contains("(healthy)", await DockerCli.RunAsync(lab.DockerHost, "ps", "--filter", "label=com.docker.swarm.service.id=" + id, "--format", "{{.Status}}"), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task An_image_that_does_not_exist_is_reported_as_such_within_seconds()
    {
        await using LabServices lab = await LabServices.StartAsync();
        string id = await lab.CreateAsync("noimage", Forever);
        await lab.WaitForReplicasAsync(id, "1/1");
        var updater = new SwarmServiceUpdater(lab.Connect());
        SwarmServicePlan plan = await updater.PlanAsync(id, new SwarmServiceChange { Image = "lab/does-not-exist:1" });
        await updater.ApplyAsync(plan);

        SwarmServiceConvergence outcome = Assert.Single(await new SwarmConvergenceWatcher(lab.Connect()).WaitAsync(new[] { plan.ToWatchTarget() }, Generous));

        Assert.Equal(SwarmConvergenceState.ImageNotFound, outcome.State);
        Assert.Contains("lab/does-not-exist:1", outcome.Message, StringComparison.Ordinal);
        Assert.True(outcome.Elapsed < TimeSpan.FromSeconds(30), $"took {outcome.Elapsed}");
    }

    [SkippableFact]
    public async Task A_constraint_no_node_satisfies_is_reported_as_unschedulable()
    {
        await using LabServices lab = await LabServices.StartAsync();
        string id = await lab.CreateAsync("unplaced", Forever, "--replicas", "0");
        var updater = new SwarmServiceUpdater(lab.Connect());
        SwarmServicePlan plan = await updater.PlanAsync(id, new SwarmServiceChange { Replicas = 1, Constraints = new[] { "node.labels.opstools-never==1" } });
        await updater.ApplyAsync(plan);

        SwarmServiceConvergence outcome = Assert.Single(await new SwarmConvergenceWatcher(lab.Connect()).WaitAsync(new[] { plan.ToWatchTarget() }, Generous));

        Assert.Equal(SwarmConvergenceState.Unschedulable, outcome.State);
        Assert.Contains("no suitable node", outcome.Message, StringComparison.OrdinalIgnoreCase);
    }

    [SkippableFact]
    public async Task Tasks_that_crash_after_an_update_fail_the_rollout_and_a_rollback_restores_it()
    {
        await using LabServices lab = await LabServices.StartAsync();
        string id = await lab.CreateAsync("crash", "[ \"$CRASH\" = 1 ] && exit 3; " + Forever, "--update-monitor", "2s");
        await lab.WaitForReplicasAsync(id, "1/1");
        var updater = new SwarmServiceUpdater(lab.Connect());
        var watcher = new SwarmConvergenceWatcher(lab.Connect());
        SwarmServicePlan plan = await updater.PlanAsync(id, new SwarmServiceChange { Environment = new Dictionary<string, string?> { ["CRASH"] = "1" } });
        await updater.ApplyAsync(plan);

        SwarmServiceConvergence failed = Assert.Single(await watcher.WaitAsync(new[] { plan.ToWatchTarget() }, Generous));

        Assert.Contains(failed.State, new[] { SwarmConvergenceState.Paused, SwarmConvergenceState.TasksFailing });
        SwarmServicePlan rollback = await updater.PlanRollbackAsync(id);
        Assert.Contains(rollback.Changes, c => c.Field == "Env[CRASH]" && c.Before == "1" && c.After is null);
        await updater.ApplyAsync(rollback);
        SwarmServiceConvergence restored = Assert.Single(await watcher.WaitAsync(new[] { rollback.ToWatchTarget() }, Generous));
        Assert.Equal(SwarmConvergenceState.Converged, restored.State);
        Assert.DoesNotContain("CRASH", await lab.InspectAsync(id, "{{json .Spec.TaskTemplate.ContainerSpec.Env}}"), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Jobs_and_one_shot_services_converge_when_their_tasks_complete()
    {
        await using LabServices lab = await LabServices.StartAsync();
        string job = await lab.CreateAsync("job", "exit 0", "--mode", "replicated-job");
        string oneShot = await lab.CreateAsync("oneshot", "exit 0", "--restart-condition", "none");

        // A one-shot service whose task already finished must not keep the watch waiting for a running task.
        DateTime deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(await DockerCli.RunAsync(lab.DockerHost, "service", "ps", "--format", "{{.CurrentState}}", oneShot)).StartsWith("Complete", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "the one-shot task did not complete");
            await Task.Delay(250);
        }

        IReadOnlyList<SwarmServiceConvergence> outcomes = await new SwarmConvergenceWatcher(lab.Connect())
            .WaitAsync(new[] { new SwarmWatchTarget { ServiceId = job }, new SwarmWatchTarget { ServiceId = oneShot } }, Generous);

        Assert.All(outcomes, o => Assert.Equal(SwarmConvergenceState.Converged, o.State));
        Assert.Equal(1, outcomes[0].CompletedTasks);
        Assert.Equal(1, outcomes[1].CompletedTasks);
    }

    [SkippableFact]
    public async Task The_timeout_reports_services_still_moving_as_timed_out()
    {
        await using LabServices lab = await LabServices.StartAsync();
        string id = await lab.CreateAsync("slow", Forever, "--constraint", "node.labels.opstools-never==1");
        var options = new SwarmConvergenceOptions { Timeout = TimeSpan.FromSeconds(2), UnschedulableGrace = TimeSpan.FromHours(1) };
        var clock = Stopwatch.StartNew();

        SwarmServiceConvergence outcome = Assert.Single(await new SwarmConvergenceWatcher(lab.Connect()).WaitAsync(new[] { new SwarmWatchTarget { ServiceId = id } }, options));

        Assert.Equal(SwarmConvergenceState.TimedOut, outcome.State);
        Assert.Contains("still updating", outcome.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [SkippableFact]
    public async Task Cancelling_stops_the_watch_promptly_and_leaves_the_service_alone()
    {
        await using LabServices lab = await LabServices.StartAsync();
        string id = await lab.CreateAsync("cancel", Forever, "--constraint", "node.labels.opstools-never==1");
        var options = new SwarmConvergenceOptions { Timeout = TimeSpan.FromMinutes(5), UnschedulableGrace = TimeSpan.FromHours(1) };
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new SwarmConvergenceWatcher(lab.Connect()).WaitAsync(new[] { new SwarmWatchTarget { ServiceId = id } }, options, null, cancel.Token));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.Equal("1", await lab.InspectAsync(id, "{{.Spec.Mode.Replicated.Replicas}}"));
    }

    [SkippableFact]
    public async Task A_service_meant_to_keep_running_whose_tasks_exit_cleanly_fails_instead_of_waiting_forever()
    {
        await using LabServices lab = await LabServices.StartAsync();
        string id = await lab.CreateAsync("exits", "exit 0", "--restart-condition", "any", "--restart-delay", "0s");

        SwarmServiceConvergence outcome = Assert.Single(await new SwarmConvergenceWatcher(lab.Connect())
            .WaitAsync(new[] { new SwarmWatchTarget { ServiceId = id } }, Generous));

        Assert.Equal(SwarmConvergenceState.TasksFailing, outcome.State);
        Assert.True(outcome.FailedTasks >= 3, outcome.Message);
    }

    [SkippableFact]
    public async Task With_healthy_is_stable_a_task_counts_as_soon_as_its_health_check_passed()
    {
        await using LabServices lab = await LabServices.StartAsync();
        string id = await lab.CreateAsync("healthy", Forever, "--health-cmd", "true", "--health-interval", "1s");
        var polls = new List<(TimeSpan Elapsed, long Running)>();

        SwarmServiceConvergence outcome = Assert.Single(await new SwarmConvergenceWatcher(lab.Connect()).WaitAsync(
            new[] { new SwarmWatchTarget { ServiceId = id } },
            new SwarmConvergenceOptions { Timeout = TimeSpan.FromSeconds(90), HealthyIsStable = true, PollInterval = TimeSpan.FromMilliseconds(100) },
            states => polls.Add((states[0].Elapsed, states[0].RunningTasks))));

        Assert.Equal(SwarmConvergenceState.Converged, outcome.State);
        // Converged on the first poll that saw the task running: no StableFor second on top.
        Assert.Equal(polls.First(p => p.Running == 1).Elapsed, outcome.Elapsed);
    }
}
