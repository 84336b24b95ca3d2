using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Threading.Tasks;
using OpsTools.Engine.Odoo;
using OpsTools.Engine.Postgres;
using OpsTools.Odoo;

namespace OpsTools.Engine.Tests.Odoo;

[Collection(OdooCollection.Name)]
public sealed class OdooRestorerTests
{
    private const string RowCounts = "SELECT (SELECT count(*) FROM res_users) || '/' || (SELECT count(*) FROM ir_attachment) || '/' || (SELECT count(*) FROM mail_message) || '/' || (SELECT count(*) FROM ir_module_module)";

    private readonly OdooFixture _lab;

    public OdooRestorerTests(OdooFixture lab) => _lab = lab;

    [SkippableTheory]
    [InlineData(OdooBackupFormat.Zip)]
    [InlineData(OdooBackupFormat.Dump)]
    [InlineData(OdooBackupFormat.Folder)]
    [InlineData(OdooBackupFormat.Platform)]
    public async Task A_backup_restores_into_a_new_database_with_the_same_rows_and_filestore(OdooBackupFormat format)
    {
        _lab.RequireLab();
        OdooBackup backup = await OdooBackupWriter.BackupAsync(
            new OdooBackupRequest { Endpoint = _lab.Endpoint(), Destination = _lab.NewDirectory("rt"), Format = format, FilestorePath = _lab.FilestorePath }, new OdooBackupProgress());
        string database = _lab.NewDatabaseName();
        string filestore = Path.Combine(_lab.Root, "restored-" + database, "filestore", database);

        OdooRestore restored = await OdooRestorer.RestoreAsync(
            new OdooRestoreRequest { Archive = OdooBackupArchive.Open(backup.Path), Target = _lab.Endpoint(database), FilestorePath = filestore }, new OdooRestoreProgress());

        Assert.Equal(await _lab.ScalarAsync<string>(_lab.Database, RowCounts), await _lab.ScalarAsync<string>(database, RowCounts));
        Assert.Equal(FilestoreDigest.OfDirectory(_lab.FilestorePath), FilestoreDigest.OfDirectory(filestore));
        Assert.Equal(await _lab.ScalarAsync<string>(_lab.Database, "SELECT value FROM ir_config_parameter WHERE key = 'database.uuid'"), restored.DatabaseUuid);
        Assert.Equal("UTF8", await _lab.ScalarAsync<string>(database, "SELECT pg_encoding_to_char(encoding) FROM pg_database WHERE datname = current_database()"));
        Assert.True(await _lab.ScalarAsync<bool>(database, "SELECT has_schema_privilege('public', 'public', 'CREATE')"));
        Assert.False(restored.Replaced);
    }

    [SkippableFact]
    public async Task A_copy_gets_a_new_uuid_and_secret_and_neutralize_stops_mail_and_crons_but_the_autovacuum()
    {
        _lab.RequireLab();
        OdooBackup backup = await OdooBackupWriter.BackupAsync(
            new OdooBackupRequest { Endpoint = _lab.Endpoint(), Destination = _lab.NewDirectory("copy"), Format = OdooBackupFormat.Dump, NoFilestore = true }, new OdooBackupProgress());
        string database = _lab.NewDatabaseName();

        OdooRestore restored = await OdooRestorer.RestoreAsync(
            new OdooRestoreRequest { Archive = OdooBackupArchive.Open(backup.Path), Target = _lab.Endpoint(database), Copy = true, Neutralize = true }, new OdooRestoreProgress());

        string original = await _lab.ScalarAsync<string>(_lab.Database, "SELECT string_agg(value, ',' ORDER BY key) FROM ir_config_parameter WHERE key IN ('database.uuid', 'database.secret')");
        string copied = await _lab.ScalarAsync<string>(database, "SELECT string_agg(value, ',' ORDER BY key) FROM ir_config_parameter WHERE key IN ('database.uuid', 'database.secret')");
        Assert.NotEqual(original.Split(',')[0], copied.Split(',')[0]);
        Assert.NotEqual(original.Split(',')[1], copied.Split(',')[1]);
        Assert.Equal(copied.Split(',')[1], restored.DatabaseUuid);
        Assert.Equal(0L, await _lab.ScalarAsync<long>(database, "SELECT count(*) FROM ir_mail_server WHERE active"));
        Assert.Equal(0L, await _lab.ScalarAsync<long>(database, "SELECT count(*) FROM fetchmail_server WHERE active"));
        Assert.Equal("Base: Auto-vacuum internal data", await _lab.ScalarAsync<string>(database, "SELECT string_agg(cron_name, ',') FROM ir_cron WHERE active"));
        Assert.Equal("true", await _lab.ScalarAsync<string>(database, "SELECT value FROM ir_config_parameter WHERE key = 'database.is_neutralized'"));
        Assert.Equal(1L, await _lab.ScalarAsync<long>(_lab.Database, "SELECT count(*) FROM ir_mail_server WHERE active"));
    }

