using System;
using System.Globalization;
using System.Text.RegularExpressions;

namespace OpsTools.Infrastructure;

/// <summary>Docker-style durations operators type: <c>30s</c>, <c>1.5s</c>, <c>10m</c>, <c>1h30m</c>, <c>2d</c>.</summary>
internal static class DurationText
{
    private static readonly Regex Pattern = new(@"^\s*(?:(?<d>\d+)d)?(?:(?<h>\d+)h)?(?:(?<m>\d+)m)?(?:(?<s>\d+(?:\.\d+)?)s)?\s*$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

    /// <summary>Parses a duration with at least one unit.</summary>
    public static bool TryParse(string text, out TimeSpan duration)
    {
        Match match = Pattern.Match(text);
        if (!match.Success || text.Trim().Length == 0)
        {
            duration = TimeSpan.Zero;
            return false;
        }

        duration = TimeSpan.FromDays(Get(match, "d")) + TimeSpan.FromHours(Get(match, "h"))
            + TimeSpan.FromMinutes(Get(match, "m")) + TimeSpan.FromSeconds(Get(match, "s"));
        return true;
    }

    private static double Get(Match match, string group) =>
        match.Groups[group].Success ? double.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture) : 0;
}
