using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.IO.Enumeration;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using OpsTools.Ceph;
using OpsTools.Engine.Ceph.Native;

namespace OpsTools.Engine.Ceph;

/// <summary>The outcome for one path of a multi-path operation: a value, or the error for that path.</summary>
/// <typeparam name="T">Value type.</typeparam>
/// <param name="Path">The path.</param>
/// <param name="Value">The value, when the path succeeded.</param>
/// <param name="Error">The error, when it failed.</param>
public readonly record struct CephResult<T>(string Path, T? Value, OpsToolsException? Error);

/// <summary>Counters of a removal in progress, updated by the removing threads and read by the caller.</summary>
public sealed class CephRemovalProgress
{
    private long _filesTotal;
    private long _filesRemoved;
    private long _directoriesRemoved;

    /// <summary>Files found in the tree (known once the tree has been listed).</summary>
    public long FilesTotal => Interlocked.Read(ref _filesTotal);

    /// <summary>Files removed so far.</summary>
    public long FilesRemoved => Interlocked.Read(ref _filesRemoved);

    /// <summary>Directories removed so far.</summary>
    public long DirectoriesRemoved => Interlocked.Read(ref _directoriesRemoved);

    /// <summary>What the removal is doing: <c>Listing</c>, <c>Removing files</c>, <c>Removing directories</c>.</summary>
    public string Phase { get; internal set; } = "Listing";

    internal void AddFilesTotal(long count) => Interlocked.Add(ref _filesTotal, count);

    internal void FileRemoved() => Interlocked.Increment(ref _filesRemoved);

    internal void DirectoryRemoved() => Interlocked.Increment(ref _directoriesRemoved);
}

/// <summary>
/// CephFS directories through their virtual extended attributes: quotas, recursive statistics,
/// mount checks and removal of stale trees. Every call that touches the file system runs on
/// its own thread with a timeout (see <see cref="BlockingCalls"/>), so a dead MDS gives an
/// error after <see cref="Timeout"/> instead of a hung caller.
/// </summary>
public sealed class CephFileSystem
{
    /// <summary>Default longest wait for one metadata call.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Default number of directories read at once.</summary>
    public const int DefaultThrottleLimit = 16;

    private static readonly EnumerationOptions ListOptions = new()
    {
        AttributesToSkip = 0,
        IgnoreInaccessible = false,
        RecurseSubdirectories = false,
        ReturnSpecialDirectories = false,
    };

    /// <summary>Creates the accessor.</summary>
    /// <param name="timeout">Longest wait for one metadata call; null for <see cref="DefaultTimeout"/>.</param>
    /// <param name="throttleLimit">Directories read at once.</param>
    public CephFileSystem(TimeSpan? timeout = null, int throttleLimit = DefaultThrottleLimit)
    {
        Timeout = timeout ?? DefaultTimeout;
        ThrottleLimit = Math.Max(1, throttleLimit);
    }

    /// <summary>Longest wait for one metadata call.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Directories read at once.</summary>
    public int ThrottleLimit { get; }

    // ------------------------------------------------------------------ directories

    /// <summary>Full paths of the subdirectories of a directory (not following symbolic links), sorted.</summary>
    /// <param name="directory">Full path of the directory.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The subdirectories.</returns>
    public Task<IReadOnlyList<string>> ListSubdirectoriesAsync(string directory, CancellationToken cancellationToken = default)
    {
        string what = $"list the directory '{directory}'";
        return BlockingCalls.RunAsync(MountKey(MountTable.Read(), directory), what, () => ListSubdirectories(directory, what), Timeout, cancellationToken);
    }

