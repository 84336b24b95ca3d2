using System;
using System.Globalization;
using System.Management.Automation;

namespace OpsTools.Infrastructure;

/// <summary>
/// Lets -Since take what operators type: a DateTime or DateTimeOffset, a TimeSpan (that long ago),
/// a docker-style duration (<c>10m</c>, <c>1h30m</c>, <c>2d</c>) or a date string (<c>2026-11-25T10:00:00Z</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class SinceTransformationAttribute : ArgumentTransformationAttribute
{
    /// <inheritdoc/>
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        object value = inputData is PSObject ps ? ps.BaseObject : inputData;
        switch (value)
        {
            case DateTimeOffset offset:
                return offset;
            case DateTime dateTime:
                return new DateTimeOffset(dateTime.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(dateTime, DateTimeKind.Local) : dateTime);
            case TimeSpan span:
                return DateTimeOffset.Now - span.Duration();
            // PowerShell reads 30d as the decimal literal 30 and 10s as the short literal 10
            // before this attribute sees them: take them as the durations the user typed.
            case decimal days when days >= 0:
                return DateTimeOffset.Now - TimeSpan.FromDays((double)days);
            case short seconds when seconds >= 0:
                return DateTimeOffset.Now - TimeSpan.FromSeconds(seconds);
            case string text when TryParse(text, out DateTimeOffset parsed):
                return parsed;
            default:
                throw new ArgumentTransformationMetadataException(
                    $"'{value}' is not a time. Use a date (2026-11-25T10:00:00Z, or Get-Date), a TimeSpan, or a duration such as 10m, 2h or 1d.");
        }
    }

    /// <summary>Parses a docker-style duration (meaning that long ago) or a date.</summary>
    internal static bool TryParse(string text, out DateTimeOffset result)
    {
        if (DurationText.TryParse(text, out TimeSpan span))
        {
            result = DateTimeOffset.Now - span;
            return true;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out result);
    }
}
