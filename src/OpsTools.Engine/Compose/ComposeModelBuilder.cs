using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using OpsTools.Compose;

namespace OpsTools.Engine.Compose;

/// <summary>Turns the merged tree into the typed model, checking every value and every reference.</summary>
internal sealed class ComposeModelBuilder
{
    private readonly Func<string, string?> _lookup;
    private readonly List<string> _warnings;

    public ComposeModelBuilder(Func<string, string?> lookup, IReadOnlyList<string> warnings)
    {
        _lookup = lookup;
        _warnings = warnings.ToList();
    }

    public ComposeProject Build(YMapping root, string? stackName, string projectDirectory, IReadOnlyList<string> files, IReadOnlyList<string> envFiles)
    {
        var networks = Section(root, "networks", BuildNetwork);
        var volumes = Section(root, "volumes", BuildVolume);
        var secrets = Section(root, "secrets", (name, map) => BuildFileObject(name, map, "secret"));
        var configs = Section(root, "configs", (name, map) => BuildFileObject(name, map, "config"));
        var services = new List<ComposeService>();
        if (root["services"] is YMapping serviceMap)
        {
            foreach (string name in serviceMap.Keys.OrderBy(n => n, StringComparer.Ordinal))
            {
                ComposeService service = BuildService(name, (YMapping)serviceMap[name]!);
                CheckReferences(service, (YMapping)serviceMap[name]!, networks, volumes, secrets, configs);
                services.Add(service);
            }
        }

        return new ComposeProject
        {
            Name = stackName,
            WorkingDirectory = projectDirectory,
            Version = Text(root["version"]),
            Files = files,
            EnvFiles = envFiles,
            Services = services,
            Networks = networks,
            Volumes = volumes,
            Secrets = secrets,
            Configs = configs,
            Warnings = _warnings,
        };
    }

    private static List<T> Section<T>(YMapping root, string section, Func<string, YMapping, T> build)
    {
        var result = new List<T>();
        if (root[section] is YMapping entries)
        {
            foreach (string name in entries.Keys)
            {
                result.Add(build(name, (YMapping)entries[name]!));
            }
        }

        return result;
    }

    private static void CheckKeys(YMapping map, string where, params string[] allowed)
    {
        foreach (string key in map.Keys)
        {
            if (Array.IndexOf(allowed, key) < 0 && !key.StartsWith("x-", StringComparison.Ordinal))
            {
                throw ComposeErrors.KeyUnknown(map.KeyMark(key), key, where);
            }
        }
    }

    private static ComposeNetwork BuildNetwork(string name, YMapping map)
    {
        CheckKeys(map, $"network '{name}'", "driver", "driver_opts", "external", "name", "attachable", "internal", "labels", "ipam", "enable_ipv6");
        bool external = Bool(map["external"]) ?? false;
        var ipam = map["ipam"] as YMapping;
        if (ipam is not null)
        {
            CheckKeys(ipam, $"ipam of network '{name}'", "driver", "config");
        }

        var subnets = new List<string>();
        if (ipam?["config"] is YSequence ipamConfigs)
        {
            foreach (YNode config in ipamConfigs.Items)
            {
                if (config is YMapping configMap && Text(configMap["subnet"]) is { } subnet)
                {
                    subnets.Add(subnet);
                }
            }
        }

        return new ComposeNetwork
        {
            Name = name,
            ExplicitName = Text(map["name"]) ?? (external ? name : null),
            External = external,
            Driver = Text(map["driver"]),
            DriverOpts = StringMap(map["driver_opts"], $"driver_opts of network '{name}'"),
            Attachable = Bool(map["attachable"]) ?? false,
            Internal = Bool(map["internal"]) ?? false,
            Labels = StringMap(map["labels"], $"labels of network '{name}'"),
            IpamDriver = Text(ipam?["driver"]),
            IpamSubnets = subnets,
        };
    }

    private static ComposeVolume BuildVolume(string name, YMapping map)
    {
        CheckKeys(map, $"volume '{name}'", "driver", "driver_opts", "external", "name", "labels");
        bool external = Bool(map["external"]) ?? false;
        return new ComposeVolume
        {
            Name = name,
            ExplicitName = Text(map["name"]) ?? (external ? name : null),
            External = external,
            Driver = Text(map["driver"]),
            DriverOpts = StringMap(map["driver_opts"], $"driver_opts of volume '{name}'"),
            Labels = StringMap(map["labels"], $"labels of volume '{name}'"),
        };
    }

