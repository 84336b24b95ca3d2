using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using OpsTools.Diagnostics;

namespace OpsTools.Engine.Diagnostics;

/// <summary>
/// Reports the assemblies bundled with the engine and loads each into the engine's own context,
/// so an operator can see which versions OpsTools runs with when another module brings others.
/// </summary>
public static class DependencyInspector
{
    /// <summary>Loads every bundled assembly into the engine's context and describes it.</summary>
    /// <returns>One entry per bundled assembly, engine first.</returns>
    public static IReadOnlyList<ModuleAssembly> LoadAndDescribe()
    {
        Assembly engine = typeof(DependencyInspector).Assembly;
        AssemblyLoadContext context = AssemblyLoadContext.GetLoadContext(engine) ?? AssemblyLoadContext.Default;
        string directory = Path.GetDirectoryName(engine.Location) ?? AppContext.BaseDirectory;
        var result = new List<ModuleAssembly>();
        foreach (string file in Directory.EnumerateFiles(directory, "*.dll").OrderBy(f => f, StringComparer.Ordinal))
        {
            AssemblyName name;
            try
            {
                name = AssemblyName.GetAssemblyName(file);
            }
            catch (BadImageFormatException)
            {
                continue; // a native library
            }

            Assembly? loaded = null;
            try
            {
                loaded = context.LoadFromAssemblyName(name);
            }
            catch (Exception ex) when (ex is FileLoadException or FileNotFoundException)
            {
                // Reported as not loaded below.
            }

            result.Add(new ModuleAssembly
            {
                Name = name.Name ?? Path.GetFileNameWithoutExtension(file),
                Version = (loaded?.GetName().Version ?? name.Version)?.ToString() ?? string.Empty,
                FileVersion = FileVersionInfo.GetVersionInfo(file).ProductVersion,
                LoadContext = loaded is null ? context.Name ?? "?" : AssemblyLoadContext.GetLoadContext(loaded)?.Name ?? "?",
                IsLoaded = loaded is not null,
                Path = loaded?.Location is { Length: > 0 } location ? location : file,
            });
        }

        return result
            .OrderBy(a => a.Name == engine.GetName().Name ? 0 : 1)
            .ThenBy(a => a.Name, StringComparer.Ordinal)
            .ToList();
    }
}
