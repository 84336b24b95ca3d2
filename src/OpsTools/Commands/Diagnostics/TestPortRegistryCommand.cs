using System;
using System.Linq;
using System.Management.Automation;
using OpsTools.Diagnostics;
using OpsTools.Engine.Diagnostics;
using OpsTools.Infrastructure;

namespace OpsTools.Commands.Diagnostics;

/// <summary>
/// <para type="synopsis">Checks a port registry (PORT_REGISTRY.yaml): overlapping blocks, compose published ports outside their block or used twice, and registered ports already listening on this host.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "PortRegistry", DefaultParameterSetName = ParameterSets.Default)]
[OutputType(typeof(PortRegistryFinding))]
public sealed class TestPortRegistryCommand : OpsToolsCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    /// <summary>The registry file.</summary>
    [Parameter(ParameterSetName = ParameterSets.Default, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>Compose files whose published ports to check; each file is its own project, named after its directory.</summary>
    [Parameter(ParameterSetName = ParameterSets.Default, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string[] ComposePath { get; set; } = Array.Empty<string>();

    /// <summary>Env files for the compose files' variables (default: the .env beside each compose file).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] EnvFile { get; set; } = Array.Empty<string>();

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        string registry = GetUnresolvedProviderPathFromPSPath(Path);
        string[] compose = ComposePath.Select(GetUnresolvedProviderPathFromPSPath).ToArray();
        string[] envFiles = EnvFile.Select(GetUnresolvedProviderPathFromPSPath).ToArray();
        try
        {
            WriteObject(Await(PortRegistry.CheckAsync(registry, compose, envFiles, null, CancellationToken)), enumerateCollection: true);
        }
        catch (OpsToolsException ex)
        {
            WriteEngineError(ex);
        }
    }
}
