using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace OpsTools.Infrastructure;

/// <summary>
/// Base of the cmdlets that read or change CephFS directories: the metadata timeout, path
/// resolution (PowerShell paths, wildcards expanded on the file system with that timeout) and
/// the pipeline-thread side of engine streams and progress.
/// </summary>
public abstract class CephFsCmdlet : OpsToolsCmdlet
{
    /// <summary>Ids of the Write-Progress activities of the Ceph cmdlets, one per cmdlet.</summary>
    protected static class ProgressIds
    {
        /// <summary>Get-CephUsage.</summary>
        public const int Usage = 0x6365_0001;
        /// <summary>Get-CephQuota.</summary>
        public const int Quota = 0x6365_0002;
        /// <summary>Find-CephStaleData.</summary>
        public const int FindStale = 0x6365_0003;
        /// <summary>Remove-CephStaleData.</summary>
        public const int RemoveStale = 0x6365_0004;
    }

    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(200);
    private DateTime _progressStarted = DateTime.MinValue;
    private DateTime _lastProgress = DateTime.MinValue;

    /// <summary>
    /// Longest wait for one metadata call (an MDS that does not answer makes calls block):
    /// seconds (<c>10</c>), a duration (<c>10s</c>, <c>1m</c>) or a TimeSpan. A call that does not
    /// return in time gives a <c>CephMetadataTimeout</c> error.
    /// </summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Turns the paths a user typed into full file-system paths: relative paths and PowerShell
    /// drives are resolved against the current location, <paramref name="path"/> entries with
    /// wildcards are expanded to the directories they match (listing directories on worker
    /// threads with the timeout), <paramref name="literalPath"/> entries are taken as they are.
    /// Problems are written as non-terminating errors.
    /// </summary>
    /// <param name="path">Paths that may hold wildcards.</param>
    /// <param name="literalPath">Paths taken literally.</param>
    /// <returns>Full paths, in the order given, each once.</returns>
    protected List<string> ResolvePaths(IEnumerable<string>? path, IEnumerable<string>? literalPath)
    {
        var resolved = new List<string>();
        foreach (string literal in literalPath ?? Array.Empty<string>())
        {
            if (ToFileSystemPath(literal) is { } full)
            {
                resolved.Add(full);
            }
        }

        foreach (string pattern in path ?? Array.Empty<string>())
        {
            if (ToFileSystemPath(pattern) is not { } full)
            {
                continue;
            }

            if (!WildcardPattern.ContainsWildcardCharacters(full))
            {
                resolved.Add(WildcardPattern.Unescape(full));
                continue;
            }

            List<string> matches = ExpandWildcards(full);
            if (matches.Count == 0)
            {
                WriteVerbose($"'{pattern}' matches no directory.");
            }

            resolved.AddRange(matches);
        }

        return resolved.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>Resolves one path without wildcards against the current location; null (and an error written) when it is not a file-system path.</summary>
    /// <param name="path">The path as typed.</param>
    /// <returns>The full path.</returns>
    protected string? ToFileSystemPath(string path)
    {
        string full;
        ProviderInfo provider;
        try
        {
            full = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out _);
        }
        catch (Exception ex) when (ex is ItemNotFoundException or DriveNotFoundException or ProviderNotFoundException or NotSupportedException or ArgumentException)
        {
            WriteError(ErrorRecords.Create("CephPathInvalid", ErrorCategory.InvalidArgument, path, $"'{path}' is not a usable path: {ex.Message}", "Give a file-system path such as /mnt/cephfs/odoo_instances."));
            return null;
        }

        if (!string.Equals(provider.Name, "FileSystem", StringComparison.OrdinalIgnoreCase))
        {
            WriteError(ErrorRecords.Create("CephPathInvalid", ErrorCategory.InvalidArgument, path, $"'{path}' is a {provider.Name} path, not a file-system path.", "Give a file-system path such as /mnt/cephfs/odoo_instances."));
            return null;
        }

        return full.Length > 1 ? full.TrimEnd('/') : full;
    }

