using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Docker.DotNet.Models;
using OpsTools.Compose;

namespace OpsTools.Engine.Compose;

/// <summary>What a stack deploy creates, as Docker API specs.</summary>
internal sealed class SwarmStackSpec
{
    /// <summary>Networks to create (name includes the stack prefix unless given explicitly).</summary>
    public List<NetworksCreateParameters> Networks { get; } = new();

    /// <summary>External networks the services need, which must already exist.</summary>
    public List<string> ExternalNetworks { get; } = new();

    /// <summary>Secrets to create.</summary>
    public List<SwarmSecretSpec> Secrets { get; } = new();

    /// <summary>Configs to create.</summary>
    public List<SwarmConfigSpec> Configs { get; } = new();

    /// <summary>Services, by their name in the compose file.</summary>
    public SortedDictionary<string, ServiceSpec> Services { get; } = new(StringComparer.Ordinal);
}

/// <summary>
/// Converts the compose model to Docker API specs exactly as <c>docker stack deploy</c> does
/// (docker/cli cli/compose/convert): names prefixed <c>&lt;stack&gt;_</c>, objects labelled
/// <c>com.docker.stack.namespace</c>, services also <c>com.docker.stack.image</c>. Secret and
/// config references carry names only; the deployer fills in their ids.
/// </summary>
internal static class ComposeSwarmConverter
{
    public const string NamespaceLabel = "com.docker.stack.namespace";
    public const string ImageLabel = "com.docker.stack.image";
    private const string DefaultNetwork = "default";

    public static SwarmStackSpec Convert(ComposeProject project, string stack, Func<string, byte[]>? readFile = null)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentException.ThrowIfNullOrEmpty(stack);
        readFile ??= File.ReadAllBytes;
        var spec = new SwarmStackSpec();

        var usedNetworks = new SortedSet<string>(StringComparer.Ordinal);
        foreach (ComposeService service in project.Services)
        {
            if (service.Networks.Count == 0)
            {
                usedNetworks.Add(DefaultNetwork);
            }

            foreach (ComposeServiceNetwork network in service.Networks)
            {
                usedNetworks.Add(network.Name);
            }
        }

        foreach (string name in usedNetworks)
        {
            ComposeNetwork network = project.Networks.FirstOrDefault(n => n.Name == name) ?? new ComposeNetwork { Name = name };
            if (network.External)
            {
                spec.ExternalNetworks.Add(network.ExplicitName ?? name);
                continue;
            }

            spec.Networks.Add(new NetworksCreateParameters
            {
                Name = network.ExplicitName ?? Scope(stack, name),
                Driver = network.Driver ?? "overlay",
                Labels = WithStackLabel(stack, network.Labels),
                Options = new Dictionary<string, string>(network.DriverOpts),
                Internal = network.Internal,
                Attachable = network.Attachable,
                IPAM = network.IpamDriver is null && network.IpamSubnets.Count == 0 ? null : new IPAM
                {
                    Driver = network.IpamDriver!,
                    Config = network.IpamSubnets.Select(s => new IPAMConfig { Subnet = s }).ToList(),
                },
            });
        }

        foreach (ComposeFileObject secret in project.Secrets.Where(s => !s.External))
        {
            spec.Secrets.Add(new SwarmSecretSpec
            {
                Name = secret.ExplicitName ?? Scope(stack, secret.Name),
                Labels = WithStackLabel(stack, secret.Labels),
                Data = secret.Driver is null ? readFile(secret.File!) : null,
                Driver = secret.Driver is null ? null : new SwarmDriver { Name = secret.Driver, Options = new Dictionary<string, string>(secret.DriverOpts) },
                Templating = secret.TemplateDriver is null ? null : new SwarmDriver { Name = secret.TemplateDriver },
            });
        }

        foreach (ComposeFileObject config in project.Configs.Where(c => !c.External))
        {
            spec.Configs.Add(new SwarmConfigSpec
            {
                Name = config.ExplicitName ?? Scope(stack, config.Name),
                Labels = WithStackLabel(stack, config.Labels),
                Data = readFile(config.File!),
                Templating = config.TemplateDriver is null ? null : new SwarmDriver { Name = config.TemplateDriver },
            });
        }

        foreach (ComposeService service in project.Services)
        {
            spec.Services[service.Name] = ConvertService(project, service, stack);
        }

