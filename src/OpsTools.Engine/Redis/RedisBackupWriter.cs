using System;
using System.Collections.Generic;
using System.Formats.Tar;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Docker.DotNet.Models;
using OpsTools.Engine.Backup;
using OpsTools.Engine.Docker;
using OpsTools.Redis;
using StackExchange.Redis;

namespace OpsTools.Engine.Redis;

/// <summary>What to back up and where.</summary>
public sealed class RedisBackupRequest
{
    /// <summary>The server.</summary>
    public required RedisEndpoint Endpoint { get; init; }

    /// <summary>Directory the backup directory is created in.</summary>
    public required string Destination { get; init; }

    /// <summary>Rdb, Aof or Auto.</summary>
    public RedisBackupMethod Method { get; init; } = RedisBackupMethod.Auto;

    /// <summary>Redis's data directory as this machine (or the container) sees it; null to ask <c>CONFIG GET dir</c>.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>Container whose file system holds the data directory; null for this machine's.</summary>
    public string? Container { get; init; }

    /// <summary>Docker connection for <see cref="Container"/>.</summary>
    public DockerConnection? Docker { get; init; }

    /// <summary>Connect and command timeout.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often INFO persistence is polled while the snapshot runs.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(100);
}

/// <summary>
/// Takes a consistent Redis snapshot and copies it: waits for any running save or rewrite, sends
/// BGSAVE (or BGREWRITEAOF), polls <c>INFO persistence</c> until the fork finished with status ok,
/// then copies <c>dump.rdb</c> or the append-only files (Redis 7's <c>appenddirname</c> directory,
/// or the single <c>appendfilename</c> of older servers) from the data directory or from a
/// container through the Docker archive API, into a directory staged under a temporary name and
/// renamed when complete, with the SHA-256 of every file in <c>manifest.json</c>.
/// </summary>
public static class RedisBackupWriter
{
    /// <summary>Name of the manifest in every backup directory.</summary>
    public const string ManifestName = "manifest.json";

    private static readonly JsonSerializerOptions ManifestJson = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>Runs the backup.</summary>
    /// <param name="request">What and where.</param>
    /// <param name="onStatus">Progress text (from any thread).</param>
    /// <param name="cancellationToken">Cancels the wait and the copy; the snapshot itself runs on in Redis.</param>
    /// <returns>The backup.</returns>
    public static async Task<RedisBackup> BackupAsync(RedisBackupRequest request, Action<string>? onStatus = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        RedisEndpoint endpoint = request.Endpoint;
        string destination = Path.GetFullPath(request.Destination);
        if (!Directory.Exists(destination))
        {
            throw new OpsToolsException("RedisBackupDestinationNotFound", OpsToolsErrorKind.ObjectNotFound, $"The destination directory {destination} does not exist.", destination, "Create the directory first, or give an existing one with -Destination.");
        }

        ConnectionMultiplexer connection = await RedisConnector.ConnectAsync(endpoint, request.Timeout, allowAdmin: true, cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            try
            {
                IServer server = connection.GetServer(endpoint.Host, endpoint.Port);
                IReadOnlyDictionary<string, string> info = await RedisInfoReader.ReadFieldsAsync(connection, endpoint, "server", cancellationToken).ConfigureAwait(false);
                string? version = info.GetValueOrDefault("redis_version");
                IReadOnlyDictionary<string, string> persistence = await RedisInfoReader.ReadFieldsAsync(connection, endpoint, "persistence", cancellationToken).ConfigureAwait(false);
                RedisBackupMethod method = ChooseMethod(request.Method, RedisInfoReader.Flag(persistence, "aof_enabled"), endpoint);
                Layout layout = await ReadLayoutAsync(server, request, endpoint, cancellationToken).ConfigureAwait(false);

                onStatus?.Invoke("waiting for a running save or rewrite to finish");
                persistence = await WaitIdleAsync(connection, endpoint, request.PollInterval, cancellationToken).ConfigureAwait(false);
                (DateTimeOffset requestedAt, DateTimeOffset completedAt) = await SnapshotAsync(connection, server, endpoint, method, persistence, request.PollInterval, onStatus, cancellationToken).ConfigureAwait(false);

                string name = BackupName(endpoint, requestedAt);
                string final = Path.Combine(destination, name);
                using var staged = new StagedOutput();
                string temporary = staged.AddDirectory(final);
                onStatus?.Invoke("copying the files from " + layout.SourceText);
                IReadOnlyList<RedisBackupFile> files = request.Container is null
                    ? await CopyLocalAsync(layout, method, temporary, cancellationToken).ConfigureAwait(false)
                    : await CopyFromContainerAsync(request, layout, method, temporary, cancellationToken).ConfigureAwait(false);
                var backup = new RedisBackup
                {
                    Server = endpoint.Display,
                    Method = method,
                    Path = final,
                    ManifestPath = Path.Combine(final, ManifestName),
                    Files = files,
                    TotalBytes = files.Sum(f => f.Length),
                    Source = layout.SourceText,
                    SnapshotRequestedAt = requestedAt,
                    SnapshotCompletedAt = completedAt,
                    CompletedAt = DateTimeOffset.UtcNow,
                    RedisVersion = version,
                };
                await WriteManifestAsync(backup, Path.Combine(temporary, ManifestName), cancellationToken).ConfigureAwait(false);
                staged.Commit();
                return backup;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                throw RedisConnector.Map(ex, endpoint);
            }
        }
    }

