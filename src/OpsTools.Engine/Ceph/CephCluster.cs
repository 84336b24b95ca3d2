using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using OpsTools.Ceph;

namespace OpsTools.Engine.Ceph;

/// <summary>How to reach a Ceph cluster with the ceph CLI: the same choices as its own options.</summary>
public sealed class CephClusterOptions
{
    /// <summary>Cluster name (<c>--cluster</c>); null for the CLI's default, <c>ceph</c>.</summary>
    public string? Cluster { get; init; }

    /// <summary>Configuration file (<c>-c</c>); null for the CLI's default (<c>CEPH_CONF</c>, then <c>/etc/ceph/$cluster.conf</c>).</summary>
    public string? ConfigPath { get; init; }

    /// <summary>Keyring (<c>-k</c>); null for the CLI's default (<c>/etc/ceph/$cluster.client.$id.keyring</c>...).</summary>
    public string? Keyring { get; init; }

    /// <summary>Client id without <c>client.</c> (<c>--id</c>); null for the CLI's default, <c>admin</c>.</summary>
    public string? Id { get; init; }

    /// <summary>Longest wait for the monitors, and (plus a margin) for each ceph process.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The ceph executable.</summary>
    public string Executable { get; init; } = "ceph";

    /// <summary>Cluster name for output objects.</summary>
    public string ClusterName => string.IsNullOrEmpty(Cluster) ? "ceph" : Cluster;
}

/// <summary>
/// A Ceph cluster seen through the ceph CLI's JSON output (<c>ceph ... -f json</c>), with a
/// connect timeout and a process timeout, so an unreachable monitor gives an error, not a hang.
/// </summary>
public sealed class CephCluster
{
    private readonly CephClusterOptions _options;

