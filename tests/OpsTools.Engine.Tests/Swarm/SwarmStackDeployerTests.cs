// Docker.DotNet models declare every member nullable; the assertions below are the null checks.
#nullable disable warnings
using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Docker.DotNet.Models;
using OpsTools.Compose;
using OpsTools.Engine.Compose;
using OpsTools.Engine.Swarm;
using OpsTools.Engine.Tests.Lab;
using OpsTools.Swarm;
using SwarmConfig = Docker.DotNet.Models.SwarmConfig;

namespace OpsTools.Engine.Tests.Swarm;

/// <summary>Stack deploys, undo and removal on the lab swarm, against docker stack deploy where it applies.</summary>
[Collection(SwarmChangeCollection.Name)]
public sealed class SwarmStackDeployerTests
{
    private static readonly string[] Services = { "api", "beat", "postgres", "redis", "worker" };

    [SkippableFact]
    public async Task Deployed_specs_match_docker_stack_deploy_field_by_field_and_converge()
    {
        await using StackLab lab = await StackLab.StartAsync();
        string cliStack = lab.Stack("-cli");
        string ourStack = lab.Stack("-ops");
        await lab.RunCliDeployAsync(cliStack, "compose.yml");

        SwarmStackPlan plan = await lab.DeployAsync(ourStack, await lab.LoadAsync());

        var differences = new List<string>();
        var client = await lab.Connect().GetClientAsync();
        foreach (string service in Services)
        {
            global::Docker.DotNet.Models.SwarmService cli = await client.Swarm.InspectServiceAsync(cliStack + "_" + service);
            global::Docker.DotNet.Models.SwarmService ours = await client.Swarm.InspectServiceAsync(ourStack + "_" + service);
            Compare(service, Normalize(cli.Spec, cliStack), Normalize(ours.Spec, ourStack), differences);
        }

        foreach (string name in new[] { "_db_password" })
        {
            Secret cli = (await client.Secrets.ListAsync()).Single(s => s.Spec.Name == cliStack + name);
            Secret ours = (await client.Secrets.ListAsync()).Single(s => s.Spec.Name == ourStack + name);
            Compare(name, Normalize(cli.Spec, cliStack), Normalize(ours.Spec, ourStack), differences);
        }

        SwarmConfig cliConfig = (await client.Configs.ListConfigsAsync()).Single(c => c.Spec.Name == cliStack + "_app_config");
        SwarmConfig ourConfig = (await client.Configs.ListConfigsAsync()).Single(c => c.Spec.Name == ourStack + "_app_config");
        Compare("app_config", Normalize(cliConfig.Spec, cliStack), Normalize(ourConfig.Spec, ourStack), differences);
        Assert.True(differences.Count == 0, "Specs differ from docker stack deploy:\n" + string.Join('\n', differences));

        Assert.Contains(plan.Warnings, w => w.Contains(lab.Prefix + "-net", StringComparison.Ordinal) && w.Contains("not part of stack", StringComparison.Ordinal));

        // Both stacks publish the same host-mode ports on the one lab node: ours runs once the CLI's is gone.
        var cliIds = (await client.Swarm.ListServicesAsync()).Where(s => s.Spec.Name.StartsWith(cliStack + "_", StringComparison.Ordinal)).Select(s => s.ID).ToList();
        await DockerCli.RunAsync(lab.DockerHost, new[] { "service", "rm" }.Concat(cliIds).ToArray());
        Assert.Equal(0, await new SwarmStackDeployer(lab.Connect()).WaitForTasksGoneAsync(cliIds, TimeSpan.FromSeconds(60)));
        IReadOnlyList<SwarmServiceConvergence> outcome = await lab.ConvergeAsync(plan);
        Assert.All(outcome, o => Assert.True(o.State == SwarmConvergenceState.Converged, o + ": " + o.Message));
        Assert.Equal(Services.Length, outcome.Count);
    }