    private static ComposeFileObject BuildFileObject(string name, YMapping map, string kind)
    {
        if (kind == "secret")
        {
            CheckKeys(map, $"secret '{name}'", "file", "external", "name", "labels", "driver", "driver_opts", "template_driver");
        }
        else
        {
            CheckKeys(map, $"config '{name}'", "file", "external", "name", "labels", "template_driver");
        }

        bool external = Bool(map["external"]) ?? false;
        string? file = Text(map["file"]);
        if (!external && file is null && Text(map["driver"]) is null)
        {
            throw ComposeErrors.ValueInvalid(map.Mark, $"{kind} '{name}' needs 'file' or 'external: true'.");
        }

        return new ComposeFileObject
        {
            Name = name,
            ExplicitName = Text(map["name"]) ?? (external ? name : null),
            External = external,
            File = file,
            Driver = Text(map["driver"]),
            DriverOpts = StringMap(map["driver_opts"], $"driver_opts of {kind} '{name}'"),
            TemplateDriver = Text(map["template_driver"]),
            Labels = StringMap(map["labels"], $"labels of {kind} '{name}'"),
        };
    }

    private ComposeService BuildService(string name, YMapping map)
    {
        string where = $"service '{name}'";
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        var envFiles = new List<string>();
        if (map["env_file"] is YSequence envFileList)
        {
            foreach (YNode item in envFileList.Items)
            {
                string path = Text(item)!;
                foreach (KeyValuePair<string, string> pair in DotEnvParser.ReadFile(path, item.Mark))
                {
                    environment[pair.Key] = pair.Value;
                }

                envFiles.Add(path);
            }
        }

        if (map["environment"] is YMapping envMap)
        {
            foreach (string key in envMap.Keys)
            {
                // A name without a value takes it from the variables, as the CLI does with the shell's.
                environment[key] = Text(envMap[key]) ?? _lookup(key);
            }
        }

        if (Text(map["image"]) is null)
        {
            throw ComposeErrors.ValueInvalid(map.Mark, $"{where} has no image; swarm needs one (build is not supported).");
        }

        return new ComposeService
        {
            Name = name,
            Image = Text(map["image"]),
            Hostname = Text(map["hostname"]),
            User = Text(map["user"]),
            WorkingDir = Text(map["working_dir"]),
            StopSignal = Text(map["stop_signal"]),
            StopGracePeriod = Duration(map["stop_grace_period"]),
            Init = Bool(map["init"]),
            Tty = Bool(map["tty"]),
            StdinOpen = Bool(map["stdin_open"]),
            ReadOnly = Bool(map["read_only"]),
            Isolation = Text(map["isolation"]),
            Restart = Text(map["restart"]),
            Command = ShellCommand(map, "command"),
            Entrypoint = ShellCommand(map, "entrypoint"),
            Environment = environment,
            EnvFiles = envFiles,
            Labels = StringMap(map["labels"], $"labels of {where}"),
            Deploy = BuildDeploy(map["deploy"], where),
            Healthcheck = BuildHealthcheck(map["healthcheck"], where),
            Ports = List(map["ports"], BuildPort),
            Volumes = List(map["volumes"], BuildServiceVolume),
            Networks = BuildServiceNetworks(map["networks"], where),
            Secrets = List(map["secrets"], BuildFileReference),
            Configs = List(map["configs"], BuildFileReference),
            ExtraHosts = StringList(map["extra_hosts"], $"extra_hosts of {where}"),
            Dns = StringList(map["dns"], $"dns of {where}"),
            DnsSearch = StringList(map["dns_search"], $"dns_search of {where}"),
            CapAdd = StringList(map["cap_add"], $"cap_add of {where}"),
            CapDrop = StringList(map["cap_drop"], $"cap_drop of {where}"),
            Sysctls = StringMap(map["sysctls"], $"sysctls of {where}"),
            Ulimits = BuildUlimits(map["ulimits"], where),
            Tmpfs = StringList(map["tmpfs"], $"tmpfs of {where}"),
            Logging = BuildLogging(map["logging"], where),
            DependsOn = BuildDependsOn(map["depends_on"], where),
            Scale = UInt(map["scale"]),
            MemLimitBytes = Bytes(map["mem_limit"]),
            Cpus = Cpus(map["cpus"], where),
        };
    }

