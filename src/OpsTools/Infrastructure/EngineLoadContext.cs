using System;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;

namespace OpsTools.Infrastructure;

/// <summary>
/// The load context of OpsTools.Engine and every third-party assembly it uses, so another
/// module's copy of YamlDotNet, Npgsql or Docker.DotNet never meets ours. Follows Microsoft's
/// "Resolving PowerShell module assembly dependency conflicts" pattern.
/// </summary>
internal sealed class EngineLoadContext : AssemblyLoadContext
{
    /// <summary>Assemblies that must come from the default context so both sides share their types.</summary>
    private static readonly string[] SharedAssemblies = { "OpsTools.Models", "System.Management.Automation" };

    private readonly string _dependencyDirectory;

    public EngineLoadContext(string dependencyDirectory)
        : base("OpsTools.Engine", isCollectible: false)
    {
        _dependencyDirectory = dependencyDirectory;
    }

    /// <summary>Directory the engine and its dependencies are loaded from.</summary>
    public string DependencyDirectory => _dependencyDirectory;

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (assemblyName.Name is null || Array.IndexOf(SharedAssemblies, assemblyName.Name) >= 0)
        {
            return null;
        }

        string candidate = Path.Combine(_dependencyDirectory, assemblyName.Name + ".dll");
        return File.Exists(candidate) ? LoadFromAssemblyPath(candidate) : null;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        string candidate = Path.Combine(_dependencyDirectory, unmanagedDllName);
        return File.Exists(candidate) ? LoadUnmanagedDllFromPath(candidate) : IntPtr.Zero;
    }
}
