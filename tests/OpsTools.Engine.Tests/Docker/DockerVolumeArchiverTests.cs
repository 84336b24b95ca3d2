using System;
using System.Formats.Tar;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using OpsTools.Engine.Docker;
using OpsTools.Engine.Tests.Lab;

namespace OpsTools.Engine.Tests.Docker;

/// <summary>
/// The archiver against the lab's shared daemon, on a volume and a container of its own
/// (opstools-df-*): Ctrl+C in the middle of a copy, and archives refused before anything is written.
/// </summary>
public sealed class DockerVolumeArchiverTests : IAsyncLifetime
{
    private readonly string _name = "opstools-df-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _directory = Directory.CreateTempSubdirectory("opstools-df-archiver-").FullName;
    private string _dockerHost = string.Empty;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        if (_dockerHost.Length > 0)
        {
            await TryDockerAsync("rm", "-f", _name + "-user");
            await TryDockerAsync("volume", "rm", _name);
        }
    }

    [SkippableFact]
    public async Task Ctrl_C_in_the_middle_of_a_backup_starts_the_stopped_container_again_and_leaves_no_file()
    {
        _dockerHost = LabEnvironment.Require("OPSTOOLS_TEST_DOCKER_HOST", "Docker daemon");
        string image = LabEnvironment.Require("OPSTOOLS_TEST_IMAGE_BUSYBOX", "busybox image");
        await DockerCli.RunAsync(_dockerHost, "volume", "create", _name);
        await DockerCli.RunAsync(_dockerHost, "run", "--rm", "--network", "none", "-v", _name + ":/v", image, "sh", "-c", "dd if=/dev/urandom of=/v/data bs=1024 count=4096 2>/dev/null");
        await DockerCli.RunAsync(_dockerHost, "run", "--detach", "--init", "--name", _name + "-user", "--network", "none", "-v", _name + ":/v", image, "sleep", "600");
        string startedBefore = await DockerCli.RunAsync(_dockerHost, "inspect", "--format", "{{.State.StartedAt}}", _name + "-user");
        using var stopping = new CancellationTokenSource();
        var archiver = new DockerVolumeArchiver(DockerConnection.Get(_dockerHost));
        string destination = Path.Combine(_directory, "cancelled.tar");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => archiver.BackupAsync(
            new DockerVolumeArchiveRequest { Volume = _name, Path = destination, StopContainers = true },
            new CancelOnFirstBytes(stopping),
            stopping.Token));

        Assert.Equal("true", await DockerCli.RunAsync(_dockerHost, "inspect", "--format", "{{.State.Running}}", _name + "-user"));
        Assert.NotEqual(startedBefore, await DockerCli.RunAsync(_dockerHost, "inspect", "--format", "{{.State.StartedAt}}", _name + "-user"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_directory));
        Assert.Equal(string.Empty, await DockerCli.RunAsync(_dockerHost, "ps", "-aq", "--filter", "label=org.opstools.helper", "--filter", "volume=" + _name));
    }

    [Fact]
    public async Task A_truncated_archive_whose_checksum_matches_is_still_refused_as_corrupt()
    {
        string archive = Path.Combine(_directory, "truncated.tar");
        using (var stream = new MemoryStream())
        {
            using (var writer = new TarWriter(stream, leaveOpen: true))
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile, "./data") { DataStream = new MemoryStream(RandomNumberGenerator.GetBytes(64 * 1024)) };
                writer.WriteEntry(entry);
            }

            await File.WriteAllBytesAsync(archive, stream.ToArray().Take(20 * 1024).ToArray());
        }

        string sha256 = Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(archive))).ToLowerInvariant();
        await File.WriteAllTextAsync(archive + ".sha256", sha256 + "  truncated.tar\n");

        OpsToolsException error = await Assert.ThrowsAsync<OpsToolsException>(() => DockerVolumeArchiver.VerifyArchiveAsync(archive));

        Assert.Equal("DockerVolumeArchiveCorrupt", error.ErrorId);
        Assert.Equal(OpsToolsErrorKind.InvalidData, error.Kind);
    }

    [Fact]
    public async Task A_complete_archive_is_verified_with_its_checksum_and_size()
    {
        string archive = Path.Combine(_directory, "ok.tar");
        using (var writer = new TarWriter(File.Create(archive)))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "./"));
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "./a") { DataStream = new MemoryStream(new byte[] { 1, 2, 3 }) });
        }

        byte[] bytes = await File.ReadAllBytesAsync(archive);
        string sha256 = Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();
        await File.WriteAllTextAsync(archive + ".sha256", sha256 + "  ok.tar\n");

        (string verified, long size) = await DockerVolumeArchiver.VerifyArchiveAsync(archive);

        Assert.Equal(sha256, verified);
        Assert.Equal(bytes.Length, size);
    }

    private async Task TryDockerAsync(params string[] arguments)
    {
        try
        {
            await DockerCli.RunAsync(_dockerHost, arguments);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>Presses "Ctrl+C" as soon as the first bytes of the archive are written.</summary>
    private sealed class CancelOnFirstBytes(CancellationTokenSource source) : IProgress<long>
    {
        public void Report(long value) => source.Cancel();
    }
}