    private static IReadOnlyList<ComposeDependency> BuildDependsOn(YNode? node, string where)
    {
        if (node is null)
        {
            return Array.Empty<ComposeDependency>();
        }

        YMapping map = Mapping(node, $"depends_on of {where}");
        var result = new List<ComposeDependency>();
        foreach (string service in map.Keys)
        {
            YMapping entry = map[service] is YScalar { Value: null } ? new YMapping(map.KeyMark(service)) : Mapping(map[service]!, $"depends_on.{service} of {where}");
            CheckKeys(entry, $"depends_on.{service} of {where}", "condition", "restart", "required");
            string condition = Text(entry["condition"]) ?? "service_started";
            if (condition is not ("service_started" or "service_healthy" or "service_completed_successfully"))
            {
                throw ComposeErrors.ValueInvalid(entry["condition"]!.Mark, $"depends_on.{service}.condition of {where} must be service_started, service_healthy or service_completed_successfully, not '{condition}'.");
            }

            result.Add(new ComposeDependency { Service = service, Condition = condition });
        }

        return result;
    }

    private static decimal? Cpus(YNode? node, string where)
    {
        string? text = Text(node);
        if (text is null)
        {
            return null;
        }

        return ComposeUnits.TryParseCpus(text, out decimal cpus)
            ? cpus
            : throw ComposeErrors.ValueInvalid(node!.Mark, $"cpus of {where} must be a number such as '0.5' (at most 9 decimals), not '{text}'.");
    }

    private static void CheckReferences(ComposeService service, YMapping map, List<ComposeNetwork> networks, List<ComposeVolume> volumes, List<ComposeFileObject> secrets, List<ComposeFileObject> configs)
    {
        foreach (ComposeServiceNetwork network in service.Networks)
        {
            if (network.Name != "default" && !networks.Any(n => n.Name == network.Name))
            {
                throw ComposeErrors.ValueInvalid(Mark(map["networks"], map), $"service '{service.Name}' uses network '{network.Name}', which is not declared under the top-level 'networks'.");
            }
        }

        foreach (ComposeServiceVolume volume in service.Volumes.Where(v => v.Type == "volume" && v.Source is not null))
        {
            if (!volumes.Any(v => v.Name == volume.Source))
            {
                throw ComposeErrors.ValueInvalid(Mark(map["volumes"], map), $"service '{service.Name}' uses named volume '{volume.Source}', which is not declared under the top-level 'volumes'.");
            }
        }

        foreach ((IReadOnlyList<ComposeFileReference> references, List<ComposeFileObject> declared, string kind) in new[] { (service.Secrets, secrets, "secret"), (service.Configs, configs, "config") })
        {
            foreach (ComposeFileReference reference in references.Where(r => !declared.Any(d => d.Name == r.Source)))
            {
                throw ComposeErrors.ValueInvalid(Mark(map[kind + "s"], map), $"service '{service.Name}' uses {kind} '{reference.Source}', which is not declared under the top-level '{kind}s'.");
            }
        }
    }

    private static SourceMark Mark(YNode? node, YNode fallback) => (node ?? fallback).Mark;

    private static IReadOnlyList<string>? ShellCommand(YMapping map, string key)
    {
        YNode? node = map[key];
        switch (node)
        {
            case null:
                return null;
            case YScalar { Value: null }:
                return null;
            case YScalar { Value: { } text }:
                return ComposeUnits.SplitShellWords(text) ?? throw ComposeErrors.ValueInvalid(node.Mark, $"{key} has an unterminated quote: {text}");
            default:
                return StringList(node, key);
        }
    }

