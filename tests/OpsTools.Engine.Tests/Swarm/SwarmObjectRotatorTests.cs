using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using OpsTools.Engine.Swarm;
using OpsTools.Engine.Tests.Lab;
using OpsTools.Swarm;

namespace OpsTools.Engine.Tests.Swarm;

[Collection(SwarmChangeCollection.Name)]
public sealed class SwarmObjectRotatorTests
{
    private const string Forever = "trap 'exit 0' TERM; while true; do sleep 1; done";

    [SkippableFact]
    public async Task A_rotation_repoints_every_reference_keeping_its_file_and_removes_the_old_version()
    {
        await using LabSwarmObjects objects = LabSwarmObjects.Start();
        await using LabServices lab = await LabServices.StartAsync();
        string old = objects.Prefix + "-db";
        string oldId = await objects.CreateAsync("secret", "db", "old-value", "--label", "com.docker.stack.namespace=" + objects.Prefix + "-stack", "--label", "team=ops");
        string service = await lab.CreateAsync("app", Forever, "--replicas", "1",
            "--secret", $"source={old},target=db_password,uid=70,gid=71,mode=0400",
            "--secret", $"source={old},target=/etc/app/second,mode=0440");
        await lab.WaitForReplicasAsync(service, "1/1");
        string before = await lab.InspectAsync(service, "{{json .Spec.TaskTemplate.ContainerSpec.Secrets}}");
        string statBefore = await StatAsync(lab, service);

        SwarmObjectRotator rotator = new(lab.Connect());
        SwarmRotationResult result = await rotator.RotateAsync(SwarmObjectKind.Secret, old, Encoding.UTF8.GetBytes("new-value"), new SwarmRotationOptions { Wait = true, Timeout = TimeSpan.FromSeconds(90) });

        string newName = objects.Prefix + "-db.v2";
        Assert.Equal(newName, result.Plan.NewName);
        Assert.Equal(new[] { lab.Prefix + "-app" }, result.Repointed);
        Assert.Empty(result.Failed);
        Assert.True(result.PreviousRemoved);
        Assert.Equal(new[] { newName }, await objects.NamesAsync("secret"));
        JsonArray referencesBefore = JsonNode.Parse(before)!.AsArray();
        JsonArray referencesAfter = JsonNode.Parse(await lab.InspectAsync(service, "{{json .Spec.TaskTemplate.ContainerSpec.Secrets}}"))!.AsArray();
        Assert.Equal(2, referencesAfter.Count);
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(referencesBefore[i]!["File"]!.ToJsonString(), referencesAfter[i]!["File"]!.ToJsonString());
            Assert.Equal(result.NewId, referencesAfter[i]!["SecretID"]!.GetValue<string>());
            Assert.Equal(newName, referencesAfter[i]!["SecretName"]!.GetValue<string>());
            Assert.Equal(oldId, referencesBefore[i]!["SecretID"]!.GetValue<string>());
        }

        JsonObject labels = JsonNode.Parse(await DockerCli.RunAsync(lab.DockerHost, "secret", "inspect", "--format", "{{json .Spec.Labels}}", newName))!.AsObject();
        Assert.Equal(objects.Prefix + "-stack", labels["com.docker.stack.namespace"]!.GetValue<string>());
        Assert.Equal("ops", labels["team"]!.GetValue<string>());
        Assert.Equal(old, labels[SwarmObjectRotator.BaseLabel]!.GetValue<string>());
        Assert.Equal("2", labels[SwarmObjectRotator.GenerationLabel]!.GetValue<string>());
        Assert.Equal(old, labels[SwarmObjectRotator.PreviousLabel]!.GetValue<string>());

