using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using OpsTools.Build.Cmdlets;
using OpsTools.Build.Help;
using OpsTools.Build.Manifest;
using OpsTools.Build.Validation;

namespace OpsTools.Build;

/// <summary>
/// The "module" command: reads the cmdlets, the pages and the manifest, checks that they agree
/// and, only when everything does, writes the manifest and the help into the module folder.
/// </summary>
internal static class ModuleBuilder
{
    public const string AboutPrefix = "about_";
    public const string HelpCulture = "en-US";

    /// <summary>Runs the command; the result lists every error found, and the files written when there were none.</summary>
    public static ModuleBuildResult Run(ModuleCommandOptions options)
    {
        var diagnostics = new List<Diagnostic>();
        IReadOnlyList<CmdletDefinition> cmdlets = CmdletReader.Read(options.AssemblyPath, options.ReferencePaths, diagnostics);
        ModuleManifest? manifest = ModuleManifest.Read(options.ManifestSource, diagnostics);
        string moduleName = manifest?.ModuleName ?? Path.GetFileNameWithoutExtension(options.ManifestSource);

        var pages = new List<HelpPage>();
        var aboutPages = new List<string>();
        if (!Directory.Exists(options.DocsDirectory))
        {
            diagnostics.Add(new Diagnostic(ErrorCodes.InvalidInvocation, "The docs folder does not exist.", new SourceLocation(options.DocsDirectory)));
        }
        else
        {
            foreach (string path in Directory.GetFiles(options.DocsDirectory, "*.md").Order(StringComparer.Ordinal))
            {
                string name = Path.GetFileNameWithoutExtension(path);
                if (name.StartsWith(AboutPrefix, StringComparison.OrdinalIgnoreCase))
                {
                    aboutPages.Add(path);
                }
                else if (!string.Equals(name, moduleName, StringComparison.OrdinalIgnoreCase))
                {
                    // platyPS's module page (<Module>.md) is not a cmdlet page.
                    pages.Add(HelpPageParser.ParseFile(path, diagnostics));
                }
            }
        }

        List<(CmdletDefinition Cmdlet, HelpPage Page)> commands =
            HelpValidator.Validate(cmdlets, pages, options.AssemblyPath, options.DocsDirectory, diagnostics);
        if (manifest is not null)
        {
            ValidateExports(cmdlets, manifest, diagnostics);
        }

        if (diagnostics.Count > 0 || manifest is null)
        {
            return new ModuleBuildResult(diagnostics, []);
        }

        string helpDirectory = Path.Combine(options.OutputDirectory, HelpCulture);
        var written = new List<string>();
        string manifestPath = Path.Combine(options.OutputDirectory, Path.GetFileName(options.ManifestSource));
        manifest.WriteWithModuleVersion(manifestPath, options.Version);
        written.Add(manifestPath);

        string helpPath = Path.Combine(helpDirectory, Path.GetFileName(options.AssemblyPath) + "-Help.xml");
        MamlWriter.Save(MamlWriter.Build(commands), helpPath);
        written.Add(helpPath);

        foreach (string aboutPage in aboutPages)
        {
            string topic = Path.GetFileNameWithoutExtension(aboutPage);
            string aboutPath = Path.Combine(helpDirectory, topic + ".help.txt");
            File.WriteAllText(aboutPath, AboutTopicWriter.Render(topic, File.ReadAllText(aboutPage)));
            written.Add(aboutPath);
        }

        return new ModuleBuildResult(diagnostics, written);
    }

    private static void ValidateExports(IReadOnlyList<CmdletDefinition> cmdlets, ModuleManifest manifest, List<Diagnostic> diagnostics)
    {
        var exported = new HashSet<string>(manifest.CmdletsToExport.Select(n => n.Name), StringComparer.OrdinalIgnoreCase);
        foreach (CmdletDefinition cmdlet in cmdlets.Where(c => !exported.Contains(c.Name)))
        {
            diagnostics.Add(new Diagnostic(
                ErrorCodes.CmdletNotExported,
                $"Cmdlet '{cmdlet.Name}' ({cmdlet.TypeName}) is in the assembly but not in CmdletsToExport.",
                manifest.CmdletsToExportLocation));
        }

        var found = new HashSet<string>(cmdlets.Select(c => c.Name), StringComparer.OrdinalIgnoreCase);
        foreach (ManifestName name in manifest.CmdletsToExport.Where(n => !found.Contains(n.Name)))
        {
            diagnostics.Add(new Diagnostic(
                ErrorCodes.ExportedCmdletMissing,
                $"CmdletsToExport lists '{name.Name}', but the assembly has no such cmdlet.",
                name.Location));
        }
    }
}

/// <summary>What a run found and wrote; it succeeded when <see cref="Diagnostics"/> is empty.</summary>
internal sealed record ModuleBuildResult(IReadOnlyList<Diagnostic> Diagnostics, IReadOnlyList<string> WrittenFiles)
{
    public bool Succeeded => Diagnostics.Count == 0;
}
