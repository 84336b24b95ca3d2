using System;
using System.Globalization;
using System.Management.Automation;

namespace OpsTools.Infrastructure;

/// <summary>
/// Lets a duration parameter (-Timeout, -OlderThan, -MinimumDuration) take what operators type: a
/// number of seconds (<c>90</c>), a docker-style duration (<c>90s</c>, <c>5m</c>, <c>1h30m</c>,
/// <c>2d</c>), a TimeSpan or <c>00:05:00</c>. A bare number means seconds, not ticks as PowerShell's
/// own conversion would make it. PowerShell reads <c>30s</c> and <c>1d</c> typed without quotes as
/// numbers with a type suffix (Int16 and Decimal): an Int16 is seconds like any number, and a
/// Decimal, which otherwise only comes from an explicit cast, is taken as days so <c>1d</c> means a day.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class DurationTransformationAttribute : ArgumentTransformationAttribute
{
    /// <inheritdoc/>
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        object value = inputData is PSObject ps ? ps.BaseObject : inputData;
        TimeSpan? span = ToDuration(value);
        if (span is not { } result || result <= TimeSpan.Zero)
        {
            throw new ArgumentTransformationMetadataException(
                $"'{value}' is not a positive duration. Use seconds (90), a duration such as 90s, 5m, 1h30m or 2d, or a TimeSpan (00:05:00).");
        }

        return result;
    }

    /// <summary>The duration a value stands for, as parameters take it; null when it is none.</summary>
    /// <param name="value">A TimeSpan, seconds as a number, or text (<c>90</c>, <c>90s</c>, <c>1h30m</c>, <c>00:05:00</c>).</param>
    /// <returns>The duration, or null.</returns>
    internal static TimeSpan? ToDuration(object? value) => value switch
    {
        TimeSpan t => t,
        decimal days => TimeSpan.FromDays((double)days),
        int or long or short or byte or uint or ulong or ushort or sbyte => TimeSpan.FromSeconds(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
        double or float => TimeSpan.FromSeconds(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
        string text => Parse(text),
        _ => null,
    };

    private static TimeSpan? Parse(string text)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds))
        {
            return TimeSpan.FromSeconds(seconds);
        }

        if (DurationText.TryParse(text, out TimeSpan duration))
        {
            return duration;
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out TimeSpan parsed) ? parsed : null;
    }
}
