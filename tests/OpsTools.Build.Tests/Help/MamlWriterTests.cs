using System.Collections.Generic;
using System.Linq;
using System.Xml;
using System.Xml.Linq;
using System.Xml.XPath;
using OpsTools.Build.Cmdlets;
using OpsTools.Build.Help;
using Xunit;

namespace OpsTools.Build.Tests.Help;

public sealed class MamlWriterTests
{
    private static readonly XDocument Maml = BuildFixtureMaml();
    private static readonly XmlNamespaceManager Namespaces = CreateNamespaces();

    private static string Get(string xpath) => Maml.XPathEvaluate($"string({xpath})", Namespaces).ToString()!;

    private static List<XElement> All(string xpath) => Maml.XPathSelectElements(xpath, Namespaces).ToList();

    private const string GetWidget = "/msh:helpItems/command:command[command:details/command:name='Get-Widget']";
    private const string RemoveWidget = "/msh:helpItems/command:command[command:details/command:name='Remove-Widget']";

    [Fact]
    public void Has_one_command_per_cmdlet_under_a_maml_helpItems_root()
    {
        Assert.Equal("maml", Get("/msh:helpItems/@schema"));
        Assert.Equal(2, All("/msh:helpItems/command:command").Count);
    }

    [Fact]
    public void Writes_details_with_the_synopsis_and_the_description()
    {
        Assert.Equal("Get", Get(GetWidget + "/command:details/command:verb"));
        Assert.Equal("Widget", Get(GetWidget + "/command:details/command:noun"));
        Assert.Equal("Gets the widgets of a server.", Get(GetWidget + "/command:details/maml:description/maml:para"));
        Assert.Equal(4, All(GetWidget + "/maml:description/maml:para").Count);
    }

    [Fact]
    public void Writes_one_syntax_item_per_parameter_set()
    {
        List<XElement> items = All(GetWidget + "/command:syntax/command:syntaxItem");
        Assert.Equal(2, items.Count);
        Assert.Equal(
            ["Name", "Size", "Since", "Server", "Credential"],
            items[0].XPathSelectElements("command:parameter/maml:name", Namespaces).Select(e => e.Value));
        Assert.Equal("0", Get(GetWidget + "/command:syntax/command:syntaxItem[1]/command:parameter[maml:name='Name']/@position"));
        Assert.Equal("true", Get(GetWidget + "/command:syntax/command:syntaxItem[2]/command:parameter[maml:name='Id']/@required"));
        Assert.Equal("String[]", Get(GetWidget + "/command:syntax/command:syntaxItem[1]/command:parameter[maml:name='Name']/command:parameterValue"));
    }

    [Fact]
    public void Offers_a_ValidateSet_as_a_value_group_in_the_syntax()
    {
        Assert.Equal(
            ["Small", "Large"],
            All(GetWidget + "/command:syntax/command:syntaxItem[1]/command:parameter[maml:name='Size']/command:parameterValueGroup/command:parameterValue").Select(e => e.Value));
    }

    [Fact]
    public void Writes_parameters_with_attributes_from_the_cmdlet_and_text_from_the_page()
    {
        const string Name = GetWidget + "/command:parameters/command:parameter[maml:name='Name']";
        Assert.Equal("false", Get(Name + "/@required"));
        Assert.Equal("true", Get(Name + "/@globbing"));
        Assert.Equal("True (ByPropertyName)", Get(Name + "/@pipelineInput"));
        Assert.Equal("0", Get(Name + "/@position"));
        Assert.Equal("WidgetName", Get(Name + "/@aliases"));
        Assert.Equal("String[]", Get(Name + "/dev:type/maml:name"));
        Assert.Equal("All widgets", Get(Name + "/dev:defaultValue"));
        Assert.Equal("Specifies the names of the widgets to get. Wildcards are permitted.", Get(Name + "/maml:description/maml:para"));
        Assert.Equal("named", Get(GetWidget + "/command:parameters/command:parameter[maml:name='Server']/@position"));
    }