    /// <summary>Creates a view of the cluster the options name.</summary>
    /// <param name="options">How to reach it.</param>
    public CephCluster(CephClusterOptions options)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
    }

    /// <summary>The cluster's health with every check, as <c>ceph health detail</c> reports it.</summary>
    /// <param name="cancellationToken">Stops the ceph process.</param>
    /// <returns>The health.</returns>
    public async Task<CephHealth> GetHealthAsync(CancellationToken cancellationToken = default)
    {
        using JsonDocument health = await RunJsonAsync(new[] { "health", "detail" }, cancellationToken).ConfigureAwait(false);
        return CephJson.ParseHealth(health.RootElement, _options.ClusterName);
    }

    /// <summary>Status, capacity, pools and file systems, from <c>ceph status</c>, <c>ceph df</c> and <c>ceph fs dump</c> run side by side.</summary>
    /// <param name="cancellationToken">Stops the ceph processes.</param>
    /// <returns>The status.</returns>
    public async Task<CephStatus> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        Task<JsonDocument> status = RunJsonAsync(new[] { "status" }, cancellationToken);
        Task<JsonDocument> df = RunJsonAsync(new[] { "df" }, cancellationToken);
        Task<JsonDocument> fs = RunJsonAsync(new[] { "fs", "dump" }, cancellationToken);
        try
        {
            await Task.WhenAll(status, df, fs).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The first failure is thrown (they usually fail alike); release what did come back.
            foreach (Task<JsonDocument> done in new[] { status, df, fs }.Where(t => t.IsCompletedSuccessfully))
            {
                done.Result.Dispose();
            }

            throw;
        }

        using JsonDocument statusJson = status.Result;
        using JsonDocument dfJson = df.Result;
        using JsonDocument fsJson = fs.Result;
        return CephJson.ParseStatus(statusJson.RootElement, dfJson.RootElement, fsJson.RootElement, _options.ClusterName);
    }

    /// <summary>The names of the file systems of the cluster (<c>ceph fs ls</c>).</summary>
    /// <param name="cancellationToken">Stops the ceph process.</param>
    /// <returns>The names, in the cluster's order.</returns>
    public async Task<IReadOnlyList<string>> GetFileSystemNamesAsync(CancellationToken cancellationToken = default)
    {
        using JsonDocument list = await RunJsonAsync(new[] { "fs", "ls" }, cancellationToken).ConfigureAwait(false);
        return list.RootElement.EnumerateArray()
            .Select(fs => fs.TryGetProperty("name", out JsonElement name) ? name.GetString() : null)
            .OfType<string>()
            .ToList();
    }

    /// <summary>The subvolumes of a file system (one group), each with its <c>ceph fs subvolume info</c>; read four at a time.</summary>
    /// <param name="fileSystem">File system (volume) name.</param>
    /// <param name="group">Subvolume group; null for the default group.</param>
    /// <param name="cancellationToken">Stops the ceph processes.</param>
    /// <returns>The subvolumes, sorted by name.</returns>
    public async Task<IReadOnlyList<CephSubvolume>> GetSubvolumesAsync(string fileSystem, string? group, CancellationToken cancellationToken = default)
    {
        List<string> names;
        using (JsonDocument list = await RunJsonAsync(WithGroup(new[] { "fs", "subvolume", "ls", fileSystem }, group), cancellationToken).ConfigureAwait(false))
        {
            names = list.RootElement.EnumerateArray()
                .Select(s => s.TryGetProperty("name", out JsonElement name) ? name.GetString() : null)
                .OfType<string>()
                .OrderBy(n => n, StringComparer.Ordinal)
                .ToList();
        }

        // One ceph process per subvolume: a few at a time keeps the mgr and this host responsive.
        using var throttle = new SemaphoreSlim(4);
        Task<CephSubvolume>[] reads = names.Select(async name =>
        {
            await throttle.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await GetSubvolumeAsync(fileSystem, name, group, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                throttle.Release();
            }
        }).ToArray();
        return await Task.WhenAll(reads).ConfigureAwait(false);
    }

    /// <summary>One subvolume (<c>ceph fs subvolume info</c>).</summary>
    /// <param name="fileSystem">File system (volume) name.</param>
    /// <param name="name">Subvolume name.</param>
    /// <param name="group">Subvolume group; null for the default group.</param>
    /// <param name="cancellationToken">Stops the ceph process.</param>
    /// <returns>The subvolume.</returns>
    /// <exception cref="OpsToolsException"><c>CephSubvolumeNotFound</c> when it does not exist.</exception>
    public async Task<CephSubvolume> GetSubvolumeAsync(string fileSystem, string name, string? group, CancellationToken cancellationToken = default)
    {
        try
        {
            using JsonDocument info = await RunJsonAsync(WithGroup(new[] { "fs", "subvolume", "info", fileSystem, name }, group), cancellationToken).ConfigureAwait(false);
            return CephJson.ParseSubvolume(info.RootElement, _options.ClusterName, fileSystem, group, name);
        }
        catch (OpsToolsException ex) when (ex.Kind == OpsToolsErrorKind.ObjectNotFound && ex.ErrorId == "CephObjectNotFound")
        {
            throw new OpsToolsException(
                "CephSubvolumeNotFound",
                OpsToolsErrorKind.ObjectNotFound,
                ex.Message,
                name,
                $"Run Get-CephSubvolume -FileSystem {fileSystem}{(group is null ? string.Empty : " -Group " + group)} to list the subvolumes.",
                ex);
        }
    }

    /// <summary>
    /// Creates a subvolume (<c>ceph fs subvolume create</c>) and returns it. Ceph itself accepts
    /// an existing name and changes nothing; here that is a <c>CephSubvolumeExists</c> error.
    /// </summary>
    /// <param name="fileSystem">File system (volume) name.</param>
    /// <param name="name">Subvolume name.</param>
    /// <param name="group">Subvolume group; null for the default group.</param>
    /// <param name="sizeBytes">Size limit; null for none.</param>
    /// <param name="mode">Permissions in octal (<c>755</c>); null for Ceph's default.</param>
    /// <param name="cancellationToken">Stops the ceph processes.</param>
    /// <returns>The new subvolume.</returns>
    public async Task<CephSubvolume> NewSubvolumeAsync(string fileSystem, string name, string? group, long? sizeBytes, string? mode, CancellationToken cancellationToken = default)
    {
        CephSubvolume? existing = null;
        try
        {
            existing = await GetSubvolumeAsync(fileSystem, name, group, cancellationToken).ConfigureAwait(false);
        }
        catch (OpsToolsException ex) when (ex.ErrorId == "CephSubvolumeNotFound")
        {
            // The name is free.
        }

        if (existing is not null)
        {
            throw new OpsToolsException(
                "CephSubvolumeExists",
                OpsToolsErrorKind.ResourceExists,
                $"The subvolume '{name}' already exists in {fileSystem}{(group is null ? string.Empty : "/" + group)} (path {existing.Path}).",
                name,
                "Use Resize-CephSubvolume to change its size, or choose another name.");
        }

        var command = new List<string> { "fs", "subvolume", "create", fileSystem, name };
        if (sizeBytes is { } size)
        {
            command.Add("--size");
            command.Add(size.ToString(CultureInfo.InvariantCulture));
        }

        if (!string.IsNullOrEmpty(mode))
        {
            command.Add("--mode");
            command.Add(mode);
        }

        await RunAsync(WithGroup(command, group), cancellationToken).ConfigureAwait(false);
        return await GetSubvolumeAsync(fileSystem, name, group, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Changes the size limit of a subvolume (<c>ceph fs subvolume resize</c>) and returns it.</summary>
    /// <param name="fileSystem">File system (volume) name.</param>
    /// <param name="name">Subvolume name.</param>
    /// <param name="group">Subvolume group; null for the default group.</param>
    /// <param name="sizeBytes">New limit; null for unlimited.</param>
    /// <param name="noShrink">Refuse a limit below the bytes used.</param>
    /// <param name="cancellationToken">Stops the ceph processes.</param>
    /// <returns>The subvolume afterwards.</returns>
    public async Task<CephSubvolume> ResizeSubvolumeAsync(string fileSystem, string name, string? group, long? sizeBytes, bool noShrink, CancellationToken cancellationToken = default)
    {
        var command = new List<string> { "fs", "subvolume", "resize", fileSystem, name, sizeBytes is { } size ? size.ToString(CultureInfo.InvariantCulture) : "inf" };
        if (noShrink)
        {
            command.Add("--no_shrink");
        }

        try
        {
            await RunAsync(WithGroup(command, group), cancellationToken).ConfigureAwait(false);
        }
        catch (OpsToolsException ex) when (ex.ErrorId == "CephObjectNotFound")
        {
            throw new OpsToolsException("CephSubvolumeNotFound", OpsToolsErrorKind.ObjectNotFound, ex.Message, name, "Run Get-CephSubvolume to list the subvolumes.", ex);
        }

        return await GetSubvolumeAsync(fileSystem, name, group, cancellationToken).ConfigureAwait(false);
    }

    private static List<string> WithGroup(IEnumerable<string> command, string? group)
    {
        var words = command.ToList();
        if (!string.IsNullOrEmpty(group))
        {
            words.Add("--group_name");
            words.Add(group);
        }

        return words;
    }

    /// <summary>Runs one ceph command with <c>-f json</c> and parses its output.</summary>
    /// <param name="command">Command words, e.g. <c>health</c>, <c>detail</c>.</param>
    /// <param name="cancellationToken">Kills the process.</param>
    /// <returns>The parsed output.</returns>
    internal async Task<JsonDocument> RunJsonAsync(IReadOnlyList<string> command, CancellationToken cancellationToken)
    {
        string output = await RunAsync(command, cancellationToken).ConfigureAwait(false);
        try
        {
            return JsonDocument.Parse(output);
        }
        catch (JsonException ex)
        {
            throw new OpsToolsException(
                "CephOutputInvalid",
                OpsToolsErrorKind.InvalidData,
                $"'ceph {string.Join(' ', command)}' did not print JSON: {ex.Message}",
                _options.ClusterName,
                "Check the ceph CLI version (Ceph 16 or later is expected).",
                ex);
        }
    }

    /// <summary>Runs one ceph command with <c>-f json</c> and returns its standard output.</summary>
    /// <param name="command">Command words.</param>
    /// <param name="cancellationToken">Kills the process.</param>
    /// <returns>The output.</returns>
    internal async Task<string> RunAsync(IReadOnlyList<string> command, CancellationToken cancellationToken)
    {
        int connectSeconds = Math.Max(1, (int)Math.Ceiling(_options.Timeout.TotalSeconds));
        var info = new ProcessStartInfo(_options.Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (!string.IsNullOrEmpty(_options.Cluster))
        {
            info.ArgumentList.Add("--cluster");
            info.ArgumentList.Add(_options.Cluster);
        }

        if (!string.IsNullOrEmpty(_options.ConfigPath))
        {
            info.ArgumentList.Add("--conf");
            info.ArgumentList.Add(_options.ConfigPath);
        }

        if (!string.IsNullOrEmpty(_options.Keyring))
        {
            info.ArgumentList.Add("--keyring");
            info.ArgumentList.Add(_options.Keyring);
        }

        if (!string.IsNullOrEmpty(_options.Id))
        {
            info.ArgumentList.Add("--id");
            info.ArgumentList.Add(_options.Id);
        }

        info.ArgumentList.Add("--connect-timeout");
        info.ArgumentList.Add(connectSeconds.ToString(CultureInfo.InvariantCulture));
        foreach (string word in command)
        {
            info.ArgumentList.Add(word);
        }

        info.ArgumentList.Add("--format");
        info.ArgumentList.Add("json");
        string commandText = "ceph " + string.Join(' ', command);

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("the process did not start");
        }
        catch (Win32Exception ex)
        {
            throw new OpsToolsException(
                "CephCliNotFound",
                OpsToolsErrorKind.ObjectNotFound,
                $"Cannot run '{_options.Executable}': {ex.Message}.",
                _options.Executable,
                "Install the ceph CLI (Debian: apt-get install ceph-common) or put it on PATH.",
                ex);
        }

        using (process)
        {
            process.StandardInput.Close();
            Task<string> stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            Task<string> stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
            // The CLI gives up on the monitors after --connect-timeout; the margin covers its start-up.
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(TimeSpan.FromSeconds(connectSeconds + 5));
            try
            {
                await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Kill(process);
                cancellationToken.ThrowIfCancellationRequested();
                throw new OpsToolsException(
                    "CephClusterTimeout",
                    OpsToolsErrorKind.OperationTimeout,
                    $"'{commandText}' did not finish within {connectSeconds + 5} s (cluster '{_options.ClusterName}').",
                    _options.ClusterName,
                    "Check that the monitors are up and reachable ('ceph -s' from this host), or raise -Timeout.");
            }

            string output = await stdout.ConfigureAwait(false);
            string errors = await stderr.ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                throw MapFailure(commandText, process.ExitCode, errors, connectSeconds);
            }

            return output;
        }
    }

    private OpsToolsException MapFailure(string commandText, int exitCode, string errors, int connectSeconds)
    {
        // The CLI prints daemon-style log lines before its message: the last line is the message.
        string message = errors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? $"exit code {exitCode}";
        string where = $"cluster '{_options.ClusterName}'{(string.IsNullOrEmpty(_options.ConfigPath) ? string.Empty : $" ({_options.ConfigPath})")}";
        if (Contains(errors, "conf_read_file") || Contains(errors, "did not load config file") || Contains(errors, "unable to get monitor info from DNS"))
        {
            return new OpsToolsException(
                "CephConfigNotFound",
                OpsToolsErrorKind.ObjectNotFound,
                $"Cannot read the configuration of {where}: {message}",
                _options.ConfigPath ?? _options.ClusterName,
                "Pass -ConfigPath (default /etc/ceph/<cluster>.conf, or CEPH_CONF), or copy the cluster's ceph.conf to this host.");
        }

        if (Contains(errors, "timed out") || Contains(errors, "errno 110") || (Contains(errors, "error connecting to the cluster") && !Contains(errors, "permission")))
        {
            return new OpsToolsException(
                "CephClusterUnreachable",
                OpsToolsErrorKind.ConnectionError,
                $"Cannot reach the monitors of {where} within {connectSeconds} s: {message}",
                _options.ClusterName,
                "Check that the monitors are up ('ceph -s' from a monitor host) and that mon_host in the configuration is reachable from here.");
        }

        if (Contains(errors, "permission denied") || Contains(errors, "errno 13") || Contains(errors, "errno 1]") || Contains(errors, "handle_auth_bad_method"))
        {
            return new OpsToolsException(
                "CephAccessDenied",
                OpsToolsErrorKind.PermissionDenied,
                $"The monitors of {where} refused client.{_options.Id ?? "admin"}: {message}",
                _options.ClusterName,
                "Check -Id and -Keyring (the keyring must hold the client's key) and that the client has at least mon 'allow r'.");
        }

        if (Contains(errors, "errno 2]") || Contains(errors, "Error ENOENT"))
        {
            return new OpsToolsException(
                "CephObjectNotFound",
                OpsToolsErrorKind.ObjectNotFound,
                $"'{commandText}' on {where}: {message}",
                _options.ClusterName,
                "Check the names given to the command.");
        }

        if (Contains(errors, "Error EINVAL") || Contains(errors, "Error ERANGE"))
        {
            return new OpsToolsException(
                "CephCommandInvalid",
                OpsToolsErrorKind.InvalidArgument,
                $"'{commandText}' on {where} was refused: {message}",
                _options.ClusterName,
                "Check the values given; the message says which one the cluster refused.");
        }

        if (Contains(errors, "Error EEXIST"))
        {
            return new OpsToolsException(
                "CephObjectExists",
                OpsToolsErrorKind.ResourceExists,
                $"'{commandText}' on {where}: {message}",
                _options.ClusterName,
                "Choose another name, or change the existing object.");
        }

        return new OpsToolsException(
            "CephCommandFailed",
            OpsToolsErrorKind.NotSpecified,
            $"'{commandText}' failed on {where} (exit code {exitCode}): {message}",
            _options.ClusterName,
            "Run the same command with the ceph CLI to see its full output.");
    }

    private static bool Contains(string text, string value) => text.Contains(value, StringComparison.OrdinalIgnoreCase);

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited on its own meanwhile.
        }
    }
}

