using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using OpsTools.Compose;
using OpsTools.Engine.Compose;
using OpsTools.Engine.Docker;
using OpsTools.Engine.Tests.Lab;

namespace OpsTools.Engine.Tests.Compose;

/// <summary>
/// A compose project made with the docker CLI (containers, network and volume carrying the compose
/// labels, as docker-compose sets them): two running workers, an exited one-shot, an unhealthy
/// service and a one-off container.
/// </summary>
public sealed class ComposeProjectFixture : IAsyncLifetime
{
    public string Project { get; } = "opstools-cr-engine-" + Guid.NewGuid().ToString("n")[..6];

    public string DockerHost { get; private set; } = string.Empty;

    public DockerConnection Connect() => DockerConnection.Get(DockerHost);

    public async Task InitializeAsync()
    {
        string? host = LabEnvironment.Get("OPSTOOLS_TEST_DOCKER_HOST");
        string? image = LabEnvironment.Get("OPSTOOLS_TEST_IMAGE_BUSYBOX");
        if (host is null || image is null)
        {
            return;
        }

        DockerHost = host;
        await DockerCli.RunAsync(host, "network", "create", "--label", "com.docker.compose.project=" + Project, "--label", "com.docker.compose.network=default", Project + "_default");
        await DockerCli.RunAsync(host, "volume", "create", "--label", "com.docker.compose.project=" + Project, "--label", "com.docker.compose.volume=data", Project + "_data");
        await Task.WhenAll(
            RunAsync("worker", 1, false, "--network", Project + "_default", "-v", Project + "_data:/data", image, "sh", "-c", "echo 'first 1'; sleep 1; echo 'first 2' >&2; exec sleep 600"),
            RunAsync("worker", 2, false, "--network", Project + "_default", image, "sh", "-c", "sleep 0.5; echo 'second 1'; sleep 1; echo 'second 2'; exec sleep 600"),
            RunAsync("migrate", 1, false, image, "sh", "-c", "exit 3"),
            RunAsync("sick", 1, false, "--health-cmd", "false", "--health-interval", "1s", "--health-retries", "1", image, "sleep", "600"),
            RunAsync("worker", 1, true, image, "sleep", "600"));
    }

    private Task RunAsync(string service, int number, bool oneOff, params string[] rest)
    {
        string name = oneOff ? $"{Project}_{service}_run_1" : $"{Project}_{service}_{number}";
        var arguments = new List<string>
        {
            "run", "-d", "--init", "--name", name,
            "--label", "com.docker.compose.project=" + Project,
            "--label", "com.docker.compose.service=" + service,
            "--label", "com.docker.compose.container-number=" + number,
            "--label", "com.docker.compose.oneoff=" + (oneOff ? "True" : "False"),
            "--label", "com.docker.compose.config-hash=" + new string('a', 64),
            "--label", "com.docker.compose.project.working_dir=/srv/" + Project,
            "--label", "com.docker.compose.project.config_files=/srv/a.yml,/srv/b.yml",
        };
        arguments.AddRange(rest);
        return DockerCli.RunAsync(DockerHost, arguments.ToArray());
    }

    public async Task DisposeAsync()
    {
        if (DockerHost.Length == 0)
        {
            return;
        }

        string ids = await DockerCli.RunAsync(DockerHost, "ps", "-aq", "--filter", "label=com.docker.compose.project=" + Project);
        if (ids.Length > 0)
        {
            await DockerCli.RunAsync(DockerHost, new[] { "rm", "-f" }.Concat(ids.Split('\n', StringSplitOptions.RemoveEmptyEntries)).ToArray());
        }

        await DockerCli.RunAsync(DockerHost, "network", "rm", Project + "_default");
        await DockerCli.RunAsync(DockerHost, "volume", "rm", Project + "_data");
    }
}

public sealed class ComposeInventoryTests(ComposeProjectFixture fixture) : IClassFixture<ComposeProjectFixture>
{
    private ComposeInventory Arrange()
    {
        LabEnvironment.Require("OPSTOOLS_TEST_DOCKER_HOST", "Docker daemon");
        return new ComposeInventory(fixture.Connect());
    }

    [SkippableFact]
    public async Task Containers_are_grouped_into_services_with_running_and_total_counts()
    {
        ComposeInventory inventory = Arrange();

        IReadOnlyList<ComposeServiceInfo> services = ComposeInventory.GroupServices(await inventory.GetContainersAsync(fixture.Project, includeOneOff: false, detailed: false));

        Assert.Equal(new[] { "migrate", "sick", "worker" }, services.Select(s => s.Name));
        ComposeServiceInfo worker = services.Single(s => s.Name == "worker");
        Assert.Equal("2/2", worker.Replicas);
        Assert.Equal("running(2)", worker.Status);
        Assert.Equal(new[] { 1, 2 }, worker.Containers.Select(c => c.Number));
        Assert.All(worker.Containers, c => Assert.False(c.OneOff));
        ComposeServiceInfo migrate = services.Single(s => s.Name == "migrate");
        Assert.Equal("0/1", migrate.Replicas);
        Assert.Equal(3, migrate.Containers[0].ExitCode);
        Assert.Null(worker.RestartCount);
    }

