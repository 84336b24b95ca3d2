using System;
using System.Globalization;
using System.Management.Automation;
using System.Text.RegularExpressions;

namespace OpsTools.Infrastructure;

/// <summary>
/// Lets a duration parameter (-Timeout) take what operators type: a number of seconds (<c>90</c>),
/// a docker-style duration (<c>90s</c>, <c>5m</c>, <c>1h30m</c>), a TimeSpan or <c>00:05:00</c>.
/// A bare number means seconds, not ticks as PowerShell's own conversion would make it.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class DurationTransformationAttribute : ArgumentTransformationAttribute
{
    private static readonly Regex Duration = new(@"^\s*(?:(?<h>\d+)h)?(?:(?<m>\d+)m)?(?:(?<s>\d+(?:\.\d+)?)s)?\s*$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

    /// <inheritdoc/>
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        object value = inputData is PSObject ps ? ps.BaseObject : inputData;
        TimeSpan? span = value switch
        {
            TimeSpan t => t,
            int or long or short or byte or uint or ulong or ushort or sbyte => TimeSpan.FromSeconds(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
            double or float or decimal => TimeSpan.FromSeconds(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
            string text => Parse(text),
            _ => null,
        };
        if (span is not { } result || result <= TimeSpan.Zero)
        {
            throw new ArgumentTransformationMetadataException(
                $"'{value}' is not a positive duration. Use seconds (90), a duration such as 90s, 5m or 1h30m, or a TimeSpan (00:05:00).");
        }

        return result;
    }

    private static TimeSpan? Parse(string text)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds))
        {
            return TimeSpan.FromSeconds(seconds);
        }

        Match match = Duration.Match(text);
        if (match.Success && text.Trim().Length > 0)
        {
            return TimeSpan.FromHours(Get(match, "h")) + TimeSpan.FromMinutes(Get(match, "m")) + TimeSpan.FromSeconds(Get(match, "s"));
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out TimeSpan parsed) ? parsed : null;
    }

    private static double Get(Match match, string group) =>
        match.Groups[group].Success ? double.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture) : 0;
}