    private static RedisBackupMethod ChooseMethod(RedisBackupMethod requested, bool aofEnabled, RedisEndpoint endpoint) => requested switch
    {
        RedisBackupMethod.Auto => aofEnabled ? RedisBackupMethod.Aof : RedisBackupMethod.Rdb,
        RedisBackupMethod.Aof when !aofEnabled => throw new OpsToolsException(
            "RedisAofDisabled",
            OpsToolsErrorKind.InvalidOperation,
            $"Redis at {endpoint.Display} has appendonly off: there is no append-only file to back up.",
            endpoint.Display,
            "Use -Method Rdb (or Auto), or turn AOF on with CONFIG SET appendonly yes."),
        _ => requested,
    };

    private sealed record Layout(string Directory, string RdbFile, string AofDirectory, string AofFile, string SourceText);

    private static async Task<Layout> ReadLayoutAsync(IServer server, RedisBackupRequest request, RedisEndpoint endpoint, CancellationToken cancellationToken)
    {
        var config = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            foreach (KeyValuePair<string, string> pair in await server.ConfigGetAsync("*").WaitAsync(cancellationToken).ConfigureAwait(false))
            {
                config[pair.Key] = pair.Value;
            }
        }
        catch (RedisServerException) when (request.DataDirectory is not null)
        {
            // CONFIG renamed or forbidden by ACL: the operator gave the directory, the file names are Redis's defaults.
        }
        catch (RedisServerException ex) when (!RedisConnector.IsAuthenticationError(ex.Message))
        {
            throw new OpsToolsException(
                "RedisDataDirectoryUnknown",
                OpsToolsErrorKind.InvalidOperation,
                $"Redis at {endpoint.Display} refused CONFIG GET, so its data directory is unknown.",
                endpoint.Display,
                "Give the data directory with -DataDirectory (the 'dir' of redis.conf), as this machine or the -Container sees it.",
                ex);
        }

        string directory = request.DataDirectory ?? config.GetValueOrDefault("dir") ?? throw new OpsToolsException(
            "RedisDataDirectoryUnknown",
            OpsToolsErrorKind.InvalidOperation,
            $"Redis at {endpoint.Display} did not name its data directory.",
            endpoint.Display,
            "Give the data directory with -DataDirectory.");
        if (request.Container is null && !Directory.Exists(directory))
        {
            throw new OpsToolsException(
                "RedisDataDirectoryNotFound",
                OpsToolsErrorKind.ObjectNotFound,
                $"The data directory {directory} of Redis at {endpoint.Display} is not on this machine.",
                directory,
                "Run the backup on the Redis host, give -Container when Redis runs in a container, or -DataDirectory where the directory is mounted here.");
        }

