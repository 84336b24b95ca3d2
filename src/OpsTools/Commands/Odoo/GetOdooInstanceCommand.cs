using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using OpsTools.Engine.Odoo;
using OpsTools.Engine.Postgres;
using OpsTools.Infrastructure;
using OpsTools.Odoo;

namespace OpsTools.Commands.Odoo;

/// <summary>
/// <para type="synopsis">Gets the platform's Odoo instances (instances joined with db_servers): database, service and data directory, ready for Backup-OdooInstance.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "OdooInstance", DefaultParameterSetName = ParameterSets.Default)]
[OutputType(typeof(OdooInstance))]
public sealed class GetOdooInstanceCommand : PlatformCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    private IReadOnlyList<OdooInstance>? _instances;

    /// <summary>Instance names or ids; wildcards match names.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Instance", "InstanceName")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>Only instances with one of these statuses (running, stopped...).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Status { get; set; }

    /// <summary>Directory holding the instances' data directories.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string InstancesRoot { get; set; } = OdooInstanceCatalog.DefaultInstancesRoot;

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        _instances ??= EngineCalls.Load(this);
        IEnumerable<OdooInstance> candidates = _instances
            .Where(i => Status is null || Status.Contains(i.Status ?? string.Empty, StringComparer.OrdinalIgnoreCase));
        IReadOnlyList<OdooInstance> selected = new NameFilter(Name).Select(candidates, i => i.Name, i => i.Id.ToString(), out IReadOnlyList<string> unmatched);
        foreach (string missing in unmatched)
        {
            WriteError(ErrorRecords.Create(
                "OdooInstanceNotFound",
                ErrorCategory.ObjectNotFound,
                missing,
                $"No instance named '{missing}' is in the platform's instances table{(Status is null ? string.Empty : " with the -Status given")}.",
                "Run Get-OdooInstance without -Name to list the instances."));
        }

        WriteObject(selected, enumerateCollection: true);
    }

    /// <summary>Engine calls in a nested type so the cmdlet class names no engine type in its members.</summary>
    private static class EngineCalls
    {
        public static IReadOnlyList<OdooInstance> Load(GetOdooInstanceCommand cmdlet)
        {
            string server = cmdlet.GetPlatformServerText();
            PostgresEndpoint endpoint = cmdlet.AwaitOrTerminate(_ => System.Threading.Tasks.Task.FromResult(PostgresConnections.ResolvePlatform(server, cmdlet.EnginePlatformCredential)));
            cmdlet.WriteVerbose($"{cmdlet.MyInvocation.MyCommand.Name}: platform database {endpoint.Describe()}");
            foreach (string warning in endpoint.Warnings)
            {
                cmdlet.WriteWarning(warning);
            }

            using PlatformDatabase platform = cmdlet.AwaitOrTerminate(ct => PostgresConnections.OpenPlatformAsync(endpoint, ct));
            return cmdlet.AwaitOrTerminate(ct => OdooInstanceCatalog.GetInstancesAsync(platform, cmdlet.InstancesRoot, ct));
        }
    }
}
