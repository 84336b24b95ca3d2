using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;
using OpsTools.Engine.Docker;
using OpsTools.Engine.Odoo;
using OpsTools.Engine.Postgres;
using OpsTools.Engine.Tests.Lab;
using OpsTools.Odoo;

namespace OpsTools.Engine.Tests.Odoo;

/// <summary>
/// A container of the lab's PostgreSQL image with an Odoo-shaped database loaded through its published
/// port and a filestore copied in with docker cp; made and removed with the docker CLI.
/// </summary>
public sealed class OdooContainerFixture : IAsyncLifetime
{
    public string DockerHost { get; private set; } = string.Empty;

    public string Name { get; } = "opsodoo-dk-" + Guid.NewGuid().ToString("N")[..8];

    public string Password { get; } = Guid.NewGuid().ToString("N");

    public string Database { get; } = "opsodoo_" + Guid.NewGuid().ToString("N")[..8];

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "opsodoo-dk-" + Guid.NewGuid().ToString("N")[..8]);

    public string LocalFilestore => Path.Combine(Root, "source", "filestore", Database);

    public string ContainerFilestore => "/var/lib/odoo/filestore/" + Database;

    public Exception? LabProblem { get; private set; }

    private bool _created;

    public async Task InitializeAsync()
    {
        string? dockerHost = LabEnvironment.Get("OPSTOOLS_TEST_DOCKER_HOST");
        string? image = LabEnvironment.Get("OPSTOOLS_TEST_IMAGE_POSTGRES");
        if (dockerHost is null || image is null)
        {
            LabProblem = new InvalidOperationException("OPSTOOLS_TEST_DOCKER_HOST / _IMAGE_POSTGRES are unset");
            return;
        }

        DockerHost = dockerHost;
        Directory.CreateDirectory(Root);
        try
        {
            int port = FreePort();
            _created = true;
            await DockerCli.RunAsync(DockerHost, "run", "-d", "--init", "--name", Name, "-e", "POSTGRES_PASSWORD=" + Password, "-p", $"127.0.0.1:{port}:5432", image);
            DateTime deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                try
                {
                    await DockerCli.RunAsync(DockerHost, "exec", Name, "pg_isready", "-h", "127.0.0.1");
                    break;
                }
                catch (InvalidOperationException) when (DateTime.UtcNow < deadline)
                {
                    await Task.Delay(300);
                }
            }

            await OdooFixture.RunScriptAsync("127.0.0.1", "postgres", Password, "create", "--port", port.ToString(CultureInfo.InvariantCulture), "--database", Database, "--filestore", LocalFilestore);
            await DockerCli.RunAsync(DockerHost, "exec", Name, "mkdir", "-p", "/var/lib/odoo/filestore");
            await DockerCli.RunAsync(DockerHost, "cp", LocalFilestore, Name + ":" + ContainerFilestore);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or System.ComponentModel.Win32Exception)
        {
            LabProblem = ex;
        }
    }

    public async Task DisposeAsync()
    {
        if (_created)
        {
            await DockerCli.RunAsync(DockerHost, "rm", "-f", Name);
        }

        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }

    public void RequireLab()
    {
        if (LabProblem is not null)
        {
            LabEnvironment.Unreachable("Docker and the lab PostgreSQL image", LabProblem);
        }
    }

    /// <summary>The database as seen from inside the container.</summary>
    public PostgresEndpoint Endpoint(string? database = null) => PostgresEndpoint.Resolve(new PostgresConnectionRequest
    {
        Server = "127.0.0.1:5432",
        Credential = new NetworkCredential("postgres", Password),
        DefaultDatabase = database ?? Database,
    });

    public string NewDirectory(string name)
    {
        string path = Path.Combine(Root, name + "-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(path);
        return path;
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

public sealed class OdooContainerTests : IClassFixture<OdooContainerFixture>
{
    private readonly OdooContainerFixture _lab;

    public OdooContainerTests(OdooContainerFixture lab) => _lab = lab;

    [SkippableFact]
    public async Task Exec_DemultiplexesStandardOutputFromStandardErrorAndReportsTheExitCode()
    {
        _lab.RequireLab();
        PostgresClientContainer container = await PostgresClientContainer.FromContainerAsync(DockerConnection.Get(_lab.DockerHost), _lab.Name, "Odoo");
        using var output = new MemoryStream();

        (long exitCode, string errors) = await container.ExecAsync(
            new[] { "sh", "-c", "echo to-out; echo to-err >&2; echo \"$OPSODOO_VALUE\"; exit 3" },
            new Dictionary<string, string> { ["OPSODOO_VALUE"] = "from-env" },
            output);

        Assert.Equal(3, exitCode);
        Assert.Equal("to-out\nfrom-env\n", Encoding.UTF8.GetString(output.ToArray()));
        Assert.Equal("to-err\n", errors);
    }

    [SkippableFact]
    public async Task BackupAsync_WithTheDumpAndTheFilestoreInTheContainer_WritesTheSameFilestoreDigestAsTheLocalCopy()
    {
        _lab.RequireLab();
        PostgresClientContainer container = await PostgresClientContainer.FromContainerAsync(DockerConnection.Get(_lab.DockerHost), _lab.Name, "Odoo");
        string destination = _lab.NewDirectory("zip");
        var local = new FilestoreDigest();
        foreach (FilestoreFile file in Filestore.List(_lab.LocalFilestore))
        {
            byte[] bytes = await File.ReadAllBytesAsync(file.FullPath);
            local.Add(file.RelativePath, bytes.Length, Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes)).ToLowerInvariant());
        }

        OdooBackup backup = await OdooBackupWriter.BackupAsync(
            new OdooBackupRequest
            {
                Endpoint = _lab.Endpoint(),
                DatabaseContainer = container,
                FilestoreContainer = container,
                FilestorePath = _lab.ContainerFilestore,
                Destination = destination,
            },
            new OdooBackupProgress());

        Assert.True(backup.IsComplete);
        Assert.Equal(local.Count, backup.FilestoreFileCount);
        Assert.Equal(local.Sha256(), backup.FilestoreSha256);
        Assert.StartsWith("15.", backup.PgDumpVersion, StringComparison.Ordinal);
        using ZipArchive zip = ZipFile.OpenRead(backup.Path);
        using var dump = new StreamReader(zip.GetEntry("dump.sql")!.Open());
        string text = await dump.ReadToEndAsync();
        Assert.Contains("CREATE TABLE public.ir_attachment", text, StringComparison.Ordinal);
        Assert.DoesNotContain(_lab.Password, text, StringComparison.Ordinal);
        Assert.Equal(local.Count, zip.Entries.Count(e => e.FullName.StartsWith("filestore/", StringComparison.Ordinal)));
    }

    [SkippableFact]
    public async Task BackupAsync_WhenTheDatabaseDoesNotExistInTheContainer_FailsWithTheClientsMessageAndLeavesNoFile()
    {
        _lab.RequireLab();
        PostgresClientContainer container = await PostgresClientContainer.FromContainerAsync(DockerConnection.Get(_lab.DockerHost), _lab.Name, "Odoo");
        string destination = _lab.NewDirectory("missing");

        OpsToolsException error = await Assert.ThrowsAsync<OpsToolsException>(() => OdooBackupWriter.BackupAsync(
            new OdooBackupRequest { Endpoint = _lab.Endpoint("opsodoo_missing"), DatabaseContainer = container, NoFilestore = true, Destination = destination },
            new OdooBackupProgress()));

        Assert.Equal("PostgresClientFailed", error.ErrorId);
        Assert.Equal(OpsToolsErrorKind.InvalidOperation, error.Kind);
        Assert.Contains("database \"opsodoo_missing\" does not exist", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_lab.Password, error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(destination));
    }

    [SkippableFact]
    public async Task FromContainerAsync_ForAContainerThatDoesNotExist_ThrowsOdooContainerNotFound()
    {
        _lab.RequireLab();

        OpsToolsException error = await Assert.ThrowsAsync<OpsToolsException>(() => PostgresClientContainer.FromContainerAsync(DockerConnection.Get(_lab.DockerHost), _lab.Name + "-missing", "Odoo"));

        Assert.Equal("OdooContainerNotFound", error.ErrorId);
        Assert.Equal(OpsToolsErrorKind.ObjectNotFound, error.Kind);
    }
}
