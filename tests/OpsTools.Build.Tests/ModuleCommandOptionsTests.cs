using System.Collections.Generic;
using System.IO;
using Xunit;

namespace OpsTools.Build.Tests;

public sealed class ModuleCommandOptionsTests
{
    [Fact]
    public void Parses_every_option_with_repeated_and_semicolon_separated_references()
    {
        var errors = new List<string>();

        ModuleCommandOptions? options = ModuleCommandOptions.Parse(
            [
                "module", "--assembly", "/b/OpsTools.dll", "--reference", "/r/a.dll", "--reference=/r/b.dll;/r/c.dll",
                "--docs", "/d", "--manifest-source", "/m/OpsTools.psd1", "--version", "1.2.3", "--output", "/o",
            ],
            errors);

        Assert.Empty(errors);
        Assert.Equal(
            new ModuleCommandOptions("/b/OpsTools.dll", options!.ReferencePaths, "/d", "/m/OpsTools.psd1", "1.2.3", "/o"),
            options);
        Assert.Equal(["/r/a.dll", "/r/b.dll", "/r/c.dll"], options.ReferencePaths);
    }

    [Fact]
    public void Reads_arguments_from_a_response_file_one_per_line()
    {
        string file = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(file, ["--assembly", "/b/OpsTools.dll", "", "  --reference  ", "/r/a.dll", "--docs=/d"]);
            var errors = new List<string>();

            ModuleCommandOptions? options = ModuleCommandOptions.Parse(
                ["module", "@" + file, "--manifest-source", "/m/OpsTools.psd1", "--version", "1.2.3", "--output", "/o"],
                errors);

            Assert.Empty(errors);
            Assert.Equal("/b/OpsTools.dll", options!.AssemblyPath);
            Assert.Equal(["/r/a.dll"], options.ReferencePaths);
            Assert.Equal("/d", options.DocsDirectory);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData(new string[0], "No command")]
    [InlineData(new[] { "help" }, "Unknown command")]
    [InlineData(new[] { "module", "--assembly", "a.dll" }, "'--docs' is required")]
    [InlineData(new[] { "module", "--colour", "red" }, "Unknown option '--colour'")]
    [InlineData(new[] { "module", "--version", "v1.0-beta" }, "not a module version")]
    [InlineData(new[] { "module", "--output" }, "needs a value")]
    [InlineData(new[] { "module", "@/nonexistent/args.rsp" }, "Cannot read response file")]
    public void Reports_an_invalid_command_line(string[] args, string expected)
    {
        var errors = new List<string>();

        Assert.Null(ModuleCommandOptions.Parse(args, errors));
        Assert.Contains(errors, e => e.Contains(expected, System.StringComparison.Ordinal));
    }
}