    [SkippableFact]
    public async Task An_existing_database_is_refused_without_Force_and_replaced_with_it()
    {
        _lab.RequireLab();
        OdooBackup backup = await OdooBackupWriter.BackupAsync(
            new OdooBackupRequest { Endpoint = _lab.Endpoint(), Destination = _lab.NewDirectory("force"), NoFilestore = true }, new OdooBackupProgress());
        string database = _lab.NewDatabaseName();
        await _lab.ExecuteAsync("postgres", $"CREATE DATABASE {database}");
        await _lab.ExecuteAsync(database, "CREATE TABLE keep_me (id int)");

        OpsToolsException refused = await Assert.ThrowsAsync<OpsToolsException>(() => OdooRestorer.RestoreAsync(
            new OdooRestoreRequest { Archive = OdooBackupArchive.Open(backup.Path), Target = _lab.Endpoint(database) }, new OdooRestoreProgress()));
        Assert.Equal("DatabaseExists", refused.ErrorId);
        Assert.Equal(OpsToolsErrorKind.ResourceExists, refused.Kind);
        Assert.True(await _lab.ScalarAsync<bool>(database, "SELECT to_regclass('keep_me') IS NOT NULL"));

        OdooRestore replaced = await OdooRestorer.RestoreAsync(
            new OdooRestoreRequest { Archive = OdooBackupArchive.Open(backup.Path), Target = _lab.Endpoint(database), Force = true }, new OdooRestoreProgress());

        Assert.True(replaced.Replaced);
        Assert.False(await _lab.ScalarAsync<bool>(database, "SELECT to_regclass('keep_me') IS NOT NULL"));
        Assert.True(await _lab.ScalarAsync<long>(database, "SELECT count(*) FROM res_users") > 0);
    }

    [SkippableTheory]
    [InlineData("filestore/../../escaped.txt", "'..' segment")]
    [InlineData("/tmp/opsodoo-absolute-escape.txt", "absolute path")]
    public async Task A_zip_with_an_entry_outside_the_target_is_refused_before_anything_is_written(string entryName, string reason)
    {
        _lab.RequireLab();
        string directory = _lab.NewDirectory("slip");
        string zipPath = Path.Combine(directory, "evil_20260101_000000.zip");
        using (ZipArchive zip = ZipFile.Open(zipPath, ZipArchiveMode.Create))
        {
            using (var writer = new StreamWriter(zip.CreateEntry("dump.sql").Open()))
            {
                writer.Write("CREATE TABLE ir_module_module (id int);\n");
            }

            using (var writer = new StreamWriter(zip.CreateEntry("manifest.json").Open()))
            {
                writer.Write("{\"odoo_dump\": \"1\", \"db_name\": \"evil\"}");
            }

            using (var writer = new StreamWriter(zip.CreateEntry(entryName).Open()))
            {
                writer.Write("escaped");
            }
        }

        string database = _lab.NewDatabaseName();
        string filestore = Path.Combine(directory, "target", "filestore", database);

        OpsToolsException error = await Assert.ThrowsAsync<OpsToolsException>(() => OdooRestorer.RestoreAsync(
            new OdooRestoreRequest { Archive = OdooBackupArchive.Open(zipPath), Target = _lab.Endpoint(database), FilestorePath = filestore }, new OdooRestoreProgress()));

        Assert.Equal("BackupEntryUnsafe", error.ErrorId);
        Assert.Equal(OpsToolsErrorKind.InvalidData, error.Kind);
        Assert.Equal(entryName, error.Target);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.False(await PostgresDatabases.ExistsAsync(_lab.Endpoint(database)));
        Assert.False(Directory.Exists(Path.Combine(directory, "target")));
        Assert.False(File.Exists(Path.Combine(directory, "escaped.txt")));
        Assert.False(File.Exists("/tmp/opsodoo-absolute-escape.txt"));
    }

    [SkippableFact]
    public async Task The_first_SQL_error_stops_the_restore_and_leaves_no_database_or_filestore()
    {
        _lab.RequireLab();
        string directory = _lab.NewDirectory("sqlerror");
        string zipPath = Path.Combine(directory, "broken_20260101_000000.zip");
        using (ZipArchive zip = ZipFile.Open(zipPath, ZipArchiveMode.Create))
        {
            using (var writer = new StreamWriter(zip.CreateEntry("dump.sql").Open()))
            {
                writer.Write("CREATE TABLE ir_module_module (id int);\nINSERT INTO no_such_table VALUES (1);\nCREATE TABLE after_the_error (id int);\n");
            }

            using (var writer = new StreamWriter(zip.CreateEntry("manifest.json").Open()))
            {
                writer.Write("{\"odoo_dump\": \"1\", \"db_name\": \"broken\"}");
            }

            using (var writer = new StreamWriter(zip.CreateEntry("filestore/ab/ab01").Open()))
            {
                writer.Write("file");
            }
        }

        string database = _lab.NewDatabaseName();
        string filestore = Path.Combine(directory, "target", database);

        OpsToolsException error = await Assert.ThrowsAsync<OpsToolsException>(() => OdooRestorer.RestoreAsync(
            new OdooRestoreRequest { Archive = OdooBackupArchive.Open(zipPath), Target = _lab.Endpoint(database), FilestorePath = filestore }, new OdooRestoreProgress()));

        Assert.Equal("PostgresClientFailed", error.ErrorId);
        Assert.Contains("no_such_table", error.Message, StringComparison.Ordinal);
        Assert.False(await PostgresDatabases.ExistsAsync(_lab.Endpoint(database)));
        Assert.False(Directory.Exists(filestore));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(directory, "target")));
    }
}