    /// <summary>
    /// The given directories and their subdirectories down to <paramref name="depth"/> levels,
    /// parents before children (0: the directories alone). Listings run in parallel.
    /// </summary>
    /// <param name="roots">Full paths of the directories.</param>
    /// <param name="depth">Levels below each directory.</param>
    /// <param name="cancellationToken">Stops the walk.</param>
    /// <returns>Every directory in pre-order; a directory that could not be listed carries its error.</returns>
    public async Task<IReadOnlyList<CephResult<string>>> ExpandAsync(IReadOnlyList<string> roots, int depth, CancellationToken cancellationToken = default)
    {
        var children = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var errors = new Dictionary<string, OpsToolsException>(StringComparer.Ordinal);
        IReadOnlyList<MountEntry> mounts = MountTable.Read();
        IReadOnlyList<string> level = roots;
        for (int d = 0; d < depth && level.Count > 0; d++)
        {
            var next = new List<string>();
            await foreach (BatchResult<IReadOnlyList<string>> result in BlockingCalls.RunManyAsync(
                level,
                dir => MountKey(mounts, dir),
                dir => $"list the directory '{dir}'",
                dir => ListSubdirectories(dir, $"list the directory '{dir}'"),
                ThrottleLimit,
                Timeout,
                cancellationToken).ConfigureAwait(false))
            {
                string dir = level[result.Index];
                if (result.Error is not null)
                {
                    errors[dir] = result.Error;
                    continue;
                }

                children[dir] = result.Value!;
                next.AddRange(result.Value!);
            }

            level = next;
        }

        var ordered = new List<CephResult<string>>();
        foreach (string root in roots)
        {
            AddPreOrder(root);
        }

        return ordered;

        void AddPreOrder(string dir)
        {
            if (errors.TryGetValue(dir, out OpsToolsException? error))
            {
                ordered.Add(new CephResult<string>(dir, null, error));
                return;
            }

            ordered.Add(new CephResult<string>(dir, dir, null));

            if (children.TryGetValue(dir, out IReadOnlyList<string>? below))
            {
                foreach (string child in below)
                {
                    AddPreOrder(child);
                }
            }
        }
    }

    // ------------------------------------------------------------------ quotas

    /// <summary>Reads the quota of a directory; a directory without one has null limits.</summary>
    /// <param name="path">Full path of the directory.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The quota.</returns>
    public Task<CephQuota> GetQuotaAsync(string path, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<MountEntry> mounts = MountTable.Read();
        string what = $"read the quota of '{path}'";
        return BlockingCalls.RunAsync(MountKey(mounts, path), what, () => ReadQuota(path, MountTable.Find(mounts, path), what), Timeout, cancellationToken);
    }

    /// <summary>Reads the quotas of many directories in parallel.</summary>
    /// <param name="paths">Full paths of the directories.</param>
    /// <param name="cancellationToken">Stops the reads.</param>
    /// <returns>One result per path, in the order given.</returns>
    public IAsyncEnumerable<CephResult<CephQuota>> GetQuotasAsync(IReadOnlyList<string> paths, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<MountEntry> mounts = MountTable.Read();
        return InOrderAsync(paths, mounts, path => $"read the quota of '{path}'", path => ReadQuota(path, MountTable.Find(mounts, path), $"read the quota of '{path}'"), cancellationToken);
    }

    /// <summary>
    /// Sets the limits given (a null limit is left as it is; 0 removes it) and reads the quota back.
    /// </summary>
    /// <param name="path">Full path of the directory.</param>
    /// <param name="maxBytes">New byte limit, or null to keep the current one.</param>
    /// <param name="maxFiles">New file limit, or null to keep the current one.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The quota as CephFS reports it afterwards.</returns>
    public Task<CephQuota> SetQuotaAsync(string path, long? maxBytes, long? maxFiles, CancellationToken cancellationToken = default)
    {
        if (maxBytes < 0 || maxFiles < 0)
        {
            throw new OpsToolsException(
                "CephQuotaValueInvalid",
                OpsToolsErrorKind.InvalidArgument,
                $"A quota limit cannot be negative (max_bytes {maxBytes}, max_files {maxFiles}).",
                path,
                "Give a limit of 0 or more; 0 removes the limit.");
        }

        IReadOnlyList<MountEntry> mounts = MountTable.Read();
        string what = $"set the quota of '{path}'";
        return BlockingCalls.RunAsync(
            MountKey(mounts, path),
            what,
            () =>
            {
                MountEntry? mount = MountTable.Find(mounts, path);
                try
                {
                    // Ceph 16 takes only plain counts ("10G" is EINVAL); 0 removes a limit.
                    if (maxBytes is { } bytes)
                    {
                        CephXattr.Set(path, CephXattr.QuotaMaxBytes, bytes.ToString(CultureInfo.InvariantCulture));
                    }

                    if (maxFiles is { } files)
                    {
                        CephXattr.Set(path, CephXattr.QuotaMaxFiles, files.ToString(CultureInfo.InvariantCulture));
                    }
                }
                catch (CephSyscallException ex)
                {
                    throw CephErrors.Map(ex, what, mount, quotaWrite: true);
                }

                return ReadQuota(path, mount, what);
            },
            Timeout,
            cancellationToken);
    }

    /// <summary>Removes both limits of a directory's quota and reads it back.</summary>
    /// <param name="path">Full path of the directory.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The quota afterwards (no limits).</returns>
    public Task<CephQuota> RemoveQuotaAsync(string path, CancellationToken cancellationToken = default) =>
        SetQuotaAsync(path, 0, 0, cancellationToken);

    // ------------------------------------------------------------------ usage

