using System;
using System.Linq;

namespace OpsTools.Engine.Postgres;

/// <summary>
/// A table or column name given by the operator, quoted so that it can only ever be an identifier in
/// SQL text: <c>due_work</c>, <c>jobs.due_work</c>, <c>"Mixed Case"."Queue"</c>.
/// </summary>
internal static class PostgresIdentifier
{
    /// <summary>Quotes one identifier (<c>a"b</c> becomes <c>"a""b"</c>).</summary>
    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>Quotes a name that may be schema-qualified; unquoted parts are folded to lower case as PostgreSQL does.</summary>
    /// <exception cref="FormatException">More than two parts, an empty part or an unclosed quote.</exception>
    public static string QuoteQualified(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var parts = new System.Collections.Generic.List<string>();
        int i = 0;
        while (i <= name.Length)
        {
            string part;
            if (i < name.Length && name[i] == '"')
            {
                var text = new System.Text.StringBuilder();
                i++;
                while (true)
                {
                    if (i >= name.Length)
                    {
                        throw new FormatException("a quote is not closed");
                    }

                    if (name[i] == '"')
                    {
                        if (i + 1 < name.Length && name[i + 1] == '"')
                        {
                            text.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    text.Append(name[i++]);
                }

                part = text.ToString();
            }
            else
            {
                int dot = name.IndexOf('.', i);
                int end = dot < 0 ? name.Length : dot;
                part = name[i..end].Trim().ToLowerInvariant();
                i = end;
            }

            if (part.Length == 0)
            {
                throw new FormatException("a part of the name is empty");
            }

            parts.Add(part);
            if (i >= name.Length)
            {
                break;
            }

            if (name[i] != '.')
            {
                throw new FormatException("a quoted part must be followed by a dot or end the name");
            }

            i++;
        }

        if (parts.Count > 2)
        {
            throw new FormatException("give at most schema.table");
        }

        return string.Join(".", parts.Select(Quote));
    }
}
