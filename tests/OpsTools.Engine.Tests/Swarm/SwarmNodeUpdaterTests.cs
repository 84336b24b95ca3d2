using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using OpsTools.Engine.Swarm;
using OpsTools.Engine.Tests.Lab;
using OpsTools.Swarm;

namespace OpsTools.Engine.Tests.Swarm;

/// <summary>
/// Changes the lab's only node, which other test runs share: labels are unique to the test and
/// removed in finally, Pause lasts about a second and Active is restored in finally. Draining is
/// never done here (it would stop every other service of the lab); the drain wait is tested for
/// real on a private swarm by the Set-SwarmNode Pester tests.
/// </summary>
[Collection(SwarmChangeCollection.Name)]
public sealed class SwarmNodeUpdaterTests
{
    private const string Forever = "trap 'exit 0' TERM; while true; do sleep 1; done";

    [SkippableFact]
    public async Task Labels_are_set_and_removed_in_one_update_at_the_version_read_keeping_the_others()
    {
        await using LabServices lab = await LabServices.StartAsync();
        string node = await SelfAsync(lab);
        string keep = lab.Prefix + ".keep";
        string drop = lab.Prefix + ".drop";
        string add = lab.Prefix + ".add";
        try
        {
            await DockerCli.RunAsync(lab.DockerHost, "node", "update", "--label-add", keep + "=1", "--label-add", drop + "=x", node);
            var updater = new SwarmNodeUpdater(lab.Connect());
            SwarmNodePlan plan = await updater.PlanAsync(node, new SwarmNodeChange
            {
                Labels = new Dictionary<string, string?> { [add] = "yes", [drop] = null, [keep] = "1" },
            });
            long calls = lab.Connect().ApiCallCount;

            await updater.ApplyAsync(plan);

            Assert.Equal(1, lab.Connect().ApiCallCount - calls);
            Assert.Equal(new[] { $"Label[{add}]: (none) -> yes", $"Label[{drop}]: x -> (none)" }, plan.Changes.Select(c => c.ToString()));
            JsonObject labels = JsonNode.Parse(await DockerCli.RunAsync(lab.DockerHost, "node", "inspect", "--format", "{{json .Spec.Labels}}", node))!.AsObject();
            Assert.Equal("yes", labels[add]!.GetValue<string>());
            Assert.Equal("1", labels[keep]!.GetValue<string>());
            Assert.False(labels.ContainsKey(drop));
            Assert.Equal("active", await DockerCli.RunAsync(lab.DockerHost, "node", "inspect", "--format", "{{.Spec.Availability}}", node));
        }
        finally
        {
            await RemoveLabelsAsync(lab, node, keep, drop, add);
        }
    }

    [SkippableFact]
    public async Task Pause_is_set_and_Active_restored_and_a_node_already_so_needs_no_update()
    {
        await using LabServices lab = await LabServices.StartAsync();
        string node = await SelfAsync(lab);
        var updater = new SwarmNodeUpdater(lab.Connect());
        try
        {
            SwarmNodePlan pause = await updater.PlanAsync(node, new SwarmNodeChange { Availability = SwarmNodeAvailability.Pause });
            await updater.ApplyAsync(pause);
            string paused = await DockerCli.RunAsync(lab.DockerHost, "node", "inspect", "--format", "{{.Spec.Availability}}", node);
            SwarmNodePlan resume = await updater.PlanAsync(node, new SwarmNodeChange { Availability = SwarmNodeAvailability.Active });
            await updater.ApplyAsync(resume);
            SwarmNodePlan again = await updater.PlanAsync(node, new SwarmNodeChange { Availability = SwarmNodeAvailability.Active });

            Assert.Equal("Availability: active -> pause", pause.Summary);
            Assert.Equal("pause", paused);
            Assert.Equal("Availability: pause -> active", resume.Summary);
            Assert.Empty(again.Changes);
            Assert.Equal("active", await DockerCli.RunAsync(lab.DockerHost, "node", "inspect", "--format", "{{.Spec.Availability}}", node));
        }
        finally
        {
            await DockerCli.RunAsync(lab.DockerHost, "node", "update", "--availability", "active", node);
        }
    }

