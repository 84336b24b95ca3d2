using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using OpsTools.Engine.Swarm;
using OpsTools.Engine.Tests.Lab;

namespace OpsTools.Engine.Tests.Swarm;

[Collection(SwarmChangeCollection.Name)]
public sealed class SwarmNetworkInspectorTests
{
    private const string Forever = "trap 'exit 0' TERM; while true; do sleep 1; done";

    [SkippableFact]
    public async Task Networks_come_with_their_settings_and_the_services_attached_by_name_by_id_or_by_ingress_vip()
    {
        await using LabNetworks networks = LabNetworks.Start();
        await using LabServices lab = await LabServices.StartAsync();
        int octet = Random.Shared.Next(100, 250);
        string backend = await networks.CreateAsync("backend", "--driver", "overlay", "--attachable", "--internal", "--subnet", $"10.{octet}.7.0/24", "--label", "com.docker.stack.namespace=" + networks.Prefix + "-stack");
        string front = await networks.CreateAsync("front", "--driver", "overlay");
        await lab.CreateAsync("api", Forever, "--replicas", "0", "--network", networks.Prefix + "-backend", "--network", front);
        await lab.CreateAsync("web", Forever, "--replicas", "0", "--network", networks.Prefix + "-front", "--publish", $"published={20000 + octet},target=80");

        IReadOnlyList<OpsTools.Swarm.SwarmNetwork> all = await new SwarmNetworkInspector(lab.Connect()).GetNetworksAsync();

        OpsTools.Swarm.SwarmNetwork backendNetwork = all.Single(n => n.Id == backend);
        Assert.Equal(networks.Prefix + "-backend", backendNetwork.Name);
        Assert.Equal(("overlay", "swarm", true, true, false), (backendNetwork.Driver, backendNetwork.Scope, backendNetwork.Attachable, backendNetwork.Internal, backendNetwork.Ingress));
        Assert.Equal(new[] { $"10.{octet}.7.0/24" }, backendNetwork.SubnetList);
        Assert.Equal($"10.{octet}.7.0/24", backendNetwork.Subnets);
        Assert.Equal(networks.Prefix + "-stack", backendNetwork.Stack);
        Assert.Equal(new[] { lab.Prefix + "-api" }, backendNetwork.Services);
        Assert.Equal(new[] { lab.Prefix + "-api", lab.Prefix + "-web" }, all.Single(n => n.Id == front).Services);
        Assert.Contains(lab.Prefix + "-web", all.Single(n => n.Ingress).Services);
        Assert.DoesNotContain(all, n => n.Scope == "local");
    }

    [SkippableFact]
    public async Task Queries_select_the_networks_of_a_stack_or_of_services_and_add_local_ones_on_request()
    {
        await using LabNetworks networks = LabNetworks.Start();
        await using LabServices lab = await LabServices.StartAsync();
        string owned = await networks.CreateAsync("owned", "--driver", "overlay", "--label", "com.docker.stack.namespace=" + networks.Prefix + "-stack");
        string external = await networks.CreateAsync("external", "--driver", "overlay");
        string other = await networks.CreateAsync("other", "--driver", "overlay");
        string member = await lab.CreateAsync("member", Forever, "--replicas", "0", "--label", "com.docker.stack.namespace=" + networks.Prefix + "-stack", "--network", networks.Prefix + "-external");
        await lab.CreateAsync("outsider", Forever, "--replicas", "0", "--network", networks.Prefix + "-other");
        var inspector = new SwarmNetworkInspector(lab.Connect());

        IReadOnlyList<OpsTools.Swarm.SwarmNetwork> ofStack = await inspector.GetNetworksAsync(new SwarmNetworkQuery { Stacks = new[] { networks.Prefix + "-stack" } });
        IReadOnlyList<OpsTools.Swarm.SwarmNetwork> ofService = await inspector.GetNetworksAsync(new SwarmNetworkQuery { ServiceIds = new[] { member } });
        IReadOnlyList<OpsTools.Swarm.SwarmNetwork> withLocal = await inspector.GetNetworksAsync(new SwarmNetworkQuery { IncludeLocal = true });

        Assert.Equal(new[] { external, owned }, ofStack.Select(n => n.Id));
        Assert.Equal(new[] { external }, ofService.Select(n => n.Id));
        Assert.Contains(withLocal, n => n.Name == "bridge" && n.Scope == "local");
        Assert.Contains(withLocal, n => n.Id == other);
    }

    /// <summary>Overlay networks one test creates with the docker CLI, removed after the services that use them.</summary>
    private sealed class LabNetworks : IAsyncDisposable
    {
        private readonly List<string> _created = new();

        private LabNetworks(string dockerHost)
        {
            DockerHost = dockerHost;
        }

        public string DockerHost { get; }

        public string Prefix { get; } = "opssec-" + Guid.NewGuid().ToString("N")[..8];

        public static LabNetworks Start() => new(LabEnvironment.Require("OPSTOOLS_TEST_DOCKER_HOST", "Docker swarm"));

        public async Task<string> CreateAsync(string suffix, params string[] options)
        {
            string name = Prefix + "-" + suffix;
            _created.Add(name);
            return (await DockerCli.RunAsync(DockerHost, new[] { "network", "create" }.Concat(options).Append(name).ToArray())).Trim();
        }

        public async ValueTask DisposeAsync()
        {
            if (_created.Count == 0)
            {
                return;
            }

            // The services were removed just before; their tasks may hold the network for a moment.
            DateTime deadline = DateTime.UtcNow.AddSeconds(30);
            while (true)
            {
                try
                {
                    await DockerCli.RunAsync(DockerHost, new[] { "network", "rm" }.Concat(_created).ToArray());
                    return;
                }
                catch (InvalidOperationException) when (DateTime.UtcNow < deadline)
                {
                    await Task.Delay(500);
                    string existing = await DockerCli.RunAsync(DockerHost, "network", "ls", "--format", "{{.Name}}");
                    _created.RemoveAll(n => !existing.Split('\n').Contains(n));
                    if (_created.Count == 0)
                    {
                        return;
                    }
                }
            }
        }
    }
}
