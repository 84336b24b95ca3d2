using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using OpsTools.Compose;
using OpsTools.Engine.Compose;

namespace OpsTools.Engine.Tests.Compose;

/// <summary>
/// The container side of the compose model: the keys Start-ComposeProject applies, the create
/// parameters and the configuration hash. Files only; the daemon side is in the Pester tests.
/// </summary>
public sealed class ComposeContainerSpecTests : IDisposable
{
    private const string Shop = """
        services:
          db:
            image: lab/postgres:15
            volumes: [data:/var/lib/postgresql/data]
          api:
            image: lab/busybox:1
            command: sh -c "httpd -f"
            environment: {B: "2", A: "1"}
            ports: ["${PORT:-8000}:8000"]
            networks: [back, front]
            mem_limit: 256m
            cpus: "0.5"
            restart: unless-stopped
            depends_on:
              db: {condition: service_healthy}
              cache:
          cache:
            image: lab/redis:7
            scale: 3
            networks: [back]
        networks: {back: {}, front: {}}
        volumes: {data: {}}
        """;

    private readonly ComposeTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    private Task<ComposeProject> LoadAsync(bool forSwarm, IReadOnlyDictionary<string, string?>? variables = null) =>
        ComposeLoader.LoadAsync(new ComposeLoadOptions
        {
            Paths = new[] { _files.Write("compose.yml", Shop) },
            Variables = variables ?? new Dictionary<string, string?>(),
            ForSwarm = forSwarm,
            EnvironmentLookup = _ => null,
        });

    [Fact]
    public async Task Container_keys_are_kept_in_the_model_without_warnings_when_not_loading_for_swarm()
    {
        ComposeProject project = await LoadAsync(forSwarm: false);
        ComposeService api = project.Services.Single(s => s.Name == "api");

        Assert.Empty(project.Warnings);
        Assert.Equal(new[] { "db:service_healthy", "cache:service_started" }, api.DependsOn.Select(d => $"{d.Service}:{d.Condition}"));
        Assert.Equal(256L * 1024 * 1024, api.MemLimitBytes);
        Assert.Equal(0.5m, api.Cpus);
        Assert.Equal(3UL, project.Services.Single(s => s.Name == "cache").Scale);
    }

    [Fact]
    public async Task A_swarm_load_still_warns_that_swarm_ignores_them()
    {
        ComposeProject project = await LoadAsync(forSwarm: true);

        Assert.Contains(project.Warnings, w => w.StartsWith("Ignoring unsupported option 'depends_on' of service 'api'", StringComparison.Ordinal));
        Assert.Contains(project.Warnings, w => w.StartsWith("Ignoring unsupported option 'scale' of service 'cache'", StringComparison.Ordinal));
        Assert.Contains(project.Warnings, w => w.StartsWith("Ignoring unsupported option 'mem_limit' of service 'api'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Create_parameters_are_those_docker_compose_builds()
    {
        ComposeProject project = await LoadAsync(forSwarm: false);
        ComposeContainerSpec api = ComposeContainerSpec.Build(project, "shop", project.Services.Single(s => s.Name == "api"), "sha256:1");
        ComposeContainerSpec db = ComposeContainerSpec.Build(project, "shop", project.Services.Single(s => s.Name == "db"), "sha256:2");

        var create = api.ForNumber(2);
        Assert.Equal("shop_api_2", ComposeContainerSpec.ContainerName("shop", "api", 2));
        Assert.Equal(new[] { "sh", "-c", "httpd -f" }, create.Cmd);
        Assert.Equal(new[] { "B=2", "A=1" }, create.Env);
        Assert.Equal("2", create.Labels[ComposeLabels.ContainerNumber]);
        Assert.Equal("shop", create.Labels[ComposeLabels.Project]);
        Assert.Equal("False", create.Labels[ComposeLabels.OneOff]);
        Assert.Equal(api.ConfigHash, create.Labels[ComposeLabels.ConfigHash]);
        Assert.Equal("8000", create.HostConfig!.PortBindings["8000/tcp"].Single().HostPort);
        Assert.Equal("shop_back", create.HostConfig.NetworkMode);
        Assert.Equal(new[] { "shop_back", "shop_front" }, api.Networks.Select(n => n.Key));
        Assert.All(api.Networks, n => Assert.Contains("api", n.Value.Aliases));
        Assert.Equal(256L * 1024 * 1024, create.HostConfig.Memory);
        Assert.Equal(500_000_000L, create.HostConfig.NanoCPUs);
        Assert.Equal(new[] { "shop_data:/var/lib/postgresql/data:rw" }, db.Template.HostConfig!.Binds);
        Assert.True(db.Template.Volumes.ContainsKey("/var/lib/postgresql/data"));
    }

    [Fact]
    public async Task The_hash_changes_with_the_configuration_or_the_image_and_not_with_the_number_or_the_scale()
    {
        ComposeProject project = await LoadAsync(forSwarm: false);
        ComposeProject changed = await LoadAsync(forSwarm: false, new Dictionary<string, string?> { ["PORT"] = "8001" });
        string Hash(ComposeProject p, string service, string image) => ComposeContainerSpec.Build(p, "shop", p.Services.Single(s => s.Name == service), image).ConfigHash;

        Assert.Equal(Hash(project, "api", "sha256:1"), Hash(project, "api", "sha256:1"));
        Assert.Matches("^[0-9a-f]{64}$", Hash(project, "api", "sha256:1"));
        Assert.NotEqual(Hash(project, "api", "sha256:1"), Hash(changed, "api", "sha256:1"));
        Assert.NotEqual(Hash(project, "api", "sha256:1"), Hash(project, "api", "sha256:9"));
        Assert.Equal(Hash(project, "cache", "sha256:1"), Hash(changed, "cache", "sha256:1"));
    }
}
