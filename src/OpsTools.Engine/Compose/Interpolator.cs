using System;
using System.Text;

namespace OpsTools.Engine.Compose;

/// <summary>
/// Compose variable interpolation: <c>$$</c>, <c>$VAR</c>, <c>${VAR}</c>, <c>${VAR:-default}</c>,
/// <c>${VAR-default}</c>, <c>${VAR:?error}</c>, <c>${VAR?error}</c>, <c>${VAR:+alt}</c>, <c>${VAR+alt}</c>.
/// Defaults and alternatives may themselves contain variables.
/// </summary>
internal static class Interpolator
{
    public static string Interpolate(string text, Func<string, string?> lookup, SourceMark at)
    {
        if (text.IndexOf('$', StringComparison.Ordinal) < 0)
        {
            return text;
        }

        var result = new StringBuilder(text.Length);
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (c != '$')
            {
                result.Append(c);
                i++;
                continue;
            }

            if (i + 1 >= text.Length)
            {
                throw ComposeErrors.InterpolationInvalid(at, text);
            }

            char next = text[i + 1];
            if (next == '$')
            {
                result.Append('$');
                i += 2;
            }
            else if (next == '{')
            {
                int end = FindClosingBrace(text, i + 2);
                if (end < 0)
                {
                    throw ComposeErrors.InterpolationInvalid(at, text);
                }

                result.Append(Substitute(text[(i + 2)..end], lookup, at, text));
                i = end + 1;
            }
            else if (IsNameStart(next))
            {
                int end = i + 1;
                while (end < text.Length && IsNamePart(text[end]))
                {
                    end++;
                }

                result.Append(lookup(text[(i + 1)..end]) ?? string.Empty);
                i = end;
            }
            else
            {
                throw ComposeErrors.InterpolationInvalid(at, text);
            }
        }

        return result.ToString();
    }

    private static string Substitute(string expression, Func<string, string?> lookup, SourceMark at, string text)
    {
        int nameEnd = 0;
        while (nameEnd < expression.Length && (nameEnd == 0 ? IsNameStart(expression[nameEnd]) : IsNamePart(expression[nameEnd])))
        {
            nameEnd++;
        }

        if (nameEnd == 0)
        {
            throw ComposeErrors.InterpolationInvalid(at, text);
        }

        string name = expression[..nameEnd];
        string rest = expression[nameEnd..];
        string? value = lookup(name);
        if (rest.Length == 0)
        {
            return value ?? string.Empty;
        }

        bool colon = rest[0] == ':';
        string op = colon ? rest[..Math.Min(2, rest.Length)] : rest[..1];
        string argument = rest[op.Length..];
        bool unsetOrEmpty = colon ? string.IsNullOrEmpty(value) : value is null;
        switch (op)
        {
            case ":-" or "-":
                return unsetOrEmpty ? Interpolate(argument, lookup, at) : value!;
            case ":?" or "?":
                if (unsetOrEmpty)
                {
                    throw ComposeErrors.VariableMissing(at, name, Interpolate(argument, lookup, at));
                }

                return value!;
            case ":+" or "+":
                return unsetOrEmpty ? string.Empty : Interpolate(argument, lookup, at);
            default:
                throw ComposeErrors.InterpolationInvalid(at, text);
        }
    }

    private static int FindClosingBrace(string text, int start)
    {
        int depth = 0;
        for (int i = start; i < text.Length; i++)
        {
            if (text[i] == '$' && i + 1 < text.Length && text[i + 1] == '{')
            {
                depth++;
                i++;
            }
            else if (text[i] == '}')
            {
                if (depth == 0)
                {
                    return i;
                }

                depth--;
            }
        }

        return -1;
    }

    private static bool IsNameStart(char c) => c == '_' || char.IsAsciiLetter(c);

    private static bool IsNamePart(char c) => c == '_' || char.IsAsciiLetterOrDigit(c);
}