    [SkippableFact]
    public async Task One_off_containers_are_listed_only_when_asked()
    {
        ComposeInventory inventory = Arrange();

        IReadOnlyList<ComposeContainer> with = await inventory.GetContainersAsync(fixture.Project, includeOneOff: true, detailed: false);
        IReadOnlyList<ComposeContainer> without = await inventory.GetContainersAsync(fixture.Project, includeOneOff: false, detailed: false);

        Assert.Equal(without.Count + 1, with.Count);
        Assert.Equal($"{fixture.Project}_worker_run_1", with.Single(c => c.OneOff).Name);
    }

    [SkippableFact]
    public async Task An_unhealthy_container_makes_its_service_unhealthy()
    {
        ComposeInventory inventory = Arrange();
        ComposeServiceInfo? sick = null;
        for (DateTime deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline; await Task.Delay(250))
        {
            sick = ComposeInventory.GroupServices(await inventory.GetContainersAsync(fixture.Project, false, false)).Single(s => s.Name == "sick");
            if (sick.Health == ComposeHealth.Unhealthy)
            {
                break;
            }
        }

        Assert.Equal(ComposeHealth.Unhealthy, sick!.Health);
        Assert.Equal(ComposeHealth.None, ComposeInventory.GroupServices(await inventory.GetContainersAsync(fixture.Project, false, false)).Single(s => s.Name == "worker").Health);
    }

    [SkippableFact]
    public async Task Detailed_listing_reads_restart_counts_and_projects_carry_their_files()
    {
        ComposeInventory inventory = Arrange();

        IReadOnlyList<ComposeContainer> containers = await inventory.GetContainersAsync(fixture.Project, false, detailed: true);
        ComposeProjectInfo project = ComposeInventory.GroupProjects(containers).Single();

        Assert.All(containers, c => Assert.Equal(0, c.RestartCount));
        Assert.Equal(fixture.Project, project.Name);
        Assert.Equal("/srv/" + fixture.Project, project.WorkingDirectory);
        Assert.Equal(new[] { "/srv/a.yml", "/srv/b.yml" }, project.ConfigFiles);
        Assert.Equal(containers.Count, project.Total);
    }

    [SkippableFact]
    public async Task Resources_are_the_labelled_networks_and_volumes_with_volume_sizes()
    {
        ComposeInventory inventory = Arrange();

        IReadOnlyList<ComposeResource> networksOnly = await inventory.GetResourcesAsync(fixture.Project, volumes: false);
        IReadOnlyList<ComposeResource> all = await inventory.GetResourcesAsync(fixture.Project, volumes: true);

        Assert.Equal(new[] { fixture.Project + "_default" }, networksOnly.Select(r => r.Name));
        ComposeResource volume = all.Single(r => r.Kind == "volume");
        Assert.Equal(fixture.Project + "_data", volume.Name);
        Assert.NotNull(volume.Size);
    }

    [SkippableFact]
    public async Task Logs_of_several_containers_come_merged_in_time_order()
    {
        ComposeInventory inventory = Arrange();
        List<ComposeContainer> workers = (await inventory.GetContainersAsync(fixture.Project, false, false)).Where(c => c.Service == "worker").ToList();
        for (DateTime deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline; await Task.Delay(250))
        {
            if ((await DockerCli.RunAsync(fixture.DockerHost, "logs", workers[1].Name)).Contains("second 2", StringComparison.Ordinal))
            {
                break;
            }
        }

        var records = new List<ComposeLogRecord>();
        await foreach (ComposeLogRecord record in new ComposeLogReader(fixture.Connect()).ReadAsync(workers, new ComposeLogOptions { Timestamps = true }, CancellationToken.None))
        {
            records.Add(record);
        }

        // Which container logged first depends on when each was started (seconds apart on a loaded
        // machine), so the order is checked against the daemon's own timestamps, not a fixed list.
        List<string> messages = records.Select(r => r.Message).ToList();
        Assert.Equal(new[] { "first 1", "first 2", "second 1", "second 2" }, messages.Order(StringComparer.Ordinal));
        Assert.True(messages.IndexOf("first 1") < messages.IndexOf("first 2"));
        Assert.True(messages.IndexOf("second 1") < messages.IndexOf("second 2"));
        Assert.Equal(OpsTools.Swarm.LogStream.StdErr, records.Single(r => r.Message == "first 2").Stream);
        Assert.All(records, r => Assert.NotNull(r.Timestamp));
        Assert.Equal(records.Select(r => r.Timestamp).OrderBy(t => t), records.Select(r => r.Timestamp));
    }

    [Theory]
    [InlineData("Up 5 minutes (healthy)", ComposeHealth.Healthy)]
    [InlineData("Up 2 seconds (health: starting)", ComposeHealth.Starting)]
    [InlineData("Up 1 hour (unhealthy)", ComposeHealth.Unhealthy)]
    [InlineData("Up 3 days", ComposeHealth.None)]
    public void Health_is_read_from_the_status_text(string status, ComposeHealth expected) =>
        Assert.Equal(expected, ComposeInventory.HealthOf(status));

    [Theory]
    [InlineData("Exited (0) 5 minutes ago", 0)]
    [InlineData("Exited (137) 2 seconds ago", 137)]
    [InlineData("Created", null)]
    public void Exit_code_is_read_from_the_status_text(string status, int? expected) =>
        Assert.Equal(expected, ComposeInventory.ExitCodeOf(status));
}
