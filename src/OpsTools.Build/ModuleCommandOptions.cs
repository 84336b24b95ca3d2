using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace OpsTools.Build;

/// <summary>The arguments of <c>OpsTools.Build module</c>, with every path made absolute.</summary>
internal sealed record ModuleCommandOptions(
    string AssemblyPath,
    IReadOnlyList<string> ReferencePaths,
    string DocsDirectory,
    string ManifestSource,
    string Version,
    string OutputDirectory)
{
    public const string Usage =
        """
        Usage: dotnet OpsTools.Build.dll module --assembly <OpsTools.dll> --reference <dll> [--reference <dll> ...]
                 --docs <docs/en-US> --manifest-source <OpsTools.psd1> --version <x.y.z> --output <out/OpsTools>

          --assembly         the built cmdlets assembly (read with MetadataLoadContext, never executed)
          --reference        a compile reference of that assembly; repeat it, or separate paths with ';'
          --docs             the folder of platyPS-layout pages: <Verb-Noun>.md and about_*.md
          --manifest-source  the module manifest with an explicit CmdletsToExport list
          --version          the ModuleVersion to stamp into the written manifest
          --output           the module folder to write <manifest>.psd1 and en-US/ help into

          Options may also be written --name=value. An argument @file reads more arguments from
          file, one per line (blank lines are skipped).
        """;

    private static readonly string[] SingleValueOptions = ["assembly", "docs", "manifest-source", "version", "output"];

    /// <summary>
    /// Parses the command line (after response-file expansion). Returns null and fills
    /// <paramref name="errors"/> when it is not a complete, valid invocation.
    /// </summary>
    public static ModuleCommandOptions? Parse(IReadOnlyList<string> arguments, List<string> errors)
    {
        List<string> args = ExpandResponseFiles(arguments, errors, depth: 0);
        if (errors.Count > 0)
        {
            return null;
        }

        if (args.Count == 0 || !string.Equals(args[0], "module", StringComparison.Ordinal))
        {
            errors.Add(args.Count == 0 ? "No command given; expected 'module'." : $"Unknown command '{args[0]}'; expected 'module'.");
            return null;
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var references = new List<string>();
        for (int i = 1; i < args.Count; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                errors.Add($"Unexpected argument '{arg}'.");
                continue;
            }

            string name = arg[2..];
            string? value = null;
            int equals = name.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                value = name[(equals + 1)..];
                name = name[..equals];
            }

            bool isReference = name == "reference";
            if (!isReference && !SingleValueOptions.Contains(name))
            {
                errors.Add($"Unknown option '--{name}'.");
                continue;
            }

            if (value is null)
            {
                if (i + 1 >= args.Count)
                {
                    errors.Add($"Option '--{name}' needs a value.");
                    continue;
                }

                value = args[++i];
            }

            if (isReference)
            {
                references.AddRange(value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            }
            else if (!values.TryAdd(name, value))
            {
                errors.Add($"Option '--{name}' is given more than once.");
            }
        }

        foreach (string name in SingleValueOptions.Where(n => !values.ContainsKey(n)))
        {
            errors.Add($"Option '--{name}' is required.");
        }

        if (values.TryGetValue("version", out string? version) && !IsModuleVersion(version))
        {
            errors.Add($"Version '{version}' is not a module version (two to four numbers: x.y.z).");
        }

        if (errors.Count > 0)
        {
            return null;
        }

        return new ModuleCommandOptions(
            Path.GetFullPath(values["assembly"]),
            references.Select(Path.GetFullPath).ToList(),
            Path.GetFullPath(values["docs"]),
            Path.GetFullPath(values["manifest-source"]),
            values["version"],
            Path.GetFullPath(values["output"]));
    }

    // ModuleVersion is a System.Version: no prerelease label, no leading 'v'.
    private static bool IsModuleVersion(string text) =>
        System.Version.TryParse(text, out _) && text.All(c => char.IsAsciiDigit(c) || c == '.');

    private static List<string> ExpandResponseFiles(IReadOnlyList<string> arguments, List<string> errors, int depth)
    {
        var expanded = new List<string>();
        foreach (string argument in arguments)
        {
            if (!argument.StartsWith('@'))
            {
                expanded.Add(argument);
                continue;
            }

            string path = argument[1..];
            if (depth >= 4)
            {
                errors.Add($"Response file '{path}' is nested too deeply.");
                continue;
            }

            string[] lines;
            try
            {
                lines = File.ReadAllLines(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                errors.Add($"Cannot read response file '{path}': {ex.Message}");
                continue;
            }

            string[] fileArguments = lines.Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
            expanded.AddRange(ExpandResponseFiles(fileArguments, errors, depth + 1));
        }

        return expanded;
    }
}