    [SkippableFact]
    public async Task An_update_from_a_stale_read_is_refused_and_an_unknown_node_is_reported()
    {
        await using LabServices lab = await LabServices.StartAsync();
        string node = await SelfAsync(lab);
        string label = lab.Prefix + ".stale";
        var updater = new SwarmNodeUpdater(lab.Connect());
        try
        {
            SwarmNodePlan stale = await updater.PlanAsync(node, new SwarmNodeChange { Labels = new Dictionary<string, string?> { [label] = "mine" } });
            await DockerCli.RunAsync(lab.DockerHost, "node", "update", "--label-add", label + "=theirs", node);

            OpsToolsException refused = await Assert.ThrowsAsync<OpsToolsException>(() => updater.ApplyAsync(stale));
            OpsToolsException missing = await Assert.ThrowsAsync<OpsToolsException>(() => updater.PlanAsync(lab.Prefix + "-nosuch-node", new SwarmNodeChange { Availability = SwarmNodeAvailability.Pause }));

            Assert.Equal(("SwarmNodeChangedConcurrently", OpsToolsErrorKind.InvalidOperation), (refused.ErrorId, refused.Kind));
            Assert.Equal("theirs", await DockerCli.RunAsync(lab.DockerHost, "node", "inspect", "--format", $"{{{{index .Spec.Labels \"{label}\"}}}}", node));
            Assert.Equal(("SwarmNodeNotFound", OpsToolsErrorKind.ObjectNotFound), (missing.ErrorId, missing.Kind));
        }
        finally
        {
            await RemoveLabelsAsync(lab, node, label);
        }
    }

    [SkippableFact]
    public async Task Waiting_for_an_active_node_with_a_running_task_to_empty_times_out_with_the_tasks_left()
    {
        await using LabServices lab = await LabServices.StartAsync();
        string node = await SelfAsync(lab);
        string service = await lab.CreateAsync("resident", Forever, "--replicas", "1");
        await lab.WaitForReplicasAsync(service, "1/1");
        var progress = new List<int>();

        SwarmNodeDrainResult result = await new SwarmNodeUpdater(lab.Connect()).WaitUntilDrainedAsync(node, TimeSpan.FromSeconds(1), progress.Add);

        // How many polls fit in the second depends on the machine's load: at least one, each reporting the task.
        Assert.True(result.TimedOut);
        Assert.True(result.RemainingTasks >= 1);
        Assert.True(result.Elapsed >= TimeSpan.FromSeconds(1));
        Assert.NotEmpty(progress);
        Assert.All(progress, count => Assert.True(count >= 1));
        Assert.Equal(result.RemainingTasks, progress[^1]);
    }

    private static async Task<string> SelfAsync(LabServices lab) =>
        await DockerCli.RunAsync(lab.DockerHost, "node", "inspect", "--format", "{{.ID}}", "self");

    private static async Task RemoveLabelsAsync(LabServices lab, string node, params string[] labels)
    {
        var arguments = new List<string> { "node", "update" };
        foreach (string label in labels)
        {
            arguments.Add("--label-rm");
            arguments.Add(label);
        }

        arguments.Add(node);
        try
        {
            await DockerCli.RunAsync(lab.DockerHost, arguments.ToArray());
        }
        catch (InvalidOperationException)
        {
            // --label-rm of a label the node does not have fails; remove them one by one.
            foreach (string label in labels)
            {
                try
                {
                    await DockerCli.RunAsync(lab.DockerHost, "node", "update", "--label-rm", label, node);
                }
                catch (InvalidOperationException)
                {
                    // Not there: nothing to clean up.
                }
            }
        }
    }
}
