using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using OpsTools.Build.Manifest;
using Xunit;

namespace OpsTools.Build.Tests.Manifest;

public sealed class ModuleManifestTests
{
    private static (ModuleManifest? Manifest, List<Diagnostic> Diagnostics) Parse(string text)
    {
        var diagnostics = new List<Diagnostic>();
        ModuleManifest? manifest = ModuleManifest.Parse("/src/OpsTools.psd1", text, new UTF8Encoding(false), diagnostics);
        return (manifest, diagnostics);
    }

    [Fact]
    public void Reads_a_list_that_spans_lines_with_both_kinds_of_quote_and_comments()
    {
        (ModuleManifest? manifest, List<Diagnostic> diagnostics) = Parse(
            """
            @{
                ModuleVersion = '0.0.0'
                CmdletsToExport = @(
                    'Get-SwarmService'   # Swarm
                    "Get-SwarmNode",
                    <# 'Get-Hidden', #> 'Get-CephPool'; 'It''s-Quoted'
                )
            }
            """);

        Assert.Empty(diagnostics);
        Assert.Equal(["Get-SwarmService", "Get-SwarmNode", "Get-CephPool", "It's-Quoted"], manifest!.CmdletsToExport.Select(n => n.Name));
        Assert.Equal(new SourceLocation("/src/OpsTools.psd1", 5, 9), manifest.CmdletsToExport[1].Location);
        Assert.Equal(3, manifest.CmdletsToExportLocation.Line);
    }

    [Fact]
    public void Reads_a_list_written_without_the_array_operator()
    {
        (ModuleManifest? manifest, _) = Parse("@{ ModuleVersion = \"0.0.0\"; CmdletsToExport = 'Get-A', 'Get-B' }");

        Assert.Equal(["Get-A", "Get-B"], manifest!.CmdletsToExport.Select(n => n.Name));
    }

    [Fact]
    public void Reads_an_empty_list()
    {
        (ModuleManifest? manifest, List<Diagnostic> diagnostics) = Parse("@{ ModuleVersion = '0.0.0'; CmdletsToExport = @() }");

        Assert.Empty(diagnostics);
        Assert.Empty(manifest!.CmdletsToExport);
    }

    [Fact]
    public void Replaces_only_the_top_level_module_version()
    {
        const string Text =
            """
            # ModuleVersion = '0.0.0' (a comment, kept as is)
            @{
                RequiredModules = @(@{ ModuleName = 'Other'; ModuleVersion = '0.0.0' })
                ModuleVersion   = '0.0.0'
                Description     = 'ModuleVersion = ''0.0.0'''
                CmdletsToExport = @()
                PrivateData     = @{ PSData = @{ ModuleVersion = '0.0.0' } }
            }
            """;
        (ModuleManifest? manifest, List<Diagnostic> diagnostics) = Parse(Text);

        Assert.Empty(diagnostics);
        Assert.Equal("0.0.0", manifest!.ModuleVersion);
        Assert.Equal(Text.Replace("ModuleVersion   = '0.0.0'", "ModuleVersion   = '1.4.2'", System.StringComparison.Ordinal), manifest.WithModuleVersion("1.4.2"));
    }

    [Fact]
    public void Keeps_the_byte_order_mark_and_line_endings_of_the_source()
    {
        string directory = Path.Combine(Path.GetTempPath(), "opstools-build-tests", System.Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            string source = Path.Combine(directory, "M.psd1");
            File.WriteAllText(source, "@{\r\n    ModuleVersion = '0.0.0'\r\n    CmdletsToExport = @()\r\n}\r\n", new UTF8Encoding(true));
            var diagnostics = new List<Diagnostic>();

            ModuleManifest.Read(source, diagnostics)!.WriteWithModuleVersion(Path.Combine(directory, "out", "M.psd1"), "3.0.0");

            byte[] written = File.ReadAllBytes(Path.Combine(directory, "out", "M.psd1"));
            Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, written.Take(3));
            Assert.Equal("@{\r\n    ModuleVersion = '3.0.0'\r\n    CmdletsToExport = @()\r\n}\r\n", Encoding.UTF8.GetString(written, 3, written.Length - 3));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("@{ ModuleVersion = '0.0.0' }", "no CmdletsToExport")]
    [InlineData("@{ CmdletsToExport = @() }", "no ModuleVersion")]
    [InlineData("@{ ModuleVersion = '0.0.0'; CmdletsToExport = '*' }", "wildcard")]
    [InlineData("@{ ModuleVersion = '0.0.0'; CmdletsToExport = @('Get-A', 'Get-B' }", "not closed")]
    [InlineData("@{ ModuleVersion = 1.0; CmdletsToExport = @() }", "quoted string")]
    [InlineData("@{ ModuleVersion = '0.0.0'; CmdletsToExport = @('Get-A) }", "not closed")]
    public void Reports_a_manifest_it_cannot_use(string text, string expected)
    {
        (ModuleManifest? manifest, List<Diagnostic> diagnostics) = Parse(text);

        Assert.Null(manifest);
        Diagnostic diagnostic = Assert.Single(diagnostics);
        Assert.Equal(ErrorCodes.MalformedManifest, diagnostic.Code);
        Assert.Contains(expected, diagnostic.Message, System.StringComparison.Ordinal);
    }
}
