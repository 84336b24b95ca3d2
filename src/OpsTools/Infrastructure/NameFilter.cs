using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace OpsTools.Infrastructure;

/// <summary>
/// Matches objects against the names a user typed: wildcards match names, plain names match a
/// name or an id (full or a unique prefix, as the docker CLI accepts). Reports the plain names
/// that matched nothing so the cmdlet can write one ObjectNotFound error each.
/// </summary>
internal sealed class NameFilter
{
    private readonly List<(string Text, WildcardPattern? Pattern)> _names;

    public NameFilter(IEnumerable<string>? names)
    {
        _names = (names ?? Array.Empty<string>())
            .Where(n => !string.IsNullOrEmpty(n))
            .Select(n => (n, WildcardPattern.ContainsWildcardCharacters(n) ? new WildcardPattern(n, WildcardOptions.IgnoreCase) : null))
            .ToList();
    }

    public bool IsEmpty => _names.Count == 0;

    /// <summary>Selects the matching items in input order, each once, and lists the plain names that matched nothing.</summary>
    public IReadOnlyList<T> Select<T>(IEnumerable<T> items, Func<T, string> name, Func<T, string>? id, out IReadOnlyList<string> unmatched)
    {
        List<T> all = items.ToList();
        if (IsEmpty)
        {
            unmatched = Array.Empty<string>();
            return all;
        }

        var selected = new HashSet<T>();
        var missing = new List<string>();
        foreach ((string text, WildcardPattern? pattern) in _names)
        {
            List<T> hits = pattern is not null
                ? all.Where(i => pattern.IsMatch(name(i))).ToList()
                : MatchPlain(all, text, name, id);
            if (hits.Count == 0 && pattern is null)
            {
                missing.Add(text);
            }

            selected.UnionWith(hits);
        }

        unmatched = missing;
        return all.Where(selected.Contains).ToList();
    }

    private static List<T> MatchPlain<T>(List<T> all, string text, Func<T, string> name, Func<T, string>? id)
    {
        List<T> byName = all.Where(i => string.Equals(name(i), text, StringComparison.Ordinal)).ToList();
        if (byName.Count > 0)
        {
            return byName;
        }

        if (id is null)
        {
            return byName;
        }

        // An id prefix must name one object; several items may share it (tasks of one node).
        List<T> byId = all.Where(i => id(i).StartsWith(text, StringComparison.OrdinalIgnoreCase)).ToList();
        return byId.Select(id).Distinct(StringComparer.OrdinalIgnoreCase).Count() == 1 ? byId : new List<T>();
    }
}
