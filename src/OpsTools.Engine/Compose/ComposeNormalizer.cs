using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace OpsTools.Engine.Compose;

/// <summary>
/// Expands the short forms of one file's keys into the long forms before files are merged, so that
/// merging compares like with like (a port written "8080:80" and one written as a mapping).
/// </summary>
internal static class ComposeNormalizer
{
    /// <summary>Service keys OpsTools reads.</summary>
    public static readonly HashSet<string> SupportedKeys = new(StringComparer.Ordinal)
    {
        "image", "command", "entrypoint", "environment", "env_file", "labels", "deploy", "healthcheck", "ports",
        "volumes", "networks", "secrets", "configs", "stop_signal", "stop_grace_period", "user", "working_dir",
        "hostname", "extra_hosts", "dns", "dns_search", "cap_add", "cap_drop", "sysctls", "ulimits", "init", "tmpfs",
        "logging", "tty", "stdin_open", "read_only", "isolation", "extends", "restart",
    };

    /// <summary>Keys Start-ComposeProject applies to containers and a swarm deploy ignores, with the reason given in the swarm warning.</summary>
    public static readonly IReadOnlyDictionary<string, string> ContainerOnlyKeys = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["cpus"] = "swarm uses deploy.resources.limits.cpus",
        ["depends_on"] = "swarm starts services in no particular order",
        ["mem_limit"] = "swarm uses deploy.resources.limits.memory",
        ["scale"] = "swarm uses deploy.replicas",
    };

    /// <summary>Valid compose keys that a swarm deploy ignores, with the reason given in the warning.</summary>
    public static readonly IReadOnlyDictionary<string, string> IgnoredKeys = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["build"] = "swarm does not build images; build and push the image first",
        ["cgroupns_mode"] = "not supported by swarm services",
        ["cgroup_parent"] = "not supported by swarm services",
        ["container_name"] = "setting the container name is not supported",
        ["credential_spec"] = "not supported by OpsTools",
        ["devices"] = "not supported by swarm services",
        ["domainname"] = "not supported by swarm services",
        ["expose"] = "services on the same network reach each other's containers on any port",
        ["external_links"] = "not supported by swarm services",
        ["ipc"] = "not supported by swarm services",
        ["links"] = "services on the same network reach each other by name",
        ["mac_address"] = "not supported by swarm services",
        ["network_mode"] = "not supported by swarm services",
        ["oom_score_adj"] = "not supported by OpsTools",
        ["pid"] = "not supported by swarm services",
        ["privileged"] = "not supported by swarm services",
        ["security_opt"] = "not supported by swarm services",
        ["shm_size"] = "not supported by swarm services",
        ["userns_mode"] = "not supported by swarm services",
    };

    public static void NormalizeService(YMapping service, string name, string baseDirectory, Action<string, string, string> warn, bool forSwarm = true)
    {
        foreach (string key in service.Keys.ToList())
        {
            if (key.StartsWith("x-", StringComparison.Ordinal))
            {
                continue;
            }

            if (IgnoredKeys.TryGetValue(key, out string? reason) && reason.Length > 0)
            {
                warn(name, key, $"Ignoring unsupported option '{key}' of service '{name}': {(forSwarm ? reason : "OpsTools does not apply it to containers")}.");
                service.Remove(key);
                continue;
            }

            if (ContainerOnlyKeys.TryGetValue(key, out string? swarmReason))
            {
                if (forSwarm)
                {
                    warn(name, key, $"Ignoring unsupported option '{key}' of service '{name}': {swarmReason}.");
                }
            }
            else if (!SupportedKeys.Contains(key))
            {
                throw ComposeErrors.KeyUnknown(service.KeyMark(key), key, $"service '{name}'");
            }

            if (forSwarm && key == "restart")
            {
                warn(name, key, $"Ignoring unsupported option 'restart' of service '{name}': swarm uses deploy.restart_policy (as the docker CLI does, 'restart' still applies when deploy.restart_policy is absent).");
            }

            if (forSwarm && key == "tmpfs")
            {
                warn(name, key, $"Option 'tmpfs' of service '{name}' is kept in the model but docker stack deploy does not apply it; use a volume of type tmpfs.");
            }

            YNode value = service[key]!;
            if (value is YScalar { Value: null } && key is not ("command" or "entrypoint"))
            {
                service.Remove(key);
                continue;
            }

            switch (key)
            {
                case "environment":
                    service.Set(key, ToMap(value, $"environment of service '{name}'", nullWithoutEquals: true));
                    break;
                case "labels":
                case "sysctls":
                    service.Set(key, ToMap(value, $"{key} of service '{name}'", nullWithoutEquals: false));
                    break;
                case "extra_hosts":
                    service.Set(key, ExtraHosts(value));
                    break;
                case "depends_on":
                    service.Set(key, DependsOn(value, name));
                    break;
                case "networks":
                    service.Set(key, Networks(value));
                    break;
                case "ports":
                    service.Set(key, Ports(value, name));
                    break;
                case "volumes":
                    service.Set(key, Volumes(value, name, baseDirectory));
                    break;
                case "secrets":
                case "configs":
                    service.Set(key, FileReferences(value, key, name));
                    break;
                case "env_file":
                    service.Set(key, EnvFiles(value, baseDirectory));
                    break;
                case "dns":
                case "dns_search":
                case "tmpfs":
                case "cap_add":
                case "cap_drop":
                    service.Set(key, StringOrList(value, $"{key} of service '{name}'"));
                    break;
                case "healthcheck":
                    Healthcheck(value, name);
                    break;
                case "deploy" when value is YMapping deploy && deploy["labels"] is { } deployLabels:
                    deploy.Set("labels", ToMap(deployLabels, $"deploy.labels of service '{name}'", nullWithoutEquals: false));
                    break;
            }
        }
    }

    public static void NormalizeTopLevel(YMapping root, string section, string baseDirectory)
    {
        if (root[section] is not { } node || node is YScalar { Value: null })
        {
            return;
        }

        if (node is not YMapping entries)
        {
            throw ComposeErrors.ValueInvalid(node.Mark, $"'{section}' must be a mapping of names.");
        }

        foreach (string name in entries.Keys.ToList())
        {
            YNode entryNode = entries[name]!;
            if (entryNode is YScalar { Value: null })
            {
                entries.Set(name, new YMapping(entryNode.Mark));
                continue;
            }

            if (entryNode is not YMapping entry)
            {
                throw ComposeErrors.ValueInvalid(entryNode.Mark, $"{section} '{name}' must be a mapping.");
            }

            if (entry["external"] is YMapping external)
            {
                // The 3.x form "external: {name: x}" is "external: true" plus "name: x".
                entry.Set("external", new YScalar(external.Mark, "true"));
                if (external["name"] is { } externalName)
                {
                    entry.Set("name", externalName);
                }
            }

            if (entry["labels"] is { } labels)
            {
                entry.Set("labels", ToMap(labels, $"labels of {section} '{name}'", nullWithoutEquals: false));
            }

            if (section is "secrets" or "configs" && entry["file"] is YScalar { Value: { } file } fileNode)
            {
                entry.Set("file", new YScalar(fileNode.Mark, ResolvePath(file, baseDirectory)));
            }
        }
    }

    public static string ResolvePath(string path, string baseDirectory)
    {
        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal))
        {
            return Path.GetFullPath(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) + path[1..]);
        }

        return Path.GetFullPath(Path.Combine(baseDirectory, path));
    }

    private static YMapping ToMap(YNode node, string what, bool nullWithoutEquals)
    {
        if (node is YMapping mapping)
        {
            foreach (string key in mapping.Keys)
            {
                if (mapping[key] is not YScalar)
                {
                    throw ComposeErrors.ValueInvalid(mapping[key]!.Mark, $"the value of '{key}' in {what} must be a string, number or boolean.");
                }
            }

            return mapping;
        }

        if (node is not YSequence sequence)
        {
            throw ComposeErrors.ValueInvalid(node.Mark, $"{what} must be a mapping or a list of NAME=value.");
        }

        var result = new YMapping(node.Mark);
        foreach (YNode item in sequence.Items)
        {
            if (item is not YScalar { Value: { } text })
            {
                throw ComposeErrors.ValueInvalid(item.Mark, $"entries of {what} must be NAME=value strings.");
            }

            int eq = text.IndexOf('=', StringComparison.Ordinal);
            string key = eq < 0 ? text : text[..eq];
            string? value = eq < 0 ? (nullWithoutEquals ? null : string.Empty) : text[(eq + 1)..];
            result.Set(key, new YScalar(item.Mark, value), item.Mark);
        }

        return result;
    }

    private static YSequence StringOrList(YNode node, string what)
    {
        if (node is YScalar scalar)
        {
            var single = new YSequence(node.Mark);
            single.Items.Add(scalar);
            return single;
        }

        if (node is YSequence sequence && sequence.Items.All(i => i is YScalar { Value: not null }))
        {
            return sequence;
        }

        throw ComposeErrors.ValueInvalid(node.Mark, $"{what} must be a string or a list of strings.");
    }

    private static YMapping DependsOn(YNode node, string service)
    {
        if (node is YMapping mapping)
        {
            return mapping;
        }

        // The short form (a list of names) means condition service_started, as compose reads it.
        var result = new YMapping(node.Mark);
        foreach (YNode item in StringOrList(node, $"depends_on of service '{service}'").Items)
        {
            var entry = new YMapping(item.Mark);
            entry.Set("condition", new YScalar(item.Mark, "service_started"), item.Mark);
            result.Set(((YScalar)item).Value!, entry, item.Mark);
        }

        return result;
    }

    private static YSequence ExtraHosts(YNode node)
    {
        if (node is YMapping mapping)
        {
            var list = new YSequence(node.Mark);
            foreach (string host in mapping.Keys)
            {
                list.Items.Add(new YScalar(mapping.KeyMark(host), host + ":" + (mapping[host] as YScalar)?.Value));
            }

            return list;
        }

        return StringOrList(node, "extra_hosts");
    }

    private static YMapping Networks(YNode node)
    {
        if (node is YMapping mapping)
        {
            return mapping;
        }

        var result = new YMapping(node.Mark);
        foreach (YNode item in StringOrList(node, "networks").Items)
        {
            result.Set(((YScalar)item).Value!, new YScalar(item.Mark, null), item.Mark);
        }

        return result;
    }

    private static YSequence Ports(YNode node, string service)
    {
        if (node is not YSequence sequence)
        {
            throw ComposeErrors.ValueInvalid(node.Mark, $"ports of service '{service}' must be a list.");
        }

        var result = new YSequence(node.Mark);
        foreach (YNode item in sequence.Items)
        {
            if (item is YMapping longForm)
            {
                foreach (string key in longForm.Keys)
                {
                    if (key is not ("target" or "published" or "protocol" or "mode") && !key.StartsWith("x-", StringComparison.Ordinal))
                    {
                        throw ComposeErrors.KeyUnknown(longForm.KeyMark(key), key, $"a port of service '{service}'");
                    }
                }

                if (longForm["protocol"] is null)
                {
                    longForm.Set("protocol", new YScalar(longForm.Mark, "tcp"));
                }

                if (longForm["mode"] is null)
                {
                    longForm.Set("mode", new YScalar(longForm.Mark, "ingress"));
                }

                result.Items.Add(longForm);
                continue;
            }

            if (item is not YScalar { Value: { } text })
            {
                throw ComposeErrors.ValueInvalid(item.Mark, $"a port of service '{service}' must be a string like \"8080:80\" or a mapping.");
            }

            foreach ((string? published, string target, string protocol) in ParsePortSpec(text, item.Mark))
            {
                var port = new YMapping(item.Mark);
                port.Set("mode", new YScalar(item.Mark, "ingress"));
                port.Set("target", new YScalar(item.Mark, target));
                if (published is not null)
                {
                    port.Set("published", new YScalar(item.Mark, published));
                }

                port.Set("protocol", new YScalar(item.Mark, protocol));
                result.Items.Add(port);
            }
        }

        return result;
    }

    /// <summary>Parses <c>[[ip:]published:]target[/protocol]</c> where ports may be ranges.</summary>
    private static IEnumerable<(string? Published, string Target, string Protocol)> ParsePortSpec(string text, SourceMark at)
    {
        string spec = text.Trim();
        string protocol = "tcp";
        int slash = spec.LastIndexOf('/');
        if (slash >= 0)
        {
            protocol = spec[(slash + 1)..].ToLowerInvariant();
            spec = spec[..slash];
        }

        int colon = spec.LastIndexOf(':');
        string targetText = colon < 0 ? spec : spec[(colon + 1)..];
        string? publishedText = null;
        if (colon >= 0)
        {
            string front = spec[..colon];
            int hostColon = front.LastIndexOf(':');
            publishedText = hostColon < 0 ? front : front[(hostColon + 1)..];
            if (publishedText.Length == 0)
            {
                publishedText = null;
            }
        }

        if (protocol is not ("tcp" or "udp" or "sctp") || !TryRange(targetText, out uint targetStart, out uint targetEnd))
        {
            throw ComposeErrors.ValueInvalid(at, $"'{text}' is not a port specification ([[ip:]published:]target[/tcp|udp|sctp]).");
        }

        uint publishedStart = 0, publishedEnd = 0;
        if (publishedText is not null && (!TryRange(publishedText, out publishedStart, out publishedEnd) || publishedEnd - publishedStart != targetEnd - targetStart))
        {
            throw ComposeErrors.ValueInvalid(at, $"'{text}' is not a port specification: the published and target ranges differ in size.");
        }

        for (uint offset = 0; offset <= targetEnd - targetStart; offset++)
        {
            string? published = publishedText is null ? null : (publishedStart + offset).ToString(CultureInfo.InvariantCulture);
            yield return (published, (targetStart + offset).ToString(CultureInfo.InvariantCulture), protocol);
        }
    }

    private static bool TryRange(string text, out uint start, out uint end)
    {
        int dash = text.IndexOf('-', StringComparison.Ordinal);
        end = 0;
        if (dash < 0)
        {
            bool ok = uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out start) && start is > 0 and <= 65535;
            end = start;
            return ok;
        }

        return uint.TryParse(text[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out start)
            && uint.TryParse(text[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out end)
            && start is > 0 and <= 65535 && end >= start && end <= 65535;
    }

    private static YSequence Volumes(YNode node, string service, string baseDirectory)
    {
        if (node is not YSequence sequence)
        {
            throw ComposeErrors.ValueInvalid(node.Mark, $"volumes of service '{service}' must be a list.");
        }

        var result = new YSequence(node.Mark);
        foreach (YNode item in sequence.Items)
        {
            if (item is YMapping longForm)
            {
                foreach (string key in longForm.Keys)
                {
                    if (key is not ("type" or "source" or "target" or "read_only" or "consistency" or "bind" or "volume" or "tmpfs") && !key.StartsWith("x-", StringComparison.Ordinal))
                    {
                        throw ComposeErrors.KeyUnknown(longForm.KeyMark(key), key, $"a volume of service '{service}'");
                    }
                }

                if (longForm["type"] is YScalar { Value: "bind" } && longForm["source"] is YScalar { Value: { } bindSource } sourceNode)
                {
                    longForm.Set("source", new YScalar(sourceNode.Mark, ResolvePath(bindSource, baseDirectory)));
                }

                result.Items.Add(longForm);
                continue;
            }

            if (item is not YScalar { Value: { } text })
            {
                throw ComposeErrors.ValueInvalid(item.Mark, $"a volume of service '{service}' must be a string like \"data:/var/lib/data\" or a mapping.");
            }

            result.Items.Add(ParseVolumeSpec(text, item.Mark, baseDirectory));
        }

        return result;
    }

    private static YMapping ParseVolumeSpec(string text, SourceMark at, string baseDirectory)
    {
        string[] parts = text.Split(':');
        // A Windows drive letter ("C:\data:/data") would split in three: keep the drive with its path.
        if (parts.Length > 1 && parts[0].Length == 1 && char.IsAsciiLetter(parts[0][0]) && parts[1].StartsWith('\\'))
        {
            parts = new[] { parts[0] + ":" + parts[1] }.Concat(parts.Skip(2)).ToArray();
        }

        if (parts.Length > 3 || parts.Any(p => p.Length == 0))
        {
            throw ComposeErrors.ValueInvalid(at, $"'{text}' is not a volume specification ([source:]target[:mode]).");
        }

        var volume = new YMapping(at);
        if (parts.Length == 1)
        {
            volume.Set("type", new YScalar(at, "volume"));
            volume.Set("target", new YScalar(at, parts[0]));
            return volume;
        }

        string source = parts[0];
        bool isPath = source.StartsWith('/') || source.StartsWith('.') || source.StartsWith('~') || source.Contains('\\', StringComparison.Ordinal) || (source.Length > 1 && source[1] == ':');
        volume.Set("type", new YScalar(at, isPath ? "bind" : "volume"));
        volume.Set("source", new YScalar(at, isPath ? ResolvePath(source, baseDirectory) : source));
        volume.Set("target", new YScalar(at, parts[1]));
        if (parts.Length == 3)
        {
            foreach (string option in parts[2].Split(','))
            {
                switch (option)
                {
                    case "ro":
                        volume.Set("read_only", new YScalar(at, "true"));
                        break;
                    case "rw":
                    case "z":
                    case "Z":
                        break;
                    case "nocopy" when !isPath:
                        var noCopy = new YMapping(at);
                        noCopy.Set("nocopy", new YScalar(at, "true"));
                        volume.Set("volume", noCopy);
                        break;
                    case "rprivate" or "private" or "rshared" or "shared" or "rslave" or "slave" when isPath:
                        var bind = new YMapping(at);
                        bind.Set("propagation", new YScalar(at, option));
                        volume.Set("bind", bind);
                        break;
                    default:
                        throw ComposeErrors.ValueInvalid(at, $"'{option}' is not a volume mode in '{text}' (ro, rw, nocopy, or a bind propagation).");
                }
            }
        }

        return volume;
    }

    private static YSequence FileReferences(YNode node, string section, string service)
    {
        if (node is not YSequence sequence)
        {
            throw ComposeErrors.ValueInvalid(node.Mark, $"{section} of service '{service}' must be a list.");
        }

        var result = new YSequence(node.Mark);
        foreach (YNode item in sequence.Items)
        {
            if (item is YScalar { Value: { } source })
            {
                var reference = new YMapping(item.Mark);
                reference.Set("source", new YScalar(item.Mark, source));
                result.Items.Add(reference);
                continue;
            }

            if (item is not YMapping longForm || longForm["source"] is not YScalar { Value: not null })
            {
                throw ComposeErrors.ValueInvalid(item.Mark, $"an entry of {section} of service '{service}' must be a name or a mapping with 'source'.");
            }

            foreach (string key in longForm.Keys)
            {
                if (key is not ("source" or "target" or "uid" or "gid" or "mode") && !key.StartsWith("x-", StringComparison.Ordinal))
                {
                    throw ComposeErrors.KeyUnknown(longForm.KeyMark(key), key, $"{section} of service '{service}'");
                }
            }

            result.Items.Add(longForm);
        }

        return result;
    }

    private static YSequence EnvFiles(YNode node, string baseDirectory)
    {
        var result = new YSequence(node.Mark);
        IEnumerable<YNode> items = node is YSequence sequence ? sequence.Items : new[] { node };
        foreach (YNode item in items)
        {
            YNode pathNode = item is YMapping { } map && map["path"] is { } path ? path : item;
            if (pathNode is not YScalar { Value: { } text })
            {
                throw ComposeErrors.ValueInvalid(item.Mark, "env_file must be a path or a list of paths.");
            }

            result.Items.Add(new YScalar(pathNode.Mark, ResolvePath(text, baseDirectory)));
        }

        return result;
    }

    private static void Healthcheck(YNode node, string service)
    {
        if (node is not YMapping healthcheck)
        {
            throw ComposeErrors.ValueInvalid(node.Mark, $"healthcheck of service '{service}' must be a mapping.");
        }

        if (healthcheck["test"] is YScalar { Value: { } command } test)
        {
            var list = new YSequence(test.Mark);
            list.Items.Add(new YScalar(test.Mark, "CMD-SHELL"));
            list.Items.Add(new YScalar(test.Mark, command));
            healthcheck.Set("test", list);
        }
    }
}
