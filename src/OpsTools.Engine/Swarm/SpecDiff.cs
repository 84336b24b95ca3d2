using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Docker.DotNet.Models;

namespace OpsTools.Engine.Swarm;

/// <summary>
/// Compares a service spec as the daemon returns it with one about to be sent, ignoring what the
/// daemon fills in by itself (defaults, empty lists), so a redeploy of an unchanged file sends
/// nothing and the plan names only real changes.
/// </summary>
internal static class SpecDiff
{
    /// <summary>The changes from <paramref name="current"/> to <paramref name="wanted"/>, empty when equal.</summary>
    public static IReadOnlyList<string> Describe(ServiceSpec? current, ServiceSpec? wanted)
    {
        JsonNode? a = Canonical(current);
        JsonNode? b = Canonical(wanted);
        var paths = new List<string>();
        Collect(string.Empty, a, b, paths);
        if (paths.Count == 0)
        {
            return Array.Empty<string>();
        }

        // Fields operators know by name first (old -> new), then the other changed paths with their values.
        var named = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [".Mode.Replicated.Replicas"] = "Replicas",
            [".TaskTemplate.ContainerSpec.Image"] = "Image",
            [".TaskTemplate.ContainerSpec.Env"] = "Env[",
            [".Labels"] = "Label[",
            [".TaskTemplate.Placement.Constraints"] = "Constraints",
            [".TaskTemplate.ForceUpdate"] = "ForceUpdate",
        };
        var result = SwarmServiceUpdater.Diff(current, wanted)
            .Where(c => named.Any(n => c.Field.StartsWith(n.Value, StringComparison.Ordinal) && paths.Any(p => p.StartsWith(n.Key, StringComparison.Ordinal))))
            .Select(c => c.ToString())
            .ToList();
        foreach (string path in paths.Where(p => !named.Keys.Any(n => p.StartsWith(n, StringComparison.Ordinal))))
        {
            result.Add($"{path.TrimStart('.')}: {Show(Find(a, path))} -> {Show(Find(b, path))}");
        }

        return result;
    }

    private static JsonNode? Find(JsonNode? root, string path)
    {
        JsonNode? node = root;
        foreach (string part in path.TrimStart('.').Split('.'))
        {
            node = node is JsonObject obj ? obj[part] : null;
        }

        return node;
    }

    private static string Show(JsonNode? node)
    {
        string text = node?.ToJsonString() ?? "(none)";
        return text.Length > 400 ? text[..397] + "..." : text;
    }

    private static JsonNode? Canonical(ServiceSpec? spec)
    {
        if (spec is null)
        {
            return null;
        }

        JsonNode node = JsonNode.Parse(JsonSerializer.Serialize(spec))!;
        if (node["Mode"]?["Replicated"] is JsonObject replicated && replicated["Replicas"] is null)
        {
            replicated["Replicas"] = 1;
        }

        if (node["Mode"] is null or JsonObject { Count: 0 })
        {
            node["Mode"] = new JsonObject { ["Replicated"] = new JsonObject { ["Replicas"] = 1 } };
        }

        if (node["EndpointSpec"] is JsonObject endpoint && endpoint["Mode"]?.GetValue<string>() == "vip")
        {
            endpoint.Remove("Mode");
        }

        if (node["TaskTemplate"]?["ContainerSpec"] is JsonObject container && container["Isolation"]?.GetValue<string>() == "default")
        {
            container.Remove("Isolation");
        }

        if (node["TaskTemplate"] is JsonObject template && template["Runtime"]?.GetValue<string>() == "container")
        {
            template.Remove("Runtime");
        }

        foreach (string policy in new[] { "UpdateConfig", "RollbackConfig" })
        {
            if (node[policy] is JsonObject config && config["FailureAction"]?.GetValue<string>() == "pause")
            {
                config.Remove("FailureAction");
            }
        }

        return Prune(node);
    }

    /// <summary>Drops nulls, empty strings, false, zero, and the objects and arrays left empty.</summary>
    private static JsonNode? Prune(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (string key in obj.Select(p => p.Key).ToList())
                {
                    JsonNode? pruned = Prune(obj[key]);
                    if (pruned is null)
                    {
                        obj.Remove(key);
                    }
                    else if (!ReferenceEquals(pruned, obj[key]))
                    {
                        obj[key] = pruned;
                    }
                }

                return obj.Count == 0 ? null : obj;
            case JsonArray array:
                // Objects inside lists (mounts, ports, networks) lose their defaults too; the list keeps every entry.
                foreach (JsonObject entry in array.OfType<JsonObject>())
                {
                    Prune(entry);
                }

                return array.Count == 0 ? null : array;
            case JsonValue value:
                return value.GetValueKind() switch
                {
                    JsonValueKind.Null or JsonValueKind.False => null,
                    JsonValueKind.String when value.ToJsonString() is "\"\"" or "\"00:00:00\"" => null,
                    JsonValueKind.Number when value.ToJsonString() is "0" or "0.0" => null,
                    _ => node,
                };
            default:
                return null;
        }
    }

    private static void Collect(string path, JsonNode? a, JsonNode? b, List<string> paths)
    {
        if (a is JsonObject objA && b is JsonObject objB)
        {
            foreach (string key in objA.Select(p => p.Key).Union(objB.Select(p => p.Key)))
            {
                Collect(path + "." + key, objA[key], objB[key], paths);
            }
        }
        else if (!JsonNode.DeepEquals(a, b))
        {
            paths.Add(path);
        }
    }
}
