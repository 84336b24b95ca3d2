using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using OpsTools.Ceph;
using OpsTools.Engine.Ceph;
using OpsTools.Infrastructure;

namespace OpsTools.Commands.Ceph;

/// <summary>
/// <para type="synopsis">Removes stale CephFS directories and reports the bytes reclaimed; refuses directories that running Swarm services mount.</para>
/// </summary>
[Cmdlet(VerbsCommon.Remove, "CephStaleData", DefaultParameterSetName = ParameterSets.Path, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(CephStaleDataRemoval))]
public sealed class RemoveCephStaleDataCommand : CephStaleDataCmdlet
{
    private static class ParameterSets
    {
        public const string Path = "Path";
        public const string LiteralPath = "LiteralPath";
        public const string InputObject = "InputObject";
    }

    private long _bytesReclaimed;
    private int _removed;

    /// <summary>Directories whose stale subdirectories are removed; wildcards match directory names.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ParameterSets.Path)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Path { get; set; }

    /// <summary>Directories whose stale subdirectories are removed, taken literally.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.LiteralPath)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[]? LiteralPath { get; set; }

    /// <summary>How long a tree must have been unchanged: 30d, 12h, a TimeSpan, or a date.</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = ParameterSets.Path)]
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = ParameterSets.LiteralPath)]
    [SinceTransformation]
    public DateTimeOffset OlderThan { get; set; }

    /// <summary>Subdirectory names to leave out; wildcards allowed.</summary>
    [Parameter(ParameterSetName = ParameterSets.Path)]
    [Parameter(ParameterSetName = ParameterSets.LiteralPath)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Exclude { get; set; }

    /// <summary>Stale directories from Find-CephStaleData.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.InputObject, ValueFromPipeline = true)]
    [ValidateNotNull]
    public CephStaleDirectory[]? InputObject { get; set; }

    /// <summary>Removes directories even when running Swarm services mount them.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        var fileSystem = new CephFileSystem(Timeout, ThrottleLimit);
        foreach (CephStaleDirectory stale in Candidates(fileSystem))
        {
            Remove(fileSystem, stale);
        }
    }

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        if (_removed > 0)
        {
            WriteVerbose(string.Create(CultureInfo.InvariantCulture, $"Removed {_removed} director{(_removed == 1 ? "y" : "ies")}, reclaimed {ByteSize.Format(_bytesReclaimed)} ({_bytesReclaimed} bytes)."));
        }
    }

    private IEnumerable<CephStaleDirectory> Candidates(CephFileSystem fileSystem)
    {
        if (ParameterSetName == ParameterSets.InputObject)
        {
            return InputObject ?? Array.Empty<CephStaleDirectory>();
        }

        List<string> parents = ResolvePaths(Path, LiteralPath);
        var excluded = (Exclude ?? Array.Empty<string>()).Select(e => new WildcardPattern(e, WildcardOptions.CultureInvariant)).ToList();
        var found = new List<CephStaleDirectory>();
        ForEach(fileSystem.FindStaleAsync(parents, OlderThan, name => excluded.Any(p => p.IsMatch(name)), null, CancellationToken), result =>
        {
            if (result.Error is not null)
            {
                WriteEngineError(result.Error);
            }
            else
            {
                found.Add(result.Value!);
            }
        });
        return found;
    }

    private void Remove(CephFileSystem fileSystem, CephStaleDirectory stale)
    {
        IReadOnlyList<SwarmServiceMount>? mounts = ServiceMounts();
        IReadOnlyList<string> users = mounts is null ? Array.Empty<string>() : SwarmServiceMount.ServicesUsing(mounts, stale.Path);
        if (users.Count > 0 && !Force)
        {
            WriteError(ErrorRecords.Create(
                "CephStaleDataInUse",
                ErrorCategory.ResourceBusy,
                stale.Path,
                $"Not removing '{stale.Path}': running Swarm service(s) {string.Join(", ", users)} mount it (or a directory below it).",
                "Remove or scale those services to 0 first (Get-SwarmService), or pass -Force to remove the data anyway."));
            return;
        }

        string description = string.Create(CultureInfo.InvariantCulture, $"Remove stale CephFS directory ({ByteSize.Format(stale.Bytes)}, {stale.Files} files, unchanged since {stale.LastChange:u}{(users.Count > 0 ? ", mounted by " + string.Join(", ", users) : string.Empty)})");
        if (!ShouldProcess($"{stale.Path} on {HostName}", description))
        {
            return;
        }

        string activity = $"Removing {stale.Path}";
        var progress = new CephRemovalProgress();
        try
        {
            CephStaleDataRemoval removal = AwaitWithProgress(
                fileSystem.RemoveTreeAsync(stale.Path, stale.Cutoff, progress, CancellationToken),
                () => WriteProgressThrottled(
                    ProgressIds.RemoveStale,
                    activity,
                    string.Create(CultureInfo.InvariantCulture, $"{progress.Phase}: {progress.FilesRemoved} of {progress.FilesTotal} files"),
                    progress.FilesRemoved,
                    progress.FilesTotal));
            _bytesReclaimed += removal.BytesReclaimed;
            _removed++;
            WriteObject(removal);
        }
        catch (OpsToolsException ex)
        {
            WriteEngineError(ex);
        }
        finally
        {
            CompleteProgress(ProgressIds.RemoveStale, activity);
        }
    }

    /// <summary>
    /// Without the mounts a directory a running instance uses could be deleted: stop before
    /// removing anything, unless -Force says the check is not wanted.
    /// </summary>
    private protected override void OnServiceMountsUnknown(string reason)
    {
        if (Force)
        {
            WriteWarning($"{reason} -Force: directories are removed without that check.");
            return;
        }

        ThrowTerminatingError(ErrorRecords.Create(
            "CephStaleDataMountsUnknown",
            ErrorCategory.ResourceUnavailable,
            DockerHost ?? "the default Docker endpoint",
            $"{reason} Nothing was removed: a stale directory may still be mounted by a running service.",
            "Make Docker reachable (-DockerHost or DOCKER_HOST, a swarm manager), or pass -Force to remove the directories without checking the services' mounts."));
    }
}