    /// <summary>
    /// Reads the recursive statistics and the quota of each directory, many at once. With
    /// <paramref name="walkWhenNotCephFs"/>, a directory that is not on CephFS is measured by
    /// walking its tree instead of failing.
    /// </summary>
    /// <param name="directories">Full paths of the directories.</param>
    /// <param name="walkWhenNotCephFs">Walk directories that are not on CephFS.</param>
    /// <param name="cancellationToken">Stops the reads.</param>
    /// <returns>One result per directory, in the order given, each as soon as it and those before it are known.</returns>
    public async IAsyncEnumerable<CephResult<CephUsage>> GetUsageAsync(IReadOnlyList<string> directories, bool walkWhenNotCephFs = false, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        IReadOnlyList<MountEntry> mounts = MountTable.Read();
        var results = new CephResult<CephUsage>?[directories.Count];
        var toWalk = new List<int>();
        int nextToEmit = 0;
        await foreach (BatchResult<CephUsage> result in BlockingCalls.RunManyAsync(
            directories,
            dir => MountKey(mounts, dir),
            dir => $"read the statistics of '{dir}'",
            dir => ReadUsage(dir, MountTable.Find(mounts, dir)),
            ThrottleLimit,
            Timeout,
            cancellationToken).ConfigureAwait(false))
        {
            if (walkWhenNotCephFs && result.Error?.ErrorId == "CephPathNotCephFs")
            {
                toWalk.Add(result.Index);
                continue;
            }

            results[result.Index] = new CephResult<CephUsage>(directories[result.Index], result.Value, result.Error);
            while (nextToEmit < results.Length && results[nextToEmit] is { } ready && !toWalk.Contains(nextToEmit))
            {
                yield return ready;
                nextToEmit++;
            }
        }

        if (toWalk.Count > 0)
        {
            // A walk takes as long as the tree is big: no timeout, only cancellation.
            List<string> walked = toWalk.Select(i => directories[i]).ToList();
            await foreach (BatchResult<CephUsage> result in BlockingCalls.RunManyAsync(
                walked,
                dir => MountKey(mounts, dir),
                dir => $"walk '{dir}'",
                dir => Walk(dir, cancellationToken),
                ThrottleLimit,
                System.Threading.Timeout.InfiniteTimeSpan,
                cancellationToken).ConfigureAwait(false))
            {
                int index = toWalk[result.Index];
                results[index] = new CephResult<CephUsage>(directories[index], result.Value, result.Error);
            }
        }

        for (; nextToEmit < results.Length; nextToEmit++)
        {
            yield return results[nextToEmit] ?? throw new InvalidOperationException("A directory got no result.");
        }
    }

    // ------------------------------------------------------------------ mount check

