using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using OpsTools.Engine.Docker;
using OpsTools.Engine.Tests.Lab;

namespace OpsTools.Engine.Tests.Swarm;

/// <summary>
/// Services one test creates with the docker CLI (busybox under --init, so removal is quick)
/// and removes when disposed. Skips the test (fails under CI) when the lab is not there.
/// </summary>
internal sealed class LabServices : IAsyncDisposable
{
    private readonly List<string> _created = new();

    private LabServices(string dockerHost, string image)
    {
        DockerHost = dockerHost;
        Image = image;
    }

    public string DockerHost { get; }

    public string Image { get; }

    public string Prefix { get; } = "opstools-test-" + Guid.NewGuid().ToString("N")[..8];

    public static async Task<LabServices> StartAsync()
    {
        string host = LabEnvironment.Require("OPSTOOLS_TEST_DOCKER_HOST", "Docker swarm");
        string image = LabEnvironment.Require("OPSTOOLS_TEST_IMAGE_BUSYBOX", "busybox image");
        try
        {
            await DockerCli.RunAsync(host, "info", "--format", "{{.Swarm.LocalNodeState}}");
        }
        catch (InvalidOperationException ex)
        {
            LabEnvironment.Unreachable("Docker swarm", ex);
        }

        return new LabServices(host, image);
    }

    public DockerConnection Connect() => DockerConnection.Get(DockerHost);

    /// <summary>Creates a service (detached) and returns its id.</summary>
    public async Task<string> CreateAsync(string suffix, string script, params string[] options)
    {
        string name = Prefix + "-" + suffix;
        _created.Add(name);
        var arguments = new List<string> { "service", "create", "--detach", "--quiet", "--no-resolve-image", "--name", name, "--init", "--stop-grace-period", "2s" };
        arguments.AddRange(options);
        arguments.AddRange(new[] { Image, "sh", "-c", script });
        string output = await DockerCli.RunAsync(DockerHost, arguments.ToArray());
        return output.Split('\n').Last().Trim();
    }

    /// <summary>Polls the CLI until the service shows the replicas text (e.g. 1/1).</summary>
    public async Task WaitForReplicasAsync(string service, string replicas)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            string actual = await DockerCli.RunAsync(DockerHost, "service", "ls", "--filter", "id=" + service, "--format", "{{.Replicas}}");
            if (actual.StartsWith(replicas, StringComparison.Ordinal))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"service {service} shows {actual}, not {replicas}");
            }

            await Task.Delay(250);
        }
    }

    public Task<string> InspectAsync(string service, string format) => DockerCli.RunAsync(DockerHost, "service", "inspect", "--format", format, service);

    public async ValueTask DisposeAsync()
    {
        if (_created.Count == 0)
        {
            return;
        }

        string existing = await DockerCli.RunAsync(DockerHost, "service", "ls", "--format", "{{.Name}}");
        string[] toRemove = _created.Where(n => existing.Split('\n').Contains(n)).ToArray();
        if (toRemove.Length > 0)
        {
            await DockerCli.RunAsync(DockerHost, new[] { "service", "rm" }.Concat(toRemove).ToArray());
        }
    }
}

/// <summary>
/// Tests that change services and count Docker API calls on the shared per-endpoint connection:
/// they run alone, so no other test's calls land in their counts (or theirs in others').
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SwarmChangeCollection
{
    public const string Name = "Swarm changes";
}
