using System.Collections.Generic;
using System.Linq;
using OpsTools.Build.Cmdlets;
using Xunit;

namespace OpsTools.Build.Tests.Cmdlets;

public sealed class CmdletReaderTests
{
    private static readonly IReadOnlyList<CmdletDefinition> Cmdlets = ReadFixture();

    private static CmdletDefinition GetWidget => Cmdlets.Single(c => c.Name == "Get-Widget");

    private static CmdletDefinition RemoveWidget => Cmdlets.Single(c => c.Name == "Remove-Widget");

    [Fact]
    public void Finds_only_public_concrete_cmdlets()
    {
        Assert.Equal(["Get-Widget", "Remove-Widget"], Cmdlets.Select(c => c.Name).Order());
        Assert.Equal("OpsTools.Build.Fixture.GetWidgetCommand", GetWidget.TypeName);
    }

    [Fact]
    public void Reads_the_cmdlet_attribute()
    {
        Assert.Equal("ByName", GetWidget.DefaultParameterSetName);
        Assert.False(GetWidget.SupportsShouldProcess);
        Assert.True(RemoveWidget.SupportsShouldProcess);
        Assert.Equal("High", RemoveWidget.ConfirmImpact);
    }

    [Fact]
    public void Includes_parameters_inherited_from_a_base_class()
    {
        Assert.Equal(["Name", "Id", "Size", "Since", "Server", "Credential"], GetWidget.Parameters.Select(p => p.Name));
    }

    [Fact]
    public void Shows_types_by_their_friendly_names()
    {
        Dictionary<string, string> types = GetWidget.Parameters.ToDictionary(p => p.Name, p => p.TypeName);
        Assert.Equal("String[]", types["Name"]);
        Assert.Equal("Int32", types["Id"]);
        Assert.Equal("DateTimeOffset", types["Since"]);
        Assert.Equal("PSCredential", types["Credential"]);
        Assert.Equal("SwitchParameter", RemoveWidget.Parameters.Single(p => p.Name == "PassThru").TypeName);
        Assert.True(RemoveWidget.Parameters.Single(p => p.Name == "PassThru").IsSwitch);
        Assert.True(GetWidget.Parameters.Single(p => p.Name == "Name").IsArray);
    }

    [Fact]
    public void Reads_parameter_attributes_per_parameter_set()
    {
        CmdletParameter name = GetWidget.Parameters.Single(p => p.Name == "Name");
        ParameterSetEntry nameSet = Assert.Single(name.Sets);
        Assert.Equal(new ParameterSetEntry("ByName", false, 0, false, true, null), nameSet);
        Assert.Equal(["WidgetName"], name.Aliases);
        Assert.True(name.SupportsWildcards);

        CmdletParameter id = GetWidget.Parameters.Single(p => p.Name == "Id");
        Assert.Equal(new ParameterSetEntry("ById", true, null, false, true, null), Assert.Single(id.Sets));

        Assert.Equal(["Small", "Large"], GetWidget.Parameters.Single(p => p.Name == "Size").ValidValues);

        CmdletParameter inputObject = RemoveWidget.Parameters.Single(p => p.Name == "InputObject");
        Assert.True(inputObject.AcceptsPipelineByValue);
        Assert.True(inputObject.IsAlwaysMandatory);
        Assert.Equal(0, inputObject.Position);
    }

    [Fact]
    public void Adds_WhatIf_and_Confirm_when_the_cmdlet_supports_ShouldProcess()
    {
        Assert.Equal(["InputObject", "PassThru", "WhatIf", "Confirm"], RemoveWidget.Parameters.Select(p => p.Name));
        Assert.All(RemoveWidget.Parameters.Where(p => p.Name is "WhatIf" or "Confirm"), p => Assert.True(p.IsShouldProcessParameter));
        Assert.DoesNotContain(GetWidget.Parameters, p => p.Name == "WhatIf");
    }

    [Fact]
    public void Leaves_out_parameters_marked_DontShow()
    {
        Assert.DoesNotContain(RemoveWidget.Parameters, p => p.Name == "Hidden");
    }

    [Fact]
    public void Reads_output_types()
    {
        Assert.Equal(["OpsTools.Build.Fixture.Widget"], GetWidget.OutputTypes);
    }

    [Fact]
    public void Forms_parameter_sets_with_the_default_first_and_syntax_in_Get_Help_order()
    {
        Assert.Equal(["ByName", "ById"], GetWidget.GetParameterSetNames());
        Assert.Equal(["Name", "Size", "Since", "Server", "Credential"], GetWidget.GetSyntax("ByName").Select(m => m.Parameter.Name));
        Assert.Equal(["Id", "Size", "Since", "Server", "Credential"], GetWidget.GetSyntax("ById").Select(m => m.Parameter.Name));
        Assert.Equal([ParameterSetEntry.AllSets], RemoveWidget.GetParameterSetNames());
        Assert.Equal(["InputObject", "PassThru", "WhatIf", "Confirm"], RemoveWidget.GetSyntax(ParameterSetEntry.AllSets).Select(m => m.Parameter.Name));
    }

    [Fact]
    public void Reports_types_it_cannot_resolve_when_a_reference_is_missing()
    {
        var diagnostics = new List<Diagnostic>();
        List<string> withoutAutomation = TestFiles.FixtureReferences.Where(r => !r.EndsWith("System.Management.Automation.dll", System.StringComparison.OrdinalIgnoreCase)).ToList();

        IReadOnlyList<CmdletDefinition> cmdlets = CmdletReader.Read(TestFiles.FixtureAssembly, withoutAutomation, diagnostics);

        Assert.Empty(cmdlets);
        Assert.NotEmpty(diagnostics);
        Assert.All(diagnostics, d => Assert.Equal(ErrorCodes.UnreadableAssembly, d.Code));
    }

    [Fact]
    public void Reports_a_missing_assembly()
    {
        var diagnostics = new List<Diagnostic>();

        CmdletReader.Read("/nonexistent/Nothing.dll", TestFiles.FixtureReferences, diagnostics);

        Assert.Equal(ErrorCodes.UnreadableAssembly, Assert.Single(diagnostics).Code);
    }

    private static IReadOnlyList<CmdletDefinition> ReadFixture()
    {
        var diagnostics = new List<Diagnostic>();
        IReadOnlyList<CmdletDefinition> cmdlets = CmdletReader.Read(TestFiles.FixtureAssembly, TestFiles.FixtureReferences, diagnostics);
        Assert.Empty(diagnostics);
        return cmdlets;
    }
}
