using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Docker.DotNet.Models;
using OpsTools.Compose;

namespace OpsTools.Engine.Compose;

/// <summary>
/// The container create parameters of one service of a compose project, as docker-compose 1.29
/// builds them (<c>compose/service.py</c>, <c>_get_container_create_options</c>): volumes and binds as
/// <c>HostConfig.Binds</c>, the first network at create and the others connected afterwards, the
/// service name as alias on every network, and the compose labels.
/// </summary>
internal sealed class ComposeContainerSpec
{
    /// <summary>Value of com.docker.compose.version: the docker-compose release whose container layout OpsTools reproduces.</summary>
    public const string ComposeVersion = "1.29.2";

    private ComposeContainerSpec(string service, CreateContainerParameters template, List<KeyValuePair<string, EndpointSettings>> networks, string configHash)
    {
        Service = service;
        Template = template;
        Networks = networks;
        ConfigHash = configHash;
    }

    /// <summary>Service name.</summary>
    public string Service { get; }

    /// <summary>Create parameters without the per-container name and number.</summary>
    public CreateContainerParameters Template { get; }

    /// <summary>Networks (full names) in attach order; the first is used at create.</summary>
    public IReadOnlyList<KeyValuePair<string, EndpointSettings>> Networks { get; }

    /// <summary>SHA-256 of the canonical JSON of the configuration (see docs/compose-differences.md).</summary>
    public string ConfigHash { get; }

    /// <summary>Container name docker-compose 1.29 gives: <c>&lt;project&gt;_&lt;service&gt;_&lt;n&gt;</c>.</summary>
    public static string ContainerName(string project, string service, int number) =>
        string.Create(CultureInfo.InvariantCulture, $"{project.TrimStart('-', '_')}_{service}_{number}");

    /// <summary>Full name of a project network.</summary>
    public static string NetworkName(string project, ComposeProject model, string network) =>
        model.Networks.FirstOrDefault(n => n.Name == network)?.ExplicitName ?? project + "_" + network;

    /// <summary>Full name of a project volume.</summary>
    public static string VolumeName(string project, ComposeProject model, string volume) =>
        model.Volumes.FirstOrDefault(v => v.Name == volume)?.ExplicitName ?? project + "_" + volume;