    /// <summary>
    /// Checks that a path is on a mounted CephFS, that the MDS answers within <see cref="Timeout"/>,
    /// that the recursive statistics can be read and that this client may set quotas. The quota
    /// check writes the directory's current file limit back unchanged (0 when it has none).
    /// </summary>
    /// <param name="path">Full path of a directory.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The result, with each check and its reason.</returns>
    public async Task<CephMountTest> TestMountAsync(string path, CancellationToken cancellationToken = default)
    {
        string full = Path.GetFullPath(path);
        IReadOnlyList<MountEntry> mounts = MountTable.Read();
        MountEntry? mount = MountTable.Find(mounts, full);
        var checks = new List<CephMountCheck>();
        var clock = Stopwatch.StartNew();
        if (mount is not { IsCephFs: true })
        {
            // The path may be a symbolic link into CephFS: resolving it touches the file system.
            string? real = await ResolveLinksAsync(full, mounts, cancellationToken).ConfigureAwait(false);
            if (real is not null && !string.Equals(real, full, StringComparison.Ordinal))
            {
                full = real;
                mount = MountTable.Find(mounts, full);
            }
        }

        if (mount is not { IsCephFs: true })
        {
            string reason = mount is null
                ? $"'{full}' is on no mount this process can see."
                : $"'{full}' is not on CephFS: it is on {mount.Describe()}.";
            checks.Add(Check("Mounted", CephCheckResult.Failed, reason, clock.Elapsed));
            return Finish(path, mount, null, checks, null, "Statistics, quota and responsiveness were not checked.");
        }

        string? client = MountTable.FindClient(mount);
        checks.Add(Check("Mounted", CephCheckResult.Passed, $"{mount.Describe()}{(client is null ? string.Empty : " as " + client)}", clock.Elapsed));
        string key = mount.MountPoint;

        // Responsive: a recursive-statistics read always goes to the MDS.
        clock.Restart();
        TimeSpan? responseTime = null;
        try
        {
            await BlockingCalls.RunAsync(key, $"read '{full}'", () => GetOrMap(full, CephXattr.RecursiveEntries, $"read '{full}'", mount), Timeout, cancellationToken).ConfigureAwait(false);
            responseTime = clock.Elapsed;
            checks.Add(Check("Responsive", CephCheckResult.Passed, string.Create(CultureInfo.InvariantCulture, $"the MDS answered in {responseTime.Value.TotalMilliseconds:0.#} ms"), clock.Elapsed));
        }
        catch (OpsToolsException ex)
        {
            string reason = ex.Kind == OpsToolsErrorKind.OperationTimeout
                ? string.Create(CultureInfo.InvariantCulture, $"no answer within {Timeout.TotalSeconds:0.#} s: metadata calls on this mount block, so the MDS is down or unreachable (check 'ceph fs status'). {ex.Message}")
                : ex.Message;
            checks.Add(Check("Responsive", CephCheckResult.Failed, reason, clock.Elapsed));
            return Finish(path, mount, client, checks, null, "Statistics and quota were not checked.");
        }

        // Statistics: the four recursive attributes, parsed.
        clock.Restart();
        try
        {
            CephUsage usage = await BlockingCalls.RunAsync(key, $"read the statistics of '{full}'", () => ReadUsage(full, mount), Timeout, cancellationToken).ConfigureAwait(false);
            checks.Add(Check("Statistics", CephCheckResult.Passed, string.Create(CultureInfo.InvariantCulture, $"rbytes={usage.Bytes} rfiles={usage.Files} rsubdirs={usage.Subdirectories + 1} rctime={usage.LastChange:u}"), clock.Elapsed));
        }
        catch (OpsToolsException ex)
        {
            checks.Add(Check("Statistics", CephCheckResult.Failed, ex.Message, clock.Elapsed));
            return Finish(path, mount, client, checks, responseTime, "The quota was not checked.");
        }

        // Quota: write the current file limit back (0 when none): needs the 'p' cap, changes nothing.
        clock.Restart();
        try
        {
            string what = $"set the quota of '{full}'";
            await BlockingCalls.RunAsync(
                key,
                what,
                () =>
                {
                    try
                    {
                        string current = CephXattr.Get(full, CephXattr.QuotaMaxFiles) ?? "0";
                        CephXattr.Set(full, CephXattr.QuotaMaxFiles, current);
                        return current;
                    }
                    catch (CephSyscallException ex)
                    {
                        throw CephErrors.Map(ex, what, mount, quotaWrite: true);
                    }
                },
                Timeout,
                cancellationToken).ConfigureAwait(false);
            checks.Add(Check("Quota", CephCheckResult.Passed, $"{client ?? "the client"} may set quotas (its MDS caps include 'p')", clock.Elapsed));
        }
        catch (OpsToolsException ex)
        {
            string reason = ex.ErrorId == "CephQuotaPermissionDenied"
                ? $"{client ?? "the client"} may not set quotas: its MDS caps lack the 'p' flag (e.g. mds 'allow rwps')."
                : ex.Message;
            checks.Add(Check("Quota", CephCheckResult.Failed, reason, clock.Elapsed));
        }

        return Finish(path, mount, client, checks, responseTime, null);
    }

    // ------------------------------------------------------------------ stale data