    [Fact]
    public void Gives_WhatIf_the_standard_text_and_Confirm_the_page_text()
    {
        const string Parameters = RemoveWidget + "/command:parameters/command:parameter";
        Assert.Equal(["InputObject", "PassThru", "Confirm", "WhatIf"], All(Parameters + "/maml:name").Select(e => e.Value));
        Assert.Equal("Shows what would happen if the cmdlet runs. The cmdlet is not run.", Get(Parameters + "[maml:name='WhatIf']/maml:description/maml:para"));
        Assert.Equal("Prompts you for confirmation before removing each widget.", Get(Parameters + "[maml:name='Confirm']/maml:description/maml:para"));
        Assert.Equal("cf", Get(Parameters + "[maml:name='Confirm']/@aliases"));
        Assert.Equal("True (ByValue)", Get(Parameters + "[maml:name='InputObject']/@pipelineInput"));
    }

    [Fact]
    public void Writes_examples_with_title_code_and_remarks()
    {
        const string Example = GetWidget + "/command:examples/command:example[2]";
        Assert.Equal("-------- Example 2: Get widgets by name --------", Get(Example + "/maml:title"));
        Assert.Equal("PS C:\\> Get-Widget -Name 'web*' -Size Large", Get(Example + "/dev:code"));
        Assert.Equal(2, All(Example + "/dev:remarks/maml:para").Count);
        Assert.Equal(
            ["This command gets all widgets of the local server.", ""],
            All(GetWidget + "/command:examples/command:example[1]/dev:remarks/maml:para").Select(e => e.Value));
    }

    [Fact]
    public void Writes_inputs_outputs_and_notes_from_the_page()
    {
        Assert.Equal("System.String[]", Get(GetWidget + "/command:inputTypes/command:inputType/dev:type/maml:name"));
        Assert.Equal("One object per widget.", Get(GetWidget + "/command:returnValues/command:returnValue/maml:description/maml:para"));
        Assert.Equal("Widgets are cached for one minute.", Get(GetWidget + "/maml:alertSet/maml:alert/maml:para"));
    }

    [Fact]
    public void Takes_outputs_from_OutputType_when_the_page_names_none()
    {
        Assert.Equal("OpsTools.Build.Fixture.Widget", Get(RemoveWidget + "/command:returnValues/command:returnValue/dev:type/maml:name"));
        Assert.Empty(All(RemoveWidget + "/maml:alertSet"));
    }

    [Fact]
    public void Writes_related_links_with_the_online_version_first()
    {
        List<XElement> links = All(GetWidget + "/command:relatedLinks/maml:navigationLink");
        Assert.Equal(
            [("Online Version:", "https://example.org/fixture/get-widget"), ("Remove-Widget", ""), ("Widget guide", "https://example.org/fixture/guide")],
            links.Select(l => (l.Element(MamlWriter.Maml + "linkText")!.Value, l.Element(MamlWriter.Maml + "uri")!.Value)));
    }

    [Fact]
    public void Uses_the_prefixes_PowerShell_expects()
    {
        XElement command = Maml.Root!.Elements().First();
        Assert.Equal("command", command.GetPrefixOfNamespace(MamlWriter.Command));
        Assert.Equal("maml", command.GetPrefixOfNamespace(MamlWriter.Maml));
        Assert.Equal("dev", command.GetPrefixOfNamespace(MamlWriter.Dev));
    }

    private static XDocument BuildFixtureMaml()
    {
        var diagnostics = new List<Diagnostic>();
        IReadOnlyList<CmdletDefinition> cmdlets = CmdletReader.Read(TestFiles.FixtureAssembly, TestFiles.FixtureReferences, diagnostics);
        var commands = cmdlets
            .OrderBy(c => c.Name, System.StringComparer.Ordinal)
            .Select(c => (c, HelpPageParser.ParseFile(TestFiles.SamplePage(c.Name), diagnostics)))
            .ToList();
        Assert.Empty(diagnostics);

        // Round-trip through text, as Get-Help reads it.
        return XDocument.Parse(MamlWriter.Build(commands).ToString());
    }

    private static XmlNamespaceManager CreateNamespaces()
    {
        var namespaces = new XmlNamespaceManager(new NameTable());
        namespaces.AddNamespace("msh", MamlWriter.Msh.NamespaceName);
        namespaces.AddNamespace("maml", MamlWriter.Maml.NamespaceName);
        namespaces.AddNamespace("command", MamlWriter.Command.NamespaceName);
        namespaces.AddNamespace("dev", MamlWriter.Dev.NamespaceName);
        return namespaces;
    }
}
