using System;
using System.Globalization;
using System.Text.RegularExpressions;

namespace OpsTools;

/// <summary>
/// A size in bytes as operators type it: a byte count, a PowerShell numeric literal
/// (<c>10GB</c>), or a string with a binary unit (<c>'10G'</c>, <c>'512Mi'</c>, <c>'1.5TiB'</c>).
/// Every unit is binary, as on the platform and in PowerShell: <c>10G</c> = <c>10GB</c> =
/// <c>10GiB</c> = 10737418240 bytes. Parameters of this type bind all of those forms; a
/// negative or unreadable value fails parameter binding with a message naming it.
/// </summary>
public readonly struct ByteSize : IEquatable<ByteSize>, IComparable<ByteSize>
{
    private const string Advice = "Use a byte count or a number with a binary unit K, M, G, T or P (optionally followed by B or iB), for example 10G, 512Mi or 1.5TiB.";

    private static readonly Regex Pattern = new(
        @"^\s*(?<number>[0-9]+(?:\.[0-9]+)?|\.[0-9]+)\s*(?<unit>[A-Za-z]*)\s*$",
        RegexOptions.CultureInvariant);

    private static readonly string[] Units = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };

    /// <summary>Creates a size from a byte count.</summary>
    /// <param name="bytes">Bytes; zero or more.</param>
    /// <exception cref="ArgumentException">The count is negative.</exception>
    public ByteSize(long bytes)
    {
        if (bytes < 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"'{bytes}' is not a size: a size cannot be negative. {Advice}"));
        }

        Bytes = bytes;
    }

    /// <summary>
    /// Creates a size from a number of bytes that PowerShell computed as a double
    /// (<c>1.5GB</c>); a fraction of a byte is rounded to the nearest byte.
    /// </summary>
    /// <param name="bytes">Bytes; zero or more.</param>
    /// <exception cref="ArgumentException">The number is negative, not finite or too large.</exception>
    public ByteSize(double bytes)
        : this(FromDouble(bytes))
    {
    }

    /// <summary>The size in bytes.</summary>
    public long Bytes { get; }

    /// <summary>Converts a byte count.</summary>
    /// <param name="bytes">Bytes.</param>
    public static implicit operator ByteSize(long bytes) => new(bytes);

    /// <summary>The byte count of a size.</summary>
    /// <param name="size">The size.</param>
    public static implicit operator long(ByteSize size) => size.Bytes;

    /// <summary>Parses a byte count or a number with a binary unit (<c>10G</c>, <c>512Mi</c>, <c>1.5TiB</c>, <c>10GB</c>).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The size.</returns>
    /// <exception cref="FormatException">The text is not a size; the message names it and says what is accepted.</exception>
    public static ByteSize Parse(string text)
    {
        if (TryParse(text, out ByteSize size, out string? error))
        {
            return size;
        }

        throw new FormatException(error);
    }

    /// <summary>Parses a size without throwing.</summary>
    /// <param name="text">The text.</param>
    /// <param name="size">The size, when the text is one.</param>
    /// <returns>True when the text is a size.</returns>
    public static bool TryParse(string? text, out ByteSize size) => TryParse(text, out size, out _);

    private static bool TryParse(string? text, out ByteSize size, out string? error)
    {
        size = default;
        string shown = text ?? string.Empty;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = $"'{shown}' is not a size: it is empty. {Advice}";
            return false;
        }

        if (text.TrimStart().StartsWith('-'))
        {
            error = $"'{shown}' is not a size: a size cannot be negative. {Advice}";
            return false;
        }

        Match match = Pattern.Match(text);
        if (!match.Success)
        {
            error = $"'{shown}' is not a size. {Advice}";
            return false;
        }

        string unit = match.Groups["unit"].Value;
        if (!TryGetMultiplier(unit, out long multiplier))
        {
            error = $"'{shown}' is not a size: unknown unit '{unit}'. {Advice}";
            return false;
        }

        decimal number = decimal.Parse(match.Groups["number"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        decimal bytes;
        try
        {
            bytes = decimal.Round(number * multiplier, MidpointRounding.AwayFromZero);
        }
        catch (OverflowException)
        {
            bytes = decimal.MaxValue;
        }

        if (bytes > long.MaxValue)
        {
            error = $"'{shown}' is not a size: it is larger than {long.MaxValue} bytes. {Advice}";
            return false;
        }

        size = new ByteSize((long)bytes);
        error = null;
        return true;
    }

    private static bool TryGetMultiplier(string unit, out long multiplier)
    {
        multiplier = 1;
        if (unit.Length == 0 || unit.Equals("B", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        int power = char.ToUpperInvariant(unit[0]) switch
        {
            'K' => 1,
            'M' => 2,
            'G' => 3,
            'T' => 4,
            'P' => 5,
            _ => 0,
        };
        string suffix = unit[1..];
        bool suffixValid = suffix.Length == 0
            || suffix.Equals("B", StringComparison.OrdinalIgnoreCase)
            || suffix.Equals("i", StringComparison.OrdinalIgnoreCase)
            || suffix.Equals("iB", StringComparison.OrdinalIgnoreCase);
        if (power == 0 || !suffixValid)
        {
            return false;
        }

        multiplier = 1L << (10 * power);
        return true;
    }

    private static long FromDouble(double bytes)
    {
        if (double.IsNaN(bytes) || double.IsInfinity(bytes) || bytes < 0 || bytes >= 9.2233720368547758E18)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"'{bytes}' is not a size: a size is a byte count from 0 to {long.MaxValue}. {Advice}"));
        }

        return (long)Math.Round(bytes, MidpointRounding.AwayFromZero);
    }

    /// <summary>
    /// Formats a byte count the way <c>ceph df</c> does: binary units, three significant digits
    /// at most (<c>0 B</c>, <c>3.8 KiB</c>, <c>290 MiB</c>, <c>10 GiB</c>).
    /// </summary>
    /// <param name="bytes">Bytes.</param>
    /// <returns>The text.</returns>
    public static string Format(long bytes)
    {
        if (bytes < 0)
        {
            return "-" + Format(bytes == long.MinValue ? long.MaxValue : -bytes);
        }

        if (bytes < 1024)
        {
            return bytes.ToString(CultureInfo.InvariantCulture) + " B";
        }

        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        // One decimal below 10 (3.8 KiB), whole numbers above (290 MiB), no trailing .0.
        string number = value < 10 && Math.Round(value, 1) < 10
            ? Math.Round(value, 1).ToString("0.#", CultureInfo.InvariantCulture)
            : Math.Round(value).ToString("0", CultureInfo.InvariantCulture);
        return number + " " + Units[unit];
    }

    /// <summary>Formats a byte count that may be absent (no limit): empty text for null.</summary>
    /// <param name="bytes">Bytes, or null.</param>
    /// <returns>The text.</returns>
    public static string Format(long? bytes) => bytes is { } value ? Format(value) : string.Empty;

    /// <inheritdoc/>
    public override string ToString() => Format(Bytes);

    /// <inheritdoc/>
    public bool Equals(ByteSize other) => Bytes == other.Bytes;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ByteSize other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Bytes.GetHashCode();

    /// <inheritdoc/>
    public int CompareTo(ByteSize other) => Bytes.CompareTo(other.Bytes);

    /// <summary>Equality.</summary>
    /// <param name="left">Left.</param>
    /// <param name="right">Right.</param>
    public static bool operator ==(ByteSize left, ByteSize right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    /// <param name="left">Left.</param>
    /// <param name="right">Right.</param>
    public static bool operator !=(ByteSize left, ByteSize right) => !left.Equals(right);

    /// <summary>Less than.</summary>
    /// <param name="left">Left.</param>
    /// <param name="right">Right.</param>
    public static bool operator <(ByteSize left, ByteSize right) => left.Bytes < right.Bytes;

    /// <summary>Greater than.</summary>
    /// <param name="left">Left.</param>
    /// <param name="right">Right.</param>
    public static bool operator >(ByteSize left, ByteSize right) => left.Bytes > right.Bytes;

    /// <summary>Less than or equal.</summary>
    /// <param name="left">Left.</param>
    /// <param name="right">Right.</param>
    public static bool operator <=(ByteSize left, ByteSize right) => left.Bytes <= right.Bytes;

    /// <summary>Greater than or equal.</summary>
    /// <param name="left">Left.</param>
    /// <param name="right">Right.</param>
    public static bool operator >=(ByteSize left, ByteSize right) => left.Bytes >= right.Bytes;
}
