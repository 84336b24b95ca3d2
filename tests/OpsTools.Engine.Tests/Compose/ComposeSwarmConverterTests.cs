// Docker.DotNet models declare every member nullable; the assertions below are the null checks.
#nullable disable warnings
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Docker.DotNet;
using Docker.DotNet.Models;
using OpsTools.Compose;
using OpsTools.Engine.Compose;
using OpsTools.Engine.Docker;
using OpsTools.Engine.Tests.Lab;

namespace OpsTools.Engine.Tests.Compose;

/// <summary>
/// The conversion to Docker API specs, against <c>docker stack deploy</c> on the lab swarm: the
/// same file is deployed by the CLI into one stack and by the converted specs into another, and
/// the daemon's view of both is compared field by field.
/// </summary>
public sealed class ComposeSwarmConverterTests
{
    private static readonly string[] ComposeServices = { "api", "beat", "postgres", "redis", "worker" };

    [Fact]
    public async Task Names_are_prefixed_and_objects_labelled_as_the_cli_does()
    {
        ComposeProject project = await LoadStackAsync(new Dictionary<string, string?>());

        SwarmStackSpec spec = ComposeSwarmConverter.Convert(project, "shop");

        ServiceSpec api = spec.Services["api"];
        Assert.Equal("shop_api", api.Name);
        Assert.Equal("shop", api.Labels["com.docker.stack.namespace"]);
        Assert.Equal("lab/busybox:1", api.Labels["com.docker.stack.image"]);
        Assert.Equal("api", api.Labels["shop.role"]);
        Assert.Equal("shop", api.TaskTemplate.ContainerSpec.Labels["com.docker.stack.namespace"]);
        Assert.Equal("shop-net", Assert.Single(spec.Networks).Name);
        Assert.Equal("shop_db_password", Assert.Single(spec.Secrets).Name);
        Assert.Equal("shop_app_config", Assert.Single(spec.Configs).Name);
        Assert.Equal(new[] { "api" }, Assert.Single(api.TaskTemplate.Networks).Aliases);
        Assert.Equal("shop_pgdata", spec.Services["postgres"].TaskTemplate.ContainerSpec.Mounts[0].Source);
        Assert.Equal(500_000_000L, api.TaskTemplate.Resources.Limits.NanoCPUs);
        Assert.Equal(Convert.ToUInt32("400", 8), Assert.Single(api.TaskTemplate.ContainerSpec.Secrets).File.Mode);
    }

    [SkippableFact]
    public async Task Converted_specs_match_what_docker_stack_deploy_creates()
    {
        string host = LabEnvironment.Require("OPSTOOLS_TEST_DOCKER_HOST", "Docker daemon");
        string prefix = "ot" + Guid.NewGuid().ToString("N")[..6];
        string cliStack = prefix + "cli";
        string ourStack = prefix + "ops";
        var variables = new Dictionary<string, string?>
        {
            ["NETWORK_NAME"] = prefix + "-net",
            ["API_PORT"] = (21000 + Random.Shared.Next(0, 4000)).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PG_PORT"] = (25000 + Random.Shared.Next(0, 4000)).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PG_STOP_GRACE"] = "2s",
        };

        DockerClient client;
        try
        {
            client = await DockerConnection.Get(host).GetClientAsync();
            await client.Swarm.InspectSwarmAsync();
        }
        catch (Exception ex) when (ex is OpsToolsException or DockerApiException)
        {
            LabEnvironment.Unreachable("Docker swarm", ex);
            return;
        }

