using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using OpsTools.Compose;
using YamlDotNet.Serialization;

namespace OpsTools.Engine.Compose;

/// <summary>
/// Writes a project as a compose file in long syntax, like <c>docker stack config</c>. Dollar signs
/// are written as <c>$$</c>, so loading the output again gives the same project.
/// </summary>
public static class ComposeYamlWriter
{
    /// <summary>Writes the project as YAML text.</summary>
    /// <param name="project">The loaded project.</param>
    /// <returns>YAML text.</returns>
    public static string Write(ComposeProject project)
    {
        ArgumentNullException.ThrowIfNull(project);
        var root = new YamlMap();
        root.Add("version", project.Version ?? "3.8");
        root.Add("services", project.Services.ToDictionary(s => s.Name, s => (object?)Service(s)));
        root.Add("networks", Named(project.Networks, n => Map(
            ("name", n.ExplicitName), ("external", n.External ? true : null), ("driver", n.Driver),
            ("driver_opts", Strings(n.DriverOpts)), ("attachable", n.Attachable ? true : null), ("internal", n.Internal ? true : null),
            ("labels", Strings(n.Labels)),
            ("ipam", n.IpamDriver is null && n.IpamSubnets.Count == 0 ? null : Map(("driver", n.IpamDriver), ("config", n.IpamSubnets.Count == 0 ? null : n.IpamSubnets.Select(s => (object)Map(("subnet", s))).ToList()))))));
        root.Add("volumes", Named(project.Volumes, v => Map(
            ("name", v.ExplicitName), ("external", v.External ? true : null), ("driver", v.Driver),
            ("driver_opts", Strings(v.DriverOpts)), ("labels", Strings(v.Labels)))));
        root.Add("secrets", Named(project.Secrets, FileObject));
        root.Add("configs", Named(project.Configs, FileObject));
        YamlMap cleaned = Clean(root, false, keepEmpty: true)!;
        return new SerializerBuilder().WithQuotingNecessaryStrings().DisableAliases().Build().Serialize(cleaned);
    }

    private sealed class YamlMap : Dictionary<string, object?>
    {
        public YamlMap()
            : base(StringComparer.Ordinal)
        {
        }
    }

    private static YamlMap Map(params (string Key, object? Value)[] entries)
    {
        var map = new YamlMap();
        foreach ((string key, object? value) in entries)
        {
            map[key] = value;
        }

        return map;
    }

    private static YamlMap? Named<T>(IReadOnlyList<T> items, Func<T, YamlMap> write) where T : notnull =>
        items.Count == 0 ? null : items.Aggregate(new YamlMap(), (map, item) => { map[item.ToString()!] = write(item); return map; });

    private static YamlMap FileObject(ComposeFileObject o) => Map(
        ("name", o.ExplicitName), ("external", o.External ? true : null), ("file", o.File), ("driver", o.Driver),
        ("driver_opts", Strings(o.DriverOpts)), ("template_driver", o.TemplateDriver), ("labels", Strings(o.Labels)));

    private static YamlMap Service(ComposeService s) => Map(
        ("image", s.Image),
        ("entrypoint", s.Entrypoint?.Cast<object>().ToList()),
        ("command", s.Command?.Cast<object>().ToList()),
        ("environment", s.Environment.Count == 0 ? null : s.Environment.ToDictionary(e => e.Key, e => (object?)e.Value)),
        ("labels", Strings(s.Labels)),
        ("hostname", s.Hostname),
        ("user", s.User),
        ("working_dir", s.WorkingDir),
        ("init", s.Init),
        ("tty", s.Tty),
        ("stdin_open", s.StdinOpen),
        ("read_only", s.ReadOnly),
        ("isolation", s.Isolation),
        ("restart", s.Restart),
        ("stop_signal", s.StopSignal),
        ("stop_grace_period", Duration(s.StopGracePeriod)),
        ("deploy", Deploy(s.Deploy)),
        ("healthcheck", s.Healthcheck is not { } h ? null : Map(
            ("test", h.Test.Count == 0 ? null : h.Test.Cast<object>().ToList()), ("disable", h.Disable ? true : null),
            ("interval", Duration(h.Interval)), ("timeout", Duration(h.Timeout)), ("start_period", Duration(h.StartPeriod)),
            ("start_interval", Duration(h.StartInterval)), ("retries", h.Retries))),
        ("ports", s.Ports.Select(p => (object)Map(("mode", p.Mode), ("target", p.Target), ("published", p.Published), ("protocol", p.Protocol))).ToList()),
        ("volumes", s.Volumes.Select(v => (object)Map(
            ("type", v.Type), ("source", v.Source), ("target", v.Target), ("read_only", v.ReadOnly ? true : null), ("consistency", v.Consistency),
            ("bind", v.BindPropagation is null ? null : Map(("propagation", v.BindPropagation))),
            ("volume", v.VolumeNoCopy is null ? null : Map(("nocopy", v.VolumeNoCopy))),
            ("tmpfs", v.TmpfsSizeBytes is null ? null : Map(("size", v.TmpfsSizeBytes))))).ToList()),
        ("networks", s.Networks.Count == 0 ? null : s.Networks.ToDictionary(n => n.Name, n => (object?)Map(
            ("aliases", n.Aliases.Cast<object>().ToList()), ("ipv4_address", n.Ipv4Address), ("ipv6_address", n.Ipv6Address)))),
        ("secrets", s.Secrets.Select(FileReference).ToList()),
        ("configs", s.Configs.Select(FileReference).ToList()),
        ("extra_hosts", s.ExtraHosts.Cast<object>().ToList()),
        ("dns", s.Dns.Cast<object>().ToList()),
        ("dns_search", s.DnsSearch.Cast<object>().ToList()),
        ("cap_add", s.CapAdd.Cast<object>().ToList()),
        ("cap_drop", s.CapDrop.Cast<object>().ToList()),
        ("sysctls", Strings(s.Sysctls)),
        ("ulimits", s.Ulimits.Count == 0 ? null : s.Ulimits.ToDictionary(u => u.Name, u => (object?)Map(("soft", u.Soft), ("hard", u.Hard)))),
        ("tmpfs", s.Tmpfs.Cast<object>().ToList()),
        ("logging", s.Logging is not { } l ? null : Map(("driver", l.Driver), ("options", Strings(l.Options)))));

