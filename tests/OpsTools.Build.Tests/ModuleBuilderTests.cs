using System.IO;
using System.Linq;
using System.Xml.Linq;
using Xunit;

namespace OpsTools.Build.Tests;

/// <summary>The whole "module" command against the fixture assembly and a copy of the sample docs.</summary>
public sealed class ModuleBuilderTests
{
    [Fact]
    public void Writes_the_manifest_the_help_and_the_about_topic_when_everything_agrees()
    {
        using var workspace = new Workspace();

        ModuleBuildResult result = ModuleBuilder.Run(workspace.Options());

        Assert.Empty(result.Diagnostics);
        string help = Path.Combine(workspace.Output, "en-US", "OpsTools.Build.Fixture.dll-Help.xml");
        string about = Path.Combine(workspace.Output, "en-US", "about_FixtureModule.help.txt");
        string manifest = Path.Combine(workspace.Output, "FixtureModule.psd1");
        Assert.Equal(new[] { manifest, help, about }.Order(), result.WrittenFiles.Order());
        Assert.Equal(2, XDocument.Load(help).Root!.Elements().Count());
        Assert.StartsWith("TOPIC", File.ReadAllText(about), System.StringComparison.Ordinal);
    }

    [Fact]
    public void Changes_only_the_module_version_in_the_written_manifest()
    {
        using var workspace = new Workspace();

        ModuleBuilder.Run(workspace.Options("1.2.3"));

        string source = File.ReadAllText(workspace.Manifest);
        string written = File.ReadAllText(Path.Combine(workspace.Output, "FixtureModule.psd1"));
        Assert.Equal(source.Replace("ModuleVersion     = '0.0.0'", "ModuleVersion     = '1.2.3'", System.StringComparison.Ordinal), written);
        Assert.Contains("# ModuleVersion = '9.9.9'", written, System.StringComparison.Ordinal);
    }

    [Fact]
    public void Reports_a_cmdlet_without_a_page()
    {
        using var workspace = new Workspace();
        File.Delete(workspace.Page("Remove-Widget"));

        ModuleBuildResult result = ModuleBuilder.Run(workspace.Options());

        Diagnostic diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(ErrorCodes.MissingPage, diagnostic.Code);
        Assert.Contains("Remove-Widget", diagnostic.Message, System.StringComparison.Ordinal);
        Assert.Empty(result.WrittenFiles);
        Assert.False(Directory.Exists(workspace.Output));
    }

    [Fact]
    public void Reports_a_page_for_a_cmdlet_that_does_not_exist()
    {
        using var workspace = new Workspace();
        File.WriteAllText(workspace.Page("Get-Gadget"), File.ReadAllText(workspace.Page("Get-Widget")).Replace("# Get-Widget", "# Get-Gadget", System.StringComparison.Ordinal));

        Diagnostic diagnostic = Assert.Single(ModuleBuilder.Run(workspace.Options()).Diagnostics);

        Assert.Equal(ErrorCodes.UnknownCmdletPage, diagnostic.Code);
        Assert.Equal(workspace.Page("Get-Gadget"), diagnostic.Location.Path);
    }

    [Fact]
    public void Reports_a_parameter_the_cmdlet_does_not_have_at_its_heading()
    {
        using var workspace = new Workspace();
        workspace.EditPage("Get-Widget", "### -Since", "### -After");

        ModuleBuildResult result = ModuleBuilder.Run(workspace.Options());

        Assert.Equal([ErrorCodes.UnknownParameter, ErrorCodes.UndocumentedParameter], result.Diagnostics.Select(d => d.Code).Order());
        Diagnostic unknown = result.Diagnostics.Single(d => d.Code == ErrorCodes.UnknownParameter);
        int headingLine = File.ReadAllLines(workspace.Page("Get-Widget")).ToList().IndexOf("### -After") + 1;
        Assert.Equal(new SourceLocation(workspace.Page("Get-Widget"), headingLine, 1), unknown.Location);
        Assert.Equal($"{workspace.Page("Get-Widget")}({headingLine},1): error OPSHELP003: The page documents parameter '-After', but cmdlet 'Get-Widget' has no such parameter.", unknown.ToString());
    }

