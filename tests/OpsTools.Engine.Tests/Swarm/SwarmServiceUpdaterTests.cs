using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using OpsTools.Engine.Swarm;

namespace OpsTools.Engine.Tests.Swarm;

[Collection(SwarmChangeCollection.Name)]
public sealed class SwarmServiceUpdaterTests
{
    private const string Forever = "trap 'exit 0' TERM; while true; do sleep 1; done";

    [SkippableFact]
    public async Task An_update_changes_only_the_fields_asked_for_in_one_call_at_the_version_read()
    {
        await using LabServices lab = await LabServices.StartAsync();
        string id = await lab.CreateAsync("roundtrip", Forever, "--replicas", "0", "--env", "KEEP=1", "--env", "DROP=x",
            "--label", "team=ops", "--health-cmd", "true", "--limit-memory", "64m", "--restart-max-attempts", "5",
            "--update-order", "start-first", "--publish", "mode=host,target=8080,published=18081", "--constraint", "node.role==manager");
        JsonNode before = JsonNode.Parse(await lab.InspectAsync(id, "{{json .Spec}}"))!;
        var updater = new SwarmServiceUpdater(lab.Connect());
        SwarmServicePlan plan = await updater.PlanAsync(id, new SwarmServiceChange
        {
            Replicas = 0,
            Environment = new Dictionary<string, string?> { ["NEW"] = "a=b", ["DROP"] = null, ["KEEP"] = "1" },
            Labels = new Dictionary<string, string?> { ["tier"] = "web" },
        });

        Assert.Equal(new[] { "Env[DROP]: x -> (none)", "Env[NEW]: (none) -> a=b", "Label[tier]: (none) -> web" }, plan.Changes.Select(c => c.ToString()));
        long calls = lab.Connect().ApiCallCount;
        await updater.ApplyAsync(plan);

        Assert.Equal(1, lab.Connect().ApiCallCount - calls);
        JsonNode after = JsonNode.Parse(await lab.InspectAsync(id, "{{json .Spec}}"))!;
        Assert.Equal("[\"KEEP=1\",\"NEW=a=b\"]", after["TaskTemplate"]!["ContainerSpec"]!["Env"]!.ToJsonString());
        Assert.Equal("web", after["Labels"]!["tier"]!.GetValue<string>());
        after["TaskTemplate"]!["ContainerSpec"]!["Env"] = null;
        before["TaskTemplate"]!["ContainerSpec"]!["Env"] = null;
        after["Labels"]!.AsObject().Remove("tier");
        Assert.Equal(before.ToJsonString(), after.ToJsonString());
    }

    [SkippableFact]
    public async Task A_second_update_from_a_stale_read_is_refused_and_changes_nothing()
    {
        await using LabServices lab = await LabServices.StartAsync();
        string id = await lab.CreateAsync("stale", Forever, "--replicas", "0");
        var updater = new SwarmServiceUpdater(lab.Connect());
        SwarmServicePlan first = await updater.PlanAsync(id, new SwarmServiceChange { Labels = new Dictionary<string, string?> { ["a"] = "1" } });
        SwarmServicePlan stale = await updater.PlanAsync(id, new SwarmServiceChange { Labels = new Dictionary<string, string?> { ["a"] = "2" } });
        await updater.ApplyAsync(first);

        OpsToolsException problem = await Assert.ThrowsAsync<OpsToolsException>(() => updater.ApplyAsync(stale));

        Assert.Equal("SwarmServiceChangedConcurrently", problem.ErrorId);
        Assert.Equal(OpsToolsErrorKind.InvalidOperation, problem.Kind);
        Assert.Equal("1", await lab.InspectAsync(id, "{{index .Spec.Labels \"a\"}}"));
    }

    [SkippableFact]
    public async Task Scaling_a_global_service_or_rolling_back_a_never_updated_one_is_refused()
    {
        await using LabServices lab = await LabServices.StartAsync();
        string id = await lab.CreateAsync("global", Forever, "--mode", "global", "--constraint", "node.labels.opstools-never==1");
        var updater = new SwarmServiceUpdater(lab.Connect());

        OpsToolsException scale = await Assert.ThrowsAsync<OpsToolsException>(() => updater.PlanAsync(id, new SwarmServiceChange { Replicas = 2 }));
        OpsToolsException rollback = await Assert.ThrowsAsync<OpsToolsException>(() => updater.PlanRollbackAsync(id));
        OpsToolsException missing = await Assert.ThrowsAsync<OpsToolsException>(() => updater.PlanAsync(lab.Prefix + "-nosuch", new SwarmServiceChange { Force = true }));

        Assert.Equal("SwarmServiceNotReplicated", scale.ErrorId);
        Assert.Equal("SwarmServiceNoPreviousSpec", rollback.ErrorId);
        Assert.Equal("SwarmServiceNotFound", missing.ErrorId);
        Assert.Equal(OpsToolsErrorKind.ObjectNotFound, missing.Kind);
    }
}
