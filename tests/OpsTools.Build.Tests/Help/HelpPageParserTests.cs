using System.Collections.Generic;
using System.IO;
using System.Linq;
using OpsTools.Build.Help;
using Xunit;

namespace OpsTools.Build.Tests.Help;

public sealed class HelpPageParserTests
{
    private static HelpPage ParseSample(string name)
    {
        var diagnostics = new List<Diagnostic>();
        HelpPage page = HelpPageParser.ParseFile(TestFiles.SamplePage(name), diagnostics);
        Assert.Empty(diagnostics);
        return page;
    }

    private static (HelpPage Page, List<Diagnostic> Diagnostics) Parse(string markdown, string name = "Get-Widget")
    {
        var diagnostics = new List<Diagnostic>();
        HelpPage page = HelpPageParser.Parse(Path.Combine("/docs", name + ".md"), markdown, diagnostics);
        return (page, diagnostics);
    }

    [Fact]
    public void Reads_the_title_synopsis_and_front_matter()
    {
        HelpPage page = ParseSample("Get-Widget");

        Assert.Equal("Get-Widget", page.Name);
        Assert.Equal(8, page.TitleLocation.Line);
        Assert.Equal(["Gets the widgets of a server."], page.Synopsis);
        Assert.Equal("https://example.org/fixture/get-widget", page.OnlineVersion);
    }

    [Fact]
    public void Reads_description_paragraphs_and_list_items_as_plain_text()
    {
        HelpPage page = ParseSample("Get-Widget");

        Assert.Equal(
            [
                "The Get-Widget cmdlet gets widgets by name or by id. Names may contain wildcards.",
                "It returns one `Widget` object per match:",
                "- by name, with `-Name`, when you know the name;",
                "- by id, with `-Id`.",
            ],
            page.Description);
    }

    [Fact]
    public void Reads_examples_with_code_and_the_remarks_before_and_after_it()
    {
        HelpPage page = ParseSample("Get-Widget");

        Assert.Equal(2, page.Examples.Count);
        HelpExample second = page.Examples[1];
        Assert.Equal("Example 2: Get widgets by name", second.Title);
        Assert.Equal("PS C:\\> Get-Widget -Name 'web*' -Size Large", second.Code);
        Assert.Equal(["Widgets can be found with a wildcard.", "This command gets the large widgets whose names start with web."], second.Remarks);
    }

    [Fact]
    public void Reads_parameters_with_their_description_and_default_value_but_not_common_parameters()
    {
        HelpPage page = ParseSample("Get-Widget");

        Assert.Equal(["Name", "Id", "Size", "Since", "Server", "Credential"], page.Parameters.Select(p => p.Name));
        HelpParameter name = page.Parameters[0];
        Assert.Equal(["Specifies the names of the widgets to get. Wildcards are permitted."], name.Description);
        Assert.Equal("All widgets", name.DefaultValue);
        Assert.Equal("None", page.Parameters[1].DefaultValue);
    }

    [Fact]
    public void Reads_inputs_outputs_notes_and_related_links()
    {
        HelpPage page = ParseSample("Get-Widget");

        HelpTypeEntry input = Assert.Single(page.Inputs);
        Assert.Equal("System.String[]", input.TypeName);
        Assert.Equal(["You can pipe objects with a Name property to this cmdlet."], input.Description);
        Assert.Equal("OpsTools.Build.Fixture.Widget", Assert.Single(page.Outputs).TypeName);
        Assert.Equal(["Widgets are cached for one minute."], page.Notes);
        Assert.Equal([new HelpLink("Remove-Widget", null), new HelpLink("Widget guide", "https://example.org/fixture/guide")], page.RelatedLinks);
    }

    [Theory]
    [InlineData("Default value: 30 seconds")]
    [InlineData("DefaultValue: 30 seconds")]
    public void Takes_the_default_value_from_either_platyPS_yaml_layout(string line)
    {
        (HelpPage page, _) = Parse($"# Get-Widget\n## PARAMETERS\n### -Timeout\nHow long.\n\n```yaml\nType: Int32\n{line}\n```\n");

        HelpParameter timeout = Assert.Single(page.Parameters);
        Assert.Equal("30 seconds", timeout.DefaultValue);
        Assert.Equal(["How long."], timeout.Description);
    }

    [Fact]
    public void Treats_empty_sections_as_empty()
    {
        HelpPage page = ParseSample("Remove-Widget");

        Assert.Empty(page.Outputs);
        Assert.Empty(page.Notes);
        Assert.Null(page.OnlineVersion);
    }

    [Fact]
    public void Treats_platyPS_placeholders_as_empty()
    {
        (HelpPage page, _) = Parse(
            """
            # Get-Widget
            ## SYNOPSIS
            {{ Fill in the Synopsis }}
            ## DESCRIPTION
            {{ Fill in the Description }}
            ## PARAMETERS
            ### -Name
            {{ Fill Name Description }}
            """);

        Assert.Empty(page.Synopsis);
        Assert.Empty(page.Description);
        Assert.Empty(Assert.Single(page.Parameters).Description);
    }

    [Fact]
    public void Reports_an_example_without_code()
    {
        (_, List<Diagnostic> diagnostics) = Parse(
            """
            # Get-Widget
            ## EXAMPLES
            ### Example 1: Nothing to run
            Just words.
            """);

        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal(ErrorCodes.MalformedPage, diagnostic.Code);
        Assert.Equal(new SourceLocation("/docs/Get-Widget.md", 3, 1), diagnostic.Location);
    }

    [Fact]
    public void Reports_a_title_that_does_not_match_the_file_name()
    {
        (_, List<Diagnostic> diagnostics) = Parse("# Get-Gadget\n## SYNOPSIS\nGets.\n");

        Assert.Equal(ErrorCodes.MalformedPage, Assert.Single(diagnostics).Code);
    }

    [Fact]
    public void Reports_a_page_without_a_title()
    {
        (_, List<Diagnostic> diagnostics) = Parse("## SYNOPSIS\nGets.\n");

        Assert.Equal(ErrorCodes.MalformedPage, Assert.Single(diagnostics).Code);
    }

    [Fact]
    public void Reports_parameter_headings_without_a_dash_and_duplicates()
    {
        (HelpPage page, List<Diagnostic> diagnostics) = Parse(
            """
            # Get-Widget
            ## PARAMETERS
            ### Name
            Text.
            ### -Id
            Text.
            ### -id
            Again.
            """);

        Assert.Equal(2, diagnostics.Count);
        Assert.All(diagnostics, d => Assert.Equal(ErrorCodes.MalformedPage, d.Code));
        Assert.Equal("Id", Assert.Single(page.Parameters).Name);
    }
}
