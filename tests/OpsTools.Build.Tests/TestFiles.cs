using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;

namespace OpsTools.Build.Tests;

/// <summary>Where the fixture cmdlet assembly and the sample docs are.</summary>
internal static class TestFiles
{
    public static string FixtureAssembly { get; } = typeof(TestFiles).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "BuildFixtureAssembly")
        .Value!;

    /// <summary>The fixture's compile references, which its build lists beside it.</summary>
    public static IReadOnlyList<string> FixtureReferences { get; } =
        File.ReadAllLines(Path.ChangeExtension(FixtureAssembly, ".references.txt")).Where(l => l.Length > 0).ToList();

    public static string SampleDocs { get; } = Path.Combine(AppContext.BaseDirectory, "SampleDocs");

    public static string SamplePage(string name) => Path.Combine(SampleDocs, "en-US", name + ".md");
}

/// <summary>A private copy of the sample docs and manifest that a test may change, deleted afterwards.</summary>
internal sealed class Workspace : IDisposable
{
    public Workspace()
    {
        Root = Path.Combine(Path.GetTempPath(), "opstools-build-tests", Guid.NewGuid().ToString("N"));
        CopyDirectory(TestFiles.SampleDocs, Root);
    }

    public string Root { get; }

    public string Docs => Path.Combine(Root, "en-US");

    public string Manifest => Path.Combine(Root, "FixtureModule.psd1");

    public string Output => Path.Combine(Root, "out", "FixtureModule");

    public string Page(string name) => Path.Combine(Docs, name + ".md");

    public ModuleCommandOptions Options(string version = "1.2.3") =>
        new(TestFiles.FixtureAssembly, TestFiles.FixtureReferences, Docs, Manifest, version, Output);

    /// <summary>Replaces one exact piece of a page's text, failing if it is not there.</summary>
    public void EditPage(string name, string oldText, string newText) => Edit(Page(name), oldText, newText);

    /// <summary>Replaces one exact piece of the manifest's text, failing if it is not there.</summary>
    public void EditManifest(string oldText, string newText) => Edit(Manifest, oldText, newText);

    private static void Edit(string path, string oldText, string newText)
    {
        string text = File.ReadAllText(path);
        if (!text.Contains(oldText, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"'{oldText}' is not in {path}.");
        }

        File.WriteAllText(path, text.Replace(oldText, newText, StringComparison.Ordinal));
    }

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }

    private static void CopyDirectory(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (string file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        foreach (string directory in Directory.GetDirectories(source))
        {
            CopyDirectory(directory, Path.Combine(target, Path.GetFileName(directory)));
        }
    }
}
