using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using OpsTools.Engine.Postgres;
using OpsTools.Odoo;

namespace OpsTools.Engine.Odoo;

/// <summary>
/// Tests a backup the way dbatools' Test-DbaLastBackup tests SQL Server backups: restores it into a
/// scratch database and a scratch filestore, checks that the database opens, has Odoo's core tables
/// with rows, that every attachment's file is in the filestore with its recorded size and that the
/// recorded checksums match, then drops the scratch database and files whatever happened.
/// </summary>
public static class OdooBackupVerifier
{
    private static readonly string[] CoreTables = { "res_users", "ir_module_module", "ir_attachment" };

    /// <summary>Tests one backup.</summary>
    /// <param name="backupPath">The backup.</param>
    /// <param name="server">Server to restore on (its database is ignored).</param>
    /// <param name="scratchRoot">Directory for the scratch filestore.</param>
    /// <param name="progress">Restore counters.</param>
    /// <param name="cancellationToken">Cancels the test (the scratch database is still dropped).</param>
    /// <returns>The verdict.</returns>
    public static async Task<OdooBackupTest> TestAsync(string backupPath, PostgresEndpoint server, string scratchRoot, OdooRestoreProgress progress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        var clock = Stopwatch.StartNew();
        OdooBackup backup = OdooBackupCatalog.Read(backupPath);
        string scratch = "opstools_verify_" + Guid.NewGuid().ToString("N")[..10];
        PostgresEndpoint target = server.WithDatabase(scratch);
        string scratchFilestore = Path.Combine(scratchRoot, ".opstools-verify-" + scratch);
        var checks = new List<OdooBackupCheck>();
        int attachments = 0;
        void Add(string name, bool? passed, string reason) => checks.Add(new OdooBackupCheck { Name = name, Passed = passed, Reason = reason });

        Add("Complete", backup.IsComplete, backup.IsComplete ? $"every part is present ({backup.Parts.Count} part(s), {backup.SizeBytes} bytes)" : string.Join("; ", backup.Problems));
        bool restored = false;
        try
        {
            if (backup.IsComplete)
            {
                try
                {
                    OdooRestore restore = await OdooRestorer.RestoreAsync(
                        new OdooRestoreRequest { Archive = OdooBackupArchive.Open(backup.Path), Target = target, FilestorePath = backup.HasFilestore ? scratchFilestore : null },
                        progress,
                        cancellationToken).ConfigureAwait(false);
                    restored = true;
                    Add("Restore", true, $"restored into {scratch} in {restore.Duration.TotalSeconds:0.0} s ({restore.FilestoreFileCount} filestore files)");
                }
                catch (OpsToolsException ex) when (ex.ErrorId is not ("PostgresUnreachable" or "PostgresAuthenticationFailed" or "PostgresPasswordMissing" or "PostgresTimeout" or "PostgresHostNotFound"))
                {
                    Add("Restore", false, ex.Message);
                }
            }
            else
            {
                Add("Restore", null, "not run: the backup is incomplete");
            }

            if (restored)
            {
                attachments = await CheckDatabaseAsync(target, backup, scratchFilestore, Add, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                foreach (string name in new[] { "DatabaseOpens", "CoreTables", "Filestore", "Checksums" })
                {
                    Add(name, null, "not run: the restore did not succeed");
                }
            }
        }
        finally
        {
            if (restored)
            {
                await PostgresDatabases.DropAsync(target, CancellationToken.None).ConfigureAwait(false);
            }

            if (Directory.Exists(scratchFilestore))
            {
                Directory.Delete(scratchFilestore, recursive: true);
            }
        }

        // A check that could not apply (no checksums recorded by the platform's own task) does not fail a restored backup.
        OdooBackupCheck? failed = checks.FirstOrDefault(c => c.Passed == false) ?? (restored ? null : checks.First(c => c.Name == "Restore"));
        return new OdooBackupTest
        {
            Name = backup.Name,
            Database = backup.Database,
            Format = backup.Format,
            Path = backup.Path,
            Passed = failed is null,
            FailureReason = failed is null ? null : $"{failed.Name}: {failed.Reason}",
            Server = server.Server,
            ScratchDatabase = scratch,
            AttachmentsChecked = attachments,
            Duration = clock.Elapsed,
            BackupCreatedAt = backup.CreatedAt,
            Checks = checks,
        };
    }

    private static async Task<int> CheckDatabaseAsync(PostgresEndpoint target, OdooBackup backup, string filestore, Action<string, bool?, string> add, CancellationToken cancellationToken)
    {
        NpgsqlConnection connection;
        try
        {
            connection = await PostgresConnector.OpenAsync(target, cancellationToken).ConfigureAwait(false);
        }
        catch (OpsToolsException ex)
        {
            add("DatabaseOpens", false, ex.Message);
            add("CoreTables", null, "not run: the database does not open");
            add("Filestore", null, "not run: the database does not open");
            add("Checksums", null, "not run: the database does not open");
            return 0;
        }

        await using (connection)
        {
            long one = (await PostgresConnector.QueryAsync(connection, target, "SELECT 1::bigint", r => r.GetInt64(0), cancellationToken).ConfigureAwait(false)).Single();
            add("DatabaseOpens", one == 1, $"connected to {target.Database} and ran a query");

            var empty = new List<string>();
            var counts = new List<string>();
            foreach (string table in CoreTables)
            {
                long? rows = (await PostgresConnector.QueryAsync(
                    connection, target,
                    $"SELECT CASE WHEN to_regclass('{table}') IS NULL THEN NULL ELSE (xpath('/row/c/text()', query_to_xml('SELECT count(*) AS c FROM {table}', false, true, '')))[1]::text::bigint END",
                    r => r.IsDBNull(0) ? (long?)null : r.GetInt64(0), cancellationToken).ConfigureAwait(false)).Single();
                if (rows is null or 0)
                {
                    empty.Add(rows is null ? table + " is missing" : table + " is empty");
                }

                counts.Add($"{table} {rows ?? 0}");
            }

            add("CoreTables", empty.Count == 0, empty.Count == 0 ? string.Join(", ", counts) + " rows" : string.Join("; ", empty));

            List<(string StoreName, long? Size)> files = await PostgresConnector.QueryAsync(
                connection, target,
                "SELECT store_fname, file_size FROM ir_attachment WHERE store_fname IS NOT NULL AND store_fname <> '' ORDER BY store_fname",
                r => (r.GetString(0), r.IsDBNull(1) ? (long?)null : Convert.ToInt64(r.GetValue(1), System.Globalization.CultureInfo.InvariantCulture)),
                cancellationToken).ConfigureAwait(false);
            var missing = new List<string>();
            var wrongSize = new List<string>();
            foreach ((string storeName, long? size) in files)
            {
                string path = Path.GetFullPath(Path.Combine(filestore, storeName));
                var info = new FileInfo(path);
                if (!path.StartsWith(Path.GetFullPath(filestore) + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !info.Exists)
                {
                    missing.Add(storeName);
                }
                else if (size is { } expected && info.Length != expected)
                {
                    wrongSize.Add($"{storeName} ({info.Length} bytes, {expected} recorded)");
                }
            }

            bool filesOk = missing.Count == 0 && wrongSize.Count == 0;
            add("Filestore", filesOk, filesOk
                ? $"all {files.Count} attachment files are present with their recorded sizes"
                : string.Join("; ", new[]
                {
                    missing.Count > 0 ? $"{missing.Count} of {files.Count} attachment files missing (first: {string.Join(", ", missing.Take(3))})" : null,
                    wrongSize.Count > 0 ? $"{wrongSize.Count} with another size (first: {string.Join(", ", wrongSize.Take(3))})" : null,
                }.Where(s => s is not null)));

            (bool? checksums, string reason) = await CheckChecksumsAsync(backup, backup.HasFilestore ? filestore : null, cancellationToken).ConfigureAwait(false);
            add("Checksums", checksums, reason);
            return files.Count;
        }
    }

    /// <summary>Recomputes the recorded checksums of a backup: its dump and, when restored, its filestore.</summary>
    /// <param name="backup">The backup.</param>
    /// <param name="restoredFilestore">The restored filestore, or null.</param>
    /// <param name="cancellationToken">Cancels the reading.</param>
    /// <returns>Passed (null when nothing was recorded) and reason.</returns>
    public static async Task<(bool? Passed, string Reason)> CheckChecksumsAsync(OdooBackup backup, string? restoredFilestore, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(backup);
        var problems = new List<string>();
        var verified = new List<string>();
        if (backup.DatabaseSha256 is { } recordedDump)
        {
            string actual;
            if (backup.Format == OdooBackupFormat.Zip)
            {
                using ZipArchive zip = ZipFile.OpenRead(backup.Path);
                await using Stream dump = zip.GetEntry("dump.sql")!.Open();
                actual = Convert.ToHexString(await SHA256.HashDataAsync(dump, cancellationToken).ConfigureAwait(false)).ToLowerInvariant();
            }
            else
            {
                await using FileStream dump = File.OpenRead(backup.Parts.First(p => p.Role == "Database").Path);
                actual = Convert.ToHexString(await SHA256.HashDataAsync(dump, cancellationToken).ConfigureAwait(false)).ToLowerInvariant();
            }

            (actual == recordedDump ? verified : problems).Add(actual == recordedDump ? "database dump" : $"the database dump's SHA-256 is {actual}, {recordedDump} was recorded");
        }

        foreach (OdooBackupPart part in backup.Parts.Where(p => p.Role == "Filestore" && p.Sha256 is not null && File.Exists(p.Path)))
        {
            await using FileStream stream = File.OpenRead(part.Path);
            string actual = Convert.ToHexString(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false)).ToLowerInvariant();
            (actual == part.Sha256 ? verified : problems).Add(actual == part.Sha256 ? "filestore archive" : $"{Path.GetFileName(part.Path)}'s SHA-256 is {actual}, {part.Sha256} was recorded");
        }

        if (backup.FilestoreSha256 is { } recordedFiles && restoredFilestore is not null && Directory.Exists(restoredFilestore))
        {
            string actual = FilestoreDigest.OfDirectory(restoredFilestore).Sha256;
            (actual == recordedFiles ? verified : problems).Add(actual == recordedFiles ? "restored filestore" : $"the restored filestore's digest is {actual}, {recordedFiles} was recorded");
        }

        if (problems.Count > 0)
        {
            return (false, string.Join("; ", problems));
        }

        return verified.Count == 0 ? (null, "no checksums were recorded (a backup not written by OpsTools)") : (true, "SHA-256 matches for: " + string.Join(", ", verified));
    }
}