        return spec;
    }

    public static string Scope(string stack, string name) => stack + "_" + name;

    private static Dictionary<string, string> WithStackLabel(string stack, IReadOnlyDictionary<string, string> labels) =>
        new(labels, StringComparer.Ordinal) { [NamespaceLabel] = stack };

    private static ServiceSpec ConvertService(ComposeProject project, ComposeService service, string stack)
    {
        ComposeDeploy deploy = service.Deploy;
        (List<string>? capAdd, List<string>? capDrop) = EffectiveCapabilities(service.CapAdd, service.CapDrop);
        Dictionary<string, string> serviceLabels = WithStackLabel(stack, deploy.Labels);
        serviceLabels[ImageLabel] = service.Image ?? string.Empty;
        return new ServiceSpec
        {
            Name = Scope(stack, service.Name),
            Labels = serviceLabels,
            TaskTemplate = new TaskSpec
            {
                ContainerSpec = new ContainerSpec
                {
                    Image = service.Image,
                    Command = service.Entrypoint?.ToList(),
                    Args = service.Command?.ToList(),
                    Hostname = service.Hostname,
                    Hosts = service.ExtraHosts.Select(HostEntry).Where(h => h is not null).Select(h => h!).ToList(),
                    DNSConfig = service.Dns.Count > 0 || service.DnsSearch.Count > 0
                        ? new DNSConfig { Nameservers = service.Dns.ToList(), Search = service.DnsSearch.ToList() }
                        : null,
                    Healthcheck = Healthcheck(service.Healthcheck),
                    Env = service.Environment.Select(e => e.Value is null ? e.Key : e.Key + "=" + e.Value).OrderBy(e => e, StringComparer.Ordinal).ToList(),
                    Labels = WithStackLabel(stack, service.Labels),
                    Dir = service.WorkingDir,
                    User = service.User,
                    Mounts = service.Volumes.Select(v => Mount(project, v, stack)).ToList(),
                    StopGracePeriod = service.StopGracePeriod,
                    StopSignal = service.StopSignal,
                    TTY = service.Tty,
                    OpenStdin = service.StdinOpen,
                    Secrets = service.Secrets.Select(s => SecretReference(project, s, stack)).OrderBy(s => s.SecretName, StringComparer.Ordinal).ToList(),
                    Configs = service.Configs.Select(c => ConfigReference(project, c, stack)).OrderBy(c => c.ConfigName, StringComparer.Ordinal).ToList(),
                    ReadOnly = service.ReadOnly,
                    Privileges = new Privileges(),
                    Isolation = service.Isolation,
                    Init = service.Init,
                    Sysctls = service.Sysctls.Count == 0 ? null : new Dictionary<string, string>(service.Sysctls),
                    CapabilityAdd = capAdd,
                    CapabilityDrop = capDrop,
                    Ulimits = service.Ulimits.OrderBy(u => u.Name, StringComparer.Ordinal).Select(u => new Ulimit { Name = u.Name, Soft = u.Soft, Hard = u.Hard }).ToList(),
                },
                LogDriver = service.Logging is { } logging ? new SwarmDriver { Name = logging.Driver, Options = new Dictionary<string, string>(logging.Options) } : null,
                Resources = Resources(deploy.Resources),
                RestartPolicy = RestartPolicy(service.Restart, deploy.RestartPolicy),
                Placement = new Placement
                {
                    Constraints = deploy.Placement?.Constraints.ToList(),
                    Preferences = deploy.Placement is { Preferences.Count: > 0 } placement
                        ? placement.Preferences.Select(p => new PlacementPreference { Spread = new SpreadOver { SpreadDescriptor = p } }).ToList()
                        : null,
                    MaxReplicas = deploy.Placement?.MaxReplicasPerNode,
                },
                Networks = Networks(project, service, stack),
            },
            EndpointSpec = new EndpointSpec
            {
                Mode = deploy.EndpointMode?.ToLowerInvariant(),
                Ports = service.Ports
                    .Select(p => new PortConfig { Protocol = p.Protocol, TargetPort = p.Target, PublishedPort = p.Published, PublishMode = p.Mode })
                    .OrderBy(p => p.PublishedPort ?? 0).ThenBy(p => p.TargetPort).ThenBy(p => p.Protocol, StringComparer.Ordinal)
                    .ToList(),
            },
            Mode = Mode(deploy),
            UpdateConfig = Update(deploy.UpdateConfig),
            RollbackConfig = Update(deploy.RollbackConfig),
        };
    }

    private static string? HostEntry(string hostIp)
    {
        int colon = hostIp.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? null : hostIp[(colon + 1)..] + " " + hostIp[..colon];
    }

    private static HealthcheckConfig? Healthcheck(ComposeHealthcheck? healthcheck)
    {
        if (healthcheck is null)
        {
            return null;
        }

        if (healthcheck.Disable)
        {
            return new HealthcheckConfig { Test = new List<string> { "NONE" } };
        }

        return new HealthcheckConfig
        {
            Test = healthcheck.Test.ToList(),
            Interval = healthcheck.Interval ?? TimeSpan.Zero,
            Timeout = healthcheck.Timeout ?? TimeSpan.Zero,
            StartPeriod = healthcheck.StartPeriod ?? TimeSpan.Zero,
            StartInterval = healthcheck.StartInterval ?? TimeSpan.Zero,
            Retries = (long)(healthcheck.Retries ?? 0),
        };
    }

    private static Mount Mount(ComposeProject project, ComposeServiceVolume volume, string stack)
    {
        var mount = new Mount
        {
            Type = volume.Type,
            Target = volume.Target,
            ReadOnly = volume.ReadOnly,
            Source = volume.Source,
            Consistency = volume.Consistency,
        };
        switch (volume.Type)
        {
            case "volume" when volume.Source is not null:
                ComposeVolume declared = project.Volumes.First(v => v.Name == volume.Source);
                mount.Source = declared.ExplicitName ?? Scope(stack, volume.Source);
                mount.VolumeOptions = new VolumeOptions { NoCopy = volume.VolumeNoCopy };
                if (!declared.External)
                {
                    mount.VolumeOptions.Labels = WithStackLabel(stack, declared.Labels);
                    if (declared.Driver is not null || declared.DriverOpts.Count > 0)
                    {
                        mount.VolumeOptions.DriverConfig = new Driver { Name = declared.Driver, Options = new Dictionary<string, string>(declared.DriverOpts) };
                    }
                }

                break;
            case "bind" or "npipe" when volume.BindPropagation is not null:
                mount.BindOptions = new BindOptions { Propagation = volume.BindPropagation };
                break;
            case "tmpfs" when volume.TmpfsSizeBytes is not null:
                mount.TmpfsOptions = new TmpfsOptions { SizeBytes = volume.TmpfsSizeBytes };
                break;
        }

        return mount;
    }

    private static SecretReference SecretReference(ComposeProject project, ComposeFileReference reference, string stack)
    {
        ComposeFileObject declared = project.Secrets.First(s => s.Name == reference.Source);
        return new SecretReference
        {
            SecretName = declared.ExplicitName ?? Scope(stack, reference.Source),
            File = new SecretReferenceFileTarget
            {
                Name = reference.Target ?? reference.Source,
                UID = reference.Uid ?? "0",
                GID = reference.Gid ?? "0",
                Mode = reference.Mode ?? Convert8("444"),
            },
        };
    }

    private static SwarmConfigReference ConfigReference(ComposeProject project, ComposeFileReference reference, string stack)
    {
        ComposeFileObject declared = project.Configs.First(c => c.Name == reference.Source);
        return new SwarmConfigReference
        {
            ConfigName = declared.ExplicitName ?? Scope(stack, reference.Source),
            File = new ConfigReferenceFileTarget
            {
                Name = reference.Target ?? reference.Source,
                UID = reference.Uid ?? "0",
                GID = reference.Gid ?? "0",
                Mode = reference.Mode ?? Convert8("444"),
            },
        };
    }

    private static uint Convert8(string octal) => System.Convert.ToUInt32(octal, 8);

    private static List<NetworkAttachmentConfig> Networks(ComposeProject project, ComposeService service, string stack)
    {
        IEnumerable<ComposeServiceNetwork> networks = service.Networks.Count == 0
            ? new[] { new ComposeServiceNetwork { Name = DefaultNetwork } }
            : service.Networks;
        var result = new List<NetworkAttachmentConfig>();
        foreach (ComposeServiceNetwork network in networks)
        {
            ComposeNetwork? declared = project.Networks.FirstOrDefault(n => n.Name == network.Name);
            string target = declared?.ExplicitName ?? Scope(stack, network.Name);
            var aliases = network.Aliases.ToList();
            // As the CLI: the service name is an alias on user-defined networks (not host, bridge, none...).
            if (target is not ("host" or "bridge" or "none" or "default") && !target.StartsWith("container:", StringComparison.Ordinal))
            {
                aliases.Add(service.Name);
            }

            result.Add(new NetworkAttachmentConfig { Target = target, Aliases = aliases });
        }

        return result.OrderBy(n => n.Target, StringComparer.Ordinal).ToList();
    }

    private static ResourceRequirements Resources(ComposeResources? resources)
    {
        var result = new ResourceRequirements();
        if (resources?.Limits is { } limits)
        {
            result.Limits = new SwarmLimit { NanoCPUs = NanoCpus(limits.Cpus), MemoryBytes = limits.MemoryBytes ?? 0, Pids = limits.Pids ?? 0 };
        }

        if (resources?.Reservations is { } reservations)
        {
            result.Reservations = new SwarmResources
            {
                NanoCPUs = NanoCpus(reservations.Cpus),
                MemoryBytes = reservations.MemoryBytes ?? 0,
                GenericResources = reservations.GenericResources.Count == 0 ? null : reservations.GenericResources
                    .Select(g => new GenericResource { DiscreteResourceSpec = new DiscreteGenericResource { Kind = g.Split('=')[0], Value = long.Parse(g.Split('=')[1], System.Globalization.CultureInfo.InvariantCulture) } })
                    .ToList(),
            };
        }

        return result;
    }

    private static long NanoCpus(decimal? cpus) => cpus is { } value ? (long)(value * 1_000_000_000m) : 0;

    private static SwarmRestartPolicy? RestartPolicy(string? restart, ComposeRestartPolicy? policy)
    {
        if (policy is not null)
        {
            return new SwarmRestartPolicy { Condition = policy.Condition, Delay = policy.Delay, MaxAttempts = policy.MaxAttempts, Window = policy.Window };
        }

        // The legacy "restart" key, as the CLI still reads it: always/unless-stopped -> any, on-failure[:N] -> on-failure.
        if (string.IsNullOrEmpty(restart))
        {
            return null;
        }

        string[] parts = restart.Split(':', 2);
        ulong? attempts = parts.Length == 2 && ulong.TryParse(parts[1], out ulong n) && n > 0 ? n : null;
        return parts[0] switch
        {
            "always" or "unless-stopped" => new SwarmRestartPolicy { Condition = "any", MaxAttempts = attempts },
            "on-failure" => new SwarmRestartPolicy { Condition = "on-failure", MaxAttempts = attempts },
            _ => null,
        };
    }

    private static ServiceMode Mode(ComposeDeploy deploy) => deploy.Mode switch
    {
        "global" => new ServiceMode { Global = new GlobalService() },
        "global-job" => new ServiceMode { GlobalJob = new GlobalJob() },
        "replicated-job" => new ServiceMode { ReplicatedJob = new ReplicatedJob { MaxConcurrent = deploy.Replicas, TotalCompletions = deploy.Replicas } },
        _ => new ServiceMode { Replicated = new ReplicatedService { Replicas = deploy.Replicas } },
    };

    private static SwarmUpdateConfig? Update(ComposeUpdateConfig? config) => config is null ? null : new SwarmUpdateConfig
    {
        Parallelism = config.Parallelism ?? 1,
        Delay = config.Delay ?? TimeSpan.Zero,
        FailureAction = config.FailureAction,
        Monitor = config.Monitor ?? TimeSpan.Zero,
        MaxFailureRatio = config.MaxFailureRatio ?? 0,
        Order = config.Order!,
    };

    /// <summary>As the CLI's opts.EffectiveCapAddCapDrop: CAP_ prefix, upper case, ALL wins, an added capability is not dropped.</summary>
    private static (List<string>? Add, List<string>? Drop) EffectiveCapabilities(IReadOnlyList<string> add, IReadOnlyList<string> drop)
    {
        static HashSet<string> Normalize(IEnumerable<string> caps) => caps
            .Select(c => c.Trim().ToUpperInvariant())
            .Where(c => c.Length > 0)
            .Select(c => c == "ALL" || c.StartsWith("CAP_", StringComparison.Ordinal) ? c : "CAP_" + c)
            .ToHashSet(StringComparer.Ordinal);

        HashSet<string> addSet = Normalize(add);
        HashSet<string> dropSet = Normalize(drop);
        if (addSet.Contains("ALL"))
        {
            addSet = new HashSet<string>(StringComparer.Ordinal) { "ALL" };
        }

        if (dropSet.Contains("ALL"))
        {
            dropSet = new HashSet<string>(StringComparer.Ordinal) { "ALL" };
        }

        List<string> dropped = dropSet.Where(c => !addSet.Contains(c)).OrderBy(c => c, StringComparer.Ordinal).ToList();
        List<string> added = addSet.OrderBy(c => c, StringComparer.Ordinal).ToList();
        return (added.Count == 0 ? null : added, dropped.Count == 0 ? null : dropped);
    }
}
