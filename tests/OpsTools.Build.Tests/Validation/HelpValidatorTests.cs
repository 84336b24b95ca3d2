using System.Collections.Generic;
using System.Linq;
using OpsTools.Build.Cmdlets;
using OpsTools.Build.Help;
using OpsTools.Build.Validation;
using Xunit;

namespace OpsTools.Build.Tests.Validation;

public sealed class HelpValidatorTests
{
    private const string CompletePage =
        """
        # {0}
        ## SYNOPSIS
        Does a thing.
        ## DESCRIPTION
        Does a thing, in detail.
        ## EXAMPLES
        ### Example 1: Do it
        ```powershell
        {0}
        ```
        ## PARAMETERS
        ### -Name
        The name.
        """;

    private static string CompletePageFor(string name) => CompletePage.Replace("{0}", name, System.StringComparison.Ordinal);

    private static CmdletDefinition Cmdlet(string verb, string noun = "Widget", bool supportsShouldProcess = false)
    {
        var parameters = new List<CmdletParameter>
        {
            new("Name", "String", false, false, [], false, [], [ParameterSetEntry.Optional]),
        };
        if (supportsShouldProcess)
        {
            parameters.AddRange(CmdletParameter.ShouldProcessParameters);
        }

        return new CmdletDefinition(verb, noun, $"Fixture.{verb}{noun}Command", null, supportsShouldProcess, "Medium", parameters, []);
    }

    private static HelpPage Page(string name, string markdown)
    {
        var diagnostics = new List<Diagnostic>();
        HelpPage page = HelpPageParser.Parse($"/docs/{name}.md", markdown, diagnostics);
        Assert.Empty(diagnostics);
        return page;
    }

    private static List<Diagnostic> Validate(CmdletDefinition cmdlet, HelpPage page)
    {
        var diagnostics = new List<Diagnostic>();
        HelpValidator.Validate([cmdlet], [page], "/bin/Fixture.dll", "/docs", diagnostics);
        return diagnostics;
    }

    [Fact]
    public void Accepts_a_complete_page()
    {
        Assert.Empty(Validate(Cmdlet("Get"), Page("Get-Widget", CompletePageFor("Get-Widget"))));
    }

    [Theory]
    [InlineData("Fetch")]
    [InlineData("Delete")]
    [InlineData("Create")]
    public void Reports_an_unapproved_verb(string verb)
    {
        string name = verb + "-Widget";

        Diagnostic diagnostic = Assert.Single(Validate(Cmdlet(verb), Page(name, CompletePageFor(name))));

        Assert.Equal(ErrorCodes.UnapprovedVerb, diagnostic.Code);
        Assert.Equal("/bin/Fixture.dll", diagnostic.Location.Path);
    }

    [Theory]
    [InlineData("Get")]
    [InlineData("ConvertTo")]
    [InlineData("Build")]
    [InlineData("Deploy")]
    [InlineData("Unprotect")]
    [InlineData("use")]
    public void Knows_the_approved_verbs_of_PowerShell_7(string verb)
    {
        Assert.True(ApprovedVerbs.IsApproved(verb));
        Assert.Equal(100, ApprovedVerbs.All.Count);
    }

    [Fact]
    public void Reports_an_empty_synopsis_an_empty_description_and_no_example_together()
    {
        HelpPage page = Page("Get-Widget", "# Get-Widget\n## SYNOPSIS\n## DESCRIPTION\n## EXAMPLES\n## PARAMETERS\n### -Name\nThe name.\n");

        List<Diagnostic> diagnostics = Validate(Cmdlet("Get"), page);

        Assert.Equal([ErrorCodes.EmptySynopsis, ErrorCodes.EmptyDescription, ErrorCodes.NoExample], diagnostics.Select(d => d.Code));
        Assert.Equal(4, diagnostics[2].Location.Line);
    }

    [Fact]
    public void Allows_WhatIf_and_Confirm_to_be_documented_or_not_when_ShouldProcess_is_supported()
    {
        string markdown = CompletePageFor("Set-Widget") + "\n### -Confirm\nAsks first.\n### CommonParameters\nCommon.\n";

        Assert.Empty(Validate(Cmdlet("Set", supportsShouldProcess: true), Page("Set-Widget", markdown)));
    }

    [Fact]
    public void Reports_WhatIf_documented_for_a_cmdlet_without_ShouldProcess()
    {
        string markdown = CompletePageFor("Get-Widget") + "\n### -WhatIf\nShows.\n";

        Assert.Equal(ErrorCodes.UnknownParameter, Assert.Single(Validate(Cmdlet("Get"), Page("Get-Widget", markdown))).Code);
    }

    [Fact]
    public void Reports_a_parameter_documented_without_a_description()
    {
        string markdown = CompletePageFor("Get-Widget").Replace("The name.", "```yaml\nType: String\n```", System.StringComparison.Ordinal);

        Assert.Equal(ErrorCodes.UndocumentedParameter, Assert.Single(Validate(Cmdlet("Get"), Page("Get-Widget", markdown))).Code);
    }
}
