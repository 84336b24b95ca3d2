using System.IO;
using System.Linq;
using OpsTools.Build.Help;
using Xunit;

namespace OpsTools.Build.Tests.Help;

public sealed class AboutTopicWriterTests
{
    private static readonly string Text = AboutTopicWriter.Render("about_FixtureModule", File.ReadAllText(TestFiles.SamplePage("about_FixtureModule")));
    private static readonly string[] Lines = Text.Split('\n');

    [Fact]
    public void Starts_with_the_topic_name_once()
    {
        Assert.Equal(["TOPIC", "    about_FixtureModule", ""], Lines.Take(3));
        Assert.Single(Lines, l => l.Contains("about_FixtureModule", System.StringComparison.Ordinal));
    }

    [Fact]
    public void Writes_headings_in_upper_case_at_the_margin_and_deeper_ones_indented()
    {
        int shortDescription = System.Array.IndexOf(Lines, "SHORT DESCRIPTION");
        Assert.Equal("    Describes the fixture module that the build tool's tests use.", Lines[shortDescription + 1]);
        Assert.Contains("LONG DESCRIPTION", Lines);
        Assert.Contains("EXAMPLE", Lines);
        Assert.Contains("SEE ALSO", Lines);
    }

    [Fact]
    public void Wraps_paragraphs_to_80_columns_indented_and_without_markdown()
    {
        Assert.All(Lines, l => Assert.True(l.Length <= AboutTopicWriter.Width, $"Too long: '{l}'"));
        Assert.Contains("    The fixture module has two cmdlets, Get-Widget and Remove-Widget, which", Lines);
        Assert.DoesNotContain(Lines, l => l.Contains("**", System.StringComparison.Ordinal));
    }

    [Fact]
    public void Hangs_wrapped_list_items_under_their_text_and_keeps_code_as_written()
    {
        int item = System.Array.IndexOf(Lines, "    - Removing a widget asks for confirmation first, because removal is a");
        Assert.True(item > 0, Text);
        Assert.StartsWith("      destructive", Lines[item + 1], System.StringComparison.Ordinal);
        Assert.Equal("    - Widgets are not real.", Lines[item - 1]);
        Assert.Contains("        Get-Widget | Remove-Widget -WhatIf", Lines);
    }
}
