using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace OpsTools.Engine.Images;

/// <summary>
/// The rules of a <c>.dockerignore</c> file, with the docker CLI's semantics (moby's
/// patternmatcher): one pattern per line, <c>#</c> comments, <c>*</c> and <c>?</c> within one path
/// component, <c>**</c> across any number of them, <c>[...]</c> classes, <c>!</c> re-includes; the
/// last matching pattern wins, and a pattern that matches a directory matches everything in it.
/// </summary>
public sealed class DockerIgnore
{
    private readonly List<(Regex Pattern, bool Exclusion, string Text)> _rules;

    private DockerIgnore(List<(Regex Pattern, bool Exclusion, string Text)> rules)
    {
        _rules = rules;
    }

    /// <summary>Rules that exclude nothing.</summary>
    public static DockerIgnore Empty { get; } = new(new List<(Regex, bool, string)>());

    /// <summary>Whether some rule re-includes paths (<c>!pattern</c>): excluded directories must then still be walked.</summary>
    public bool HasExclusions => _rules.Any(r => r.Exclusion);

    /// <summary>Reads <c>.dockerignore</c> in a context directory; <see cref="Empty"/> when there is none.</summary>
    /// <param name="contextDirectory">The build context.</param>
    /// <returns>The rules.</returns>
    public static DockerIgnore Load(string contextDirectory)
    {
        string path = Path.Combine(contextDirectory, ".dockerignore");
        return File.Exists(path) ? Parse(File.ReadAllLines(path)) : Empty;
    }

    /// <summary>Parses the lines of a <c>.dockerignore</c> file.</summary>
    /// <param name="lines">The lines.</param>
    /// <returns>The rules.</returns>
    public static DockerIgnore Parse(IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var rules = new List<(Regex, bool, string)>();
        foreach (string raw in lines)
        {
            string line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            bool exclusion = line[0] == '!';
            if (exclusion)
            {
                line = line[1..].Trim();
            }

            string cleaned = Clean(line);
            if (cleaned.Length == 0)
            {
                continue;
            }

            rules.Add((new Regex(ToRegex(cleaned), RegexOptions.CultureInvariant), exclusion, raw.Trim()));
        }

        return new DockerIgnore(rules);
    }

    /// <summary>Whether a path (relative to the context, <c>/</c>-separated) is left out of the context.</summary>
    /// <param name="relativePath">The path.</param>
    /// <returns>True when excluded.</returns>
    public bool IsExcluded(string relativePath)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        string path = Clean(relativePath);
        bool excluded = false;
        foreach ((Regex pattern, bool exclusion, _) in _rules)
        {
            if (MatchesOrParentMatches(pattern, path))
            {
                excluded = !exclusion;
            }
        }

        return excluded;
    }

    private static bool MatchesOrParentMatches(Regex pattern, string path)
    {
        if (pattern.IsMatch(path))
        {
            return true;
        }

        for (int slash = path.LastIndexOf('/'); slash > 0; slash = path.LastIndexOf('/', slash - 1))
        {
            if (pattern.IsMatch(path[..slash]))
            {
                return true;
            }
        }

        return false;
    }

    // Like Go's filepath.Clean on a relative, slash-separated path; a leading '/' is dropped
    // (the context root), as the CLI does.
    private static string Clean(string path)
    {
        var parts = new List<string>();
        foreach (string part in path.Replace('\\', '/').Split('/'))
        {
            if (part.Length == 0 || part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }

                continue;
            }

            parts.Add(part);
        }

        return string.Join('/', parts);
    }

    private static string ToRegex(string pattern)
    {
        var regex = new StringBuilder("^");
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            switch (c)
            {
                case '*' when i + 1 < pattern.Length && pattern[i + 1] == '*':
                    i++;
                    if (i + 1 < pattern.Length && pattern[i + 1] == '/')
                    {
                        // "**/" matches zero or more whole directories.
                        i++;
                        regex.Append("(?:.*/)?");
                    }
                    else
                    {
                        regex.Append(".*");
                    }

                    break;
                case '*':
                    regex.Append("[^/]*");
                    break;
                case '?':
                    regex.Append("[^/]");
                    break;
                case '[':
                    int close = pattern.IndexOf(']', i + 1);
                    if (close < 0)
                    {
                        regex.Append(@"\[");
                        break;
                    }

                    string body = pattern[(i + 1)..close];
                    if (body.StartsWith('!') || body.StartsWith('^'))
                    {
                        body = "^" + body[1..];
                    }

                    regex.Append('[').Append(body.Replace(@"\", @"\\", StringComparison.Ordinal)).Append(']');
                    i = close;
                    break;
                case '\\' when i + 1 < pattern.Length:
                    i++;
                    regex.Append(Regex.Escape(pattern[i].ToString()));
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }

        return regex.Append('$').ToString();
    }
}