        // The new task sees the new value under the same paths, with the same owner and mode.
        string container = await ContainerOfAsync(lab, service);
        Assert.Equal("new-value", await DockerCli.RunAsync(lab.DockerHost, "exec", container, "cat", "/run/secrets/db_password"));
        Assert.Equal("new-value", await DockerCli.RunAsync(lab.DockerHost, "exec", container, "cat", "/etc/app/second"));
        Assert.Equal(statBefore, await StatAsync(lab, service));
    }

    private static async Task<string> ContainerOfAsync(LabServices lab, string service) =>
        (await DockerCli.RunAsync(lab.DockerHost, "ps", "--quiet", "--filter", "label=com.docker.swarm.service.id=" + service)).Split('\n')[0].Trim();

    private static async Task<string> StatAsync(LabServices lab, string service) =>
        await DockerCli.RunAsync(lab.DockerHost, "exec", await ContainerOfAsync(lab, service), "stat", "-c", "%n %u:%g %a", "/run/secrets/db_password", "/etc/app/second");

    [SkippableFact]
    public async Task The_next_rotation_counts_on_from_the_labels_and_links_to_the_version_it_replaces()
    {
        await using LabSwarmObjects objects = LabSwarmObjects.Start();
        await using LabServices lab = await LabServices.StartAsync();
        await objects.CreateAsync("config", "app.conf", "one");
        await objects.CreateAsync("config", "app.conf.v3", "someone else's");
        SwarmObjectRotator rotator = new(lab.Connect());

        SwarmRotationResult second = await rotator.RotateAsync(SwarmObjectKind.Config, objects.Prefix + "-app.conf", Encoding.UTF8.GetBytes("two"));
        SwarmRotationPlan third = await rotator.PlanAsync(SwarmObjectKind.Config, second.Plan.NewName);

        Assert.Equal(objects.Prefix + "-app.conf.v4", second.Plan.NewName);
        Assert.Equal(4, second.Plan.Generation);
        Assert.Empty(second.Plan.Services);
        Assert.Equal(objects.Prefix + "-app.conf.v5", third.NewName);
        Assert.Equal(second.Plan.NewName, third.Labels[SwarmObjectRotator.PreviousLabel]);
        Assert.Equal(objects.Prefix + "-app.conf", third.Labels[SwarmObjectRotator.BaseLabel]);
        Assert.Equal(new[] { objects.Prefix + "-app.conf.v3", objects.Prefix + "-app.conf.v4" }, await objects.NamesAsync("config"));
    }

    [SkippableFact]
    public async Task A_service_changed_between_read_and_update_keeps_the_old_version_which_cannot_be_removed()
    {
        await using LabSwarmObjects objects = LabSwarmObjects.Start();
        await using LabServices lab = await LabServices.StartAsync();
        string old = objects.Prefix + "-token";
        await objects.CreateAsync("secret", "token", "v1");
        string service = await lab.CreateAsync("api", Forever, "--replicas", "0", "--secret", $"source={old},target=token");
        SwarmObjectRotator rotator = new(lab.Connect());
        SwarmRotationPlan plan = await rotator.PlanAsync(SwarmObjectKind.Secret, old);
        SwarmObjectReplacement replacement = await rotator.CreateVersionAsync(plan, Encoding.UTF8.GetBytes("v2"));
        SwarmServicePlan servicePlan = await rotator.PlanServiceAsync(replacement, service);

        // Someone else updates the service after it was read: the real concurrent change the version check exists for.
        await DockerCli.RunAsync(lab.DockerHost, "service", "update", "--detach", "--label-add", "touched=1", service);
        OpsToolsException stale = await Assert.ThrowsAsync<OpsToolsException>(() => new SwarmServiceUpdater(lab.Connect()).ApplyAsync(servicePlan));
        OpsToolsException inUse = await Assert.ThrowsAsync<OpsToolsException>(() => rotator.RemovePreviousAsync(plan));

        Assert.Equal("Secret[token]: " + old + " -> " + plan.NewName, servicePlan.Summary);
        Assert.Equal("SwarmServiceChangedConcurrently", stale.ErrorId);
        Assert.Equal(("SwarmSecretInUse", OpsToolsErrorKind.InvalidOperation), (inUse.ErrorId, inUse.Kind));
        Assert.Contains(lab.Prefix + "-api", inUse.Message, StringComparison.Ordinal);
        Assert.Equal(old, await lab.InspectAsync(service, "{{(index .Spec.TaskTemplate.ContainerSpec.Secrets 0).SecretName}}"));
        Assert.Equal(new[] { old, plan.NewName }, await objects.NamesAsync("secret"));
    }

    [SkippableFact]
    public async Task A_repointed_service_that_does_not_converge_keeps_the_old_version_when_waited_for()
    {
        await using LabSwarmObjects objects = LabSwarmObjects.Start();
        await using LabServices lab = await LabServices.StartAsync();
        string old = objects.Prefix + "-nginx.conf";
        await objects.CreateAsync("config", "nginx.conf", "v1");
        await lab.CreateAsync("stuck", Forever, "--replicas", "1", "--constraint", "node.labels.opstools-never==1", "--config", $"source={old},target=/etc/nginx.conf");
        SwarmObjectRotator rotator = new(lab.Connect());

        SwarmRotationResult result = await rotator.RotateAsync(SwarmObjectKind.Config, old, Encoding.UTF8.GetBytes("v2"), new SwarmRotationOptions { Wait = true, Timeout = TimeSpan.FromSeconds(60) });

        Assert.Equal(new[] { lab.Prefix + "-stuck" }, result.Repointed);
        Assert.Equal(SwarmConvergenceState.Unschedulable, Assert.Single(result.Convergence).State);
        Assert.False(result.PreviousRemoved);
        Assert.Equal(new[] { old, old + ".v2" }, await objects.NamesAsync("config"));
    }

    [Theory]
    [InlineData("db_password", "db_password", 1)]
    [InlineData("odoo_db.v7", "odoo_db", 7)]
    [InlineData("app.v1.conf", "app.v1.conf", 1)]
    public void The_base_name_and_generation_come_from_a_vN_suffix_when_there_are_no_rotation_labels(string name, string expectedBase, int expectedGeneration)
    {
        (string baseName, int generation) = SwarmObjectRotator.BaseOf(name, new Dictionary<string, string>());

        Assert.Equal((expectedBase, expectedGeneration), (baseName, generation));
    }
}