    [Fact]
    public void Reports_a_cmdlet_parameter_missing_from_its_page()
    {
        using var workspace = new Workspace();
        string page = File.ReadAllText(workspace.Page("Remove-Widget"));
        int start = page.IndexOf("### -PassThru", System.StringComparison.Ordinal);
        int end = page.IndexOf("### -Confirm", System.StringComparison.Ordinal);
        File.WriteAllText(workspace.Page("Remove-Widget"), page.Remove(start, end - start));

        Diagnostic diagnostic = Assert.Single(ModuleBuilder.Run(workspace.Options()).Diagnostics);

        Assert.Equal(ErrorCodes.UndocumentedParameter, diagnostic.Code);
        Assert.Contains("-PassThru", diagnostic.Message, System.StringComparison.Ordinal);
    }

    [Fact]
    public void Reports_a_cmdlet_missing_from_the_manifest_and_a_listed_cmdlet_that_does_not_exist()
    {
        using var workspace = new Workspace();
        workspace.EditManifest("\"Remove-Widget\"", "'Remove-Gadget'");

        ModuleBuildResult result = ModuleBuilder.Run(workspace.Options());

        Assert.Equal([ErrorCodes.CmdletNotExported, ErrorCodes.ExportedCmdletMissing], result.Diagnostics.Select(d => d.Code));
        Assert.Contains("'Remove-Widget'", result.Diagnostics[0].Message, System.StringComparison.Ordinal);
        Assert.Contains("'Remove-Gadget'", result.Diagnostics[1].Message, System.StringComparison.Ordinal);
        Assert.Equal(workspace.Manifest, result.Diagnostics[1].Location.Path);
        Assert.Equal(14, result.Diagnostics[1].Location.Line);
    }

    [Fact]
    public void Reports_every_error_not_just_the_first()
    {
        using var workspace = new Workspace();
        File.Delete(workspace.Page("Remove-Widget"));
        workspace.EditPage("Get-Widget", "### -Since", "### -After");
        workspace.EditManifest("'Get-Widget', # read", "'Get-Widget', 'Get-Gadget',");

        ModuleBuildResult result = ModuleBuilder.Run(workspace.Options());

        Assert.Equal(
            [ErrorCodes.MissingPage, ErrorCodes.UnknownParameter, ErrorCodes.UndocumentedParameter, ErrorCodes.ExportedCmdletMissing],
            result.Diagnostics.Select(d => d.Code).Order());
        Assert.Empty(result.WrittenFiles);
    }

    [Fact]
    public void Ignores_the_module_page_and_does_not_need_an_about_page()
    {
        using var workspace = new Workspace();
        File.WriteAllText(Path.Combine(workspace.Docs, "FixtureModule.md"), "# FixtureModule Module\n## Description\nThe module page.\n");
        File.Delete(workspace.Page("about_FixtureModule"));

        ModuleBuildResult result = ModuleBuilder.Run(workspace.Options());

        Assert.Empty(result.Diagnostics);
        Assert.Equal(2, result.WrittenFiles.Count);
    }

    [Fact]
    public void Exits_with_1_on_errors_and_0_with_a_response_file_of_arguments()
    {
        using var workspace = new Workspace();
        string responseFile = Path.Combine(workspace.Root, "build.rsp");
        File.WriteAllLines(
            responseFile,
            [
                "module",
                "--assembly", TestFiles.FixtureAssembly,
                .. TestFiles.FixtureReferences.Select(r => "--reference=" + r),
                "--docs", workspace.Docs,
                "--manifest-source", workspace.Manifest,
                "--version", "2.0.1",
                "--output", workspace.Output,
            ]);

        Assert.Equal(Program.Success, Program.Main(["@" + responseFile]));
        Assert.Contains("'2.0.1'", File.ReadAllText(Path.Combine(workspace.Output, "FixtureModule.psd1")), System.StringComparison.Ordinal);

        File.Delete(workspace.Page("Get-Widget"));
        Assert.Equal(Program.Failed, Program.Main(["@" + responseFile]));
        Assert.Equal(Program.InvalidUsage, Program.Main(["module", "--assembly"]));
    }
}
