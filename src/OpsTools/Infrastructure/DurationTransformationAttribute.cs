using System;
using System.Globalization;
using System.Management.Automation;

namespace OpsTools.Infrastructure;

/// <summary>
/// Lets a TimeSpan parameter take what operators type: a TimeSpan, a docker-style duration
/// (<c>30s</c>, <c>10m</c>, <c>1h30m</c>, <c>1d</c>) or a TimeSpan string (<c>00:05:00</c>, <c>1.00:00:00</c>).
/// PowerShell reads <c>30s</c> and <c>1d</c> typed bare as numbers with a type suffix (Int16 and
/// Decimal), so those two types are taken as seconds and days; any other bare number is refused,
/// since it would be unclear whether it means seconds or days.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class DurationTransformationAttribute : ArgumentTransformationAttribute
{
    /// <inheritdoc/>
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        object value = inputData is PSObject ps ? ps.BaseObject : inputData;
        switch (value)
        {
            case TimeSpan span:
                return span;
            case short seconds:
                return TimeSpan.FromSeconds(seconds);
            case decimal days:
                return TimeSpan.FromDays((double)days);
            case string text when DurationText.TryParse(text, out TimeSpan parsed):
                return parsed;
            case string text when text.Contains(':', StringComparison.Ordinal) && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out TimeSpan parsed):
                return parsed;
            default:
                throw new ArgumentTransformationMetadataException(
                    $"'{value}' is not a duration. Use a TimeSpan, or a duration with units such as 30s, 10m, 2h, 1d or 1h30m.");
        }
    }
}
