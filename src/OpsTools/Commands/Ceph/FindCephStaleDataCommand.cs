using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using OpsTools.Ceph;
using OpsTools.Engine.Ceph;
using OpsTools.Infrastructure;

namespace OpsTools.Commands.Ceph;

/// <summary>
/// <para type="synopsis">Finds CephFS directories whose whole tree has not changed for a given time, with their size.</para>
/// </summary>
[Cmdlet(VerbsCommon.Find, "CephStaleData", DefaultParameterSetName = ParameterSets.Path)]
[OutputType(typeof(CephStaleDirectory))]
public sealed class FindCephStaleDataCommand : CephStaleDataCmdlet
{
    private static class ParameterSets
    {
        public const string Path = "Path";
        public const string LiteralPath = "LiteralPath";
    }

    /// <summary>Directories whose subdirectories are examined; wildcards match directory names.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ParameterSets.Path, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Path { get; set; }

    /// <summary>Directories whose subdirectories are examined, taken literally.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.LiteralPath, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[]? LiteralPath { get; set; }

    /// <summary>How long a tree must have been unchanged: 30d, 12h, a TimeSpan, or a date.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [SinceTransformation]
    public DateTimeOffset OlderThan { get; set; }

    /// <summary>Subdirectory names to leave out; wildcards allowed.</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Exclude { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        const string Activity = "Finding stale CephFS data";
        List<string> parents = ResolvePaths(Path, LiteralPath);
        if (parents.Count == 0)
        {
            return;
        }

        IReadOnlyList<SwarmServiceMount>? mounts = ServiceMounts();
        var excluded = (Exclude ?? Array.Empty<string>()).Select(e => new WildcardPattern(e, WildcardOptions.CultureInvariant)).ToList();
        var fileSystem = new CephFileSystem(Timeout, ThrottleLimit);
        int found = 0;
        try
        {
            ForEach(fileSystem.FindStaleAsync(parents, OlderThan, name => excluded.Any(p => p.IsMatch(name)), mounts, CancellationToken), result =>
            {
                WriteProgressThrottled(ProgressIds.FindStale, Activity, result.Path, 0, 0);
                if (result.Error is not null)
                {
                    WriteEngineError(result.Error);
                    return;
                }

                found++;
                WriteObject(result.Value);
            });
        }
        finally
        {
            CompleteProgress(ProgressIds.FindStale, Activity);
        }

        WriteVerbose($"{found} director{(found == 1 ? "y" : "ies")} unchanged since {OlderThan:u} below {string.Join(", ", parents)}.");
    }

    /// <inheritdoc/>
    private protected override void OnServiceMountsUnknown(string reason) => WriteWarning($"{reason} MountedBy is left empty.");
}
