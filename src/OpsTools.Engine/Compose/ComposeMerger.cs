using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace OpsTools.Engine.Compose;

/// <summary>
/// The compose merge rules, applied to normalised trees: mappings merge key by key, scalars are
/// replaced, <c>command</c>/<c>entrypoint</c>/<c>healthcheck.test</c> are replaced whole, ports,
/// volumes, secrets and configs merge by target, other lists of a service are appended without
/// duplicates, and a null never removes a value.
/// </summary>
internal static class ComposeMerger
{
    public static YMapping MergeRoots(YMapping baseRoot, YMapping overrideRoot)
    {
        var result = (YMapping)baseRoot.Clone();
        foreach (string key in overrideRoot.Keys)
        {
            YNode value = overrideRoot[key]!;
            if (key == "services" && result["services"] is YMapping baseServices && value is YMapping overrideServices)
            {
                foreach (string name in overrideServices.Keys)
                {
                    var overrideService = (YMapping)overrideServices[name]!;
                    baseServices.Set(name, baseServices[name] is YMapping baseService ? MergeService(baseService, overrideService) : overrideService.Clone());
                }
            }
            else
            {
                result.Set(key, result[key] is { } existing ? Merge(existing, value, "top") : value.Clone(), overrideRoot.KeyMark(key));
            }
        }

        return result;
    }

    public static YMapping MergeService(YMapping baseService, YMapping overrideService) =>
        (YMapping)Merge(baseService, overrideService, "service");

    private static YNode Merge(YNode baseNode, YNode overrideNode, string path)
    {
        if (overrideNode is YScalar { Value: null })
        {
            return baseNode.Clone();
        }

        if (baseNode is YMapping baseMap && overrideNode is YMapping overrideMap)
        {
            if (path == "service/logging" && Text(baseMap["driver"]) is { } baseDriver && Text(overrideMap["driver"]) is { } overrideDriver && baseDriver != overrideDriver)
            {
                return overrideMap.Clone();
            }

            var result = (YMapping)baseMap.Clone();
            foreach (string key in overrideMap.Keys)
            {
                YNode value = overrideMap[key]!;
                result.Set(key, result[key] is { } existing ? Merge(existing, value, path + "/" + key) : value.Clone(), overrideMap.KeyMark(key));
            }

            return result;
        }

        if (baseNode is YSequence baseList && overrideNode is YSequence overrideList && path.StartsWith("service/", StringComparison.Ordinal))
        {
            return path switch
            {
                "service/command" or "service/entrypoint" or "service/healthcheck/test" => overrideList.Clone(),
                "service/ports" => MergeBy(baseList, overrideList, PortKey),
                "service/volumes" => MergeBy(baseList, overrideList, v => Text((v as YMapping)?["target"])),
                "service/secrets" or "service/configs" => MergeBy(baseList, overrideList, r => Text((r as YMapping)?["target"]) ?? Text((r as YMapping)?["source"])),
                _ => AppendDistinct(baseList, overrideList),
            };
        }

        return overrideNode.Clone();
    }

    private static string? PortKey(YNode port) => port is YMapping map
        ? Text(map["target"]) + "/" + (Text(map["protocol"]) ?? "tcp")
        : null;

    private static YSequence MergeBy(YSequence baseList, YSequence overrideList, Func<YNode, string?> keyOf)
    {
        var result = (YSequence)baseList.Clone();
        foreach (YNode item in overrideList.Items)
        {
            string? key = keyOf(item);
            int index = key is null ? -1 : result.Items.FindIndex(existing => keyOf(existing) == key);
            if (index >= 0)
            {
                result.Items[index] = item.Clone();
            }
            else
            {
                result.Items.Add(item.Clone());
            }
        }

        return result;
    }

    private static YSequence AppendDistinct(YSequence baseList, YSequence overrideList)
    {
        var result = (YSequence)baseList.Clone();
        var seen = new HashSet<string>(result.Items.Select(Canonical), StringComparer.Ordinal);
        foreach (YNode item in overrideList.Items)
        {
            if (seen.Add(Canonical(item)))
            {
                result.Items.Add(item.Clone());
            }
        }

        return result;
    }

    private static string? Text(YNode? node) => (node as YScalar)?.Value;

    /// <summary>A text form of a node that is equal for equal content, whatever the source position.</summary>
    private static string Canonical(YNode node)
    {
        var builder = new StringBuilder();
        Write(node, builder);
        return builder.ToString();

        static void Write(YNode node, StringBuilder builder)
        {
            switch (node)
            {
                case YScalar scalar:
                    builder.Append(scalar.Value is null ? "~" : "'" + scalar.Value.Replace("'", "''", StringComparison.Ordinal) + "'");
                    break;
                case YSequence sequence:
                    builder.Append('[');
                    sequence.Items.ForEach(i => { Write(i, builder); builder.Append(','); });
                    builder.Append(']');
                    break;
                case YMapping mapping:
                    builder.Append('{');
                    foreach (string key in mapping.Keys.OrderBy(k => k, StringComparer.Ordinal))
                    {
                        builder.Append(key).Append(':');
                        Write(mapping[key]!, builder);
                        builder.Append(',');
                    }

                    builder.Append('}');
                    break;
            }
        }
    }
}