    /// <summary>
    /// The subdirectories of each parent whose whole tree is unchanged since <paramref name="cutoff"/>
    /// (their <c>ceph.dir.rctime</c> is older), with their size and the running Swarm services that mount them.
    /// </summary>
    /// <param name="parents">Full paths of the directories whose subdirectories are examined.</param>
    /// <param name="cutoff">Directories changed after this are not stale.</param>
    /// <param name="isExcluded">Names (last path component) to leave out; null for none.</param>
    /// <param name="serviceMounts">Bind mounts of the Swarm services, or null when Docker was not asked.</param>
    /// <param name="cancellationToken">Stops the search.</param>
    /// <returns>Stale directories and errors, by parent then name.</returns>
    public async IAsyncEnumerable<CephResult<CephStaleDirectory>> FindStaleAsync(
        IReadOnlyList<string> parents,
        DateTimeOffset cutoff,
        Func<string, bool>? isExcluded,
        IReadOnlyList<SwarmServiceMount>? serviceMounts,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (string parent in parents)
        {
            IReadOnlyList<string> children;
            OpsToolsException? listError = null;
            try
            {
                children = await ListSubdirectoriesAsync(parent, cancellationToken).ConfigureAwait(false);
            }
            catch (OpsToolsException ex)
            {
                children = Array.Empty<string>();
                listError = ex;
            }

            if (listError is not null)
            {
                yield return new CephResult<CephStaleDirectory>(parent, null, listError);
                continue;
            }

            List<string> candidates = children.Where(c => isExcluded is null || !isExcluded(Path.GetFileName(c))).ToList();
            DateTimeOffset now = DateTimeOffset.UtcNow;
            await foreach (CephResult<CephUsage> usage in GetUsageAsync(candidates, walkWhenNotCephFs: false, cancellationToken).ConfigureAwait(false))
            {
                if (usage.Error is not null)
                {
                    yield return new CephResult<CephStaleDirectory>(usage.Path, null, usage.Error);
                    continue;
                }

                CephUsage u = usage.Value!;
                if (u.LastChange is not { } lastChange || lastChange >= cutoff)
                {
                    continue;
                }

                yield return new CephResult<CephStaleDirectory>(u.Path, new CephStaleDirectory
                {
                    Path = u.Path,
                    Name = u.Name,
                    Parent = parent,
                    LastChange = lastChange,
                    Age = now - lastChange,
                    Cutoff = cutoff,
                    Bytes = u.Bytes,
                    Files = u.Files,
                    Subdirectories = u.Subdirectories,
                    MaxBytes = u.MaxBytes,
                    MountedBy = serviceMounts is null ? Array.Empty<string>() : SwarmServiceMount.ServicesUsing(serviceMounts, u.Path),
                    MountsChecked = serviceMounts is not null,
                }, null);
            }
        }
    }

    /// <summary>
    /// Removes a directory tree on CephFS, files in parallel, and reports the bytes reclaimed
    /// (its recursive bytes just before removal). Refuses a mount point, and, when
    /// <paramref name="unchangedSince"/> is given, a tree that changed after it.
    /// </summary>
    /// <param name="directory">Full path of the directory.</param>
    /// <param name="unchangedSince">The cutoff the directory was found stale with; null to skip the re-check.</param>
    /// <param name="progress">Counters the caller may read while the removal runs.</param>
    /// <param name="cancellationToken">Stops the removal between calls (what is removed stays removed).</param>
    /// <returns>What was removed and reclaimed.</returns>
    public async Task<CephStaleDataRemoval> RemoveTreeAsync(string directory, DateTimeOffset? unchangedSince, CephRemovalProgress? progress = null, CancellationToken cancellationToken = default)
    {
        progress ??= new CephRemovalProgress();
        var clock = Stopwatch.StartNew();
        string full = Path.GetFullPath(directory);
        IReadOnlyList<MountEntry> mounts = MountTable.Read();
        MountEntry? mount = MountTable.Find(mounts, full);
        string what = $"remove '{full}'";
        if (full == "/" || (mount is not null && string.Equals(mount.MountPoint.TrimEnd('/'), full.TrimEnd('/'), StringComparison.Ordinal)))
        {
            throw new OpsToolsException(
                "CephRemoveRefused",
                OpsToolsErrorKind.InvalidOperation,
                $"Cannot {what}: it is a mount point, not a data directory.",
                full,
                "Give a directory below the mount point.");
        }

        CephUsage before = await BlockingCalls.RunAsync(MountKey(mounts, full), $"read the statistics of '{full}'", () => ReadUsage(full, mount), Timeout, cancellationToken).ConfigureAwait(false);
        if (unchangedSince is { } cutoff && before.LastChange > cutoff)
        {
            throw new OpsToolsException(
                "CephStaleDataChanged",
                OpsToolsErrorKind.InvalidOperation,
                $"Not removing '{full}': its tree changed at {before.LastChange:u}, after the cutoff {cutoff:u}, so it is no longer stale.",
                full,
                "Run Find-CephStaleData again to see what is stale now.");
        }

        // List the tree level by level, each level in parallel.
        var levels = new List<List<string>> { new() { full } };
        var files = new List<string>();
        while (levels[^1].Count > 0)
        {
            var next = new List<string>();
            List<string> level = levels[^1];
            await foreach (BatchResult<(List<string> Files, List<string> Directories)> listed in BlockingCalls.RunManyAsync(
                level,
                dir => MountKey(mounts, dir),
                dir => $"list the directory '{dir}'",
                dir => ListEntries(dir),
                ThrottleLimit,
                Timeout,
                cancellationToken).ConfigureAwait(false))
            {
                if (listed.Error is not null)
                {
                    throw listed.Error;
                }

                files.AddRange(listed.Value.Files);
                next.AddRange(listed.Value.Directories);
            }

            levels.Add(next);
        }

        progress.AddFilesTotal(files.Count);
        progress.Phase = "Removing files";
        await RemoveAllAsync(files, mounts, f => $"remove the file '{f}'", RemoveFile, progress.FileRemoved, cancellationToken).ConfigureAwait(false);
        progress.Phase = "Removing directories";
        for (int i = levels.Count - 1; i >= 0; i--)
        {
            await RemoveAllAsync(levels[i], mounts, d => $"remove the directory '{d}'", RemoveDirectory, progress.DirectoryRemoved, cancellationToken).ConfigureAwait(false);
        }

        return new CephStaleDataRemoval
        {
            Path = full,
            BytesReclaimed = before.Bytes,
            FilesRemoved = progress.FilesRemoved,
            DirectoriesRemoved = progress.DirectoriesRemoved,
            LastChange = before.LastChange ?? default,
            Duration = clock.Elapsed,
        };
    }

