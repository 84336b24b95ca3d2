using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace OpsTools.Engine.Compose;

/// <summary>Parsing and printing of the value formats compose files use: Go durations, byte sizes, CPUs, shell words.</summary>
internal static class ComposeUnits
{
    private static readonly (string Unit, decimal Ticks)[] DurationUnits =
    {
        ("ns", 0.01m), ("us", 10m), ("µs", 10m), ("μs", 10m), ("ms", TimeSpan.TicksPerMillisecond),
        ("s", TimeSpan.TicksPerSecond), ("m", TimeSpan.TicksPerMinute), ("h", TimeSpan.TicksPerHour),
    };

    /// <summary>Parses a Go duration such as <c>1m30s</c>, <c>500ms</c> or <c>1.5h</c>.</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        string s = text.Trim();
        if (s == "0")
        {
            return true;
        }

        if (s.Length == 0)
        {
            return false;
        }

        decimal ticks = 0;
        int i = 0;
        while (i < s.Length)
        {
            int start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (i == start || !decimal.TryParse(s[start..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal number))
            {
                return false;
            }

            int unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.')
            {
                i++;
            }

            string unit = s[unitStart..i];
            decimal? factor = null;
            foreach ((string name, decimal value) in DurationUnits)
            {
                if (name == unit)
                {
                    factor = value;
                }
            }

            if (factor is null)
            {
                return false;
            }

            ticks += number * factor.Value;
        }

        duration = TimeSpan.FromTicks((long)decimal.Round(ticks));
        return true;
    }

    /// <summary>Prints a duration as Go does (<c>1m30s</c>, <c>1h0m0s</c>, <c>500ms</c>).</summary>
    public static string FormatDuration(TimeSpan duration)
    {
        long ticks = duration.Ticks;
        if (ticks == 0)
        {
            return "0s";
        }

        var builder = new StringBuilder();
        if (ticks < 0)
        {
            builder.Append('-');
            ticks = -ticks;
        }

        if (ticks < TimeSpan.TicksPerSecond)
        {
            if (ticks >= TimeSpan.TicksPerMillisecond)
            {
                return builder.Append(Fraction(ticks, TimeSpan.TicksPerMillisecond)).Append("ms").ToString();
            }

            return builder.Append(Fraction(ticks, 10)).Append("µs").ToString();
        }

        long hours = ticks / TimeSpan.TicksPerHour;
        long minutes = ticks % TimeSpan.TicksPerHour / TimeSpan.TicksPerMinute;
        long rest = ticks % TimeSpan.TicksPerMinute;
        if (hours > 0)
        {
            builder.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
        }

        if (hours > 0 || minutes > 0)
        {
            builder.Append(minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
        }

        return builder.Append(Fraction(rest, TimeSpan.TicksPerSecond)).Append('s').ToString();
    }

    private static string Fraction(long ticks, long unit) =>
        ((decimal)ticks / unit).ToString("0.#########", CultureInfo.InvariantCulture);

    /// <summary>Parses a size as the docker CLI does (binary multiples): <c>512M</c>, <c>1g</c>, <c>1.5GB</c>, <c>1024</c>.</summary>
    public static bool TryParseBytes(string text, out long bytes)
    {
        bytes = 0;
        string s = text.Trim();
        int i = 0;
        while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
        {
            i++;
        }

        if (i == 0 || !decimal.TryParse(s[..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal number))
        {
            return false;
        }

        string unit = s[i..].Trim().ToLowerInvariant();
        if (unit.EndsWith('b'))
        {
            unit = unit[..^1];
        }

        if (unit.EndsWith('i'))
        {
            unit = unit[..^1];
        }

        int power = unit switch
        {
            "" => 0,
            "k" => 1,
            "m" => 2,
            "g" => 3,
            "t" => 4,
            "p" => 5,
            _ => -1,
        };
        if (power < 0)
        {
            return false;
        }

        decimal value = number;
        for (int p = 0; p < power; p++)
        {
            value *= 1024;
        }

        bytes = (long)decimal.Truncate(value);
        return true;
    }

    /// <summary>Parses CPUs such as <c>0.5</c>; at most nine decimals, as the daemon counts nano-CPUs.</summary>
    public static bool TryParseCpus(string text, out decimal cpus) =>
        decimal.TryParse(text.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out cpus)
        && cpus >= 0 && decimal.Round(cpus * 1_000_000_000m) == cpus * 1_000_000_000m;

    /// <summary>Splits a command string into words the way a POSIX shell quotes them, without expanding anything.</summary>
    public static IReadOnlyList<string>? SplitShellWords(string text)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        bool inWord = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(current.ToString());
                    current.Clear();
                    inWord = false;
                }

                continue;
            }

            inWord = true;
            if (c == '\'')
            {
                int close = text.IndexOf('\'', i + 1);
                if (close < 0)
                {
                    return null;
                }

                current.Append(text, i + 1, close - i - 1);
                i = close;
            }
            else if (c == '"')
            {
                i++;
                while (i < text.Length && text[i] != '"')
                {
                    if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] is '"' or '\\' or '$' or '`')
                    {
                        i++;
                    }

                    current.Append(text[i]);
                    i++;
                }

                if (i >= text.Length)
                {
                    return null;
                }
            }
            else if (c == '\\' && i + 1 < text.Length)
            {
                current.Append(text[++i]);
            }
            else
            {
                current.Append(c);
            }
        }

        if (inWord)
        {
            words.Add(current.ToString());
        }

        return words;
    }
}