    /// <summary>Builds the spec and its hash.</summary>
    /// <param name="model">Loaded project.</param>
    /// <param name="project">Project name.</param>
    /// <param name="service">The service.</param>
    /// <param name="imageId">Id of the image the reference resolves to now (part of the hash).</param>
    /// <returns>The spec.</returns>
    public static ComposeContainerSpec Build(ComposeProject model, string project, ComposeService service, string imageId)
    {
        var binds = new List<string>();
        var mounts = new List<Mount>();
        var volumes = new Dictionary<string, EmptyStruct>(StringComparer.Ordinal);
        foreach (ComposeServiceVolume volume in service.Volumes)
        {
            string mode = volume.ReadOnly ? "ro" : "rw";
            switch (volume.Type)
            {
                case "volume" when volume.Source is null:
                    volumes[volume.Target] = default;
                    break;
                case "volume" when volume.VolumeNoCopy is not true:
                    binds.Add($"{VolumeName(project, model, volume.Source)}:{volume.Target}:{mode}");
                    volumes[volume.Target] = default;
                    break;
                case "bind" when volume.Source is not null:
                    binds.Add($"{volume.Source}:{volume.Target}:{mode}{(volume.BindPropagation is null ? string.Empty : "," + volume.BindPropagation)}");
                    volumes[volume.Target] = default;
                    break;
                default:
                    mounts.Add(new Mount
                    {
                        Type = volume.Type,
                        Source = volume.Type == "volume" && volume.Source is not null ? VolumeName(project, model, volume.Source) : volume.Source,
                        Target = volume.Target,
                        ReadOnly = volume.ReadOnly,
                        VolumeOptions = volume.Type == "volume" ? new VolumeOptions { NoCopy = volume.VolumeNoCopy } : null,
                        TmpfsOptions = volume.TmpfsSizeBytes is { } size ? new TmpfsOptions { SizeBytes = size } : null,
                    });
                    break;
            }
        }

        var exposed = new Dictionary<string, EmptyStruct>(StringComparer.Ordinal);
        var bindings = new Dictionary<string, IList<PortBinding>>(StringComparer.Ordinal);
        foreach (ComposePort port in service.Ports)
        {
            string key = string.Create(CultureInfo.InvariantCulture, $"{port.Target}/{port.Protocol}");
            exposed[key] = default;
            if (!bindings.TryGetValue(key, out IList<PortBinding>? list))
            {
                bindings[key] = list = new List<PortBinding>();
            }

            list.Add(new PortBinding { HostIP = string.Empty, HostPort = port.Published?.ToString(CultureInfo.InvariantCulture) ?? string.Empty });
        }

        IEnumerable<ComposeServiceNetwork> joined = service.Networks.Count == 0 ? new[] { new ComposeServiceNetwork { Name = "default" } } : service.Networks;
        var networks = joined.Select(n => new KeyValuePair<string, EndpointSettings>(
            NetworkName(project, model, n.Name),
            new EndpointSettings
            {
                Aliases = new[] { service.Name }.Concat(n.Aliases).Distinct(StringComparer.Ordinal).ToList(),
            })).ToList();
        foreach ((KeyValuePair<string, EndpointSettings> endpoint, ComposeServiceNetwork network) in networks.Zip(joined))
        {
            if (network.Ipv4Address is not null || network.Ipv6Address is not null)
            {
                endpoint.Value.IPAMConfig = new EndpointIPAMConfig { IPv4Address = network.Ipv4Address ?? string.Empty, IPv6Address = network.Ipv6Address ?? string.Empty };
            }
        }

        var hostConfig = new HostConfig
        {
            NetworkMode = networks[0].Key,
            Binds = binds,
            VolumesFrom = new List<string>(),
            PortBindings = bindings,
            RestartPolicy = RestartPolicy(service.Restart),
            Memory = service.MemLimitBytes ?? 0,
            NanoCPUs = service.Cpus is { } cpus ? (long)(cpus * 1_000_000_000m) : 0,
            Init = service.Init,
            ReadonlyRootfs = service.ReadOnly ?? false,
            LogConfig = new LogConfig { Type = service.Logging?.Driver ?? string.Empty, Config = new Dictionary<string, string>(service.Logging?.Options ?? new Dictionary<string, string>()) },
        };
        SetIfAny(mounts, v => hostConfig.Mounts = v);
        SetIfAny(service.CapAdd.ToList(), v => hostConfig.CapAdd = v);
        SetIfAny(service.CapDrop.ToList(), v => hostConfig.CapDrop = v);
        SetIfAny(service.ExtraHosts.ToList(), v => hostConfig.ExtraHosts = v);
        SetIfAny(service.Dns.ToList(), v => hostConfig.DNS = v);
        SetIfAny(service.DnsSearch.ToList(), v => hostConfig.DNSSearch = v);
        SetIfAny(service.Ulimits.Select(u => new Ulimit { Name = u.Name, Soft = u.Soft, Hard = u.Hard }).ToList(), v => hostConfig.Ulimits = v);
        if (service.Sysctls.Count > 0)
        {
            hostConfig.Sysctls = new Dictionary<string, string>(service.Sysctls);
        }

        if (service.Tmpfs.Count > 0)
        {
            hostConfig.Tmpfs = service.Tmpfs.ToDictionary(t => t.Split(':', 2)[0], t => t.Contains(':', StringComparison.Ordinal) ? t.Split(':', 2)[1] : string.Empty, StringComparer.Ordinal);
        }

        if (service.Isolation is { } isolation)
        {
            hostConfig.Isolation = isolation;
        }

        var template = new CreateContainerParameters
        {
            Image = service.Image ?? string.Empty,
            Env = service.Environment.Select(e => e.Value is null ? e.Key : e.Key + "=" + e.Value).ToList(),
            Labels = new Dictionary<string, string>(service.Labels, StringComparer.Ordinal),
            Tty = service.Tty ?? false,
            OpenStdin = service.StdinOpen ?? false,
            StopTimeout = service.StopGracePeriod,
            HostConfig = hostConfig,
            NetworkingConfig = new NetworkingConfig { EndpointsConfig = new Dictionary<string, EndpointSettings> { [networks[0].Key] = networks[0].Value } },
        };
        SetIfAny(service.Command?.ToList() ?? new List<string>(), v => template.Cmd = v, always: service.Command is not null);
        SetIfAny(service.Entrypoint?.ToList() ?? new List<string>(), v => template.Entrypoint = v, always: service.Entrypoint is not null);
        if (exposed.Count > 0)
        {
            template.ExposedPorts = exposed;
        }

        if (volumes.Count > 0)
        {
            template.Volumes = volumes;
        }

        template.Hostname = service.Hostname ?? string.Empty;
        template.User = service.User ?? string.Empty;
        template.WorkingDir = service.WorkingDir ?? string.Empty;
        template.StopSignal = service.StopSignal ?? string.Empty;
        if (Healthcheck(service.Healthcheck) is { } healthcheck)
        {
            template.Healthcheck = healthcheck;
        }

        string hash = Hash(template, networks, imageId);
        template.Labels[ComposeLabels.Project] = project;
        template.Labels[ComposeLabels.Service] = service.Name;
        template.Labels[ComposeLabels.OneOff] = "False";
        template.Labels[ComposeLabels.ConfigHash] = hash;
        template.Labels[ComposeLabels.Version] = ComposeVersion;
        template.Labels[ComposeLabels.WorkingDirectory] = model.WorkingDirectory;
        template.Labels[ComposeLabels.ConfigFiles] = string.Join(",", model.Files);
        return new ComposeContainerSpec(service.Name, template, networks, hash);
    }