    [SkippableFact]
    public async Task A_redeploy_sends_nothing_for_an_unchanged_file_and_only_the_services_a_changed_variable_touches()
    {
        await using StackLab lab = await StackLab.StartAsync();
        string stack = lab.Stack("-roll");
        var deployer = new SwarmStackDeployer(lab.Connect());
        SwarmStackPlan first = await lab.DeployAsync(stack, await lab.LoadAsync(null, "compose.yml", "compose.override.yml"));
        Assert.All(await lab.ConvergeAsync(first), o => Assert.True(o.State == SwarmConvergenceState.Converged, o + ": " + o.Message));
        Assert.Equal(0, first.Revision);

        SwarmStackPlan again = await deployer.PlanDeployAsync(await lab.LoadAsync(null, "compose.yml", "compose.override.yml"), stack, new SwarmStackDeployOptions { ResolveImage = SwarmResolveImage.Never });
        Assert.True(again.Steps.All(s => !s.IsChange), "an unchanged file plans changes: " + string.Join("; ", again.Steps.Where(s => s.IsChange)));

        var changed = new Dictionary<string, string?> { ["APP_VERSION"] = "2.0.0" };
        SwarmStackPlan second = await deployer.PlanDeployAsync(await lab.LoadAsync(changed, "compose.yml", "compose.override.yml"), stack, new SwarmStackDeployOptions { ResolveImage = SwarmResolveImage.Never });
        string[] updated = second.Steps.Where(s => s.IsChange).Select(s => s.Name).OrderBy(n => n, StringComparer.Ordinal).ToArray();
        Assert.Equal(new[] { "api", "beat", "mailer", "worker" }.Select(s => stack + "_" + s), updated);
        Assert.All(second.Steps.Where(s => s.IsChange), s => Assert.Contains("Env[APP_VERSION]: 1.0.0 -> 2.0.0", s.Summary, StringComparison.Ordinal));
        Assert.Equal(1, second.Revision);
        await lab.ApplyAsync(second);
        Assert.All(await lab.ConvergeAsync(second), o => Assert.True(o.State == SwarmConvergenceState.Converged, o + ": " + o.Message));
        Assert.Contains("APP_VERSION=2.0.0", await DockerCli.RunAsync(lab.DockerHost, "service", "inspect", "--format", "{{json .Spec.TaskTemplate.ContainerSpec.Env}}", stack + "_api"), StringComparison.Ordinal);

        SwarmStackPlan undo = await deployer.PlanUndoAsync(stack);
        Assert.Equal(updated, undo.Steps.Where(s => s.IsChange).Select(s => s.Name).OrderBy(n => n, StringComparer.Ordinal).ToArray());
        await lab.ApplyAsync(undo);
        await deployer.CompleteUndoAsync(undo);
        Assert.All(await lab.ConvergeAsync(undo), o => Assert.True(o.State == SwarmConvergenceState.Converged, o + ": " + o.Message));
        Assert.Contains("APP_VERSION=1.0.0", await DockerCli.RunAsync(lab.DockerHost, "service", "inspect", "--format", "{{json .Spec.TaskTemplate.ContainerSpec.Env}}", stack + "_api"), StringComparison.Ordinal);
        OpsToolsException none = await Assert.ThrowsAsync<OpsToolsException>(() => deployer.PlanUndoAsync(stack));
        Assert.Equal("SwarmStackNoPreviousDeploy", none.ErrorId);
    }

    [SkippableFact]
    public async Task Undo_works_after_several_deploys_and_after_a_docker_stack_deploy_in_between()
    {
        await using StackLab lab = await StackLab.StartAsync();
        string stack = lab.Stack("-hist");
        var deployer = new SwarmStackDeployer(lab.Connect());
        var options = new SwarmStackDeployOptions { ResolveImage = SwarmResolveImage.Never };
        await lab.DeployAsync(stack, await lab.LoadAsync());
        await lab.WaitSettledAsync(stack);
        await lab.ApplyAsync(await deployer.PlanDeployAsync(await lab.LoadAsync(new Dictionary<string, string?> { ["LOG_LEVEL"] = "debug" }), stack, options));
        await lab.WaitSettledAsync(stack);
        lab.Variables["LOG_LEVEL"] = "warning";
        await lab.RunCliDeployAsync(stack, "compose.yml");
        await lab.WaitSettledAsync(stack);
        await lab.ApplyAsync(await deployer.PlanDeployAsync(await lab.LoadAsync(new Dictionary<string, string?> { ["LOG_LEVEL"] = "error" }), stack, options));

        var seen = new List<string>();
        foreach (int _ in Enumerable.Range(0, 2))
        {
            await lab.WaitSettledAsync(stack);
            SwarmStackPlan undo = await deployer.PlanUndoAsync(stack);
            await lab.ApplyAsync(undo);
            await deployer.CompleteUndoAsync(undo);
            string env = await DockerCli.RunAsync(lab.DockerHost, "service", "inspect", "--format", "{{json .Spec.TaskTemplate.ContainerSpec.Env}}", stack + "_worker");
            seen.Add(JsonSerializer.Deserialize<string[]>(env).Single(e => e.StartsWith("LOG_LEVEL=", StringComparison.Ordinal)));
        }

        // The first undo restores what the CLI deployed (warning), the second what was there before our second deploy (info).
        Assert.Equal(new[] { "LOG_LEVEL=warning", "LOG_LEVEL=info" }, seen);
    }