/// <summary>Parsers of the ceph CLI's JSON output (Ceph 16 and later).</summary>
internal static class CephJson
{
    public static CephHealthStatus ParseStatus(string? text) => text switch
    {
        "HEALTH_OK" => CephHealthStatus.Ok,
        "HEALTH_WARN" => CephHealthStatus.Warning,
        "HEALTH_ERR" => CephHealthStatus.Error,
        _ => CephHealthStatus.Unknown,
    };

    /// <summary>Parses <c>ceph health detail -f json</c> (or the <c>health</c> object of <c>ceph status</c>).</summary>
    public static CephHealth ParseHealth(JsonElement health, string cluster)
    {
        List<CephHealthCheck> checks = ParseChecks(health, cluster);
        return new CephHealth
        {
            Cluster = cluster,
            Status = ParseStatus(String(health, "status")),
            ActiveChecks = checks.Count(c => !c.Muted),
            MutedChecks = checks.Count(c => c.Muted),
            Checks = checks,
        };
    }

    public static List<CephHealthCheck> ParseChecks(JsonElement health, string cluster)
    {
        var checks = new List<CephHealthCheck>();
        if (!health.TryGetProperty("checks", out JsonElement all) || all.ValueKind != JsonValueKind.Object)
        {
            return checks;
        }

        foreach (JsonProperty check in all.EnumerateObject())
        {
            JsonElement value = check.Value;
            JsonElement summary = value.TryGetProperty("summary", out JsonElement s) ? s : default;
            var details = new List<string>();
            if (value.TryGetProperty("detail", out JsonElement detail) && detail.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement line in detail.EnumerateArray())
                {
                    if (String(line, "message") is { } message)
                    {
                        details.Add(message);
                    }
                }
            }

            checks.Add(new CephHealthCheck
            {
                Cluster = cluster,
                Code = check.Name,
                Severity = ParseStatus(String(value, "severity")),
                Message = (summary.ValueKind == JsonValueKind.Object ? String(summary, "message") : null) ?? string.Empty,
                Count = summary.ValueKind == JsonValueKind.Object ? Int64(summary, "count") : 0,
                Muted = value.TryGetProperty("muted", out JsonElement muted) && muted.ValueKind == JsonValueKind.True,
                Details = details,
            });
        }

