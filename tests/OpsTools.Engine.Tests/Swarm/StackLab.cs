using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using OpsTools.Compose;
using OpsTools.Engine.Compose;
using OpsTools.Engine.Docker;
using OpsTools.Engine.Swarm;
using OpsTools.Engine.Tests.Lab;
using OpsTools.Swarm;

namespace OpsTools.Engine.Tests.Swarm;

/// <summary>
/// The saas stack of Swarm/Stack for one test: unique stack and network names and free ports,
/// deploys through the engine or the docker CLI, and removal of everything it created afterwards
/// (with the docker CLI, so the code under test does not clean up after itself).
/// </summary>
internal sealed class StackLab : IAsyncDisposable
{
    private readonly List<string> _stacks = new();
    private readonly List<string> _networks = new();

    private StackLab(string dockerHost)
    {
        DockerHost = dockerHost;
        string id = Guid.NewGuid().ToString("N")[..6];
        Prefix = "opsstk-" + id;
        Variables = new Dictionary<string, string?>
        {
            ["NETWORK_NAME"] = Prefix + "-net",
            ["API_PORT"] = (30000 + Random.Shared.Next(0, 5000)).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PG_PORT"] = (35000 + Random.Shared.Next(0, 5000)).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        _networks.Add(Prefix + "-net");
    }

    public string DockerHost { get; }

    public string Prefix { get; }

    /// <summary>Variables every load gets (names and ports of this test).</summary>
    public Dictionary<string, string?> Variables { get; }

    public static string StackFile(string name) => Path.Combine(AppContext.BaseDirectory, "Swarm", "Stack", name);

    public static async Task<StackLab> StartAsync()
    {
        string host = LabEnvironment.Require("OPSTOOLS_TEST_DOCKER_HOST", "Docker swarm");
        LabEnvironment.Require("OPSTOOLS_TEST_IMAGE_POSTGRES", "postgres image");
        try
        {
            await DockerCli.RunAsync(host, "info", "--format", "{{.Swarm.LocalNodeState}}");
        }
        catch (InvalidOperationException ex)
        {
            LabEnvironment.Unreachable("Docker swarm", ex);
        }

        return new StackLab(host);
    }

    public DockerConnection Connect() => DockerConnection.Get(DockerHost);

    /// <summary>A stack name of this test; removed on dispose.</summary>
    public string Stack(string suffix)
    {
        string name = Prefix + suffix;
        _stacks.Add(name);
        return name;
    }

    public Task<ComposeProject> LoadAsync(IReadOnlyDictionary<string, string?>? extra = null, params string[] files)
    {
        var variables = new Dictionary<string, string?>(Variables);
        foreach ((string key, string? value) in extra ?? new Dictionary<string, string?>())
        {
            variables[key] = value;
        }

        return ComposeLoader.LoadAsync(new ComposeLoadOptions
        {
            Paths = (files.Length == 0 ? new[] { "compose.yml" } : files).Select(StackFile).ToArray(),
            Variables = variables,
            EnvironmentLookup = _ => null,
        });
    }

    /// <summary>Plans and applies every step, as Deploy-SwarmStack does without prompts.</summary>
    public async Task<SwarmStackPlan> ApplyAsync(SwarmStackPlan plan)
    {
        var deployer = new SwarmStackDeployer(Connect());
        foreach (SwarmStackStep step in plan.Steps)
        {
            await deployer.ApplyAsync(plan, step);
        }

        return plan;
    }

    public async Task<SwarmStackPlan> DeployAsync(string stack, ComposeProject project, SwarmResolveImage resolve = SwarmResolveImage.Never) =>
        await ApplyAsync(await new SwarmStackDeployer(Connect()).PlanDeployAsync(project, stack, new SwarmStackDeployOptions { ResolveImage = resolve }));

    /// <summary>Waits until the services the plan touched converged, as Deploy-SwarmStack -Wait does.</summary>
    public async Task<IReadOnlyList<SwarmServiceConvergence>> ConvergeAsync(SwarmStackPlan plan, TimeSpan? timeout = null)
    {
        var targets = plan.Steps
            .Where(s => s.Kind == SwarmStackObjectKind.Service && s.Action is SwarmStackStepAction.Create or SwarmStackStepAction.Update && s.Id is not null)
            .Select(s => new SwarmWatchTarget { ServiceId = s.Id!, StaleUpdateStartedAt = s.StaleUpdateStartedAt })
            .ToList();
        return await new SwarmConvergenceWatcher(Connect()).WaitAsync(targets, new SwarmConvergenceOptions { Timeout = timeout ?? TimeSpan.FromSeconds(120), HealthyIsStable = true });
    }

    /// <summary>
    /// Waits until no service of the stack is still rolling out (update status updating or
    /// rollback_started), whoever started the rollout: the next deploy then plans from a settled
    /// spec, as an operator's deploy after a -Wait does.
    /// </summary>
    public async Task WaitSettledAsync(string stack, TimeSpan? timeout = null)
    {
        DateTime deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(120));
        while (true)
        {
            string ids = await DockerCli.RunAsync(DockerHost, "service", "ls", "-q", "--filter", "label=com.docker.stack.namespace=" + stack);
            string[] services = ids.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            string states = services.Length == 0
                ? string.Empty
                : await DockerCli.RunAsync(DockerHost, new[] { "service", "inspect", "--format", "{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}" }.Concat(services).ToArray());
            if (!states.Contains("updating", StringComparison.Ordinal) && !states.Contains("rollback_started", StringComparison.Ordinal))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Stack {stack} still rolling out: {states}");
            }

            await Task.Delay(250);
        }
    }

    public async Task RunCliDeployAsync(string stack, params string[] files)
    {
        var info = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["DOCKER_HOST"] = DockerHost;
        foreach ((string name, string? value) in Variables)
        {
            info.Environment[name] = value;
        }

        foreach (string argument in new[] { "stack", "deploy", "--resolve-image", "never", "--detach=true" }
            .Concat(files.SelectMany(f => new[] { "-c", StackFile(f) })).Append(stack))
        {
            info.ArgumentList.Add(argument);
        }

        info.WorkingDirectory = StackFile(string.Empty);
        using Process process = Process.Start(info)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException("docker stack deploy failed: " + await stderr);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (string stack in _stacks)
        {
            try
            {
                await DockerCli.RunAsync(DockerHost, "stack", "rm", stack);
            }
            catch (InvalidOperationException)
            {
                // Nothing left of it.
            }
        }

        // Networks stay until the stack's containers are gone.
        foreach (string network in _networks)
        {
            for (int attempt = 0; attempt < 60; attempt++)
            {
                string existing = await DockerCli.RunAsync(DockerHost, "network", "ls", "--filter", "name=" + network, "--format", "{{.Name}}");
                if (!existing.Split('\n').Contains(network))
                {
                    break;
                }

                try
                {
                    await DockerCli.RunAsync(DockerHost, "network", "rm", network);
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
