using System;
using System.Collections.Generic;
using System.Net;

namespace OpsTools.Engine.Postgres;

/// <summary>
/// What a command was given to reach a PostgreSQL server: the server text (host, host:port, a
/// libpq keyword/value string, a <c>postgresql://</c> URI or an Npgsql connection string) and a
/// credential. <see cref="PostgresEndpoint.Resolve"/> fills the rest from the PG* environment
/// variables and the password file, as libpq does.
/// </summary>
public sealed class PostgresConnectionRequest
{
    /// <summary>Server text; null to take the host from PGHOST (ordinary servers only).</summary>
    public string? Server { get; init; }

    /// <summary>User and password; a user or password given here wins over the server text and the environment.</summary>
    public NetworkCredential? Credential { get; init; }

    /// <summary>Database used when neither the server text nor (for ordinary servers) PGDATABASE names one.</summary>
    public string DefaultDatabase { get; init; } = "postgres";

    /// <summary>
    /// True for the platform database: its location is never guessed from PGHOST, PGPORT or
    /// PGDATABASE (those describe the operator's usual server, not the platform's), but PGUSER,
    /// PGPASSWORD, the password file and the SSL variables still apply.
    /// </summary>
    public bool IsPlatform { get; init; }

    /// <summary>Connection timeout; null for connect_timeout / PGCONNECT_TIMEOUT, else 15 seconds.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Name of the parameter the server text came from, for messages (<c>-Server</c>, <c>-PlatformServer</c>).</summary>
    public string Origin { get; init; } = "-Server";

    /// <summary>Environment to read PG* variables from; null for the process environment.</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>Home directory for <c>~/.pgpass</c> and <c>~/.postgresql</c>; null for the user's profile.</summary>
    public string? HomeDirectory { get; init; }
}

/// <summary>Where the password used for a connection came from (never the password itself).</summary>
public enum PostgresPasswordSource
{
    /// <summary>No password: the server must not ask for one (trust, peer, certificate).</summary>
    None,
    /// <summary>The -Credential parameter.</summary>
    Credential,
    /// <summary>The password keyword of the server text.</summary>
    ConnectionString,
    /// <summary>The PGPASSWORD environment variable.</summary>
    Environment,
    /// <summary>The password file (PGPASSFILE, or ~/.pgpass).</summary>
    PasswordFile,
    /// <summary>The admin_password of the pool's db_servers row.</summary>
    PlatformRecord,
}