    private static ComposeDeploy BuildDeploy(YNode? node, string where)
    {
        if (node is null)
        {
            return new ComposeDeploy();
        }

        YMapping map = Mapping(node, $"deploy of {where}");
        CheckKeys(map, $"deploy of {where}", "mode", "replicas", "labels", "resources", "placement", "restart_policy", "update_config", "rollback_config", "endpoint_mode");
        string? mode = Text(map["mode"]);
        if (mode is not (null or "replicated" or "global" or "replicated-job" or "global-job"))
        {
            throw ComposeErrors.ValueInvalid(map["mode"]!.Mark, $"deploy.mode of {where} must be replicated, global, replicated-job or global-job, not '{mode}'.");
        }

        string? endpointMode = Text(map["endpoint_mode"]);
        if (endpointMode is not (null or "vip" or "dnsrr"))
        {
            throw ComposeErrors.ValueInvalid(map["endpoint_mode"]!.Mark, $"deploy.endpoint_mode of {where} must be vip or dnsrr, not '{endpointMode}'.");
        }

        ulong? replicas = UInt(map["replicas"]);
        if (replicas is not null && mode is "global" or "global-job")
        {
            throw ComposeErrors.ValueInvalid(map["replicas"]!.Mark, $"deploy.replicas of {where} can only be used with replicated or replicated-job mode.");
        }

        return new ComposeDeploy
        {
            Mode = mode,
            Replicas = replicas,
            EndpointMode = endpointMode,
            Labels = StringMap(map["labels"], $"deploy.labels of {where}"),
            Resources = BuildResources(map["resources"], where),
            Placement = BuildPlacement(map["placement"], where),
            RestartPolicy = BuildRestartPolicy(map["restart_policy"], where),
            UpdateConfig = BuildUpdateConfig(map["update_config"], $"deploy.update_config of {where}"),
            RollbackConfig = BuildUpdateConfig(map["rollback_config"], $"deploy.rollback_config of {where}"),
        };
    }

    private static ComposeResources? BuildResources(YNode? node, string where)
    {
        if (node is null)
        {
            return null;
        }

        YMapping map = Mapping(node, $"deploy.resources of {where}");
        CheckKeys(map, $"deploy.resources of {where}", "limits", "reservations");
        return new ComposeResources
        {
            Limits = BuildResourceSpec(map["limits"], $"deploy.resources.limits of {where}", "cpus", "memory", "pids"),
            Reservations = BuildResourceSpec(map["reservations"], $"deploy.resources.reservations of {where}", "cpus", "memory", "generic_resources"),
        };
    }

    private static ComposeResourceSpec? BuildResourceSpec(YNode? node, string where, params string[] keys)
    {
        if (node is null)
        {
            return null;
        }

        YMapping map = Mapping(node, where);
        CheckKeys(map, where, keys);
        decimal? cpus = null;
        if (map["cpus"] is YScalar { Value: { } cpuText } cpuNode)
        {
            cpus = ComposeUnits.TryParseCpus(cpuText, out decimal parsed) ? parsed : throw ComposeErrors.ValueInvalid(cpuNode.Mark, $"cpus in {where} must be a number such as '0.5' (at most 9 decimals), not '{cpuText}'.");
        }

        var generic = new List<string>();
        if (map["generic_resources"] is YSequence resources)
        {
            foreach (YNode item in resources.Items)
            {
                if (item is YMapping resource && resource["discrete_resource_spec"] is YMapping spec)
                {
                    generic.Add(Text(spec["kind"]) + "=" + Text(spec["value"]));
                }
            }
        }

        return new ComposeResourceSpec
        {
            Cpus = cpus,
            MemoryBytes = Bytes(map["memory"]),
            Pids = map["pids"] is { } pids ? (long?)Long(pids) : null,
            GenericResources = generic,
        };
    }

    private static ComposePlacement? BuildPlacement(YNode? node, string where)
    {
        if (node is null)
        {
            return null;
        }

        YMapping map = Mapping(node, $"deploy.placement of {where}");
        CheckKeys(map, $"deploy.placement of {where}", "constraints", "preferences", "max_replicas_per_node");
        var preferences = new List<string>();
        if (map["preferences"] is YSequence preferenceList)
        {
            foreach (YNode item in preferenceList.Items)
            {
                YMapping preference = Mapping(item, $"deploy.placement.preferences of {where}");
                CheckKeys(preference, $"deploy.placement.preferences of {where}", "spread");
                preferences.Add(Text(preference["spread"]) ?? string.Empty);
            }
        }

        return new ComposePlacement
        {
            Constraints = StringList(map["constraints"], $"deploy.placement.constraints of {where}"),
            Preferences = preferences,
            MaxReplicasPerNode = UInt(map["max_replicas_per_node"]),
        };
    }