        return new Layout(
            directory,
            config.GetValueOrDefault("dbfilename") ?? "dump.rdb",
            config.GetValueOrDefault("appenddirname") ?? "appendonlydir",
            config.GetValueOrDefault("appendfilename") ?? "appendonly.aof",
            request.Container is null ? directory : request.Container + ":" + directory);
    }

    private static async Task<IReadOnlyDictionary<string, string>> WaitIdleAsync(ConnectionMultiplexer connection, RedisEndpoint endpoint, TimeSpan poll, CancellationToken cancellationToken)
    {
        while (true)
        {
            IReadOnlyDictionary<string, string> persistence = await RedisInfoReader.ReadFieldsAsync(connection, endpoint, "persistence", cancellationToken).ConfigureAwait(false);
            if (!RedisInfoReader.Flag(persistence, "rdb_bgsave_in_progress") && !RedisInfoReader.Flag(persistence, "aof_rewrite_in_progress") && !RedisInfoReader.Flag(persistence, "aof_rewrite_scheduled"))
            {
                return persistence;
            }

            await Task.Delay(poll, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<(DateTimeOffset RequestedAt, DateTimeOffset CompletedAt)> SnapshotAsync(ConnectionMultiplexer connection, IServer server, RedisEndpoint endpoint, RedisBackupMethod method, IReadOnlyDictionary<string, string> before, TimeSpan poll, Action<string>? onStatus, CancellationToken cancellationToken)
    {
        bool rdb = method == RedisBackupMethod.Rdb;
        // Redis 7 counts saves and rewrites; older servers only move the last save time.
        string counter = rdb ? "rdb_saves" : "aof_rewrites";
        bool counted = before.ContainsKey(counter);
        long countBefore = RedisInfoReader.Number(before, counter);
        long lastSaveBefore = RedisInfoReader.Number(before, "rdb_last_save_time");
        DateTimeOffset requestedAt = DateTimeOffset.UtcNow;
        onStatus?.Invoke(rdb ? "BGSAVE" : "BGREWRITEAOF");
        if (rdb)
        {
            await server.SaveAsync(SaveType.BackgroundSave).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await server.SaveAsync(SaveType.BackgroundRewriteAppendOnlyFile).WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        string inProgress = rdb ? "rdb_bgsave_in_progress" : "aof_rewrite_in_progress";
        string statusField = rdb ? "rdb_last_bgsave_status" : "aof_last_bgrewrite_status";
        while (true)
        {
            await Task.Delay(poll, cancellationToken).ConfigureAwait(false);
            IReadOnlyDictionary<string, string> now = await RedisInfoReader.ReadFieldsAsync(connection, endpoint, "persistence", cancellationToken).ConfigureAwait(false);
            bool running = RedisInfoReader.Flag(now, inProgress) || (!rdb && RedisInfoReader.Flag(now, "aof_rewrite_scheduled"));
            bool finished = counted
                ? RedisInfoReader.Number(now, counter) > countBefore
                : !running && (!rdb || RedisInfoReader.Number(now, "rdb_last_save_time") != lastSaveBefore);
            if (running)
            {
                onStatus?.Invoke(rdb ? "BGSAVE running" : "BGREWRITEAOF running");
                continue;
            }

            if (now.GetValueOrDefault(statusField) is { } status && status != "ok")
            {
                throw new OpsToolsException(
                    "RedisSnapshotFailed",
                    OpsToolsErrorKind.InvalidOperation,
                    $"Redis at {endpoint.Display} reports the {(rdb ? "BGSAVE" : "AOF rewrite")} failed ({statusField}:{status}).",
                    endpoint.Display,
                    "Read the Redis log: usually the data directory is full or not writable, or the fork failed (vm.overcommit_memory).");
            }

            if (finished)
            {
                return (requestedAt, DateTimeOffset.UtcNow);
            }
        }
    }

    private static string BackupName(RedisEndpoint endpoint, DateTimeOffset at)
    {
        string host = new string(endpoint.Host.Select(c => char.IsLetterOrDigit(c) || c is '.' or '-' ? c : '_').ToArray());
        return $"redis-{host}-{endpoint.Port.ToString(CultureInfo.InvariantCulture)}-{at.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture)}";
    }

    // Relative names of the files a method needs, as found in the data directory.
    private static IReadOnlyList<string> LocalFiles(Layout layout, RedisBackupMethod method)
    {
        if (method == RedisBackupMethod.Rdb)
        {
            return new[] { layout.RdbFile };
        }

        string aofDirectory = Path.Combine(layout.Directory, layout.AofDirectory);
        if (Directory.Exists(aofDirectory))
        {
            // Redis 7 multi-part AOF: the manifest names the base and incremental files; copy it first
            // and then exactly the files it names, so a later rewrite cannot mix two generations.
            string manifest = Directory.EnumerateFiles(aofDirectory, "*.manifest").SingleOrDefault()
                ?? throw NoFile(layout, Path.Combine(layout.AofDirectory, "*.manifest"));
            var names = new List<string> { Path.Combine(layout.AofDirectory, Path.GetFileName(manifest)) };
            names.AddRange(ManifestFiles(File.ReadAllText(manifest)).Select(name => Path.Combine(layout.AofDirectory, name)));
            return names;
        }

        return new[] { layout.AofFile };
    }

    private static OpsToolsException NoFile(Layout layout, string name) => new(
        "RedisDataFileNotFound",
        OpsToolsErrorKind.ObjectNotFound,
        $"{name} is not in the data directory {layout.SourceText}.",
        Path.Combine(layout.Directory, name),
        "Check -DataDirectory (it must be Redis's 'dir') and that the user running the backup may read it.");

    private static async Task<IReadOnlyList<RedisBackupFile>> CopyLocalAsync(Layout layout, RedisBackupMethod method, string target, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> names = LocalFiles(layout, method);
        var files = new List<RedisBackupFile>();
        foreach (string name in names)
        {
            string source = Path.Combine(layout.Directory, name);
            if (!File.Exists(source))
            {
                throw NoFile(layout, name);
            }

            string destination = Path.Combine(target, name);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            if (name.EndsWith(".manifest", StringComparison.Ordinal))
            {
                // The AOF manifest was read to list the files; store exactly that content.
                byte[] manifestCopy = await File.ReadAllBytesAsync(source, cancellationToken).ConfigureAwait(false);
                var input = new MemoryStream(manifestCopy);
                await using (input.ConfigureAwait(false))
                {
                    files.Add(await CopyAsync(input, destination, name, cancellationToken).ConfigureAwait(false));
                }

                continue;
            }

            var stream = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, useAsync: true);
            await using (stream.ConfigureAwait(false))
            {
                files.Add(await CopyAsync(stream, destination, name, cancellationToken).ConfigureAwait(false));
            }
        }

        return files;
    }

    private static async Task<IReadOnlyList<RedisBackupFile>> CopyFromContainerAsync(RedisBackupRequest request, Layout layout, RedisBackupMethod method, string target, CancellationToken cancellationToken)
    {
        DockerConnection docker = request.Docker ?? throw new ArgumentException("a Docker connection is needed with a container", nameof(request));
        var files = new List<RedisBackupFile>();
        if (method == RedisBackupMethod.Rdb)
        {
            files.Add(await CopyContainerFileAsync(docker, request.Container!, layout, layout.RdbFile, target, cancellationToken).ConfigureAwait(false));
            return files;
        }

        // Redis 7 multi-part AOF: fetch the manifest alone, then exactly the files it names. Archiving
        // the whole directory would race with Redis deleting the previous generation after a rewrite.
        string manifestName = layout.AofDirectory + "/" + layout.AofFile + ".manifest";
        byte[]? manifest = await ReadContainerFileAsync(docker, request.Container!, layout, manifestName, cancellationToken).ConfigureAwait(false);
        if (manifest is null)
        {
            files.Add(await CopyContainerFileAsync(docker, request.Container!, layout, layout.AofFile, target, cancellationToken).ConfigureAwait(false));
            return files;
        }

        var input = new MemoryStream(manifest);
        await using (input.ConfigureAwait(false))
        {
            files.Add(await CopyAsync(input, Prepare(target, manifestName), manifestName, cancellationToken).ConfigureAwait(false));
        }

        foreach (string name in ManifestFiles(System.Text.Encoding.UTF8.GetString(manifest)))
        {
            files.Add(await CopyContainerFileAsync(docker, request.Container!, layout, layout.AofDirectory + "/" + name, target, cancellationToken).ConfigureAwait(false));
        }

        return files;
    }

    private static IEnumerable<string> ManifestFiles(string manifest)
    {
        foreach (string line in manifest.Split('\n'))
        {
            string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            int file = Array.IndexOf(fields, "file");
            if (file >= 0 && file + 1 < fields.Length && !fields[file + 1].Contains('/', StringComparison.Ordinal))
            {
                yield return fields[file + 1];
            }
        }
    }

    private static string Prepare(string target, string name)
    {
        string destination = Path.Combine(target, name);
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        return destination;
    }

    // One file of the data directory through GET /containers/{id}/archive; null when it does not exist.
    private static async Task<byte[]?> ReadContainerFileAsync(DockerConnection docker, string container, Layout layout, string name, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        return await WithContainerFileAsync(docker, container, layout, name, (data, ct) => data.CopyToAsync(buffer, ct), cancellationToken).ConfigureAwait(false)
            ? buffer.ToArray()
            : null;
    }

    private static async Task<RedisBackupFile> CopyContainerFileAsync(DockerConnection docker, string container, Layout layout, string name, string target, CancellationToken cancellationToken)
    {
        RedisBackupFile? copied = null;
        bool found = await WithContainerFileAsync(
            docker,
            container,
            layout,
            name,
            async (data, ct) => copied = await CopyAsync(data, Prepare(target, name), name, ct).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
        return found && copied is not null ? copied : throw NoFile(layout, name);
    }

    private static async Task<bool> WithContainerFileAsync(DockerConnection docker, string container, Layout layout, string name, Func<Stream, CancellationToken, Task> onData, CancellationToken cancellationToken)
    {
        string path = layout.Directory.TrimEnd('/') + "/" + name;
        Stream archive;
        try
        {
            ContainerArchiveResponse response = await docker.RunAsync(
                (client, ct) => client.Containers.GetArchiveFromContainerAsync(container, new ContainerPathStatParameters { Path = path }, false, ct),
                cancellationToken).ConfigureAwait(false);
            if (response.Stream is null)
            {
                return false;
            }

            archive = response.Stream;
        }
        catch (OpsToolsException ex) when (ex.Kind == OpsToolsErrorKind.ObjectNotFound && !ex.Message.Contains("No such container", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        await using (archive.ConfigureAwait(false))
        {
            var reader = new TarReader(archive, leaveOpen: true);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
                {
                    if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile)
                    {
                        await onData(entry.DataStream ?? Stream.Null, cancellationToken).ConfigureAwait(false);
                        return true;
                    }
                }
            }
        }

        return false;
    }

    private static async Task<RedisBackupFile> CopyAsync(Stream input, string destination, string name, CancellationToken cancellationToken)
    {
        var output = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        await using (output.ConfigureAwait(false))
        {
            var hashing = HashingStream.ForWriting(output, leaveOpen: true);
            await using (hashing.ConfigureAwait(false))
            {
                await input.CopyToAsync(hashing, cancellationToken).ConfigureAwait(false);
                await hashing.FlushAsync(cancellationToken).ConfigureAwait(false);
                return new RedisBackupFile { Name = name.Replace('\\', '/'), Length = hashing.BytesCount, Sha256 = hashing.Sha256() };
            }
        }
    }

    private static async Task WriteManifestAsync(RedisBackup backup, string path, CancellationToken cancellationToken)
    {
        var manifest = new
        {
            format = "opstools-redis-backup/1",
            server = backup.Server,
            method = backup.Method.ToString(),
            redisVersion = backup.RedisVersion,
            source = backup.Source,
            snapshotRequestedAt = backup.SnapshotRequestedAt,
            snapshotCompletedAt = backup.SnapshotCompletedAt,
            files = backup.Files.Select(f => new { name = f.Name, length = f.Length, sha256 = f.Sha256 }),
        };
        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, useAsync: true);
        await using (stream.ConfigureAwait(false))
        {
            await JsonSerializer.SerializeAsync(stream, manifest, ManifestJson, cancellationToken).ConfigureAwait(false);
        }
    }
}