    /// <summary>Waits for a task on the pipeline thread, calling <paramref name="tick"/> about every 200 ms meanwhile (for progress).</summary>
    /// <typeparam name="T">Result type.</typeparam>
    /// <param name="task">The task.</param>
    /// <param name="tick">Called on the pipeline thread while waiting.</param>
    /// <returns>The task's result.</returns>
    protected T AwaitWithProgress<T>(Task<T> task, Action tick)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(tick);
        while (!task.IsCompleted)
        {
            try
            {
                task.Wait(ProgressInterval, CancellationToken);
            }
            catch (OperationCanceledException) when (CancellationToken.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
            catch (AggregateException)
            {
                break; // the task failed: Await below rethrows its exception
            }

            tick();
        }

        return Await(task);
    }

    /// <summary>
    /// Writes a progress record at most every 200 ms, and only once the work has taken 200 ms
    /// (a quick command shows no bar); percent only when the total is known.
    /// </summary>
    /// <param name="activityId">The cmdlet's activity id.</param>
    /// <param name="activity">What the cmdlet does.</param>
    /// <param name="status">Where it is.</param>
    /// <param name="done">Items done.</param>
    /// <param name="total">Items in all, or 0 when unknown.</param>
    protected void WriteProgressThrottled(int activityId, string activity, string status, long done, long total)
    {
        DateTime now = DateTime.UtcNow;
        if (_progressStarted == DateTime.MinValue)
        {
            _progressStarted = now;
        }

        if (now - _progressStarted < ProgressInterval || now - _lastProgress < ProgressInterval)
        {
            return;
        }

        _lastProgress = now;
        var record = new ProgressRecord(activityId, activity, status);
        if (total > 0)
        {
            record.PercentComplete = (int)Math.Clamp(done * 100 / total, 0, 100);
        }

        WriteProgress(record);
    }

    /// <summary>Closes a progress activity (call from <c>finally</c>).</summary>
    /// <param name="activityId">The cmdlet's activity id.</param>
    /// <param name="activity">What the cmdlet did.</param>
    protected void CompleteProgress(int activityId, string activity)
    {
        if (_lastProgress == DateTime.MinValue)
        {
            return;
        }

        WriteProgress(new ProgressRecord(activityId, activity, "Done") { RecordType = ProgressRecordType.Completed });
    }

    /// <summary>The host name, for ShouldProcess targets: the mount is this host's.</summary>
    protected static string HostName => Environment.MachineName;

    private List<string> ExpandWildcards(string full)
    {
        string[] segments = full.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var candidates = new List<string> { "/" };
        foreach (string segment in segments)
        {
            var next = new List<string>();
            if (!WildcardPattern.ContainsWildcardCharacters(segment))
            {
                string name = WildcardPattern.Unescape(segment);
                next.AddRange(candidates.Select(c => c == "/" ? "/" + name : c + "/" + name));
            }
            else
            {
                // File names on Linux are case-sensitive, and so is the match.
                var pattern = new WildcardPattern(segment, WildcardOptions.CultureInvariant);
                foreach (string candidate in candidates)
                {
                    IReadOnlyList<string> subdirectories;
                    try
                    {
                        subdirectories = Await(EngineCalls.ListSubdirectoriesAsync(candidate, Timeout, CancellationToken));
                    }
                    catch (OpsToolsException ex) when (ex.Kind is OpsToolsErrorKind.ObjectNotFound or OpsToolsErrorKind.InvalidArgument)
                    {
                        continue; // a pattern below a missing directory or a file matches nothing
                    }
                    catch (OpsToolsException ex)
                    {
                        WriteEngineError(ex);
                        continue;
                    }

                    next.AddRange(subdirectories.Where(s => pattern.IsMatch(System.IO.Path.GetFileName(s))));
                }
            }

            candidates = next;
            if (candidates.Count == 0)
            {
                break;
            }
        }

        return candidates;
    }

    /// <summary>Engine calls in their own type so reflecting over the cmdlets does not load the engine.</summary>
    private static class EngineCalls
    {
        public static Task<IReadOnlyList<string>> ListSubdirectoriesAsync(string directory, TimeSpan timeout, CancellationToken cancellationToken) =>
            new OpsTools.Engine.Ceph.CephFileSystem(timeout).ListSubdirectoriesAsync(directory, cancellationToken);
    }
}
