using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace OpsTools.Infrastructure;

/// <summary>
/// Runs when the module is imported. It only registers a resolver: the engine and its
/// dependencies load on the first command that needs them, not at import.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private const string EngineAssemblyName = "OpsTools.Engine";

    private static readonly object Gate = new();
    private static EngineLoadContext? s_engineContext;

    /// <summary>The engine's load context once created; null before the first command that needs it.</summary>
    internal static EngineLoadContext? EngineContext => s_engineContext;

    /// <inheritdoc/>
    public void OnImport()
    {
        AssemblyLoadContext.Default.Resolving += ResolveEngine;
    }

    /// <inheritdoc/>
    public void OnRemove(PSModuleInfo psModuleInfo)
    {
        AssemblyLoadContext.Default.Resolving -= ResolveEngine;
        if (s_engineContext is not null)
        {
            EngineShutdown.Run();
        }
    }

    /// <summary>Creates the engine context on first use.</summary>
    internal static EngineLoadContext GetOrCreateEngineContext()
    {
        lock (Gate)
        {
            if (s_engineContext is null)
            {
                string moduleDirectory = Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!;
                s_engineContext = new EngineLoadContext(Path.Combine(moduleDirectory, "Dependencies"));
            }

            return s_engineContext;
        }
    }

    private static Assembly? ResolveEngine(AssemblyLoadContext defaultContext, AssemblyName assemblyName)
    {
        // Only the engine is resolved from here; its own dependencies resolve inside its context.
        if (!string.Equals(assemblyName.Name, EngineAssemblyName, StringComparison.Ordinal))
        {
            return null;
        }

        EngineLoadContext context = GetOrCreateEngineContext();
        return context.LoadFromAssemblyName(assemblyName);
    }

    /// <summary>Kept in its own type so OnRemove does not load the engine when it was never used.</summary>
    private static class EngineShutdown
    {
        public static void Run() => OpsTools.Engine.Docker.DockerConnection.DisposeAll();
    }
}
