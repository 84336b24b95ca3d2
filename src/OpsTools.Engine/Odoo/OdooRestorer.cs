using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using OpsTools.Engine.Backup;
using OpsTools.Engine.Postgres;
using OpsTools.Odoo;

namespace OpsTools.Engine.Odoo;

/// <summary>What to restore, where, and how.</summary>
public sealed class OdooRestoreRequest
{
    /// <summary>The backup to restore (opened and validated).</summary>
    public required OdooBackupArchive Archive { get; init; }

    /// <summary>The server and the database to create (the endpoint's database).</summary>
    public required PostgresEndpoint Target { get; init; }

    /// <summary>Where to put the filestore (<c>&lt;data_dir&gt;/filestore/&lt;database&gt;</c>); null to leave it out.</summary>
    public string? FilestorePath { get; init; }

    /// <summary>Give the database a new database.uuid and database.secret, as Odoo does for copies.</summary>
    public bool Copy { get; init; }

    /// <summary>Disable outgoing and incoming mail servers and crons, as Odoo's neutralize does.</summary>
    public bool Neutralize { get; init; }

    /// <summary>Replace an existing database (its sessions are terminated) and filestore.</summary>
    public bool Force { get; init; }
}

/// <summary>Counters a restore updates as it goes.</summary>
public sealed class OdooRestoreProgress
{
    private long _filestoreBytes;

    /// <summary>Filestore bytes written.</summary>
    public long FilestoreBytes => Interlocked.Read(ref _filestoreBytes);

    /// <summary>What runs now.</summary>
    public string Phase { get; internal set; } = "Starting";

    internal void AddFilestoreBytes(int count) => Interlocked.Add(ref _filestoreBytes, count);
}

/// <summary>
/// Restores an Odoo backup the way Odoo's database manager does, but stops on the first SQL error
/// and leaves nothing behind when it fails: the database is created as Odoo creates it (unicode,
/// template0, pg_trgm and unaccent where available, CREATE on schema public from PostgreSQL 15),
/// loaded with the real psql or pg_restore, and the filestore extracted beside its final name and
/// renamed when the load succeeded.
/// </summary>
public static class OdooRestorer
{
    /// <summary>Restores the backup.</summary>
    /// <param name="request">What and where.</param>
    /// <param name="progress">Counters.</param>
    /// <param name="cancellationToken">Ctrl+C: stops psql/pg_restore, drops what was created.</param>
    /// <returns>What was restored.</returns>
    public static async Task<OdooRestore> RestoreAsync(OdooRestoreRequest request, OdooRestoreProgress progress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(progress);
        var clock = Stopwatch.StartNew();
        OdooBackupArchive archive = request.Archive;
        PostgresEndpoint target = request.Target;
        progress.Phase = "Checking the archive";
        await archive.ValidateAsync(cancellationToken).ConfigureAwait(false);

        bool exists = await PostgresDatabases.ExistsAsync(target, cancellationToken).ConfigureAwait(false);
        if (exists && !request.Force)
        {
            throw new OpsToolsException(
                "DatabaseExists",
                OpsToolsErrorKind.ResourceExists,
                $"The database {target.DisplayName} exists; a restore never replaces one unless told to.",
                target.Database,
                "Restore under another -Database, or pass -Force to drop it (its sessions are terminated first).");
        }

        string? filestore = request.FilestorePath is null ? null : Path.GetFullPath(request.FilestorePath);
        bool filestoreExists = filestore is not null && Directory.Exists(filestore) && Directory.EnumerateFileSystemEntries(filestore).Any();
        if (filestoreExists && !request.Force)
        {
            throw new OpsToolsException(
                "FilestoreExists",
                OpsToolsErrorKind.ResourceExists,
                $"The filestore directory {filestore} exists and is not empty.",
                filestore,
                "Give another -FilestorePath, or pass -Force to replace it.");
        }

        int serverMajor = await ServerMajorAsync(target, cancellationToken).ConfigureAwait(false);
        PostgresClientProgram loader = await PostgresClientTools.FindAsync(archive.IsPlainSql ? "psql" : "pg_restore", serverMajor, cancellationToken).ConfigureAwait(false);
        if (exists)
        {
            progress.Phase = "Dropping the existing database";
            await PostgresDatabases.DropAsync(target, cancellationToken).ConfigureAwait(false);
        }

        bool created = false;
        using var staged = new StagedOutput();
        try
        {
            progress.Phase = "Creating the database";
            await CreateDatabaseAsync(target, serverMajor, cancellationToken).ConfigureAwait(false);
            created = true;
            (int Files, long Bytes) extracted = default;
            string? filestoreTemporary = null;
            if (filestore is not null)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(filestore)!);
                if (filestoreExists)
                {
                    Directory.Delete(filestore, recursive: true);
                }
                else if (Directory.Exists(filestore))
                {
                    Directory.Delete(filestore);
                }

                filestoreTemporary = staged.AddDirectory(filestore);
            }