    private static object FileReference(ComposeFileReference r) => Map(
        ("source", r.Source), ("target", r.Target), ("uid", r.Uid), ("gid", r.Gid),
        ("mode", r.Mode is { } mode ? "0" + Convert.ToString(mode, 8) : null));

    private static YamlMap Deploy(ComposeDeploy d) => Map(
        ("mode", d.Mode),
        ("replicas", d.Replicas),
        ("endpoint_mode", d.EndpointMode),
        ("labels", Strings(d.Labels)),
        ("resources", d.Resources is not { } r ? null : Map(("limits", Resource(r.Limits)), ("reservations", Resource(r.Reservations)))),
        ("placement", d.Placement is not { } p ? null : Map(
            ("constraints", p.Constraints.Cast<object>().ToList()),
            ("preferences", p.Preferences.Select(x => (object)Map(("spread", x))).ToList()),
            ("max_replicas_per_node", p.MaxReplicasPerNode))),
        ("restart_policy", d.RestartPolicy is not { } rp ? null : Map(
            ("condition", rp.Condition), ("delay", Duration(rp.Delay)), ("max_attempts", rp.MaxAttempts), ("window", Duration(rp.Window)))),
        ("update_config", Update(d.UpdateConfig)),
        ("rollback_config", Update(d.RollbackConfig)));

    private static YamlMap? Resource(ComposeResourceSpec? spec) => spec is null ? null : Map(
        ("cpus", spec.Cpus?.ToString(CultureInfo.InvariantCulture)),
        ("memory", spec.MemoryBytes),
        ("pids", spec.Pids),
        ("generic_resources", spec.GenericResources.Select(g => (object)Map(("discrete_resource_spec", Map(("kind", g.Split('=')[0]), ("value", g.Split('=')[1]))))).ToList()));

    private static YamlMap? Update(ComposeUpdateConfig? u) => u is null ? null : Map(
        ("parallelism", u.Parallelism), ("delay", Duration(u.Delay)), ("failure_action", u.FailureAction),
        ("monitor", Duration(u.Monitor)), ("max_failure_ratio", u.MaxFailureRatio), ("order", u.Order));

    private static string? Duration(TimeSpan? value) => value is { } v ? ComposeUnits.FormatDuration(v) : null;

    private static Dictionary<string, object?>? Strings(IReadOnlyDictionary<string, string> values) =>
        values.Count == 0 ? null : values.ToDictionary(p => p.Key, p => (object?)p.Value, StringComparer.Ordinal);

    /// <summary>Drops empty values and escapes dollar signs; keeps empty entries only where they mean "defaults".</summary>
    private static YamlMap? Clean(YamlMap map, bool childrenKeepEmpty, bool keepEmpty)
    {
        var result = new YamlMap();
        foreach ((string key, object? value) in map)
        {
            object? cleaned = CleanValue(value, key, childrenKeepEmpty);
            if (cleaned is not null)
            {
                result[key] = cleaned;
            }
        }

        return result.Count == 0 && !keepEmpty ? null : result;
    }

    private static object? CleanValue(object? value, string key, bool keepEmpty) => value switch
    {
        null => null,
        string text => text.Replace("$", "$$", StringComparison.Ordinal),
        bool flag => flag,
        YamlMap map => Clean(map, key is "networks" or "volumes" or "secrets" or "configs", keepEmpty),
        Dictionary<string, object?> dictionary => CleanDictionary(dictionary),
        List<object> list => list.Count == 0 ? null : list.Select(item => CleanValue(item, key, false) ?? string.Empty).ToList(),
        _ => value,
    };

    /// <summary>Services, environment, labels: a null value stays (in environment it means "name only").</summary>
    private static YamlMap? CleanDictionary(Dictionary<string, object?> dictionary)
    {
        if (dictionary.Count == 0)
        {
            return null;
        }

        var result = new YamlMap();
        foreach ((string key, object? value) in dictionary)
        {
            result[key] = value is YamlMap child ? Clean(child, false, keepEmpty: true) : CleanValue(value, key, false);
        }

        return result;
    }
}
