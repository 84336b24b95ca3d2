using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Formats.Tar;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using Docker.DotNet.Models;
using OpsTools.Docker;
using OpsTools.Engine.Backup;

namespace OpsTools.Engine.Docker;

/// <summary>What to back up or restore.</summary>
public sealed class DockerVolumeArchiveRequest
{
    /// <summary>Volume name.</summary>
    public required string Volume { get; init; }
    /// <summary>Archive file: <c>.tar</c>, or gzip-compressed when it ends in <c>.gz</c> or <c>.tgz</c>.</summary>
    public required string Path { get; init; }
    /// <summary>Stop the running containers that mount the volume for the copy, and start them again afterwards.</summary>
    public bool StopContainers { get; init; }
    /// <summary>Local image to create the helper container from; null picks one (see <see cref="DockerVolumeArchiver"/>).</summary>
    public string? HelperImage { get; init; }
    /// <summary>Restore: write into a volume that already holds files.</summary>
    public bool Force { get; init; }
}

/// <summary>A container that mounts a volume.</summary>
/// <param name="Id">Container id.</param>
/// <param name="Name">Container name.</param>
/// <param name="Running">Whether it runs now.</param>
/// <param name="Service">Swarm service the container is a task of, if any.</param>
/// <param name="ImageId">Id of its image.</param>
public sealed record DockerVolumeUser(string Id, string Name, bool Running, string? Service, string ImageId);

/// <summary>
/// Copies a named volume to a tar file and back through the Docker API alone, with no helper image
/// to pull: a container is created (never started) from an image that is already local, with the
/// volume mounted; the daemon reads (<c>GET /containers/{id}/archive</c>) and writes
/// (<c>PUT /containers/{id}/archive</c>) the volume's files through it. The helper container is
/// always removed, and containers stopped for the copy are always started again, also on failure
/// or cancellation. Archives are written under a temporary name with their SHA-256 and renamed
/// when complete; a restore verifies the checksum and the tar structure before writing anything.
/// </summary>
public sealed class DockerVolumeArchiver
{
    /// <summary>Where the volume is mounted in the helper container.</summary>
    public const string MountPath = "/opstools-volume";

    private const string HelperLabel = "org.opstools.helper";
    private const string ServiceLabel = "com.docker.swarm.service.name";

    private readonly DockerConnection _connection;

    /// <summary>Creates an archiver for one endpoint.</summary>
    /// <param name="connection">The Docker connection.</param>
    public DockerVolumeArchiver(DockerConnection connection)
    {
        _connection = connection ?? throw new ArgumentNullException(nameof(connection));
    }

    /// <summary>Path of the checksum file written beside an archive (<c>sha256sum</c> format).</summary>
    /// <param name="archivePath">The archive.</param>
    /// <returns>Its checksum file.</returns>
    public static string ChecksumPath(string archivePath) => archivePath + ".sha256";

