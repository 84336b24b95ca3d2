using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace OpsTools.Engine.Compose;

/// <summary>
/// Reads <c>.env</c> files: <c>NAME=value</c> lines, blank lines and <c># comments</c>, an optional
/// <c>export</c> prefix, single quotes (literal) and double quotes (with <c>\n \t \r \" \\ \$</c>
/// escapes), quoted values across lines, and <c> #</c> comments after unquoted values.
/// </summary>
internal static class DotEnvParser
{
    public static IReadOnlyList<KeyValuePair<string, string>> ReadFile(string path, SourceMark? referencedFrom = null)
    {
        if (!File.Exists(path))
        {
            throw ComposeErrors.EnvFileNotFound(path, referencedFrom?.ToString());
        }

        return Parse(File.ReadAllText(path), path);
    }

    public static IReadOnlyList<KeyValuePair<string, string>> Parse(string text, string file)
    {
        var result = new List<KeyValuePair<string, string>>();
        foreach (DotEnvEntry entry in ParseEntries(text, file))
        {
            if (entry.Value is not null)
            {
                result.Add(new KeyValuePair<string, string>(entry.Name, entry.Value));
            }
        }

        return result;
    }

    /// <summary>Every NAME line with where it is and how its value was written (Test-EnvFile checks these).</summary>
    public static IReadOnlyList<DotEnvEntry> ParseEntries(string text, string file)
    {
        var result = new List<DotEnvEntry>();
        string[] lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (int index = 0; index < lines.Length; index++)
        {
            int lineNumber = index + 1;
            string line = lines[index].Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            if (line.StartsWith("export ", StringComparison.Ordinal) || line.StartsWith("export\t", StringComparison.Ordinal))
            {
                line = line[7..].TrimStart();
            }

            int eq = line.IndexOf('=', StringComparison.Ordinal);
            string name = (eq < 0 ? line : line[..eq]).Trim();
            if (!IsValidName(name))
            {
                throw ComposeErrors.EnvFileInvalid(new SourceMark(file, lineNumber, 1), $"'{name}' is not a valid variable name.");
            }

            if (eq < 0)
            {
                // A bare NAME has no value to contribute to interpolation.
                result.Add(new DotEnvEntry(name, null, lineNumber, null));
                continue;
            }

            string raw = line[(eq + 1)..].TrimStart();
            string value;
            char? quoted = null;
            if (raw.Length > 0 && (raw[0] == '"' || raw[0] == '\''))
            {
                char quote = raw[0];
                quoted = quote;
                var builder = new StringBuilder();
                string rest = raw[1..];
                int startLine = lineNumber;
                while (true)
                {
                    int close = FindClosingQuote(rest, quote);
                    if (close >= 0)
                    {
                        builder.Append(rest.AsSpan(0, close));
                        string after = rest[(close + 1)..].Trim();
                        if (after.Length > 0 && after[0] != '#')
                        {
                            throw ComposeErrors.EnvFileInvalid(new SourceMark(file, index + 1, 1), $"unexpected text after the closing quote of {name}.");
                        }

                        break;
                    }

                    builder.Append(rest).Append('\n');
                    index++;
                    if (index >= lines.Length)
                    {
                        throw ComposeErrors.EnvFileInvalid(new SourceMark(file, startLine, 1), $"the value of {name} has no closing {quote}.");
                    }

                    rest = lines[index];
                }

                value = quote == '"' ? Unescape(builder.ToString()) : builder.ToString();
            }
            else
            {
                int comment = raw.IndexOf(" #", StringComparison.Ordinal);
                value = (comment >= 0 ? raw[..comment] : raw).Trim();
            }

            result.Add(new DotEnvEntry(name, value, lineNumber, quoted));
        }

        return result;
    }

    private static int FindClosingQuote(string text, char quote)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (quote == '"' && text[i] == '\\')
            {
                i++;
            }
            else if (text[i] == quote)
            {
                return i;
            }
        }

        return -1;
    }

    private static string Unescape(string text)
    {
        var builder = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\' || i + 1 >= text.Length)
            {
                builder.Append(text[i]);
                continue;
            }

            char next = text[++i];
            builder.Append(next switch
            {
                'n' => "\n",
                't' => "\t",
                'r' => "\r",
                '"' => "\"",
                '\\' => "\\",
                '$' => "$",
                _ => "\\" + next,
            });
        }

        return builder.ToString();
    }

    private static bool IsValidName(string name)
    {
        if (name.Length == 0 || !(name[0] == '_' || char.IsAsciiLetter(name[0])))
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!(c == '_' || c == '.' || c == '-' || char.IsAsciiLetterOrDigit(c)))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>One NAME line of an env file.</summary>
/// <param name="Name">Variable name.</param>
/// <param name="Value">Value; null for a bare NAME line.</param>
/// <param name="Line">Line the entry starts on.</param>
/// <param name="Quote">The quote the value was written in, or null when unquoted.</param>
internal readonly record struct DotEnvEntry(string Name, string? Value, int Line, char? Quote);