    // ------------------------------------------------------------------ blocking work (worker threads only)

    private async Task RemoveAllAsync(List<string> paths, IReadOnlyList<MountEntry> mounts, Func<string, string> describe, Action<string> remove, Action removed, CancellationToken cancellationToken)
    {
        OpsToolsException? first = null;
        int failed = 0;
        await foreach (BatchResult<bool> result in BlockingCalls.RunManyAsync(
            paths,
            p => MountKey(mounts, p),
            describe,
            p =>
            {
                remove(p);
                removed();
                return true;
            },
            ThrottleLimit,
            Timeout,
            cancellationToken).ConfigureAwait(false))
        {
            if (result.Error is not null)
            {
                first ??= result.Error;
                failed++;
            }
        }

        if (first is not null)
        {
            throw failed == 1
                ? first
                : new OpsToolsException(first.ErrorId, first.Kind, $"{failed} removals failed; the first: {first.Message}", first.Target, first.RecommendedAction, first);
        }
    }

    private static void RemoveFile(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw CephErrors.Map(ex, path, $"remove the file '{path}'");
        }
    }

    private static void RemoveDirectory(string path)
    {
        try
        {
            Directory.Delete(path, recursive: false);
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone: removed by someone else meanwhile.
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw CephErrors.Map(ex, path, $"remove the directory '{path}'");
        }
    }

    private static (List<string> Files, List<string> Directories) ListEntries(string directory)
    {
        var files = new List<string>();
        var directories = new List<string>();
        try
        {
            var entries = new FileSystemEnumerable<(string Path, bool IsDirectory)>(
                directory,
                (ref FileSystemEntry entry) => (entry.ToFullPath(), entry.IsDirectory && (entry.Attributes & FileAttributes.ReparsePoint) == 0),
                ListOptions);
            foreach ((string path, bool isDirectory) in entries)
            {
                (isDirectory ? directories : files).Add(path);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw CephErrors.Map(ex, directory, $"list the directory '{directory}'");
        }

        return (files, directories);
    }

    private static IReadOnlyList<string> ListSubdirectories(string directory, string what)
    {
        try
        {
            if (File.Exists(directory))
            {
                throw CephErrors.NotDirectory(directory, what);
            }

            var entries = new FileSystemEnumerable<string>(
                directory,
                (ref FileSystemEntry entry) => entry.ToFullPath(),
                ListOptions)
            {
                ShouldIncludePredicate = (ref FileSystemEntry entry) => entry.IsDirectory && (entry.Attributes & FileAttributes.ReparsePoint) == 0,
            };
            var list = entries.ToList();
            list.Sort(StringComparer.Ordinal);
            return list;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw CephErrors.Map(ex, directory, what);
        }
    }

    private static CephQuota ReadQuota(string path, MountEntry? mount, string what)
    {
        string? quota;
        try
        {
            // One round trip for both limits.
            quota = CephXattr.Get(path, CephXattr.Quota);
        }
        catch (CephSyscallException ex)
        {
            throw CephErrors.Map(ex, what, mount);
        }

        if (quota is null && mount is not { IsCephFs: true })
        {
            throw CephErrors.NotCephFs(path, what, mount);
        }

        if (quota is null && File.Exists(path))
        {
            throw CephErrors.NotDirectory(path, what);
        }

        (long? maxBytes, long? maxFiles) = ParseQuota(quota, path);
        return new CephQuota { Path = path, MaxBytes = maxBytes, MaxFiles = maxFiles };
    }

    private static CephUsage ReadUsage(string path, MountEntry? mount)
    {
        string what = $"read the statistics of '{path}'";
        string bytes = GetOrMap(path, CephXattr.RecursiveBytes, what, mount, offerWalk: true)
            ?? throw (mount is not { IsCephFs: true } ? CephErrors.NotCephFs(path, what, mount, offerWalk: true) : CephErrors.NotDirectory(path, what));
        string files = GetOrMap(path, CephXattr.RecursiveFiles, what, mount) ?? "0";
        string subdirs = GetOrMap(path, CephXattr.RecursiveSubdirectories, what, mount) ?? "1";
        string rctime = GetOrMap(path, CephXattr.RecursiveChangeTime, what, mount) ?? string.Empty;
        (long? maxBytes, long? maxFiles) = ParseQuota(GetOrMap(path, CephXattr.Quota, what, mount), path);

        long byteCount = ParseCount(bytes, CephXattr.RecursiveBytes, path);
        long fileCount = ParseCount(files, CephXattr.RecursiveFiles, path);
        // rsubdirs counts the directory itself; an operator counts what is below it.
        long subdirCount = Math.Max(0, ParseCount(subdirs, CephXattr.RecursiveSubdirectories, path) - 1);
        return new CephUsage
        {
            Path = path,
            Name = NameOf(path),
            Bytes = byteCount,
            Files = fileCount,
            Subdirectories = subdirCount,
            Entries = fileCount + subdirCount,
            LastChange = ParseChangeTime(rctime) ?? ModificationTime(path),
            MaxBytes = maxBytes,
            MaxFiles = maxFiles,
            PercentUsed = maxBytes is { } mb ? Math.Round(byteCount * 100.0 / mb, 2) : null,
            FreeBytes = maxBytes is { } limit ? Math.Max(0, limit - byteCount) : null,
            // CephFS refuses a write once rbytes would pass max_bytes, and a new entry once
            // rfiles + rsubdirs (the directory itself included) reaches max_files.
            OverQuota = (maxBytes is { } b && byteCount >= b) || (maxFiles is { } f && fileCount + subdirCount + 1 >= f),
            Source = CephUsageSource.RecursiveStatistics,
        };
    }

    private static CephUsage Walk(string path, CancellationToken cancellationToken)
    {
        long bytes = 0;
        long files = 0;
        long subdirectories = 0;
        DateTimeOffset lastChange;
        try
        {
            lastChange = Directory.GetLastWriteTimeUtc(path);
            var options = new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = true, RecurseSubdirectories = true, ReturnSpecialDirectories = false };
            var entries = new FileSystemEnumerable<(bool IsDirectory, long Length, DateTimeOffset Changed)>(
                path,
                (ref FileSystemEntry entry) => (entry.IsDirectory && (entry.Attributes & FileAttributes.ReparsePoint) == 0, entry.Length, entry.LastWriteTimeUtc),
                options)
            {
                ShouldRecursePredicate = (ref FileSystemEntry entry) => (entry.Attributes & FileAttributes.ReparsePoint) == 0,
            };
            foreach ((bool isDirectory, long length, DateTimeOffset changed) in entries)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (isDirectory)
                {
                    subdirectories++;
                }
                else
                {
                    files++;
                    bytes += length;
                }

                if (changed > lastChange)
                {
                    lastChange = changed;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw CephErrors.Map(ex, path, $"walk '{path}'");
        }

        return new CephUsage
        {
            Path = path,
            Name = NameOf(path),
            Bytes = bytes,
            Files = files,
            Subdirectories = subdirectories,
            Entries = files + subdirectories,
            LastChange = lastChange,
            Source = CephUsageSource.FileSystemWalk,
        };
    }

    private static string? GetOrMap(string path, string attribute, string what, MountEntry? mount, bool offerWalk = false)
    {
        try
        {
            return CephXattr.Get(path, attribute);
        }
        catch (CephSyscallException ex)
        {
            throw CephErrors.Map(ex, what, mount, offerWalk: offerWalk);
        }
    }

    private async Task<string?> ResolveLinksAsync(string path, IReadOnlyList<MountEntry> mounts, CancellationToken cancellationToken)
    {
        try
        {
            return await BlockingCalls.RunAsync(
                MountKey(mounts, path),
                $"resolve '{path}'",
                () =>
                {
                    FileSystemInfo? target = Directory.Exists(path) ? new DirectoryInfo(path).ResolveLinkTarget(returnFinalTarget: true) : null;
                    return target?.FullName ?? path;
                },
                Timeout,
                cancellationToken).ConfigureAwait(false);
        }
        catch (OpsToolsException)
        {
            return null;
        }
    }

    private async IAsyncEnumerable<CephResult<T>> InOrderAsync<T>(IReadOnlyList<string> paths, IReadOnlyList<MountEntry> mounts, Func<string, string> describe, Func<string, T> call, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var results = new CephResult<T>?[paths.Count];
        int next = 0;
        await foreach (BatchResult<T> result in BlockingCalls.RunManyAsync(paths, p => MountKey(mounts, p), describe, call, ThrottleLimit, Timeout, cancellationToken).ConfigureAwait(false))
        {
            results[result.Index] = new CephResult<T>(paths[result.Index], result.Value, result.Error);
            while (next < results.Length && results[next] is { } ready)
            {
                yield return ready;
                next++;
            }
        }
    }

    private static CephMountCheck Check(string name, CephCheckResult result, string reason, TimeSpan duration) =>
        new() { Name = name, Result = result, Reason = reason, Duration = duration };

    private static CephMountTest Finish(string path, MountEntry? mount, string? client, List<CephMountCheck> checks, TimeSpan? responseTime, string? skippedNote)
    {
        foreach (string name in new[] { "Mounted", "Responsive", "Statistics", "Quota" })
        {
            if (!checks.Any(c => c.Name == name))
            {
                checks.Add(Check(name, CephCheckResult.Skipped, skippedNote ?? "not run", TimeSpan.Zero));
            }
        }

        bool? Outcome(string name) => checks.First(c => c.Name == name).Result switch
        {
            CephCheckResult.Passed => true,
            CephCheckResult.Failed => false,
            _ => null,
        };

        CephMountCheck? failed = checks.FirstOrDefault(c => c.Result == CephCheckResult.Failed);
        return new CephMountTest
        {
            Path = path,
            MountPoint = mount?.MountPoint,
            FileSystemType = mount?.FileSystemType,
            Client = client,
            IsCephFs = mount?.IsCephFs == true,
            IsResponsive = Outcome("Responsive"),
            ResponseTime = responseTime,
            CanReadStatistics = Outcome("Statistics"),
            CanSetQuota = Outcome("Quota"),
            Passed = failed is null,
            Reason = failed is null
                ? string.Create(CultureInfo.InvariantCulture, $"{mount?.Describe()}{(client is null ? string.Empty : " as " + client)}: responsive ({responseTime?.TotalMilliseconds:0.#} ms), statistics readable, quotas settable")
                : $"{failed.Name}: {failed.Reason}",
            Checks = checks,
        };
    }

    // ------------------------------------------------------------------ parsing

    /// <summary>Parses <c>ceph.quota</c> (<c>max_bytes=N max_files=M</c>); 0 and a missing attribute mean no limit.</summary>
    internal static (long? MaxBytes, long? MaxFiles) ParseQuota(string? text, string path)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return (null, null);
        }

        long? maxBytes = null;
        long? maxFiles = null;
        foreach (string part in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }

            long value = ParseCount(part[(eq + 1)..], CephXattr.Quota, path);
            switch (part[..eq])
            {
                case "max_bytes":
                    maxBytes = value > 0 ? value : null;
                    break;
                case "max_files":
                    maxFiles = value > 0 ? value : null;
                    break;
            }
        }

        return (maxBytes, maxFiles);
    }

    /// <summary>
    /// Parses <c>ceph.dir.rctime</c>: <c>seconds.nanoseconds</c> since the Unix epoch. Null for
    /// 0, which Ceph 16 reports for a directory that never had anything in it.
    /// </summary>
    internal static DateTimeOffset? ParseChangeTime(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        string[] parts = text.Trim().Split('.');
        if (!long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long seconds) || seconds == 0)
        {
            return null;
        }

        long ticks = 0;
        if (parts.Length > 1 && parts[1].Length > 0)
        {
            string fraction = parts[1].Length >= 7 ? parts[1][..7] : parts[1].PadRight(7, '0');
            ticks = long.Parse(fraction, NumberStyles.None, CultureInfo.InvariantCulture);
        }

        return DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(ticks);
    }

    /// <summary>The directory's own modification time: its last change when its tree has none yet (rctime 0).</summary>
    private static DateTimeOffset? ModificationTime(string path)
    {
        try
        {
            return new DateTimeOffset(Directory.GetLastWriteTimeUtc(path), TimeSpan.Zero);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static long ParseCount(string text, string attribute, string path)
    {
        if (long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long value))
        {
            return value;
        }

        throw new OpsToolsException(
            "CephStatisticsInvalid",
            OpsToolsErrorKind.InvalidData,
            $"{attribute} of '{path}' is '{text}', not a number.",
            path,
            "Check the Ceph version of the client; this module reads the attributes of Ceph 16 and later.");
    }

    private static string NameOf(string path)
    {
        string trimmed = path.Length > 1 ? path.TrimEnd('/') : path;
        string name = Path.GetFileName(trimmed);
        return name.Length == 0 ? trimmed : name;
    }

    private static string MountKey(IReadOnlyList<MountEntry> mounts, string path) =>
        MountTable.Find(mounts, path)?.MountPoint ?? "/";
}
