using System;
using System.IO.Compression;
using System.Threading;
using OpsTools.Engine.Postgres;
using OpsTools.Odoo;

namespace OpsTools.Engine.Odoo;

/// <summary>What to back up, where to, and how.</summary>
public sealed class OdooBackupRequest
{
    /// <summary>The database to dump (server, role, database).</summary>
    public required PostgresEndpoint Endpoint { get; init; }

    /// <summary>Layout of the backup.</summary>
    public OdooBackupFormat Format { get; init; } = OdooBackupFormat.Zip;

    /// <summary>Directory the backup is written into.</summary>
    public required string Destination { get; init; }

    /// <summary>
    /// A container whose pg_dump and psql do the work, for a database the host cannot (or should
    /// not) reach; <see cref="Endpoint"/> then names the server as seen from inside that container.
    /// </summary>
    public PostgresClientContainer? DatabaseContainer { get; init; }

    /// <summary>A container <see cref="FilestorePath"/> lies in; read through the Docker archive API.</summary>
    public PostgresClientContainer? FilestoreContainer { get; init; }

    /// <summary>The database's filestore (<c>&lt;data_dir&gt;/filestore/&lt;db&gt;</c>), on this machine or in <see cref="FilestoreContainer"/>.</summary>
    public string? FilestorePath { get; init; }

    /// <summary>The instance's whole data directory (archived by the Platform format when given).</summary>
    public string? DataDirectory { get; init; }

    /// <summary>Back up the database only.</summary>
    public bool NoFilestore { get; init; }

    /// <summary>Compression of the zip entries, the filestore tar and pg_dump's custom format.</summary>
    public CompressionLevel Compression { get; init; } = CompressionLevel.Optimal;

    /// <summary>Instance name, for the manifest and the result.</summary>
    public string? InstanceName { get; init; }

    /// <summary>Instance id, for the platform's metadata.</summary>
    public Guid? InstanceId { get; init; }

    /// <summary>Customer id, for the platform's metadata.</summary>
    public Guid? CustomerId { get; init; }

    /// <summary>Time the backup is named after; now when null.</summary>
    public DateTimeOffset? Timestamp { get; init; }
}

/// <summary>Counters a backup updates as it goes; read from any thread to show progress.</summary>
public sealed class OdooBackupProgress
{
    private long _databaseBytes;
    private long _filestoreBytes;
    private int _filesDone;

    /// <summary>Bytes pg_dump has written.</summary>
    public long DatabaseBytes => Interlocked.Read(ref _databaseBytes);

    /// <summary>Filestore bytes archived.</summary>
    public long FilestoreBytes => Interlocked.Read(ref _filestoreBytes);

    /// <summary>Filestore bytes to archive.</summary>
    public long FilestoreTotalBytes { get; internal set; }

    /// <summary>Files archived.</summary>
    public int FilesDone => Volatile.Read(ref _filesDone);

    /// <summary>Files to archive.</summary>
    public int FilesTotal { get; internal set; }

    /// <summary>What runs now.</summary>
    public string Phase { get; internal set; } = "Starting";

    internal void AddDatabaseBytes(int count) => Interlocked.Add(ref _databaseBytes, count);

    internal void AddFilestoreBytes(int count) => Interlocked.Add(ref _filestoreBytes, count);

    internal void FileDone() => Interlocked.Increment(ref _filesDone);
}
