using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Threading.Tasks;
using OpsTools.Engine.Odoo;
using OpsTools.Engine.Postgres;
using OpsTools.Engine.Tests.Lab;
using OpsTools.Odoo;

namespace OpsTools.Engine.Tests.Odoo;

/// <summary>
/// Faults a real component shows: a PostgreSQL server of this test's own (initdb on a free port as
/// the lab's PostgreSQL user, never one of the shared lab servers) stopped in the middle of a dump,
/// and a destination that fills up (a 3 MiB tmpfs mounted for the test).
/// </summary>
[Collection(OdooCollection.Name)]
public sealed class OdooBackupFaultTests
{
    private readonly OdooFixture _lab;

    public OdooBackupFaultTests(OdooFixture lab) => _lab = lab;

    [SkippableFact]
    public async Task A_server_that_stops_mid_dump_gives_PostgresConnectionLost_and_no_backup()
    {
        _lab.RequireLab();
        string bin = LabEnvironment.Get("OPSTOOLS_TEST_PG_BIN") ?? "/usr/lib/postgresql/15/bin";
        string osUser = LabEnvironment.Get("OPSTOOLS_TEST_PG_OS_USER") ?? "opstools";
        int port = Postgres.PostgresFixture.FreePort();
        string data = Path.Combine("/var/tmp", "opsodoo-fault-" + Guid.NewGuid().ToString("N")[..8]);
        string passwordFile = data + ".pw";
        await File.WriteAllTextAsync(passwordFile, _lab.Password);
        try
        {
            await RunAsync("chown", osUser, passwordFile);
            await RunAsync("runuser", "-u", osUser, "--", Path.Combine(bin, "initdb"), "-D", data, "-U", _lab.User, "--auth=scram-sha-256", "--pwfile=" + passwordFile, "--encoding=UTF8", "--locale=C.UTF-8");
            await File.AppendAllTextAsync(Path.Combine(data, "postgresql.conf"), $"\nport = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '/tmp'\nfsync = off\n");
            await RunAsync("runuser", "-u", osUser, "--", Path.Combine(bin, "pg_ctl"), "-D", data, "-l", data + ".log", "-w", "start");
            string database = "opsodoo_fault";
            string filestore = Path.Combine(_lab.Root, "fault-filestore");
            await RunAsync("bash", ScriptPath(), "create", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--database", database, "--filestore", filestore, "--messages", "60000", "--message-kb", "1");
            string destination = _lab.NewDirectory("fault-server");
            var endpoint = PostgresEndpoint.Resolve(new PostgresConnectionRequest { Server = $"127.0.0.1:{port}", Credential = new NetworkCredential(_lab.User, _lab.Password), DefaultDatabase = database });
            var progress = new OdooBackupProgress();

            Task<OdooBackup> backup = OdooBackupWriter.BackupAsync(new OdooBackupRequest { Endpoint = endpoint, Destination = destination, Format = OdooBackupFormat.Zip, FilestorePath = filestore }, progress);
            while (progress.DatabaseBytes < 1024 && !backup.IsCompleted)
            {
                await Task.Delay(1);
            }

            await RunAsync("runuser", "-u", osUser, "--", Path.Combine(bin, "pg_ctl"), "-D", data, "-m", "immediate", "stop");
            OpsToolsException error = await Assert.ThrowsAsync<OpsToolsException>(() => backup);

            Assert.Equal("PostgresConnectionLost", error.ErrorId);
            Assert.Equal(OpsToolsErrorKind.ConnectionError, error.Kind);
            Assert.Contains("pg_dump failed while dumping opsodoo_fault", error.Message, StringComparison.Ordinal);
            Assert.Empty(Directory.GetFileSystemEntries(destination));
        }
        finally
        {
            if (File.Exists(Path.Combine(data, "postmaster.pid")))
            {
                await RunAsync("runuser", "-u", osUser, "--", Path.Combine(bin, "pg_ctl"), "-D", data, "-m", "immediate", "stop");
            }

            await RunAsync("rm", "-rf", data, data + ".log", passwordFile);
        }
    }

    [SkippableFact]
    public async Task A_destination_that_fills_up_gives_BackupDestinationFull_and_leaves_nothing()
    {
        _lab.RequireLab();
        string destination = _lab.NewDirectory("fault-full");
        (int mounted, _, string mountError) = await CephTools.RunAsync("mount", TimeSpan.FromSeconds(10), "-t", "tmpfs", "-o", "size=3m", "opsodoo-full", destination);
        if (mounted != 0)
        {
            LabEnvironment.Unreachable("tmpfs mounts (root)", new InvalidOperationException(mountError));
        }

        try
        {
            // The filestore alone is bigger than 3 MiB: the zip cannot fit.
            string filestore = Path.Combine(_lab.Root, "big-filestore");
            Directory.CreateDirectory(Path.Combine(filestore, "ab"));
            byte[] noise = new byte[5 * 1024 * 1024];
            Random.Shared.NextBytes(noise);
            await File.WriteAllBytesAsync(Path.Combine(filestore, "ab", "ab00"), noise);

            OpsToolsException error = await Assert.ThrowsAsync<OpsToolsException>(() => OdooBackupWriter.BackupAsync(
                new OdooBackupRequest { Endpoint = _lab.Endpoint(), Destination = destination, Format = OdooBackupFormat.Zip, FilestorePath = filestore, Compression = System.IO.Compression.CompressionLevel.NoCompression },
                new OdooBackupProgress()));

            Assert.Equal("BackupDestinationFull", error.ErrorId);
            Assert.Equal(OpsToolsErrorKind.ResourceUnavailable, error.Kind);
            Assert.Equal(destination, error.Target);
            Assert.Empty(Directory.GetFileSystemEntries(destination));
        }
        finally
        {
            await CephTools.RunAsync("umount", TimeSpan.FromSeconds(10), destination);
        }
    }

    private static async Task RunAsync(string program, params string[] arguments)
    {
        (int code, _, string error) = await CephTools.RunAsync(program, TimeSpan.FromSeconds(120), arguments);
        if (code != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)}: {error}");
        }
    }

    private static string ScriptPath()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "lab", "odoo", "odoo-instance.sh");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("tests/lab/odoo/odoo-instance.sh not found");
    }
}
