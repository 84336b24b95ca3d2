using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using OpsTools.Engine.Docker;
using OpsTools.Engine.Swarm;
using OpsTools.Engine.Tests.Lab;
using OpsTools.Swarm;

namespace OpsTools.Engine.Tests.Swarm;

[Collection(SwarmCollection.Name)]
public sealed class SwarmInspectorTests(SwarmFixture fixture)
{
    [SkippableFact]
    public async Task Services_carry_running_and_desired_counts_from_a_single_api_call()
    {
        DockerConnection connection = fixture.Connect();
        var inspector = new SwarmInspector(connection);
        await connection.GetClientAsync();
        long before = connection.ApiCallCount;

        IReadOnlyList<OpsTools.Swarm.SwarmService> services = await inspector.GetServicesAsync();

        Assert.Equal(1, connection.ApiCallCount - before);
        OpsTools.Swarm.SwarmService web = Assert.Single(services, s => s.Name == fixture.WebService);
        Assert.Equal(2, web.RunningReplicas);
        Assert.Equal(2, web.DesiredReplicas);
        Assert.Equal("2/2", web.Replicas);
        OpsTools.Swarm.SwarmService pending = Assert.Single(services, s => s.Name == fixture.PendingService);
        Assert.Equal(0, pending.RunningReplicas);
        Assert.Equal(1, pending.DesiredReplicas);
    }

    [SkippableFact]
    public async Task Service_reports_stack_labels_image_mode_and_host_mode_ports()
    {
        var inspector = new SwarmInspector(fixture.Connect());

        OpsTools.Swarm.SwarmService web = Assert.Single(await inspector.GetServicesAsync(), s => s.Name == fixture.WebService);
        OpsTools.Swarm.SwarmService global = Assert.Single(await inspector.GetServicesAsync(), s => s.Name == fixture.GlobalService);

        Assert.Equal(fixture.StackName, web.Stack);
        Assert.Equal(fixture.Prefix, web.Labels["opstools.test"]);
        Assert.Equal(fixture.Image, web.Image);
        Assert.Equal(SwarmServiceMode.Replicated, web.Mode);
        Assert.Equal(SwarmServiceMode.Global, global.Mode);
        Assert.Equal(string.Empty, web.Ports);
        Assert.Equal($"*:{fixture.PublishedPort}->80/tcp", global.Ports);
        SwarmPort port = Assert.Single(global.PublishedPorts);
        Assert.Equal("host", port.PublishMode);
        Assert.NotNull(web.CreatedAt);
        Assert.True(web.CreatedAt <= DateTimeOffset.UtcNow);
        Assert.NotEqual(0UL, web.Version);
    }

    [SkippableFact]
    public async Task Stack_filter_is_applied_by_the_daemon()
    {
        var inspector = new SwarmInspector(fixture.Connect());

        IReadOnlyList<OpsTools.Swarm.SwarmService> services = await inspector.GetServicesAsync(new SwarmServiceQuery { Stack = fixture.StackName });

        Assert.Equal(new[] { fixture.PendingService, fixture.WebService }, services.Select(s => s.Name).OrderBy(n => n, StringComparer.Ordinal));
    }

    [SkippableFact]
    public async Task Label_filter_matches_key_and_value()
    {
        var inspector = new SwarmInspector(fixture.Connect());

        IReadOnlyList<OpsTools.Swarm.SwarmService> hit = await inspector.GetServicesAsync(new SwarmServiceQuery { Labels = new Dictionary<string, string?> { ["opstools.test"] = fixture.Prefix } });
        IReadOnlyList<OpsTools.Swarm.SwarmService> miss = await inspector.GetServicesAsync(new SwarmServiceQuery { Labels = new Dictionary<string, string?> { ["opstools.test"] = "other" } });

        Assert.Equal(fixture.WebService, Assert.Single(hit).Name);
        Assert.DoesNotContain(miss, s => s.Name == fixture.WebService);
    }

    [SkippableFact]
    public async Task Tasks_are_named_by_slot_and_resolve_node_hostnames()
    {
        DockerConnection connection = fixture.Connect();
        var inspector = new SwarmInspector(connection);
        string web = (await inspector.GetServicesAsync()).Single(s => s.Name == fixture.WebService).Id;
        string hostname = (await inspector.GetNodesAsync()).Single().Hostname;

        IReadOnlyList<SwarmTask> tasks = await inspector.GetTasksAsync(new[] { web }, SwarmTaskState.Running);

        Assert.Equal(new[] { fixture.WebService + ".1", fixture.WebService + ".2" }, tasks.Select(t => t.Name));
        Assert.All(tasks, t =>
        {
            Assert.Equal(SwarmTaskState.Running, t.CurrentState);
            Assert.Equal(SwarmTaskState.Running, t.DesiredState);
            Assert.Equal(hostname, t.Node);
            Assert.False(string.IsNullOrEmpty(t.ContainerId));
            Assert.Equal(fixture.WebService, t.ServiceName);
        });
    }

    [SkippableFact]
    public async Task A_task_that_cannot_be_scheduled_is_pending_with_the_reason()
    {
        var inspector = new SwarmInspector(fixture.Connect());
        string pending = (await inspector.GetServicesAsync()).Single(s => s.Name == fixture.PendingService).Id;

        SwarmTask task = Assert.Single(await inspector.GetTasksAsync(new[] { pending }));

        Assert.Equal(SwarmTaskState.Pending, task.CurrentState);
        Assert.Null(task.Node);
        Assert.Contains("no suitable node", (task.Error ?? string.Empty) + (task.Message ?? string.Empty), StringComparison.OrdinalIgnoreCase);
    }

    [SkippableFact]
    public async Task The_lab_node_is_a_ready_leader_with_its_engine_version()
    {
        var inspector = new SwarmInspector(fixture.Connect());
        string engineVersion = await DockerCli.RunAsync(fixture.DockerHost, "info", "--format", "{{.ServerVersion}}");

        SwarmNode node = Assert.Single(await inspector.GetNodesAsync());

        Assert.Equal(SwarmNodeRole.Manager, node.Role);
        Assert.True(node.IsLeader);
        Assert.Equal("Leader", node.ManagerStatus);
        Assert.Equal(SwarmNodeStatus.Ready, node.Status);
        Assert.Equal(SwarmNodeAvailability.Active, node.Availability);
        Assert.Equal(engineVersion, node.EngineVersion);
        Assert.Equal(Environment.ProcessorCount, (int)node.Cpus);
        Assert.True(node.MemoryBytes > 0);
    }

    [SkippableFact]
    public async Task Stacks_count_their_services_and_the_fully_running_ones()
    {
        var inspector = new SwarmInspector(fixture.Connect());

        SwarmStack stack = Assert.Single(await inspector.GetStacksAsync(), s => s.Name == fixture.StackName);

        Assert.Equal(2, stack.Services);
        Assert.Equal(1, stack.RunningServices);
        Assert.Equal(1, stack.DegradedServices);
    }

    [Theory]
    [InlineData("lab/busybox:1@sha256:abc", "lab/busybox:1")]
    [InlineData("registry:5000/odoo:17", "registry:5000/odoo:17")]
    [InlineData("", "")]
    public void Image_digest_pins_are_hidden_like_the_cli(string image, string expected)
    {
        Assert.Equal(expected, SwarmInspector.StripDigest(image));
    }
}