    /// <summary>The create parameters of container <paramref name="number"/>.</summary>
    /// <param name="number">Container number.</param>
    /// <returns>A copy of the template with the number label.</returns>
    public CreateContainerParameters ForNumber(int number)
    {
        var labels = new Dictionary<string, string>(Template.Labels, StringComparer.Ordinal)
        {
            [ComposeLabels.ContainerNumber] = number.ToString(CultureInfo.InvariantCulture),
        };
        return new CreateContainerParameters
        {
            Image = Template.Image,
            Cmd = Template.Cmd,
            Entrypoint = Template.Entrypoint,
            Env = Template.Env,
            Labels = labels,
            ExposedPorts = Template.ExposedPorts,
            Volumes = Template.Volumes,
            Hostname = Template.Hostname,
            User = Template.User,
            WorkingDir = Template.WorkingDir,
            Tty = Template.Tty,
            OpenStdin = Template.OpenStdin,
            StopSignal = Template.StopSignal,
            StopTimeout = Template.StopTimeout,
            Healthcheck = Template.Healthcheck,
            HostConfig = Template.HostConfig,
            NetworkingConfig = Template.NetworkingConfig,
        };
    }

    private static void SetIfAny<T>(List<T> values, Action<List<T>> set, bool always = false)
    {
        if (always || values.Count > 0)
        {
            set(values);
        }
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
            Interval = healthcheck.Interval,
            Timeout = healthcheck.Timeout,
            StartPeriod = healthcheck.StartPeriod,
            StartInterval = healthcheck.StartInterval,
            Retries = healthcheck.Retries is { } retries ? (long)retries : null,
        };
    }

    private static RestartPolicy RestartPolicy(string? restart)
    {
        string[] parts = (restart ?? "no").Split(':', 2);
        return parts[0] switch
        {
            "always" => new RestartPolicy { Name = RestartPolicyKind.Always },
            "unless-stopped" => new RestartPolicy { Name = RestartPolicyKind.UnlessStopped },
            "on-failure" => new RestartPolicy { Name = RestartPolicyKind.OnFailure, MaximumRetryCount = parts.Length > 1 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long count) ? count : 0 },
            "no" => new RestartPolicy { Name = RestartPolicyKind.No },
            _ => throw new OpsToolsException("ComposeRestartInvalid", OpsToolsErrorKind.InvalidArgument, $"restart must be no, always, unless-stopped or on-failure[:N], not '{restart}'.", restart, "Fix the restart key of the service."),
        };
    }

    // The hash covers everything the container is created from except its number and the project's
    // location: the create parameters (image reference, command, environment, labels, ports, mounts,
    // limits...), every network endpoint, and the id of the image the reference resolves to now, so
    // a rebuilt or re-pulled tag recreates the containers as docker-compose does.
    private static string Hash(CreateContainerParameters template, List<KeyValuePair<string, EndpointSettings>> networks, string imageId)
    {
        var root = new JsonObject
        {
            ["container"] = JsonSerializer.SerializeToNode(template),
            ["networks"] = new JsonArray(networks.Select(n => (JsonNode?)new JsonObject { ["name"] = n.Key, ["endpoint"] = JsonSerializer.SerializeToNode(n.Value) }).ToArray()),
            ["imageId"] = imageId,
        };
        string canonical = Canonical(root)?.ToJsonString() ?? "null";
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))).ToLowerInvariant();
    }

    private static JsonNode? Canonical(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.Where(p => p.Value is not null).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Canonical(p.Value)))),
        JsonArray array => new JsonArray(array.Select(Canonical).ToArray()),
        null => null,
        _ => JsonNode.Parse(node.ToJsonString()),
    };
}
