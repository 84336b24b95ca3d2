using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using OpsTools.Ceph;
using OpsTools.Engine.Ceph;
using OpsTools.Infrastructure;

namespace OpsTools.Commands.Ceph;

/// <summary>
/// <para type="synopsis">Gets the size, file counts, last change and quota use of CephFS directories from their recursive statistics.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "CephUsage", DefaultParameterSetName = ParameterSets.Path)]
[OutputType(typeof(CephUsage))]
public sealed class GetCephUsageCommand : CephFsCmdlet
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

    /// <summary>Also report the subdirectories, this many levels down (0: the directories alone).</summary>
    [Parameter]
    [ValidateRange(0, 64)]
    public int Depth { get; set; }

    /// <summary>For a directory that is not on CephFS, count by walking its tree instead of writing an error.</summary>
    [Parameter]
    public SwitchParameter Recurse { get; set; }

    /// <summary>Directories read at once.</summary>
    [Parameter]
    [ValidateRange(1, 256)]
    public int ThrottleLimit { get; set; } = CephFileSystem.DefaultThrottleLimit;

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        // Collected here and read in EndProcessing, in parallel, however they arrive.
        _directories.AddRange(ResolvePaths(ParameterSetName == ParameterSets.Path ? Path ?? new[] { "." } : null, LiteralPath));
    }

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        const string Activity = "Reading CephFS statistics";
        var fileSystem = new CephFileSystem(Timeout, ThrottleLimit);
        List<string> directories = _directories.Distinct(System.StringComparer.Ordinal).ToList();
        if (Depth > 0)
        {
            IReadOnlyList<CephResult<string>> expanded = Await(fileSystem.ExpandAsync(directories, Depth, CancellationToken));
            directories = new List<string>();
            foreach (CephResult<string> entry in expanded)
            {
                if (entry.Error is not null)
                {
                    WriteEngineError(entry.Error);
                }
                else
                {
                    directories.Add(entry.Value!);
                }
            }
        }

        int done = 0;
        try
        {
            ForEach(fileSystem.GetUsageAsync(directories, Recurse, CancellationToken), result =>
            {
                WriteProgressThrottled(ProgressIds.Usage, Activity, result.Path, ++done, directories.Count);
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
            CompleteProgress(ProgressIds.Usage, Activity);
        }
    }
}