    private static ComposeRestartPolicy? BuildRestartPolicy(YNode? node, string where)
    {
        if (node is null)
        {
            return null;
        }

        YMapping map = Mapping(node, $"deploy.restart_policy of {where}");
        CheckKeys(map, $"deploy.restart_policy of {where}", "condition", "delay", "max_attempts", "window");
        string? condition = Text(map["condition"]);
        if (condition is not (null or "none" or "on-failure" or "any"))
        {
            throw ComposeErrors.ValueInvalid(map["condition"]!.Mark, $"deploy.restart_policy.condition of {where} must be none, on-failure or any, not '{condition}'.");
        }

        return new ComposeRestartPolicy
        {
            Condition = condition,
            Delay = Duration(map["delay"]),
            MaxAttempts = UInt(map["max_attempts"]),
            Window = Duration(map["window"]),
        };
    }

    private static ComposeUpdateConfig? BuildUpdateConfig(YNode? node, string where)
    {
        if (node is null)
        {
            return null;
        }

        YMapping map = Mapping(node, where);
        CheckKeys(map, where, "parallelism", "delay", "failure_action", "monitor", "max_failure_ratio", "order");
        string? failureAction = Text(map["failure_action"]);
        if (failureAction is not (null or "continue" or "rollback" or "pause"))
        {
            throw ComposeErrors.ValueInvalid(map["failure_action"]!.Mark, $"failure_action of {where} must be continue, rollback or pause, not '{failureAction}'.");
        }

        string? order = Text(map["order"]);
        if (order is not (null or "stop-first" or "start-first"))
        {
            throw ComposeErrors.ValueInvalid(map["order"]!.Mark, $"order of {where} must be stop-first or start-first, not '{order}'.");
        }

        float? ratio = null;
        if (map["max_failure_ratio"] is YScalar { Value: { } ratioText } ratioNode)
        {
            ratio = float.TryParse(ratioText, NumberStyles.Float, CultureInfo.InvariantCulture, out float parsed) ? parsed : throw ComposeErrors.ValueInvalid(ratioNode.Mark, $"max_failure_ratio must be a number, not '{ratioText}'.");
        }

        return new ComposeUpdateConfig
        {
            Parallelism = UInt(map["parallelism"]),
            Delay = Duration(map["delay"]),
            FailureAction = failureAction,
            Monitor = Duration(map["monitor"]),
            MaxFailureRatio = ratio,
            Order = order,
        };
    }

    private static ComposeHealthcheck? BuildHealthcheck(YNode? node, string where)
    {
        if (node is null)
        {
            return null;
        }

        YMapping map = Mapping(node, $"healthcheck of {where}");
        CheckKeys(map, $"healthcheck of {where}", "test", "interval", "timeout", "retries", "start_period", "start_interval", "disable");
        IReadOnlyList<string> test = StringList(map["test"], $"healthcheck.test of {where}");
        bool disable = Bool(map["disable"]) ?? false;
        if (disable && test.Count > 0 && !(test.Count == 1 && test[0] == "NONE"))
        {
            throw ComposeErrors.ValueInvalid(map.Mark, $"healthcheck of {where}: test and disable can't be set at the same time.");
        }

        if (test.Count > 0 && test[0] is not ("CMD" or "CMD-SHELL" or "NONE"))
        {
            throw ComposeErrors.ValueInvalid(map["test"]!.Mark, $"healthcheck.test of {where} must start with CMD, CMD-SHELL or NONE, or be a string (run with the shell).");
        }

        return new ComposeHealthcheck
        {
            Test = test,
            Disable = disable,
            Interval = Duration(map["interval"]),
            Timeout = Duration(map["timeout"]),
            StartPeriod = Duration(map["start_period"]),
            StartInterval = Duration(map["start_interval"]),
            Retries = UInt(map["retries"]),
        };
    }

    private static ComposePort BuildPort(YNode node)
    {
        var map = (YMapping)node;
        string mode = Text(map["mode"]) ?? "ingress";
        string protocol = Text(map["protocol"]) ?? "tcp";
        if (mode is not ("ingress" or "host"))
        {
            throw ComposeErrors.ValueInvalid(map["mode"]!.Mark, $"port mode must be ingress or host, not '{mode}'.");
        }

        if (protocol is not ("tcp" or "udp" or "sctp"))
        {
            throw ComposeErrors.ValueInvalid(map["protocol"]!.Mark, $"port protocol must be tcp, udp or sctp, not '{protocol}'.");
        }

        return new ComposePort
        {
            Target = Port(map["target"] ?? throw ComposeErrors.ValueInvalid(map.Mark, "a port needs a target.")),
            Published = map["published"] is { } published ? Port(published) : null,
            Protocol = protocol,
            Mode = mode,
        };
    }

