using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using OpsTools.Engine.Backup;
using OpsTools.Engine.Odoo;
using OpsTools.Engine.Tests.Lab;
using OpsTools.Odoo;

namespace OpsTools.Engine.Tests.Odoo;

[Collection(OdooCollection.Name)]
public sealed class OdooBackupWriterTests
{
    private readonly OdooFixture _lab;

    public OdooBackupWriterTests(OdooFixture lab) => _lab = lab;

    [SkippableFact]
    public async Task A_zip_holds_exactly_dump_sql_manifest_json_and_every_filestore_file()
    {
        _lab.RequireLab();
        string destination = _lab.NewDirectory("zip");

        OdooBackup backup = await OdooBackupWriter.BackupAsync(Request(destination, OdooBackupFormat.Zip), new OdooBackupProgress());

        string[] files = Directory.GetFiles(_lab.FilestorePath, "*", SearchOption.AllDirectories)
            .Select(f => "filestore/" + Path.GetRelativePath(_lab.FilestorePath, f)).OrderBy(f => f, StringComparer.Ordinal).ToArray();
        using ZipArchive zip = ZipFile.OpenRead(backup.Path);
        string[] entries = zip.Entries.Select(e => e.FullName).OrderBy(e => e, StringComparer.Ordinal).ToArray();
        Assert.Equal(files.Append("dump.sql").Append("manifest.json").OrderBy(e => e, StringComparer.Ordinal), entries);
        Assert.Equal(Directory.GetFiles(destination).Single(), backup.Path);
        Assert.EndsWith(".zip", backup.Path, StringComparison.Ordinal);
        foreach (string file in files)
        {
            using Stream entry = zip.GetEntry(file)!.Open();
            Assert.Equal(Sha256(File.ReadAllBytes(Path.Combine(_lab.FilestorePath, file["filestore/".Length..]))), Convert.ToHexString(SHA256.HashData(entry)).ToLowerInvariant());
        }

        using var reader = new StreamReader(zip.GetEntry("dump.sql")!.Open());
        string dump = await reader.ReadToEndAsync();
        Assert.Contains("CREATE TABLE public.ir_attachment", dump, StringComparison.Ordinal);
        Assert.DoesNotContain("OWNER TO", dump, StringComparison.Ordinal);
        Assert.Equal(backup.DatabaseSha256, Sha256(System.Text.Encoding.UTF8.GetBytes(dump)));
    }

