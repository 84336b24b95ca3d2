using System;
using System.Threading.Tasks;
using OpsTools.Engine.Docker;
using OpsTools.Engine.Tests.Lab;

namespace OpsTools.Engine.Tests.Swarm;

/// <summary>
/// Creates a small stack of real services on the lab's swarm for the Swarm tests and removes it
/// afterwards: a replicated service that logs to both streams, one that can never be scheduled,
/// and a global one.
/// </summary>
public sealed class SwarmFixture : IAsyncLifetime
{
    public string Prefix { get; } = "opstools-test-" + Guid.NewGuid().ToString("N")[..8];

    public string DockerHost { get; private set; } = string.Empty;

    public string Image { get; private set; } = string.Empty;

    public string StackName => Prefix + "-stack";

    public string WebService => Prefix + "-web";

    public string PendingService => Prefix + "-pending";

    public string GlobalService => Prefix + "-global";

    public int PublishedPort { get; } = 20000 + Random.Shared.Next(0, 9000);

    /// <summary>Null when the lab is there; otherwise why not (tests skip or fail with it).</summary>
    public Exception? LabProblem { get; private set; }

    public async Task InitializeAsync()
    {
        try
        {
            await CreateServicesAsync();
        }
        catch
        {
            // xUnit does not dispose a fixture whose initialisation failed: clean up here.
            await DisposeAsync();
            throw;
        }
    }

    private async Task CreateServicesAsync()
    {
        string? host = LabEnvironment.Get("OPSTOOLS_TEST_DOCKER_HOST");
        string? image = LabEnvironment.Get("OPSTOOLS_TEST_IMAGE_BUSYBOX");
        if (host is null || image is null)
        {
            LabProblem = new InvalidOperationException("OPSTOOLS_TEST_DOCKER_HOST / OPSTOOLS_TEST_IMAGE_BUSYBOX are unset");
            return;
        }

        DockerHost = host;
        Image = image;
        try
        {
            await DockerCli.RunAsync(host, "info", "--format", "{{.Swarm.LocalNodeState}}");
        }
        catch (InvalidOperationException ex)
        {
            LabProblem = ex;
            return;
        }

        const string Logger = "trap 'exit 0' TERM; i=0; while true; do i=$((i+1)); echo \"out $i\"; echo \"err $i\" >&2; sleep 1; done";
        await DockerCli.RunAsync(host, "service", "create", "--detach", "--name", WebService, "--replicas", "2",
            "--label", "com.docker.stack.namespace=" + StackName, "--label", "opstools.test=" + Prefix,
            "--stop-grace-period", "2s", Image, "sh", "-c", Logger);
        await DockerCli.RunAsync(host, "service", "create", "--detach", "--name", PendingService, "--replicas", "1",
            "--label", "com.docker.stack.namespace=" + StackName, "--constraint", "node.labels.opstools-never==1",
            Image, "sh", "-c", Logger);
        await DockerCli.RunAsync(host, "service", "create", "--detach", "--name", GlobalService, "--mode", "global",
            "--publish", $"mode=host,target=80,published={PublishedPort}",
            "--stop-grace-period", "2s", Image, "sh", "-c", Logger);

        DateTime deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            string web = await DockerCli.RunAsync(host, "service", "ls", "--filter", "name=" + WebService, "--format", "{{.Replicas}}");
            string global = await DockerCli.RunAsync(host, "service", "ls", "--filter", "name=" + GlobalService, "--format", "{{.Replicas}}");
            if (web.StartsWith("2/2", StringComparison.Ordinal) && global.StartsWith("1/1", StringComparison.Ordinal))
            {
                break;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"fixture services did not converge: web {web}, global {global}");
            }

            await Task.Delay(250);
        }

        // Let each task write a few lines for the log tests.
        await Task.Delay(3000);
    }

    public DockerConnection Connect()
    {
        if (LabProblem is not null)
        {
            LabEnvironment.Unreachable("Docker swarm", LabProblem);
        }

        return DockerConnection.Get(DockerHost);
    }

    public async Task DisposeAsync()
    {
        if (LabProblem is not null || DockerHost.Length == 0)
        {
            return;
        }

        foreach (string service in new[] { WebService, PendingService, GlobalService })
        {
            try
            {
                await DockerCli.RunAsync(DockerHost, "service", "rm", service);
            }
            catch (InvalidOperationException)
            {
                // Not created (initialisation stopped early) or already gone.
            }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SwarmCollection : ICollectionFixture<SwarmFixture>
{
    public const string Name = "Swarm lab";
}
