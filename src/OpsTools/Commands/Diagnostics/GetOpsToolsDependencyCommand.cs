using System;
using System.Diagnostics;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;
using OpsTools.Diagnostics;
using OpsTools.Infrastructure;

namespace OpsTools.Commands.Diagnostics;

/// <summary>
/// <para type="synopsis">Lists the assemblies OpsTools ships, their versions and the load context each runs in.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "OpsToolsDependency", DefaultParameterSetName = ParameterSets.Default)]
[OutputType(typeof(ModuleAssembly))]
public sealed class GetOpsToolsDependencyCommand : OpsToolsCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    /// <summary>Only assemblies whose name matches; wildcards allowed.</summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        var filter = new NameFilter(Name);
        var all = new System.Collections.Generic.List<ModuleAssembly>
        {
            Describe(typeof(ModuleInitializer).Assembly),
            Describe(typeof(OpsToolsException).Assembly),
        };
        all.AddRange(EngineDependencies.LoadAndDescribe());
        WriteObject(filter.Select(all, a => a.Name, null, out _), enumerateCollection: true);
    }

    private static ModuleAssembly Describe(Assembly assembly) => new()
    {
        Name = assembly.GetName().Name ?? string.Empty,
        Version = assembly.GetName().Version?.ToString() ?? string.Empty,
        FileVersion = FileVersionInfo.GetVersionInfo(assembly.Location).ProductVersion,
        LoadContext = AssemblyLoadContext.GetLoadContext(assembly)?.Name ?? "Default",
        IsLoaded = true,
        Path = assembly.Location,
    };

    /// <summary>Engine call in its own type so that reflecting over the cmdlet does not load the engine.</summary>
    private static class EngineDependencies
    {
        public static System.Collections.Generic.IReadOnlyList<ModuleAssembly> LoadAndDescribe() =>
            OpsTools.Engine.Diagnostics.DependencyInspector.LoadAndDescribe();
    }
}
