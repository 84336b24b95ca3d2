using System;

namespace OpsTools.Postgres;

/// <summary>A backup file of one PostgreSQL database, written by Backup-PostgresDatabase.</summary>
public sealed class PostgresBackup
{
    /// <summary>The backup file.</summary>
    public required string Path { get; init; }
    /// <summary>The database dumped.</summary>
    public required string Database { get; init; }
    /// <summary>Where it was dumped from (<c>host:port</c>, and the container when the dump ran in one).</summary>
    public required string Server { get; init; }
    /// <summary>Layout of the file.</summary>
    public PostgresBackupFormat Format { get; init; }
    /// <summary>Size of the file in bytes.</summary>
    public long Size { get; init; }
    /// <summary>SHA-256 of the file (lower-case hex), also written to <see cref="ChecksumPath"/>.</summary>
    public required string Sha256 { get; init; }
    /// <summary>The checksum file beside the backup (<c>&lt;file&gt;.sha256</c>, sha256sum's format).</summary>
    public required string ChecksumPath { get; init; }
    /// <summary>How long the backup took.</summary>
    public TimeSpan Duration { get; init; }
    /// <summary>Version of the server (<c>15.18</c>).</summary>
    public required string ServerVersion { get; init; }
    /// <summary>Version of the pg_dump that made the dump.</summary>
    public required string PgDumpVersion { get; init; }
    /// <summary>When the backup was finished.</summary>
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>A database restored by Restore-PostgresDatabase.</summary>
public sealed class PostgresRestore
{
    /// <summary>The database created.</summary>
    public required string Database { get; init; }
    /// <summary>Server, as <c>host:port</c>.</summary>
    public required string Server { get; init; }
    /// <summary>The backup file restored.</summary>
    public required string Path { get; init; }
    /// <summary>Layout of the backup file.</summary>
    public PostgresBackupFormat Format { get; init; }
    /// <summary>Size of the backup file in bytes.</summary>
    public long Size { get; init; }
    /// <summary>SHA-256 of the backup file.</summary>
    public required string Sha256 { get; init; }
    /// <summary>Whether the file matched the checksum file beside it (false when there was none).</summary>
    public bool ChecksumVerified { get; init; }
    /// <summary>Whether an existing database of that name was dropped first (-Force).</summary>
    public bool Replaced { get; init; }
    /// <summary>Version of the psql or pg_restore that loaded it.</summary>
    public required string ClientVersion { get; init; }
    /// <summary>How long the restore took.</summary>
    public TimeSpan Duration { get; init; }
}
