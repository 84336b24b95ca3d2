using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using OpsTools.Engine.Odoo;
using OpsTools.Odoo;

namespace OpsTools.Engine.Tests.Odoo;

[Collection(OdooCollection.Name)]
public sealed class OdooBackupCatalogTests
{
    private readonly OdooFixture _lab;

    public OdooBackupCatalogTests(OdooFixture lab) => _lab = lab;

    [SkippableFact]
    public async Task Backups_of_every_format_are_listed_newest_first_and_complete()
    {
        _lab.RequireLab();
        string destination = _lab.NewDirectory("catalog");
        var written = new List<OdooBackup>();
        int minute = 0;
        foreach (OdooBackupFormat format in Enum.GetValues<OdooBackupFormat>())
        {
            written.Add(await OdooBackupWriter.BackupAsync(
                new OdooBackupRequest { Endpoint = _lab.Endpoint(), Destination = destination, Format = format, FilestorePath = _lab.FilestorePath, InstanceName = "acme", Timestamp = new DateTimeOffset(2026, 3, 1, 10, minute++, 0, TimeSpan.Zero) },
                new OdooBackupProgress()));
        }

        IReadOnlyList<OdooBackup> listed = OdooBackupCatalog.List(destination);

        Assert.Equal(new[] { OdooBackupFormat.Platform, OdooBackupFormat.Folder, OdooBackupFormat.Dump, OdooBackupFormat.Zip }, listed.Select(b => b.Format));
        Assert.All(listed, b => Assert.True(b.IsComplete, b.Name + ": " + string.Join("; ", b.Problems)));
        Assert.All(listed, b => Assert.Equal(_lab.Database, b.Database));
        Assert.All(listed, b => Assert.Equal("acme", b.Instance));
        Assert.All(listed, b => Assert.Equal("17.0", b.OdooVersion));
        foreach (OdooBackup backup in written)
        {
            OdooBackup found = listed.Single(b => b.Format == backup.Format);
            Assert.Equal(backup.Path, found.Path);
            Assert.Equal(backup.CreatedAt, found.CreatedAt);
            Assert.Equal(backup.DatabaseSha256, found.DatabaseSha256);
            Assert.Equal(backup.FilestoreSha256, found.FilestoreSha256);
            Assert.Equal(backup.FilestoreFileCount, found.FilestoreFileCount);
        }
    }

    [Fact]
    public void The_platforms_own_backups_are_read_and_an_empty_data_archive_is_flagged()
    {
        string directory = Path.Combine(Path.GetTempPath(), "opsodoo-platform-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(directory);
        try
        {
            // What the platform's task writes when tar fails: an empty archive, and status completed anyway.
            string name = "odoo_acme_20260301_101500";
            File.WriteAllText(Path.Combine(directory, name + "_database.sql"), "-- PostgreSQL database dump\nCREATE TABLE res_users ();\n");
            File.WriteAllBytes(Path.Combine(directory, name + "_data.tar.gz"), Array.Empty<byte>());
            File.WriteAllText(Path.Combine(directory, name + "_metadata.json"), $$"""
                {"backup_name": "{{name}}", "instance_id": "1b0c3c52-52a9-4d0f-9b9e-0c1c7e0d8a11", "instance_name": "acme", "database_name": "odoo_acme",
                 "customer_id": "f1b0c3c5-52a9-4d0f-9b9e-0c1c7e0d8a11", "odoo_version": "17.0", "instance_type": "odoo", "created_at": "2026-03-01T10:15:00",
                 "database_backup_path": "/mnt/cephfs/odoo_backups/active/{{name}}_database.sql", "data_backup_path": "/mnt/cephfs/odoo_backups/active/{{name}}_data.tar.gz",
                 "database_size": 54, "data_size": 0, "total_size": 54, "status": "completed"}
                """);
            File.WriteAllText(Path.Combine(directory, "odoo_beta_20260302_080000_database.sql"), "-- dump\n");

            IReadOnlyList<OdooBackup> listed = OdooBackupCatalog.List(directory);

            Assert.Equal(2, listed.Count);
            OdooBackup acme = listed.Single(b => b.Database == "odoo_acme");
            Assert.Equal(OdooBackupFormat.Platform, acme.Format);
            Assert.False(acme.IsComplete);
            Assert.Contains(acme.Problems, p => p.Contains("_data.tar.gz is empty", StringComparison.Ordinal));
            Assert.Equal("acme", acme.Instance);
            Assert.Equal(new DateTimeOffset(2026, 3, 1, 10, 15, 0, TimeSpan.Zero), acme.CreatedAt);
            Assert.Equal(Path.Combine(directory, name + "_database.sql"), acme.Parts.Single(p => p.Role == "Database").Path);
            OdooBackup beta = listed.Single(b => b.Database == "odoo_beta");
            Assert.False(beta.IsComplete);
            Assert.Contains(beta.Problems, p => p.Contains("_metadata.json is missing", StringComparison.Ordinal));
            Assert.Contains(beta.Problems, p => p.Contains("_data.tar.gz is missing", StringComparison.Ordinal));
            Assert.Equal(acme, listed[1]);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [SkippableFact]
    public async Task A_truncated_dump_and_unfinished_temporary_files_are_told_apart()
    {
        _lab.RequireLab();
        string destination = _lab.NewDirectory("truncated");
        OdooBackup backup = await OdooBackupWriter.BackupAsync(
            new OdooBackupRequest { Endpoint = _lab.Endpoint(), Destination = destination, Format = OdooBackupFormat.Dump, FilestorePath = _lab.FilestorePath }, new OdooBackupProgress());
        await using (FileStream dump = File.OpenWrite(backup.Path))
        {
            dump.SetLength(dump.Length / 2);
        }

        File.WriteAllText(Path.Combine(destination, ".opstools-" + backup.Name + ".zip.1234abcd.partial"), "unfinished");

        OdooBackup listed = Assert.Single(OdooBackupCatalog.List(destination));

        Assert.False(listed.IsComplete);
        Assert.Contains(listed.Problems, p => p.Contains("the manifest records", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_directory_is_named()
    {
        OpsToolsException error = Assert.Throws<OpsToolsException>(() => OdooBackupCatalog.List("/nonexistent/opsodoo"));

        Assert.Equal("BackupPathNotFound", error.ErrorId);
        Assert.Equal(OpsToolsErrorKind.ObjectNotFound, error.Kind);
    }
}