        // Most severe first, as 'ceph health detail' lists them; then by code.
        checks.Sort((a, b) => b.Severity != a.Severity ? b.Severity.CompareTo(a.Severity) : string.CompareOrdinal(a.Code, b.Code));
        return checks;
    }

    /// <summary>Parses <c>ceph status</c>, <c>ceph df</c> and <c>ceph fs dump</c> (all <c>-f json</c>).</summary>
    public static CephStatus ParseStatus(JsonElement status, JsonElement df, JsonElement fsDump, string cluster)
    {
        JsonElement health = Object(status, "health");
        JsonElement osdmap = Object(status, "osdmap");
        // Ceph 14 nested the OSD counts one level deeper.
        if (osdmap.ValueKind == JsonValueKind.Object && osdmap.TryGetProperty("osdmap", out JsonElement nested))
        {
            osdmap = nested;
        }

        JsonElement pgmap = Object(status, "pgmap");
        JsonElement mgrmap = Object(status, "mgrmap");
        var pgStates = new Dictionary<string, long>(StringComparer.Ordinal);
        if (pgmap.ValueKind == JsonValueKind.Object && pgmap.TryGetProperty("pgs_by_state", out JsonElement byState) && byState.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement state in byState.EnumerateArray())
            {
                if (String(state, "state_name") is { } name)
                {
                    pgStates[name] = Int64(state, "count");
                }
            }
        }

        long total = Int64(pgmap, "bytes_total");
        long used = Int64(pgmap, "bytes_used");
        var pools = new List<CephPoolUsage>();
        var poolNames = new Dictionary<long, string>();
        if (df.ValueKind == JsonValueKind.Object && df.TryGetProperty("pools", out JsonElement poolArray) && poolArray.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement pool in poolArray.EnumerateArray())
            {
                JsonElement stats = Object(pool, "stats");
                string name = String(pool, "name") ?? string.Empty;
                int id = (int)Int64(pool, "id");
                poolNames[id] = name;
                pools.Add(new CephPoolUsage
                {
                    Cluster = cluster,
                    Name = name,
                    Id = id,
                    StoredBytes = Int64(stats, "stored"),
                    Objects = Int64(stats, "objects"),
                    UsedBytes = Int64(stats, "bytes_used"),
                    PercentUsed = Math.Round(Double(stats, "percent_used") * 100, 4),
                    MaxAvailableBytes = Int64(stats, "max_avail"),
                });
            }
        }

        var quorum = new List<string>();
        if (status.TryGetProperty("quorum_names", out JsonElement names) && names.ValueKind == JsonValueKind.Array)
        {
            quorum.AddRange(names.EnumerateArray().Select(n => n.GetString() ?? string.Empty));
        }

        int standbys = 0;
        var fileSystems = new List<CephFileSystemState>();
        if (fsDump.ValueKind == JsonValueKind.Object)
        {
            if (fsDump.TryGetProperty("standbys", out JsonElement standbyArray) && standbyArray.ValueKind == JsonValueKind.Array)
            {
                standbys = standbyArray.GetArrayLength();
            }

            if (fsDump.TryGetProperty("filesystems", out JsonElement fsArray) && fsArray.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement fs in fsArray.EnumerateArray())
                {
                    fileSystems.Add(ParseFileSystem(fs, poolNames, cluster));
                }
            }
        }

        return new CephStatus
        {
            Cluster = cluster,
            Fsid = String(status, "fsid") ?? string.Empty,
            Health = ParseStatus(String(health, "status")),
            HealthChecks = ParseChecks(health, cluster),
            Monitors = (int)Int64(Object(status, "monmap"), "num_mons"),
            Quorum = quorum,
            ManagerAvailable = mgrmap.ValueKind == JsonValueKind.Object && mgrmap.TryGetProperty("available", out JsonElement available) && available.ValueKind == JsonValueKind.True,
            ManagerStandbys = (int)Int64(mgrmap, "num_standbys"),
            Osds = (int)Int64(osdmap, "num_osds"),
            OsdsUp = (int)Int64(osdmap, "num_up_osds"),
            OsdsIn = (int)Int64(osdmap, "num_in_osds"),
            PoolCount = (int)Int64(pgmap, "num_pools"),
            PlacementGroups = (int)Int64(pgmap, "num_pgs"),
            PlacementGroupStates = pgStates,
            Objects = Int64(pgmap, "num_objects"),
            StoredBytes = Int64(pgmap, "data_bytes"),
            UsedBytes = used,
            AvailableBytes = Int64(pgmap, "bytes_avail"),
            TotalBytes = total,
            PercentUsed = total > 0 ? Math.Round(used * 100.0 / total, 2) : 0,
            MdsStandbys = standbys,
            FileSystems = fileSystems,
            Pools = pools,
        };
    }

    /// <summary>Parses <c>ceph fs subvolume info -f json</c>.</summary>
    public static CephSubvolume ParseSubvolume(JsonElement info, string cluster, string fileSystem, string? group, string name)
    {
        JsonElement quota = info.TryGetProperty("bytes_quota", out JsonElement q) ? q : default;
        long? bytesQuota = quota.ValueKind == JsonValueKind.Number && quota.TryGetInt64(out long limit) && limit > 0 ? limit : null;
        string? percent = String(info, "bytes_pcent");
        long mode = Int64(info, "mode");
        string? created = String(info, "created_at");
        return new CephSubvolume
        {
            Cluster = cluster,
            FileSystem = fileSystem,
            Group = string.IsNullOrEmpty(group) ? null : group,
            Name = name,
            Path = String(info, "path") ?? string.Empty,
            BytesUsed = Int64(info, "bytes_used"),
            BytesQuota = bytesQuota,
            PercentUsed = bytesQuota is not null && double.TryParse(percent, NumberStyles.Float, CultureInfo.InvariantCulture, out double pcent) ? pcent : null,
            State = String(info, "state") ?? string.Empty,
            Type = String(info, "type") ?? string.Empty,
            DataPool = String(info, "data_pool"),
            // The mode includes the file type bits (16877 = directory, 0755).
            Mode = Convert.ToString(mode & 0xFFF, 8),
            Uid = Int64(info, "uid"),
            Gid = Int64(info, "gid"),
            CreatedAt = DateTimeOffset.TryParse(created, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset at) ? at : null,
        };
    }

    private static CephFileSystemState ParseFileSystem(JsonElement fs, Dictionary<long, string> poolNames, string cluster)
    {
        JsonElement mdsmap = Object(fs, "mdsmap");
        var daemons = new List<string>();
        int active = 0;
        if (mdsmap.ValueKind == JsonValueKind.Object && mdsmap.TryGetProperty("info", out JsonElement info) && info.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty daemon in info.EnumerateObject())
            {
                string state = String(daemon.Value, "state") ?? "unknown";
                daemons.Add($"{String(daemon.Value, "name")}={state}");
                active += state == "up:active" ? 1 : 0;
            }
        }

        daemons.Sort(StringComparer.Ordinal);
        string PoolName(long id) => poolNames.TryGetValue(id, out string? name) ? name : id.ToString(CultureInfo.InvariantCulture);
        var dataPools = new List<string>();
        if (mdsmap.ValueKind == JsonValueKind.Object && mdsmap.TryGetProperty("data_pools", out JsonElement data) && data.ValueKind == JsonValueKind.Array)
        {
            dataPools.AddRange(data.EnumerateArray().Where(p => p.ValueKind == JsonValueKind.Number).Select(p => PoolName(p.GetInt64())));
        }

        return new CephFileSystemState
        {
            Cluster = cluster,
            Name = String(mdsmap, "fs_name") ?? string.Empty,
            Id = (int)Int64(fs, "id"),
            Enabled = !(mdsmap.ValueKind == JsonValueKind.Object && mdsmap.TryGetProperty("enabled", out JsonElement enabled) && enabled.ValueKind == JsonValueKind.False),
            MaxMds = (int)Int64(mdsmap, "max_mds"),
            ActiveRanks = active,
            FailedRanks = Length(mdsmap, "failed"),
            DamagedRanks = Length(mdsmap, "damaged"),
            Daemons = daemons,
            MetadataPool = mdsmap.ValueKind == JsonValueKind.Object && mdsmap.TryGetProperty("metadata_pool", out JsonElement meta) && meta.ValueKind == JsonValueKind.Number ? PoolName(meta.GetInt64()) : null,
            DataPools = dataPools,
        };
    }

    private static JsonElement Object(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Object ? value : default;

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long Int64(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long number) ? number : 0;

    private static double Double(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : 0;

    private static int Length(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Array ? value.GetArrayLength() : 0;
}