    [SkippableFact]
    public async Task Changed_secret_or_config_content_stops_the_plan_and_leaves_everything_as_it_was()
    {
        await using StackLab lab = await StackLab.StartAsync();
        string stack = lab.Stack("-sec");
        await lab.DeployAsync(stack, await lab.LoadAsync());
        string before = await DockerCli.RunAsync(lab.DockerHost, "secret", "inspect", "--format", "{{.Version.Index}}", stack + "_db_password");
        using var files = new Compose.ComposeTestFiles();
        string otherSecret = files.Write("password.txt", "another-password");
        string otherConfig = files.Write("app.conf", "[saas]\nname = changed\n");
        var deployer = new SwarmStackDeployer(lab.Connect());

        OpsToolsException secret = await Assert.ThrowsAsync<OpsToolsException>(async () => await deployer.PlanDeployAsync(
            await lab.LoadAsync(new Dictionary<string, string?> { ["DB_PASSWORD_FILE"] = otherSecret, ["LOG_LEVEL"] = "debug" }), stack, new SwarmStackDeployOptions()));
        OpsToolsException both = await Assert.ThrowsAsync<OpsToolsException>(async () => await deployer.PlanDeployAsync(
            await lab.LoadAsync(new Dictionary<string, string?> { ["DB_PASSWORD_FILE"] = otherSecret, ["APP_CONFIG_FILE"] = otherConfig }), stack, new SwarmStackDeployOptions()));

        Assert.Equal("SwarmStackContentChanged", secret.ErrorId);
        Assert.Equal("secret " + stack + "_db_password", secret.Target);
        Assert.DoesNotContain("another-password", secret.Message, StringComparison.Ordinal);
        Assert.Equal($"secret {stack}_db_password, config {stack}_app_config", both.Target);
        Assert.Equal(before, await DockerCli.RunAsync(lab.DockerHost, "secret", "inspect", "--format", "{{.Version.Index}}", stack + "_db_password"));
        Assert.Contains("LOG_LEVEL=info", await DockerCli.RunAsync(lab.DockerHost, "service", "inspect", "--format", "{{json .Spec.TaskTemplate.ContainerSpec.Env}}", stack + "_api"), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Resolving_images_without_a_reachable_registry_warns_as_the_cli_and_deploys_the_tag()
    {
        await using StackLab lab = await StackLab.StartAsync();
        string stack = lab.Stack("-res");
        ComposeProject project = await lab.LoadAsync();

        await lab.DeployAsync(stack, project);
        var deployer = new SwarmStackDeployer(lab.Connect());

        SwarmStackPlan again = await deployer.PlanDeployAsync(project, stack, new SwarmStackDeployOptions { ResolveImage = SwarmResolveImage.Always });
        SwarmStackStep api = again.Steps.Single(s => s.Name == stack + "_api");
        IReadOnlyList<string> warnings = await deployer.ApplyAsync(again, api);

        Assert.Equal(SwarmStackStepAction.Update, api.Action);
        Assert.Contains(warnings, w => w.StartsWith("image lab/busybox:1 could not be accessed on a registry to record its digest", StringComparison.Ordinal));
        Assert.Equal("lab/busybox:1", await DockerCli.RunAsync(lab.DockerHost, "service", "inspect", "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}", api.Id));
    }

    [SkippableFact]
    public async Task Removal_plans_services_then_secrets_configs_and_networks_of_the_stack_only()
    {
        await using StackLab lab = await StackLab.StartAsync();
        string stack = lab.Stack("-rm");
        lab.Variables["NETWORK_NAME"] = stack + "-own";
        await lab.DeployAsync(stack, await lab.LoadAsync());
        var deployer = new SwarmStackDeployer(lab.Connect());

        SwarmStackPlan plan = await deployer.PlanRemoveAsync(stack);

        Assert.Equal(
            Services.Select(s => "Service " + stack + "_" + s).Concat(new[] { "Secret " + stack + "_db_password", "Config " + stack + "_app_config", "Network " + stack + "-own" }),
            plan.Steps.Select(s => s.Kind + " " + s.Name));
        foreach (SwarmStackStep step in plan.Steps.Where(s => s.Kind == SwarmStackObjectKind.Service))
        {
            await deployer.ApplyAsync(plan, step);
        }

        Assert.Equal(0, await deployer.WaitForTasksGoneAsync(plan.Steps.Where(s => s.Kind == SwarmStackObjectKind.Service).Select(s => s.Id).ToList(), TimeSpan.FromSeconds(60)));
        foreach (SwarmStackStep step in plan.Steps.Where(s => s.Kind != SwarmStackObjectKind.Service))
        {
            await (step.Kind == SwarmStackObjectKind.Network ? deployer.RemoveNetworkAsync(plan, step, TimeSpan.FromSeconds(30)) : deployer.ApplyAsync(plan, step));
        }

        OpsToolsException gone = await Assert.ThrowsAsync<OpsToolsException>(() => deployer.PlanRemoveAsync(stack));
        Assert.Equal("SwarmStackNotFound", gone.ErrorId);
        Assert.Empty(await DockerCli.RunAsync(lab.DockerHost, "network", "ls", "--quiet", "--filter", "name=" + stack + "-own"));
    }

    [SkippableFact]
    public async Task Registry_auth_takes_each_service_image_registry_credential_and_warns_when_there_is_none()
    {
        await using StackLab lab = await StackLab.StartAsync();
        string stack = lab.Stack("-auth");
        using var files = new Compose.ComposeTestFiles();
        ComposeProject project = await LoadServicesAsync(files, "  hub:\n    image: lab/busybox:1\n  local:\n    image: 127.0.0.1:5001/lab/busybox:1\n");
        files.Write("config.json", "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"" + Auth("hub:pw") + "\"},\"127.0.0.1:5001\":{\"auth\":\"" + Auth("local:pw") + "\"},\"other.example\":{\"auth\":\"" + Auth("other:pw") + "\"}}}");
        var deployer = new SwarmStackDeployer(lab.Connect());

        SwarmStackPlan withCredentials = await deployer.PlanDeployAsync(project, stack, new SwarmStackDeployOptions { WithRegistryAuth = true, DockerConfigDirectory = files.Directory });
        SwarmStackPlan withoutFile = await deployer.PlanDeployAsync(project, stack, new SwarmStackDeployOptions { WithRegistryAuth = true, DockerConfigDirectory = System.IO.Path.Combine(files.Directory, "none") });

        Assert.Equal(new[] { "127.0.0.1:5001", "docker.io" }, withCredentials.RegistryCredentials.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(("hub", "https://index.docker.io/v1/"), (withCredentials.RegistryCredentials["docker.io"].UserName, withCredentials.RegistryCredentials["docker.io"].ServerAddress));
        Assert.Equal("local", withCredentials.RegistryCredentials["127.0.0.1:5001"].UserName);
        Assert.DoesNotContain(withCredentials.Warnings, w => w.StartsWith("-WithRegistryAuth", StringComparison.Ordinal));
        Assert.Empty(withoutFile.RegistryCredentials);
        Assert.Contains(withoutFile.Warnings, w => w.Contains("'docker login' first", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task Registry_auth_warns_about_credential_helpers_and_a_broken_config_file_and_deploys_without_credentials()
    {
        await using StackLab lab = await StackLab.StartAsync();
        string stack = lab.Stack("-authbad");
        using var files = new Compose.ComposeTestFiles();
        ComposeProject project = await LoadServicesAsync(files, "  app:\n    image: lab/busybox:1\n");
        files.Write("config.json", "{\"credsStore\":\"desktop\"}");
        var deployer = new SwarmStackDeployer(lab.Connect());
        var options = new SwarmStackDeployOptions { WithRegistryAuth = true, DockerConfigDirectory = files.Directory };

        SwarmStackPlan helpers = await deployer.PlanDeployAsync(project, stack, options);
        files.Write("config.json", "{not json");
        SwarmStackPlan broken = await deployer.PlanDeployAsync(project, stack, options);

        Assert.Contains(helpers.Warnings, w => w.Contains("credential helpers", StringComparison.Ordinal));
        Assert.Contains(broken.Warnings, w => w.Contains("cannot be read", StringComparison.Ordinal));
        Assert.Empty(broken.RegistryCredentials);
    }

    [SkippableTheory]
    [InlineData("networks: {ext: {external: true, name: NAME-net}}\nsecrets: {}\n", "networks: [ext]", "SwarmStackNetworkNotFound")]
    [InlineData("secrets: {ext: {external: true, name: NAME-secret}}\n", "secrets: [ext]", "SwarmStackExternalNotFound")]
    public async Task A_missing_external_object_stops_the_plan_before_anything_exists(string topLevel, string serviceLine, string errorId)
    {
        await using StackLab lab = await StackLab.StartAsync();
        string stack = lab.Stack("-ext");
        using var files = new Compose.ComposeTestFiles();
        string file = files.Write("compose.yml", ("version: \"3.8\"\nservices:\n  app:\n    image: lab/busybox:1\n    " + serviceLine + "\n" + topLevel).Replace("NAME", lab.Prefix, StringComparison.Ordinal));
        ComposeProject project = await ComposeLoader.LoadAsync(new ComposeLoadOptions { Paths = new[] { file }, EnvironmentLookup = _ => null });

        OpsToolsException problem = await Assert.ThrowsAsync<OpsToolsException>(() => new SwarmStackDeployer(lab.Connect()).PlanDeployAsync(project, stack, new SwarmStackDeployOptions()));

        Assert.Equal(errorId, problem.ErrorId);
        Assert.Equal(OpsToolsErrorKind.ObjectNotFound, problem.Kind);
        Assert.Contains(lab.Prefix, problem.Message, StringComparison.Ordinal);
        Assert.Empty(await DockerCli.RunAsync(lab.DockerHost, "network", "ls", "--quiet", "--filter", "label=com.docker.stack.namespace=" + stack));
    }

    [Fact]
    public void Images_without_a_tag_get_latest_as_the_docker_client_adds_it()
    {
        Assert.Equal("redis:latest", SwarmStackDeployer.ImageWithTag("redis"));
        Assert.Equal("redis:7", SwarmStackDeployer.ImageWithTag("docker.io/library/redis:7"));
        Assert.Equal("registry:5000/team/app:latest", SwarmStackDeployer.ImageWithTag("registry:5000/team/app"));
        Assert.Equal("team/app:2", SwarmStackDeployer.ImageWithTag("index.docker.io/team/app:2"));
        Assert.Equal("app@sha256:89b70fa8ece27bb94713030f80cb804815df784589196906ae5298a364e7e6f6", SwarmStackDeployer.ImageWithTag("docker.io/library/app@sha256:89b70fa8ece27bb94713030f80cb804815df784589196906ae5298a364e7e6f6"));
        Assert.Equal("app:1@sha256:89b70fa8ece27bb94713030f80cb804815df784589196906ae5298a364e7e6f6", SwarmStackDeployer.ImageWithTag("app:1@sha256:89b70fa8ece27bb94713030f80cb804815df784589196906ae5298a364e7e6f6"));
        Assert.Equal("Not/A Reference", SwarmStackDeployer.ImageWithTag("Not/A Reference"));
    }

    private static Task<ComposeProject> LoadServicesAsync(Compose.ComposeTestFiles files, string services) => ComposeLoader.LoadAsync(
        new ComposeLoadOptions { Paths = new[] { files.Write("compose.yml", "version: \"3.8\"\nservices:\n" + services) }, EnvironmentLookup = _ => null });

    private static string Auth(string pair) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(pair));

    /// <summary>The object as JSON with the stack name replaced and secret/config ids removed (they differ by nature).</summary>
    private static JsonNode Normalize(object spec, string stack)
    {
        JsonNode node = JsonNode.Parse(JsonSerializer.Serialize(spec).Replace(stack, "STACK", StringComparison.Ordinal));
        foreach (JsonNode reference in (node["TaskTemplate"]?["ContainerSpec"]?["Secrets"] as JsonArray ?? new JsonArray())
            .Concat(node["TaskTemplate"]?["ContainerSpec"]?["Configs"] as JsonArray ?? new JsonArray()))
        {
            (reference as JsonObject)?.Remove("SecretID");
            (reference as JsonObject)?.Remove("ConfigID");
        }

        return node;
    }

    private static void Compare(string path, JsonNode expected, JsonNode actual, List<string> differences)
    {
        if (expected is JsonObject expectedObject && actual is JsonObject actualObject)
        {
            foreach (string key in expectedObject.Select(p => p.Key).Union(actualObject.Select(p => p.Key)))
            {
                Compare(path + "." + key, expectedObject[key], actualObject[key], differences);
            }
        }
        else if (expected is JsonArray expectedArray && actual is JsonArray actualArray && expectedArray.Count == actualArray.Count)
        {
            for (int i = 0; i < expectedArray.Count; i++)
            {
                Compare($"{path}[{i}]", expectedArray[i], actualArray[i], differences);
            }
        }
        else if (!JsonNode.DeepEquals(expected, actual))
        {
            differences.Add($"{path}: docker stack deploy {expected?.ToJsonString() ?? "null"}, OpsTools {actual?.ToJsonString() ?? "null"}");
        }
    }
}