    [SkippableFact]
    public async Task The_zip_manifest_has_Odoos_keys_and_the_recorded_checksums()
    {
        _lab.RequireLab();
        string destination = _lab.NewDirectory("manifest");

        OdooBackup backup = await OdooBackupWriter.BackupAsync(Request(destination, OdooBackupFormat.Zip), new OdooBackupProgress());

        using ZipArchive zip = ZipFile.OpenRead(backup.Path);
        using JsonDocument manifest = await JsonDocument.ParseAsync(zip.GetEntry("manifest.json")!.Open());
        JsonElement root = manifest.RootElement;
        Assert.Equal("1", root.GetProperty("odoo_dump").GetString());
        Assert.Equal(_lab.Database, root.GetProperty("db_name").GetString());
        Assert.Equal("17.0", root.GetProperty("version").GetString());
        Assert.Equal("17.0", root.GetProperty("major_version").GetString());
        Assert.Equal(17, root.GetProperty("version_info")[0].GetInt32());
        Assert.Equal("15.0", root.GetProperty("pg_version").GetString());
        Assert.Equal("17.0.1.3", root.GetProperty("modules").GetProperty("base").GetString());
        Assert.False(root.GetProperty("modules").TryGetProperty("stock", out _), "an uninstalled module is not in the manifest");
        JsonElement ours = root.GetProperty("opstools");
        Assert.Equal(backup.DatabaseSha256, ours.GetProperty("database").GetProperty("sha256").GetString());
        Assert.Equal(FilestoreDigest.OfDirectory(_lab.FilestorePath).Sha256, ours.GetProperty("filestore").GetProperty("sha256").GetString());
        Assert.Equal(backup.FilestoreSha256, ours.GetProperty("filestore").GetProperty("sha256").GetString());
        Assert.Equal(Directory.GetFiles(_lab.FilestorePath, "*", SearchOption.AllDirectories).Length, ours.GetProperty("filestore").GetProperty("files").GetInt32());
        Assert.Equal("17.0", backup.OdooVersion);
        Assert.StartsWith("15.", backup.PostgresVersion, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task The_dump_format_writes_a_custom_dump_pg_restore_can_list_a_filestore_tar_and_a_manifest()
    {
        _lab.RequireLab();
        string destination = _lab.NewDirectory("dump");

        OdooBackup backup = await OdooBackupWriter.BackupAsync(Request(destination, OdooBackupFormat.Dump), new OdooBackupProgress());

        string[] names = Directory.GetFiles(destination).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).ToArray()!;
        Assert.Equal(new[] { backup.Name + ".dump", backup.Name + ".filestore.tar.gz", backup.Name + ".manifest.json" }, names);
        (int code, string listing, _) = await CephTools.RunAsync("/usr/lib/postgresql/15/bin/pg_restore", TimeSpan.FromSeconds(30), "--list", backup.Path);
        Assert.Equal(0, code);
        Assert.Contains("TABLE public ir_attachment", listing, StringComparison.Ordinal);
        Assert.Equal(Sha256(File.ReadAllBytes(backup.Path)), backup.DatabaseSha256);
        OdooBackupPart tar = backup.Parts.Single(p => p.Role == "Filestore");
        Assert.Equal(Sha256(File.ReadAllBytes(tar.Path)), tar.Sha256);
        (code, string tarListing, _) = await CephTools.RunAsync("tar", TimeSpan.FromSeconds(30), "-tzf", tar.Path);
        Assert.Equal(0, code);
        Assert.Equal(backup.FilestoreFileCount, tarListing.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [SkippableFact]
    public async Task The_folder_format_copies_the_filestore_byte_for_byte()
    {
        _lab.RequireLab();
        string destination = _lab.NewDirectory("folder");

        OdooBackup backup = await OdooBackupWriter.BackupAsync(Request(destination, OdooBackupFormat.Folder), new OdooBackupProgress());

        Assert.True(File.Exists(Path.Combine(backup.Path, "db.dump")));
        Assert.True(File.Exists(Path.Combine(backup.Path, "manifest.json")));
        Assert.Equal(FilestoreDigest.OfDirectory(_lab.FilestorePath).Sha256, FilestoreDigest.OfDirectory(Path.Combine(backup.Path, "filestore")).Sha256);
        Assert.Single(Directory.GetFileSystemEntries(destination));
    }

    [SkippableFact]
    public async Task The_platform_format_writes_its_three_files_with_the_platforms_metadata_keys()
    {
        _lab.RequireLab();
        string destination = _lab.NewDirectory("platform");
        Guid instanceId = Guid.NewGuid();

        OdooBackup backup = await OdooBackupWriter.BackupAsync(
            new OdooBackupRequest { Endpoint = _lab.Endpoint(), Destination = destination, Format = OdooBackupFormat.Platform, FilestorePath = _lab.FilestorePath, InstanceName = "acme", InstanceId = instanceId },
            new OdooBackupProgress());

        Assert.Equal(Path.Combine(destination, backup.Name + "_metadata.json"), backup.Path);
        Assert.Matches("^" + _lab.Database + @"_\d{8}_\d{6}$", backup.Name);
        using JsonDocument metadata = JsonDocument.Parse(File.ReadAllText(backup.Path));
        JsonElement root = metadata.RootElement;
        foreach (string key in new[] { "backup_name", "instance_id", "instance_name", "database_name", "customer_id", "odoo_version", "instance_type", "created_at", "database_backup_path", "data_backup_path", "database_size", "data_size", "total_size", "status" })
        {
            Assert.True(root.TryGetProperty(key, out _), "metadata lacks " + key);
        }

        Assert.Equal(instanceId.ToString(), root.GetProperty("instance_id").GetString());
        Assert.Equal(new FileInfo(root.GetProperty("database_backup_path").GetString()!).Length, root.GetProperty("database_size").GetInt64());
        (int code, string listing, _) = await CephTools.RunAsync("tar", TimeSpan.FromSeconds(30), "-tzf", root.GetProperty("data_backup_path").GetString()!);
        Assert.Equal(0, code);
        Assert.All(listing.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.StartsWith($"filestore/{_lab.Database}/", line, StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task A_missing_destination_is_refused_before_anything_runs()
    {
        _lab.RequireLab();
        string missing = Path.Combine(_lab.Root, "does-not-exist");

        OpsToolsException error = await Assert.ThrowsAsync<OpsToolsException>(() => OdooBackupWriter.BackupAsync(Request(missing, OdooBackupFormat.Zip), new OdooBackupProgress()));

        Assert.Equal("BackupDestinationNotFound", error.ErrorId);
        Assert.Equal(OpsToolsErrorKind.ObjectNotFound, error.Kind);
        Assert.False(Directory.Exists(missing));
    }

    [SkippableFact]
    public async Task A_database_without_Odoos_tables_is_refused()
    {
        _lab.RequireLab();
        string destination = _lab.NewDirectory("notodoo");

        OpsToolsException error = await Assert.ThrowsAsync<OpsToolsException>(() => OdooBackupWriter.BackupAsync(
            new OdooBackupRequest { Endpoint = _lab.Endpoint("postgres"), Destination = destination, NoFilestore = true }, new OdooBackupProgress()));

        Assert.Equal("OdooDatabaseInvalid", error.ErrorId);
        Assert.Empty(Directory.GetFileSystemEntries(destination));
    }

    [SkippableFact]
    public async Task A_backup_never_overwrites_one_of_the_same_name()
    {
        _lab.RequireLab();
        string destination = _lab.NewDirectory("exists");
        DateTimeOffset at = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        string taken = Path.Combine(destination, $"{_lab.Database}_20260102_030405.zip");
        await File.WriteAllTextAsync(taken, "an older backup");

        OpsToolsException error = await Assert.ThrowsAsync<OpsToolsException>(() => OdooBackupWriter.BackupAsync(
            new OdooBackupRequest { Endpoint = _lab.Endpoint(), Destination = destination, FilestorePath = _lab.FilestorePath, Timestamp = at }, new OdooBackupProgress()));

        Assert.Equal("BackupExists", error.ErrorId);
        Assert.Equal(OpsToolsErrorKind.ResourceExists, error.Kind);
        Assert.Equal("an older backup", await File.ReadAllTextAsync(taken));
        Assert.Single(Directory.GetFileSystemEntries(destination));
    }

    [SkippableFact]
    public async Task Cancelling_a_backup_leaves_no_file_behind()
    {
        _lab.RequireLab();
        string destination = _lab.NewDirectory("cancel");
        using var cancel = new CancellationTokenSource();
        var progress = new OdooBackupProgress();

        Task<OdooBackup> backup = OdooBackupWriter.BackupAsync(Request(destination, OdooBackupFormat.Dump), progress, cancel.Token);
        while (progress.Phase == "Starting" || progress.Phase == "Reading the database")
        {
            await Task.Delay(5);
        }

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => backup);
        Assert.Empty(Directory.GetFileSystemEntries(destination));
    }

    [SkippableFact]
    public async Task Without_a_filestore_the_backup_says_so_unless_NoFilestore_is_given()
    {
        _lab.RequireLab();
        string destination = _lab.NewDirectory("nofs");

        OpsToolsException error = await Assert.ThrowsAsync<OpsToolsException>(() => OdooBackupWriter.BackupAsync(
            new OdooBackupRequest { Endpoint = _lab.Endpoint(), Destination = destination }, new OdooBackupProgress()));
        OdooBackup databaseOnly = await OdooBackupWriter.BackupAsync(
            new OdooBackupRequest { Endpoint = _lab.Endpoint(), Destination = destination, NoFilestore = true }, new OdooBackupProgress());

        Assert.Equal("FilestoreNotGiven", error.ErrorId);
        Assert.False(databaseOnly.HasFilestore);
        using ZipArchive zip = ZipFile.OpenRead(databaseOnly.Path);
        Assert.Equal(new[] { "dump.sql", "manifest.json" }, zip.Entries.Select(e => e.FullName).OrderBy(e => e, StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_client_older_than_the_server_is_named_as_too_old()
    {
        OpsToolsException error = await Assert.ThrowsAsync<OpsToolsException>(() => PostgresClientToolsFor(99));

        Assert.Equal("PostgresClientTooOld", error.ErrorId);
        Assert.Contains("PostgreSQL 99", error.Message, StringComparison.Ordinal);
        Assert.Contains("postgresql-client-99", error.RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public void The_filestore_digest_changes_when_one_byte_of_one_file_changes()
    {
        string root = Path.Combine(Path.GetTempPath(), "opsodoo-digest-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(Path.Combine(root, "ab"));
        try
        {
            File.WriteAllText(Path.Combine(root, "ab", "ab01"), "first");
            File.WriteAllText(Path.Combine(root, "ab", "ab02"), "second");
            string before = FilestoreDigest.OfDirectory(root).Sha256;
            File.WriteAllText(Path.Combine(root, "ab", "ab02"), "secone");

            Assert.NotEqual(before, FilestoreDigest.OfDirectory(root).Sha256);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Staged_parts_appear_together_on_commit_and_vanish_without_it()
    {
        string root = Path.Combine(Path.GetTempPath(), "opsodoo-staged-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(root);
        try
        {
            using (var abandoned = new StagedOutput())
            {
                File.WriteAllText(abandoned.AddFile(Path.Combine(root, "a.sql")), "a");
                File.WriteAllText(abandoned.AddFile(Path.Combine(root, "a.json")), "{}");
            }

            Assert.Empty(Directory.GetFileSystemEntries(root));
            using (var kept = new StagedOutput())
            {
                File.WriteAllText(kept.AddFile(Path.Combine(root, "b.sql")), "b");
                File.WriteAllText(kept.AddFile(Path.Combine(root, "b.json")), "{}");
                kept.Commit();
            }

            Assert.Equal(new[] { "b.json", "b.sql" }, Directory.GetFiles(root).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static Task<OpsTools.Engine.Postgres.PostgresClientProgram> PostgresClientToolsFor(int major) => OpsTools.Engine.Postgres.PostgresClientTools.FindAsync("pg_dump", major);

    private OdooBackupRequest Request(string destination, OdooBackupFormat format) => new()
    {
        Endpoint = _lab.Endpoint(),
        Destination = destination,
        Format = format,
        FilestorePath = _lab.FilestorePath,
        InstanceName = "acme",
    };

    private static string Sha256(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();
}
