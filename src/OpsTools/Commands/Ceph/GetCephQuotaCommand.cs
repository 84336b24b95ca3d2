using System.Collections.Generic;
using System.Management.Automation;
using OpsTools.Ceph;
using OpsTools.Engine.Ceph;
using OpsTools.Infrastructure;

namespace OpsTools.Commands.Ceph;

/// <summary>
/// <para type="synopsis">Gets the quotas of CephFS directories.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "CephQuota", DefaultParameterSetName = ParameterSets.Path)]
[OutputType(typeof(CephQuota))]
public sealed class GetCephQuotaCommand : CephFsCmdlet
{
    private static class ParameterSets
    {
        public const string Path = "Path";
        public const string LiteralPath = "LiteralPath";
    }

    private readonly List<string> _directories = new();

    /// <summary>Directories; wildcards match directory names. Defaults to the current location.</summary>
    [Parameter(Position = 0, ParameterSetName = ParameterSets.Path, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Path { get; set; }

    /// <summary>Directories, taken literally (no wildcards).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.LiteralPath, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[]? LiteralPath { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        // Collected here and read in EndProcessing, in parallel, however they arrive.
        _directories.AddRange(ResolvePaths(ParameterSetName == ParameterSets.Path ? Path ?? new[] { "." } : null, LiteralPath));
    }

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        const string Activity = "Reading CephFS quotas";
        var fileSystem = new CephFileSystem(Timeout);
        int done = 0;
        try
        {
            ForEach(fileSystem.GetQuotasAsync(_directories, CancellationToken), result =>
            {
                WriteProgressThrottled(ProgressIds.Quota, Activity, result.Path, ++done, _directories.Count);
                if (result.Error is not null)
                {
                    WriteEngineError(result.Error);
                }
                else
                {
                    WriteObject(result.Value);
                }
            });
        }
        finally
        {
            CompleteProgress(ProgressIds.Quota, Activity);
        }
    }
}
