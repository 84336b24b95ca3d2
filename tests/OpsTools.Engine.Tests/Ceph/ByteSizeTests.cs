using System;

namespace OpsTools.Engine.Tests.Ceph;

public sealed class ByteSizeTests
{
    [Theory]
    [InlineData("10G", 10737418240L)]
    [InlineData("10GB", 10737418240L)]
    [InlineData("10GiB", 10737418240L)]
    [InlineData("10 g", 10737418240L)]
    [InlineData("512Mi", 536870912L)]
    [InlineData("1.5TiB", 1649267441664L)]
    [InlineData("20G", 21474836480L)]
    [InlineData("50G", 53687091200L)]
    [InlineData("1K", 1024L)]
    [InlineData("2P", 2251799813685248L)]
    [InlineData("10737418240", 10737418240L)]
    [InlineData("0", 0L)]
    [InlineData("100B", 100L)]
    [InlineData(".5K", 512L)]
    public void Sizes_in_binary_units_parse_to_their_byte_count(string text, long bytes)
    {
        Assert.Equal(bytes, ByteSize.Parse(text).Bytes);
    }

    [Theory]
    [InlineData("-5G", "cannot be negative")]
    [InlineData("-1", "cannot be negative")]
    [InlineData("10X", "unknown unit 'X'")]
    [InlineData("10GX", "unknown unit 'GX'")]
    [InlineData("ten", "is not a size")]
    [InlineData("", "empty")]
    [InlineData("1.2.3G", "is not a size")]
    [InlineData("9999999P", "larger than")]
    public void A_bad_size_is_refused_with_a_message_naming_it(string text, string reason)
    {
        FormatException error = Assert.Throws<FormatException>(() => ByteSize.Parse(text));

        Assert.Contains($"'{text}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_negative_byte_count_is_refused()
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => new ByteSize(-5L));

        Assert.Contains("'-5'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_fractional_byte_count_from_a_powershell_literal_is_rounded()
    {
        Assert.Equal(1610612736L, new ByteSize(1.5 * 1073741824).Bytes);
        Assert.Equal(2L, new ByteSize(1.5).Bytes);
    }

    [Theory]
    [InlineData(0L, "0 B")]
    [InlineData(1023L, "1023 B")]
    [InlineData(1024L, "1 KiB")]
    [InlineData(3984L, "3.9 KiB")]
    [InlineData(304373760L, "290 MiB")]
    [InlineData(10737418240L, "10 GiB")]
    [InlineData(1649267441664L, "1.5 TiB")]
    public void Sizes_format_like_ceph_df(long bytes, string text)
    {
        Assert.Equal(text, ByteSize.Format(bytes));
    }
}
