using System.Management.Automation;
using OpsTools.Ceph;
using OpsTools.Engine.Ceph;
using OpsTools.Infrastructure;

namespace OpsTools.Commands.Ceph;

/// <summary>
/// <para type="synopsis">Removes the quotas of CephFS directories (both limits).</para>
/// </summary>
[Cmdlet(VerbsCommon.Remove, "CephQuota", DefaultParameterSetName = ParameterSets.Path, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(CephQuota))]
public sealed class RemoveCephQuotaCommand : CephFsCmdlet
{
    private static class ParameterSets
    {
        public const string Path = "Path";
        public const string LiteralPath = "LiteralPath";
    }

    /// <summary>Directories; wildcards match directory names.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ParameterSets.Path, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Path { get; set; }

    /// <summary>Directories, taken literally (no wildcards).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.LiteralPath, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[]? LiteralPath { get; set; }

    /// <summary>Writes the quota as CephFS reports it afterwards (no limits).</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        var fileSystem = new CephFileSystem(Timeout);
        foreach (string directory in ResolvePaths(Path, LiteralPath))
        {
            CephQuota current;
            try
            {
                current = Await(fileSystem.GetQuotaAsync(directory, CancellationToken));
            }
            catch (OpsToolsException ex)
            {
                WriteEngineError(ex);
                continue;
            }

            if (!current.HasLimit)
            {
                WriteVerbose($"{directory} has no quota: nothing to remove.");
                if (PassThru)
                {
                    WriteObject(current);
                }

                continue;
            }

            string change = SetCephQuotaCommand.Describe(current, current.MaxBytes is null ? null : 0, current.MaxFiles is null ? null : 0);
            if (!ShouldProcess($"{directory} on {HostName}", $"Remove CephFS quota: {change}"))
            {
                continue;
            }

            try
            {
                CephQuota updated = Await(fileSystem.RemoveQuotaAsync(directory, CancellationToken));
                WriteVerbose($"{directory}: {change}");
                if (PassThru)
                {
                    WriteObject(updated);
                }
            }
            catch (OpsToolsException ex)
            {
                WriteEngineError(ex);
            }
        }
    }
}