            progress.Phase = "Loading the database and the filestore";
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Task load = Task.Run(() => LoadAsync(archive, loader, target, linked.Token), linked.Token);
            Task files = filestoreTemporary is null
                ? Task.CompletedTask
                : Task.Run(async () => extracted = await archive.ExtractFilestoreAsync(filestoreTemporary, progress.AddFilestoreBytes, linked.Token).ConfigureAwait(false), linked.Token);
            try
            {
                await Task.WhenAll(load, files).ConfigureAwait(false);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                await linked.CancelAsync().ConfigureAwait(false);
                Exception? cause = new[] { load, files }.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!).FirstOrDefault(e => e is not OperationCanceledException);
                if (cause is not null)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(cause);
                }

                throw;
            }

            progress.Phase = "Finishing";
            string? uuid = await FinishAsync(target, request.Copy, request.Neutralize, cancellationToken).ConfigureAwait(false);
            staged.Commit();
            return new OdooRestore
            {
                Database = target.Database,
                Server = target.Server,
                BackupPath = archive.Backup.Path,
                Format = archive.Backup.Format,
                SourceDatabase = archive.Backup.Database,
                FilestorePath = filestore,
                FilestoreFileCount = extracted.Files,
                FilestoreBytes = extracted.Bytes,
                Copied = request.Copy,
                Neutralized = request.Neutralize,
                Replaced = exists,
                DatabaseUuid = uuid,
                Duration = clock.Elapsed,
            };
        }
        catch
        {
            if (created)
            {
                // Never leave a half-restored database under the name the operator asked for.
                try
                {
                    await PostgresDatabases.DropAsync(target, CancellationToken.None).ConfigureAwait(false);
                }
                catch (OpsToolsException)
                {
                    // The server is gone too; the original failure is what the operator must see.
                }
            }

            throw;
        }
    }

    private static async Task<int> ServerMajorAsync(PostgresEndpoint target, CancellationToken cancellationToken)
    {
        PostgresEndpoint admin = target.WithDatabase("postgres");
        await using NpgsqlConnection connection = await PostgresConnector.OpenAsync(admin, cancellationToken).ConfigureAwait(false);
        return PostgresClientTools.MajorOf((await PostgresConnector.QueryAsync(connection, admin, "SELECT current_setting('server_version_num')::int", r => r.GetInt32(0), cancellationToken).ConfigureAwait(false)).Single());
    }

    private static async Task CreateDatabaseAsync(PostgresEndpoint target, int serverMajor, CancellationToken cancellationToken)
    {
        PostgresEndpoint admin = target.WithDatabase("postgres");
        await using (NpgsqlConnection connection = await PostgresConnector.OpenAsync(admin, cancellationToken).ConfigureAwait(false))
        {
            await PostgresConnector.ExecuteAsync(connection, admin, $"CREATE DATABASE {PostgresIdentifier.Quote(target.Database)} ENCODING 'unicode' TEMPLATE template0", cancellationToken).ConfigureAwait(false);
        }

        await using NpgsqlConnection database = await PostgresConnector.OpenAsync(target, cancellationToken).ConfigureAwait(false);
        List<string> available = await PostgresConnector.QueryAsync(database, target, "SELECT name FROM pg_available_extensions WHERE name IN ('pg_trgm', 'unaccent')", r => r.GetString(0), cancellationToken).ConfigureAwait(false);
        foreach (string extension in available.Order(StringComparer.Ordinal))
        {
            await PostgresConnector.ExecuteAsync(database, target, $"CREATE EXTENSION IF NOT EXISTS {extension}", cancellationToken).ConfigureAwait(false);
        }

        if (serverMajor >= 15)
        {
            await PostgresConnector.ExecuteAsync(database, target, "GRANT CREATE ON SCHEMA public TO PUBLIC", cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task LoadAsync(OdooBackupArchive archive, PostgresClientProgram loader, PostgresEndpoint target, CancellationToken cancellationToken)
    {
        string what = $"restoring {archive.Backup.Path} into {target.Database}";
        if (archive.IsPlainSql)
        {
            (Stream? sql, IDisposable? owner) = archive.OpenPlainSql();
            using (owner)
            await using (sql)
            {
                await PostgresLoader.LoadPlainAsync(loader, target, sql!, what, cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            await PostgresLoader.LoadCustomAsync(loader, target, archive.DumpFilePath()!, what, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<string?> FinishAsync(PostgresEndpoint target, bool copy, bool neutralize, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await PostgresConnector.OpenAsync(target, cancellationToken).ConfigureAwait(false);
        bool hasParameters = (await PostgresConnector.QueryAsync(connection, target, "SELECT to_regclass('ir_config_parameter') IS NOT NULL", r => r.GetBoolean(0), cancellationToken).ConfigureAwait(false)).Single();
        if (copy && hasParameters)
        {
            // What ir.config_parameter.init(force=True) does for a copy: a new identity and secret.
            await PostgresConnector.ExecuteAsync(connection, target, """
                INSERT INTO ir_config_parameter (key, value)
                VALUES ('database.uuid', gen_random_uuid()::text), ('database.secret', gen_random_uuid()::text),
                       ('database.create_date', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'))
                ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value
                """, cancellationToken).ConfigureAwait(false);
        }

        if (neutralize)
        {
            await NeutralizeAsync(connection, target, cancellationToken).ConfigureAwait(false);
        }

        return hasParameters
            ? (await PostgresConnector.QueryAsync(connection, target, "SELECT value FROM ir_config_parameter WHERE key = 'database.uuid'", r => r.GetString(0), cancellationToken).ConfigureAwait(false)).SingleOrDefault()
            : null;
    }

    private static async Task NeutralizeAsync(NpgsqlConnection connection, PostgresEndpoint target, CancellationToken cancellationToken)
    {
        async Task<bool> Has(string table) => (await PostgresConnector.QueryAsync(connection, target, "SELECT to_regclass(@t) IS NOT NULL", r => r.GetBoolean(0), cancellationToken, ("t", table)).ConfigureAwait(false)).Single();

        // Odoo's base and mail neutralize.sql: no outgoing or incoming mail, no crons but the autovacuum.
        if (await Has("ir_mail_server").ConfigureAwait(false))
        {
            await PostgresConnector.ExecuteAsync(connection, target, "UPDATE ir_mail_server SET active = false", cancellationToken).ConfigureAwait(false);
        }

        if (await Has("fetchmail_server").ConfigureAwait(false))
        {
            await PostgresConnector.ExecuteAsync(connection, target, "UPDATE fetchmail_server SET active = false", cancellationToken).ConfigureAwait(false);
        }

        if (await Has("ir_cron").ConfigureAwait(false))
        {
            string keep = await Has("ir_model_data").ConfigureAwait(false)
                ? " WHERE id NOT IN (SELECT res_id FROM ir_model_data WHERE model = 'ir.cron' AND name = 'autovacuum_job')"
                : string.Empty;
            await PostgresConnector.ExecuteAsync(connection, target, "UPDATE ir_cron SET active = false" + keep, cancellationToken).ConfigureAwait(false);
        }

        if (await Has("ir_config_parameter").ConfigureAwait(false))
        {
            await PostgresConnector.ExecuteAsync(connection, target, "INSERT INTO ir_config_parameter (key, value) VALUES ('database.is_neutralized', 'true') ON CONFLICT (key) DO UPDATE SET value = 'true'", cancellationToken).ConfigureAwait(false);
        }
    }
}