        try
        {
            await RunDockerAsync(host, variables, "stack", "deploy", "--resolve-image", "never", "-c", ComposeTestFiles.StackFile("compose.yml"), cliStack);
            ComposeProject project = await LoadStackAsync(variables);
            await DeployConvertedAsync(client, ComposeSwarmConverter.Convert(project, ourStack));

            var differences = new List<string>();
            foreach (string service in ComposeServices)
            {
                SwarmService cli = await client.Swarm.InspectServiceAsync(ComposeSwarmConverter.Scope(cliStack, service));
                SwarmService ours = await client.Swarm.InspectServiceAsync(ComposeSwarmConverter.Scope(ourStack, service));
                Compare(service, Normalize(cli.Spec, cliStack), Normalize(ours.Spec, ourStack), differences);
            }

            Assert.True(differences.Count == 0, "Specs differ from docker stack deploy:\n" + string.Join('\n', differences));
        }
        finally
        {
            // Ours first: the CLI's stack owns the shared network, removed once nothing uses it.
            await RunDockerAsync(host, variables, "stack", "rm", ourStack);
            await RemoveWhenFreeAsync(host, "stack", cliStack);
            await RemoveWhenFreeAsync(host, "network", prefix + "-net");
            await RemoveWhenFreeAsync(host, "volume", cliStack + "_pgdata", ourStack + "_pgdata");
        }
    }

    private static Task<ComposeProject> LoadStackAsync(IReadOnlyDictionary<string, string?> variables) =>
        ComposeLoader.LoadAsync(new ComposeLoadOptions
        {
            Paths = new[] { ComposeTestFiles.StackFile("compose.yml") },
            Variables = variables,
            EnvironmentLookup = _ => null,
        });

    /// <summary>Creates what the converter produced, as a deployer would: networks, secrets, configs, then services with the ids filled in.</summary>
    private static async Task DeployConvertedAsync(DockerClient client, SwarmStackSpec spec)
    {
        IList<NetworkResponse> networks = await client.Networks.ListNetworksAsync();
        foreach (NetworksCreateParameters network in spec.Networks.Where(n => networks.All(existing => existing.Name != n.Name)))
        {
            await client.Networks.CreateNetworkAsync(network);
        }

        var secretIds = new Dictionary<string, string>();
        foreach (SwarmSecretSpec secret in spec.Secrets)
        {
            secretIds[secret.Name] = (await client.Secrets.CreateAsync(secret)).ID;
        }

        var configIds = new Dictionary<string, string>();
        foreach (SwarmConfigSpec config in spec.Configs)
        {
            configIds[config.Name] = (await client.Configs.CreateConfigAsync(new SwarmCreateConfigParameters { Config = config })).ID;
        }

        foreach (ServiceSpec service in spec.Services.Values)
        {
            foreach (SecretReference secret in service.TaskTemplate.ContainerSpec.Secrets)
            {
                secret.SecretID = secretIds[secret.SecretName];
            }

            foreach (SwarmConfigReference config in service.TaskTemplate.ContainerSpec.Configs)
            {
                config.ConfigID = configIds[config.ConfigName];
            }

            await client.Swarm.CreateServiceAsync(new ServiceCreateParameters { Service = service });
        }
    }

    /// <summary>The spec as JSON with the stack name replaced and the ids of secrets and configs removed (they differ by nature).</summary>
    private static JsonNode Normalize(ServiceSpec spec, string stack)
    {
        string json = JsonSerializer.Serialize(spec).Replace(stack, "STACK", StringComparison.Ordinal);
        JsonNode node = JsonNode.Parse(json)!;
        foreach (JsonNode? reference in (node["TaskTemplate"]?["ContainerSpec"]?["Secrets"] as JsonArray ?? new JsonArray())
            .Concat(node["TaskTemplate"]?["ContainerSpec"]?["Configs"] as JsonArray ?? new JsonArray()))
        {
            (reference as JsonObject)?.Remove("SecretID");
            (reference as JsonObject)?.Remove("ConfigID");
        }

        return node;
    }

    private static void Compare(string path, JsonNode? expected, JsonNode? actual, List<string> differences)
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

    private static async Task RunDockerAsync(string host, IReadOnlyDictionary<string, string?> variables, params string[] arguments)
    {
        var info = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["DOCKER_HOST"] = host;
        foreach ((string name, string? value) in variables)
        {
            info.Environment[name] = value;
        }

        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(info)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"docker {string.Join(' ', arguments)} failed: {await stderr}");
        }
    }

    /// <summary>Networks and volumes stay in use until the stack's containers are gone: retry for a while.</summary>
    private static async Task RemoveWhenFreeAsync(string host, string kind, params string[] names)
    {
        foreach (string name in names)
        {
            for (int attempt = 0; attempt < 40; attempt++)
            {
                try
                {
                    await DockerCli.RunAsync(host, kind, "rm", name);
                    break;
                }
                catch (InvalidOperationException ex) when (ex.Message.Contains("No such", StringComparison.OrdinalIgnoreCase) || ex.Message.Contains("not found", StringComparison.OrdinalIgnoreCase))
                {
                    break;
                }
                catch (InvalidOperationException)
                {
                    await Task.Delay(500);
                }
            }
        }
    }
}