    private static ComposeServiceVolume BuildServiceVolume(YNode node)
    {
        var map = (YMapping)node;
        string type = Text(map["type"]) ?? "volume";
        if (type is not ("volume" or "bind" or "tmpfs" or "npipe"))
        {
            throw ComposeErrors.ValueInvalid(map["type"]!.Mark, $"volume type must be volume, bind, tmpfs or npipe, not '{type}'.");
        }

        string target = Text(map["target"]) ?? throw ComposeErrors.ValueInvalid(map.Mark, "a volume needs a target.");
        var bind = map["bind"] as YMapping;
        var volume = map["volume"] as YMapping;
        var tmpfs = map["tmpfs"] as YMapping;
        if (bind is not null)
        {
            CheckKeys(bind, $"bind options of volume '{target}'", "propagation", "create_host_path");
        }

        if (volume is not null)
        {
            CheckKeys(volume, $"volume options of volume '{target}'", "nocopy");
        }

        if (tmpfs is not null)
        {
            CheckKeys(tmpfs, $"tmpfs options of volume '{target}'", "size");
        }

        string? source = Text(map["source"]);
        if ((type == "bind" && source is null) || (type == "tmpfs" && source is not null))
        {
            throw ComposeErrors.ValueInvalid(map.Mark, type == "bind" ? $"bind mount '{target}' needs a source." : $"tmpfs mount '{target}' cannot have a source.");
        }

        if ((bind is not null && type != "bind") || (volume is not null && type != "volume") || (tmpfs is not null && type != "tmpfs"))
        {
            throw ComposeErrors.ValueInvalid(map.Mark, $"mount '{target}' has options of another type than '{type}'.");
        }

        return new ComposeServiceVolume
        {
            Type = type,
            Source = source,
            Target = target,
            ReadOnly = Bool(map["read_only"]) ?? false,
            Consistency = Text(map["consistency"]),
            BindPropagation = Text(bind?["propagation"]),
            VolumeNoCopy = Bool(volume?["nocopy"]),
            TmpfsSizeBytes = Bytes(tmpfs?["size"]),
        };
    }

    private static IReadOnlyList<ComposeServiceNetwork> BuildServiceNetworks(YNode? node, string where)
    {
        var result = new List<ComposeServiceNetwork>();
        if (node is not YMapping map)
        {
            return result;
        }

        foreach (string name in map.Keys)
        {
            YMapping? options = map[name] is YScalar { Value: null } ? null : Mapping(map[name]!, $"network '{name}' of {where}");
            if (options is not null)
            {
                CheckKeys(options, $"network '{name}' of {where}", "aliases", "ipv4_address", "ipv6_address", "driver_opts");
            }

            result.Add(new ComposeServiceNetwork
            {
                Name = name,
                Aliases = StringList(options?["aliases"], $"aliases of network '{name}' of {where}"),
                Ipv4Address = Text(options?["ipv4_address"]),
                Ipv6Address = Text(options?["ipv6_address"]),
            });
        }

        return result;
    }

    private static ComposeFileReference BuildFileReference(YNode node)
    {
        var map = (YMapping)node;
        uint? mode = null;
        if (map["mode"] is YScalar { Value: { } modeText } modeNode)
        {
            // YAML 1.1 writes octal as 0440; a plain decimal (288) is what a 1.2 parser gives for 0o440.
            string digits = modeText.StartsWith("0o", StringComparison.OrdinalIgnoreCase) ? modeText[2..] : modeText;
            bool octal = modeText.StartsWith('0') && modeText.Length > 1;
            try
            {
                mode = octal ? Convert.ToUInt32(digits, 8) : uint.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
            }
            catch (Exception ex) when (ex is FormatException or OverflowException)
            {
                throw ComposeErrors.ValueInvalid(modeNode.Mark, $"mode must be a file mode such as 0440, not '{modeText}'.");
            }
        }

        return new ComposeFileReference
        {
            Source = Text(map["source"])!,
            Target = Text(map["target"]),
            Uid = Text(map["uid"]),
            Gid = Text(map["gid"]),
            Mode = mode,
        };
    }