    /// <summary>Whether a file name says gzip.</summary>
    /// <param name="path">The path.</param>
    /// <returns>True for <c>.gz</c> and <c>.tgz</c>.</returns>
    public static bool IsCompressed(string path) =>
        path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase);

    /// <summary>Lists the containers (running or not) that mount a volume.</summary>
    /// <param name="volume">Volume name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The containers.</returns>
    public async Task<IReadOnlyList<DockerVolumeUser>> GetUsersAsync(string volume, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(volume);
        var parameters = new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["volume"] = new Dictionary<string, bool> { [volume] = true } },
        };
        IList<ContainerListResponse> containers = await _connection.RunAsync((client, ct) => client.Containers.ListContainersAsync(parameters, ct), cancellationToken).ConfigureAwait(false);
        return containers
            .Where(c => c.Labels is null || !c.Labels.ContainsKey(HelperLabel))
            .Where(c => c.Mounts?.Any(m => m.Type == "volume" && m.Name == volume) == true)
            .Select(c => new DockerVolumeUser(
                c.ID,
                c.Names?.FirstOrDefault()?.TrimStart('/') ?? c.ID,
                c.State == "running",
                c.Labels is not null && c.Labels.TryGetValue(ServiceLabel, out string? service) ? service : null,
                c.ImageID))
            .OrderBy(u => u.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Writes the volume's files to a tar (or tar.gz) file and its <c>.sha256</c> file.</summary>
    /// <param name="request">Volume and destination.</param>
    /// <param name="progress">Receives the bytes written so far.</param>
    /// <param name="cancellationToken">Cancels the copy; stopped containers are started again anyway.</param>
    /// <returns>What was written.</returns>
    public async Task<DockerVolumeArchive> BackupAsync(DockerVolumeArchiveRequest request, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = Stopwatch.StartNew();
        string destination = System.IO.Path.GetFullPath(request.Path);
        if (!Directory.Exists(System.IO.Path.GetDirectoryName(destination)))
        {
            throw new OpsToolsException(
                "DockerVolumeDestinationNotFound",
                OpsToolsErrorKind.ObjectNotFound,
                $"The directory of {destination} does not exist.",
                destination,
                "Create the directory first, or give -Destination in an existing one.");
        }

        await new DockerVolumeInspector(_connection).GetAsync(request.Volume, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<DockerVolumeUser> users = await GetUsersAsync(request.Volume, cancellationToken).ConfigureAwait(false);
        string image = await ChooseImageAsync(request.HelperImage, users, cancellationToken).ConfigureAwait(false);
        bool compressed = IsCompressed(destination);
        using var staged = new StagedOutput();
        string archiveTemporary = staged.AddFile(destination);
        string checksumTemporary = staged.AddFile(ChecksumPath(destination));
        string sha256 = string.Empty;
        long size = 0;
        IReadOnlyList<DockerVolumeUser> stopped = await RunWithUsersStoppedAsync(request, users, readOnly: true, image, async (helper, ct) =>
        {
            ContainerArchiveResponse response = await _connection.RunAsync(
                (client, c) => client.Containers.GetArchiveFromContainerAsync(helper, new ContainerPathStatParameters { Path = MountPath + "/." }, false, c),
                ct).ConfigureAwait(false);
            try
            {
                await using Stream source = response.Stream ?? throw NoArchive(request.Volume);
                (sha256, size) = await WriteArchiveAsync(source, archiveTemporary, compressed, progress, ct).ConfigureAwait(false);
                await File.WriteAllTextAsync(checksumTemporary, $"{sha256}  {System.IO.Path.GetFileName(destination)}\n", ct).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                throw new OpsToolsException(
                    "DockerVolumeBackupWriteFailed",
                    OpsToolsErrorKind.ResourceUnavailable,
                    $"Writing {destination} failed: {ex.Message}",
                    destination,
                    "Check the free space and permissions of the destination; nothing was left under its final name.",
                    ex);
            }

            staged.Commit();
        }, cancellationToken).ConfigureAwait(false);

        return new DockerVolumeArchive
        {
            DockerHost = _connection.Endpoint.DisplayName,
            Volume = request.Volume,
            Operation = "Backup",
            Path = destination,
            Size = size,
            Sha256 = sha256,
            Compressed = compressed,
            HelperImage = image,
            StoppedContainers = stopped.Select(u => u.Name).ToList(),
            Duration = started.Elapsed,
        };
    }

    private static async Task<(string Sha256, long Size)> WriteArchiveAsync(Stream source, string path, bool compressed, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        long written = 0;
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        using var hashing = HashingStream.ForWriting(file, bytes => progress?.Report(written += bytes), leaveOpen: true);
        if (compressed)
        {
            // Disposed before the hash is read: the gzip trailer must be in it.
            await using var gzip = new GZipStream(hashing, CompressionLevel.Optimal, leaveOpen: true);
            await source.CopyToAsync(gzip, 1 << 16, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await source.CopyToAsync(hashing, 1 << 16, cancellationToken).ConfigureAwait(false);
        }

        await hashing.FlushAsync(cancellationToken).ConfigureAwait(false);
        return (hashing.Sha256(), hashing.BytesCount);
    }

    /// <summary>
    /// Verifies an archive against its <c>.sha256</c> file and reads its tar structure through, without
    /// touching Docker; a restore calls this before it creates anything.
    /// </summary>
    /// <param name="path">The archive.</param>
    /// <param name="progress">Receives the bytes read so far.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The verified checksum and size.</returns>
    /// <exception cref="OpsToolsException"><c>DockerVolumeArchiveNotFound</c>, <c>DockerVolumeChecksumMissing</c>, <c>DockerVolumeArchiveCorrupt</c>.</exception>
    public static async Task<(string Sha256, long Size)> VerifyArchiveAsync(string path, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new OpsToolsException("DockerVolumeArchiveNotFound", OpsToolsErrorKind.ObjectNotFound, $"The archive {full} does not exist.", full, "Give -Path as a file written by Backup-DockerVolume.");
        }

        string checksumFile = ChecksumPath(full);
        if (!File.Exists(checksumFile))
        {
            throw new OpsToolsException(
                "DockerVolumeChecksumMissing",
                OpsToolsErrorKind.ObjectNotFound,
                $"The checksum file {checksumFile} does not exist; an archive is restored only when its checksum can be verified.",
                checksumFile,
                "Keep the .sha256 file Backup-DockerVolume wrote beside the archive, or write one with: sha256sum <archive> > <archive>.sha256");
        }

        string expected = (await File.ReadAllTextAsync(checksumFile, cancellationToken).ConfigureAwait(false)).Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.ToLowerInvariant() ?? string.Empty;
        string actual;
        long size;
        await using (var file = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true))
        {
            long read = 0;
            using var hashing = HashingStream.ForReading(file, bytes => progress?.Report(read += bytes), leaveOpen: true);
            await hashing.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
            actual = hashing.Sha256();
            size = hashing.BytesCount;
        }

        if (!string.Equals(expected, actual, StringComparison.Ordinal))
        {
            throw Corrupt(full, "its SHA-256 differs from the one in " + System.IO.Path.GetFileName(checksumFile), null);
        }

        // A second pass for the structure: a truncated archive can come with a checksum of its own.
        // TarReader seeks over file data in a plain tar, so this reads little more than the headers.
        try
        {
            await using var file = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            if (IsCompressed(full))
            {
                await using var gzip = new GZipStream(file, CompressionMode.Decompress, leaveOpen: true);
                await ReadTarAsync(gzip, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await ReadTarAsync(file, cancellationToken).ConfigureAwait(false);

                // Seeking over the data of a cut-off last entry lands past the end instead of failing.
                if (file.Position > file.Length)
                {
                    throw new EndOfStreamException("the last entry is cut off");
                }
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw Corrupt(full, "it is not a readable tar" + (IsCompressed(full) ? ".gz" : string.Empty) + " archive", ex);
        }

        return (actual, size);
    }

    /// <summary>Writes an archive's files into a volume (created by the daemon when it does not exist).</summary>
    /// <param name="request">Archive and volume.</param>
    /// <param name="progress">Receives the bytes of the archive verified so far.</param>
    /// <param name="cancellationToken">Cancels the copy; stopped containers are started again anyway.</param>
    /// <returns>What was restored.</returns>
    /// <exception cref="OpsToolsException">The archive errors of <see cref="VerifyArchiveAsync"/>, <c>DockerVolumeInUse</c>, <c>DockerVolumeNotEmpty</c>.</exception>
    public async Task<DockerVolumeArchive> RestoreAsync(DockerVolumeArchiveRequest request, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = Stopwatch.StartNew();
        string source = System.IO.Path.GetFullPath(request.Path);
        (string sha256, long size) = await VerifyArchiveAsync(source, progress, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<DockerVolumeUser> users = await GetUsersAsync(request.Volume, cancellationToken).ConfigureAwait(false);
        List<DockerVolumeUser> running = users.Where(u => u.Running).ToList();
        if (running.Count > 0 && !request.StopContainers)
        {
            throw new OpsToolsException(
                "DockerVolumeInUse",
                OpsToolsErrorKind.InvalidOperation,
                $"The volume {request.Volume} is mounted by running containers ({string.Join(", ", running.Select(u => u.Name))}); restoring under them would mix old and new files.",
                request.Volume,
                "Stop them first, or add -StopContainers to stop them for the restore and start them again afterwards.");
        }

        string image = await ChooseImageAsync(request.HelperImage, users, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<DockerVolumeUser> stopped = await RunWithUsersStoppedAsync(request, users, readOnly: false, image, async (helper, ct) =>
        {
            if (!request.Force && !await IsEmptyAsync(helper, request.Volume, ct).ConfigureAwait(false))
            {
                throw new OpsToolsException(
                    "DockerVolumeNotEmpty",
                    OpsToolsErrorKind.ResourceExists,
                    $"The volume {request.Volume} already holds files; a restore does not write over them unless asked.",
                    request.Volume,
                    "Add -Force to write the archive's files over the volume's (files not in the archive stay), or restore into a new volume.");
            }

            // The daemon decompresses gzip itself: the file is sent as it is.
            await using var file = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            await _connection.RunAsync(async (client, c) =>
            {
                await client.Containers.ExtractArchiveToContainerAsync(helper, new CopyToContainerParameters { Path = MountPath }, file, c).ConfigureAwait(false);
                return true;
            }, ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);

        return new DockerVolumeArchive
        {
            DockerHost = _connection.Endpoint.DisplayName,
            Volume = request.Volume,
            Operation = "Restore",
            Path = source,
            Size = size,
            Sha256 = sha256,
            Compressed = IsCompressed(source),
            HelperImage = image,
            StoppedContainers = stopped.Select(u => u.Name).ToList(),
            Duration = started.Elapsed,
        };
    }

    private static async Task ReadTarAsync(Stream stream, CancellationToken cancellationToken)
    {
        await using var reader = new TarReader(stream, leaveOpen: true);
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is not null)
        {
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private OpsToolsException NoArchive(string volume) => new(
        "DockerVolumeArchiveFailed",
        OpsToolsErrorKind.InvalidOperation,
        $"{_connection.Endpoint.DisplayName} returned no archive for the volume {volume}.",
        volume,
        "Check the daemon's log, then retry.");

    private static OpsToolsException Corrupt(string path, string reason, Exception? inner) => new(
        "DockerVolumeArchiveCorrupt",
        OpsToolsErrorKind.InvalidData,
        $"The archive {path} was refused before anything was written: {reason}.",
        path,
        "Restore from another copy of the backup; this one is damaged or is not the file its .sha256 was written for.",
        inner);

    private async Task<bool> IsEmptyAsync(string helper, string volume, CancellationToken cancellationToken)
    {
        ContainerArchiveResponse response = await _connection.RunAsync(
            (client, ct) => client.Containers.GetArchiveFromContainerAsync(helper, new ContainerPathStatParameters { Path = MountPath + "/." }, false, ct),
            cancellationToken).ConfigureAwait(false);
        await using Stream stream = response.Stream ?? throw NoArchive(volume);
        await using var reader = new TarReader(stream, leaveOpen: true);

        // The first entry is the volume's root ("./"); any second one is a file or directory in it.
        await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false);
        return await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is null;
    }

    private async Task<string> ChooseImageAsync(string? requested, IReadOnlyList<DockerVolumeUser> users, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(requested))
        {
            try
            {
                await _connection.RunAsync((client, ct) => client.Images.InspectImageAsync(requested, ct), cancellationToken).ConfigureAwait(false);
                return requested;
            }
            catch (OpsToolsException ex) when (ex.Kind == OpsToolsErrorKind.ObjectNotFound)
            {
                throw new OpsToolsException(
                    "DockerVolumeHelperImageNotFound",
                    OpsToolsErrorKind.ObjectNotFound,
                    $"The image {requested} is not on {_connection.Endpoint.DisplayName}; nothing is pulled for a volume copy.",
                    requested,
                    "Name an image that docker image ls shows, or leave -HelperImage out to use one that is already there.",
                    ex);
            }
        }

        // Any image works (the helper never runs): one a user of the volume runs is certainly there,
        // otherwise the smallest local image.
        if (users.FirstOrDefault(u => !string.IsNullOrEmpty(u.ImageId)) is { } user)
        {
            return user.ImageId;
        }

        IList<ImagesListResponse> images = await _connection.RunAsync((client, ct) => client.Images.ListImagesAsync(new ImagesListParameters { All = false }, ct), cancellationToken).ConfigureAwait(false);
        return images.OrderBy(i => i.Size).FirstOrDefault()?.ID ?? throw new OpsToolsException(
            "DockerVolumeHelperImageNotFound",
            OpsToolsErrorKind.ObjectNotFound,
            $"{_connection.Endpoint.DisplayName} has no image at all to create the helper container from; nothing is pulled for a volume copy.",
            _connection.Endpoint.DisplayName,
            "Load or build any small image on that host (docker load, docker import), then retry.");
    }

    private async Task<IReadOnlyList<DockerVolumeUser>> RunWithUsersStoppedAsync(
        DockerVolumeArchiveRequest request, IReadOnlyList<DockerVolumeUser> users, bool readOnly, string image, Func<string, CancellationToken, Task> copy, CancellationToken cancellationToken)
    {
        List<DockerVolumeUser> toStop = request.StopContainers ? users.Where(u => u.Running).ToList() : new List<DockerVolumeUser>();
        if (toStop.FirstOrDefault(u => u.Service is not null) is { } task)
        {
            throw new OpsToolsException(
                "DockerVolumeUsedByService",
                OpsToolsErrorKind.InvalidOperation,
                $"The volume {request.Volume} is mounted by {task.Name}, a task of the Swarm service {task.Service}; Swarm would start a new task as soon as it is stopped.",
                task.Service,
                $"Scale the service to 0 first (docker service scale {task.Service}=0), run the copy without -StopContainers, then scale it back.");
        }

        var stopped = new List<DockerVolumeUser>();
        string? helper = null;
        ExceptionDispatchInfo? failure = null;
        try
        {
            foreach (DockerVolumeUser user in toStop)
            {
                await _connection.RunAsync((client, ct) => client.Containers.StopContainerAsync(user.Id, new ContainerStopParameters(), ct), cancellationToken).ConfigureAwait(false);
                stopped.Add(user);
            }

            var create = new CreateContainerParameters
            {
                Name = "opstools-volume-helper-" + Guid.NewGuid().ToString("N")[..12],
                Image = image,
                Entrypoint = new List<string> { "/opstools-helper-never-started" },
                Labels = new Dictionary<string, string> { [HelperLabel] = "volume-archive" },
                NetworkDisabled = true,
                HostConfig = new HostConfig
                {
                    NetworkMode = "none",
                    Mounts = new List<Mount> { new() { Type = "volume", Source = request.Volume, Target = MountPath, ReadOnly = readOnly } },
                },
            };
            CreateContainerResponse created = await _connection.RunAsync((client, ct) => client.Containers.CreateContainerAsync(create, ct), cancellationToken).ConfigureAwait(false);
            helper = created.ID;
            await copy(helper, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failure = ExceptionDispatchInfo.Capture(ex);
        }

        // Never cancelled: the helper must go and the stopped containers must run again after Ctrl+C too.
        if (helper is not null)
        {
            try
            {
                await _connection.RunAsync((client, ct) => RemoveAsync(client, helper, ct), CancellationToken.None).ConfigureAwait(false);
            }
            catch (OpsToolsException)
            {
                // Labelled org.opstools.helper and never started: a leftover is harmless and recognisable.
            }
        }

        var notRestarted = new List<string>();
        foreach (DockerVolumeUser user in stopped)
        {
            try
            {
                await _connection.RunAsync((client, ct) => client.Containers.StartContainerAsync(user.Id, new ContainerStartParameters(), ct), CancellationToken.None).ConfigureAwait(false);
            }
            catch (OpsToolsException ex)
            {
                notRestarted.Add($"{user.Name} ({ex.Message})");
            }
        }

        if (notRestarted.Count > 0)
        {
            throw new OpsToolsException(
                "DockerVolumeRestartFailed",
                OpsToolsErrorKind.InvalidOperation,
                $"Containers stopped for the copy of {request.Volume} did not start again: {string.Join("; ", notRestarted)}." + (failure is null ? string.Empty : $" The copy itself failed: {failure.SourceException.Message}"),
                request.Volume,
                "Start them by hand (docker start) and check their logs.",
                failure?.SourceException);
        }

        failure?.Throw();
        return stopped;
    }

    private static async Task<bool> RemoveAsync(global::Docker.DotNet.DockerClient client, string id, CancellationToken cancellationToken)
    {
        await client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true, RemoveVolumes = false }, cancellationToken).ConfigureAwait(false);
        return true;
    }
}