    private static IReadOnlyList<ComposeUlimit> BuildUlimits(YNode? node, string where)
    {
        var result = new List<ComposeUlimit>();
        if (node is null)
        {
            return result;
        }

        YMapping map = Mapping(node, $"ulimits of {where}");
        foreach (string name in map.Keys)
        {
            YNode value = map[name]!;
            if (value is YMapping limits)
            {
                CheckKeys(limits, $"ulimit '{name}' of {where}", "soft", "hard");
                result.Add(new ComposeUlimit { Name = name, Soft = Long(limits["soft"] ?? limits), Hard = Long(limits["hard"] ?? limits) });
            }
            else
            {
                long single = Long(value);
                result.Add(new ComposeUlimit { Name = name, Soft = single, Hard = single });
            }
        }

        return result;
    }

    private static ComposeLogging? BuildLogging(YNode? node, string where)
    {
        if (node is null)
        {
            return null;
        }

        YMapping map = Mapping(node, $"logging of {where}");
        CheckKeys(map, $"logging of {where}", "driver", "options");
        return new ComposeLogging { Driver = Text(map["driver"]), Options = StringMap(map["options"], $"logging.options of {where}") };
    }

    private static IReadOnlyList<T> List<T>(YNode? node, Func<YNode, T> build) =>
        node is YSequence sequence ? sequence.Items.Select(build).ToList() : new List<T>();

    private static YMapping Mapping(YNode node, string what) =>
        node as YMapping ?? throw ComposeErrors.ValueInvalid(node.Mark, $"{what} must be a mapping.");

    private static string? Text(YNode? node) => node switch
    {
        null => null,
        YScalar scalar => scalar.Value,
        _ => throw ComposeErrors.ValueInvalid(node.Mark, "expected a single value here, not a list or mapping."),
    };

    private static IReadOnlyList<string> StringList(YNode? node, string what)
    {
        switch (node)
        {
            case null:
            case YScalar { Value: null }:
                return Array.Empty<string>();
            case YScalar { Value: { } single }:
                return new[] { single };
            case YSequence sequence:
                return sequence.Items.Select(i => i is YScalar { Value: { } text } ? text : throw ComposeErrors.ValueInvalid(i.Mark, $"entries of {what} must be strings.")).ToList();
            default:
                throw ComposeErrors.ValueInvalid(node.Mark, $"{what} must be a list of strings.");
        }
    }

    private static IReadOnlyDictionary<string, string> StringMap(YNode? node, string what)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node is null or YScalar { Value: null })
        {
            return result;
        }

        YMapping map = Mapping(node, what);
        foreach (string key in map.Keys)
        {
            result[key] = Text(map[key]) ?? string.Empty;
        }

        return result;
    }

    private static bool? Bool(YNode? node)
    {
        string? text = Text(node);
        return text?.ToLowerInvariant() switch
        {
            null => null,
            "true" or "yes" or "on" => true,
            "false" or "no" or "off" => false,
            _ => throw ComposeErrors.ValueInvalid(node!.Mark, $"expected true or false, not '{text}'."),
        };
    }

    private static ulong? UInt(YNode? node)
    {
        string? text = Text(node);
        if (text is null)
        {
            return null;
        }

        return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong value)
            ? value
            : throw ComposeErrors.ValueInvalid(node!.Mark, $"expected a whole number, not '{text}'.");
    }

    private static long Long(YNode node)
    {
        string? text = Text(node);
        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value)
            ? value
            : throw ComposeErrors.ValueInvalid(node.Mark, $"expected a whole number, not '{text}'.");
    }

    private static uint Port(YNode node)
    {
        string? text = Text(node);
        return uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out uint value) && value is > 0 and <= 65535
            ? value
            : throw ComposeErrors.ValueInvalid(node.Mark, $"expected a port number (1-65535), not '{text}'.");
    }

    private static TimeSpan? Duration(YNode? node)
    {
        string? text = Text(node);
        if (text is null)
        {
            return null;
        }

        return ComposeUnits.TryParseDuration(text, out TimeSpan value)
            ? value
            : throw ComposeErrors.ValueInvalid(node!.Mark, $"'{text}' is not a duration (write it like 1m30s, 10s or 500ms).");
    }

    private static long? Bytes(YNode? node)
    {
        string? text = Text(node);
        if (text is null)
        {
            return null;
        }

        return ComposeUnits.TryParseBytes(text, out long value)
            ? value
            : throw ComposeErrors.ValueInvalid(node!.Mark, $"'{text}' is not a size (write it like 512M, 1g or 1073741824).");
    }
}
