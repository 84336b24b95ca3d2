using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Npgsql;

namespace OpsTools.Engine.Postgres;

/// <summary>
/// A PostgreSQL server, database and role to connect as, resolved the way libpq resolves them:
/// what the command was given first, then the PG* environment variables, then defaults; the
/// password from the credential, the server text, PGPASSWORD or the password file. The password
/// never leaves this object except into the Npgsql connection string.
/// </summary>
public sealed class PostgresEndpoint
{
    private const int DefaultTimeoutSeconds = 15;

    private readonly string? _password;
    private readonly Dictionary<string, string> _npgsqlOptions;

    private PostgresEndpoint(
        string host, int port, string database, string user, string? password, PostgresPasswordSource passwordSource,
        SslMode sslMode, string? rootCertificate, string? clientCertificate, string? clientKey, TimeSpan timeout,
        string applicationName, Dictionary<string, string> npgsqlOptions, IReadOnlyList<string> warnings)
    {
        Host = host;
        Port = port;
        Database = database;
        User = user;
        _password = password;
        PasswordSource = passwordSource;
        SslModeValue = sslMode;
        RootCertificate = rootCertificate;
        ClientCertificate = clientCertificate;
        ClientKey = clientKey;
        Timeout = timeout;
        ApplicationName = applicationName;
        _npgsqlOptions = npgsqlOptions;
        Warnings = warnings;
    }

    /// <summary>Host name, address, or Unix socket directory.</summary>
    public string Host { get; }

    /// <summary>Port.</summary>
    public int Port { get; }

    /// <summary>Database.</summary>
    public string Database { get; }

    /// <summary>Role.</summary>
    public string User { get; }

    /// <summary>Where the password came from.</summary>
    public PostgresPasswordSource PasswordSource { get; }

    /// <summary>Whether a password is known.</summary>
    public bool HasPassword => _password is not null;

    /// <summary>SSL mode in libpq spelling (<c>disable</c>, <c>prefer</c>, <c>verify-full</c>...).</summary>
    public string SslMode => SslModeValue switch
    {
        Npgsql.SslMode.VerifyCA => "verify-ca",
        Npgsql.SslMode.VerifyFull => "verify-full",
        _ => SslModeValue.ToString().ToLowerInvariant(),
    };

    /// <summary>CA certificate file that verifies the server (sslrootcert).</summary>
    public string? RootCertificate { get; }

    /// <summary>Client certificate file (sslcert).</summary>
    public string? ClientCertificate { get; }

    /// <summary>Client key file (sslkey).</summary>
    public string? ClientKey { get; }

    /// <summary>Connection timeout.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>application_name the server shows for our sessions.</summary>
    public string ApplicationName { get; }

    /// <summary>Things the operator should know about how the endpoint was resolved (an ignored password file...).</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>Whether the host is a Unix socket directory.</summary>
    public bool IsSocket => Host.StartsWith('/');

    /// <summary>The server as <c>pg_isready</c> names it: <c>host:port</c>, <c>[v6]:port</c> or <c>/socket/dir:port</c>.</summary>
    public string Server => (Host.Contains(':', StringComparison.Ordinal) && !IsSocket ? "[" + Host + "]" : Host) + ":" + Port.ToString(CultureInfo.InvariantCulture);

    /// <summary>Server and database, e.g. <c>platform-db:5432/instance</c>.</summary>
    public string DisplayName => Server + "/" + Database;

    internal SslMode SslModeValue { get; }

    /// <summary>One line for verbose output: where, as whom, the password's source and the SSL mode; never the password.</summary>
    public string Describe() => $"{DisplayName} as {User} (password: {DescribeSource(PasswordSource)}; sslmode {SslMode}; timeout {Timeout.TotalSeconds:0.#} s)";

    /// <summary>Resolves what a command was given into an endpoint.</summary>
    /// <param name="request">Server text, credential and defaults.</param>
    /// <returns>The endpoint.</returns>
    /// <exception cref="OpsToolsException"><c>PostgresServerInvalid</c> when the server text cannot be read.</exception>
    public static PostgresEndpoint Resolve(PostgresConnectionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Func<string, string?> env = request.Environment is { } map
            ? name => map.TryGetValue(name, out string? value) && value.Length > 0 ? value : null
            : name => System.Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
        string home = request.HomeDirectory ?? System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile);

        PostgresServerText text;
        try
        {
            text = request.Server is { Length: > 0 } server ? PostgresServerText.Parse(server) : new PostgresServerText();
        }
        catch (FormatException ex)
        {
            throw Invalid(request, ex.Message, ex);
        }

        bool useHostEnvironment = !request.IsPlatform;
        string host = text.Host ?? (useHostEnvironment ? env("PGHOST") ?? env("PGHOSTADDR") : null) ?? "localhost";
        int port;
        try
        {
            port = text.Port ?? (useHostEnvironment && env("PGPORT") is { } envPort ? PostgresServerText.ParsePort(envPort) : 5432);
        }
        catch (FormatException ex)
        {
            throw Invalid(request, "PGPORT: " + ex.Message, ex);
        }

        string? credentialUser = request.Credential?.UserName is { Length: > 0 } u ? u : null;
        string user = credentialUser ?? text.User ?? env("PGUSER") ?? System.Environment.UserName;
        string database = text.Database ?? (useHostEnvironment ? env("PGDATABASE") : null) ?? request.DefaultDatabase;

        var warnings = new List<string>();
        string? password = null;
        PostgresPasswordSource source = PostgresPasswordSource.None;
        if (request.Credential?.Password is { Length: > 0 } credentialPassword)
        {
            (password, source) = (credentialPassword, PostgresPasswordSource.Credential);
        }
        else if (text.Password is { Length: > 0 })
        {
            (password, source) = (text.Password, PostgresPasswordSource.ConnectionString);
        }
        else if (env("PGPASSWORD") is { } environmentPassword)
        {
            (password, source) = (environmentPassword, PostgresPasswordSource.Environment);
        }
        else
        {
            string passFile = text.PassFile ?? env("PGPASSFILE") ?? Path.Combine(home, ".pgpass");
            if (PgPassFile.Lookup(passFile, host, port, database, user, warnings) is { } fromFile)
            {
                (password, source) = (fromFile, PostgresPasswordSource.PasswordFile);
            }
        }

        string sslModeText = text.SslMode ?? env("PGSSLMODE") ?? "prefer";
        if (!TryParseSslMode(sslModeText, out SslMode sslMode))
        {
            throw Invalid(request, $"sslmode '{sslModeText}' is not one of disable, allow, prefer, require, verify-ca, verify-full", null);
        }

        string postgresDirectory = Path.Combine(home, ".postgresql");
        string? rootCertificate = text.SslRootCert ?? env("PGSSLROOTCERT") ?? ExistingFile(Path.Combine(postgresDirectory, "root.crt"));
        string? clientCertificate = text.SslCert ?? env("PGSSLCERT") ?? ExistingFile(Path.Combine(postgresDirectory, "postgresql.crt"));
        string? clientKey = text.SslKey ?? env("PGSSLKEY") ?? ExistingFile(Path.Combine(postgresDirectory, "postgresql.key"));

        TimeSpan timeout;
        if (request.Timeout is { } explicitTimeout)
        {
            timeout = explicitTimeout;
        }
        else if (text.ConnectTimeoutSeconds is { } seconds)
        {
            timeout = TimeSpan.FromSeconds(seconds);
        }
        else if (env("PGCONNECT_TIMEOUT") is { } environmentTimeout && int.TryParse(environmentTimeout, NumberStyles.None, CultureInfo.InvariantCulture, out int environmentSeconds))
        {
            timeout = TimeSpan.FromSeconds(environmentSeconds);
        }
        else
        {
            timeout = TimeSpan.FromSeconds(DefaultTimeoutSeconds);
        }

        if (timeout <= TimeSpan.Zero)
        {
            // libpq: 0 means wait forever; a command that never returns helps no operator.
            timeout = TimeSpan.FromSeconds(DefaultTimeoutSeconds);
        }

        string applicationName = text.ApplicationName ?? env("PGAPPNAME") ?? "OpsTools";
        var endpoint = new PostgresEndpoint(host, port, database, user, password, source, sslMode, rootCertificate, clientCertificate, clientKey, timeout, applicationName, text.NpgsqlOptions, warnings);
        try
        {
            _ = endpoint.ConnectionString;
        }
        catch (ArgumentException ex)
        {
            throw Invalid(request, ex.Message, ex);
        }

        return endpoint;
    }

    /// <summary>An endpoint for a pool, with the credentials of its <c>db_servers</c> row.</summary>
    /// <param name="host">Host.</param>
    /// <param name="port">Port.</param>
    /// <param name="user">Admin role.</param>
    /// <param name="password">Admin password.</param>
    /// <param name="timeout">Connection timeout.</param>
    /// <param name="sslMode">SSL mode in libpq spelling; null for PGSSLMODE, else prefer.</param>
    /// <returns>The endpoint (database <c>postgres</c>, as the platform's checks use).</returns>
    internal static PostgresEndpoint ForPool(string host, int port, string user, string? password, TimeSpan timeout, string? sslMode = null)
    {
        string modeText = sslMode ?? (System.Environment.GetEnvironmentVariable("PGSSLMODE") is { Length: > 0 } m ? m : "prefer");
        SslMode mode = TryParseSslMode(modeText, out SslMode parsed) ? parsed : Npgsql.SslMode.Prefer;
        return new PostgresEndpoint(host, port, "postgres", user, password, password is null ? PostgresPasswordSource.None : PostgresPasswordSource.PlatformRecord,
            mode, null, null, null, timeout, "OpsTools", new Dictionary<string, string>(), Array.Empty<string>());
    }

    /// <summary>The same server and role, another database.</summary>
    /// <param name="database">Database.</param>
    /// <returns>The endpoint.</returns>
    public PostgresEndpoint WithDatabase(string database) =>
        new(Host, Port, database, User, _password, PasswordSource, SslModeValue, RootCertificate, ClientCertificate, ClientKey, Timeout, ApplicationName, _npgsqlOptions, Warnings);

    /// <summary>The same endpoint with another connection timeout.</summary>
    /// <param name="timeout">Timeout.</param>
    /// <returns>The endpoint.</returns>
    public PostgresEndpoint WithTimeout(TimeSpan timeout) =>
        new(Host, Port, Database, User, _password, PasswordSource, SslModeValue, RootCertificate, ClientCertificate, ClientKey, timeout, ApplicationName, _npgsqlOptions, Warnings);

    /// <summary>The Npgsql connection string, password included. Never logged or shown.</summary>
    internal string ConnectionString
    {
        get
        {
            var builder = new NpgsqlConnectionStringBuilder();
            foreach (KeyValuePair<string, string> option in _npgsqlOptions)
            {
                builder[option.Key] = option.Value;
            }

            builder.Host = Host;
            builder.Port = Port;
            builder.Database = Database;
            builder.Username = User;
            if (_password is not null)
            {
                builder.Password = _password;
            }

            builder.SslMode = SslModeValue;
            if (RootCertificate is not null)
            {
                builder.RootCertificate = RootCertificate;
            }

            if (ClientCertificate is not null)
            {
                builder.SslCertificate = ClientCertificate;
            }

            if (ClientKey is not null)
            {
                builder.SslKey = ClientKey;
            }

            builder.Timeout = (int)Math.Clamp(Math.Ceiling(Timeout.TotalSeconds), 1, 1024);
            builder.CommandTimeout = Math.Max(30, builder.Timeout);
            builder.ApplicationName = ApplicationName;
            // One physical connection per command: nothing lingers on the servers between commands,
            // and a health check always proves that a new connection can be made.
            builder.Pooling = false;
            builder.PersistSecurityInfo = false;
            return builder.ConnectionString;
        }
    }

    /// <summary>
    /// The libpq environment that makes a client program (pg_dump, psql, pg_restore) connect where
    /// this endpoint does: PGHOST, PGPORT, PGUSER, PGDATABASE, PGSSL*, PGCONNECT_TIMEOUT, PGAPPNAME and
    /// PGPASSWORD. The password travels only in the child's environment, never on its command line.
    /// </summary>
    /// <returns>Variable names and values.</returns>
    internal Dictionary<string, string> ClientEnvironment()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PGHOST"] = Host,
            ["PGPORT"] = Port.ToString(CultureInfo.InvariantCulture),
            ["PGUSER"] = User,
            ["PGDATABASE"] = Database,
            ["PGSSLMODE"] = SslMode,
            ["PGCONNECT_TIMEOUT"] = ((int)Math.Clamp(Math.Ceiling(Timeout.TotalSeconds), 1, 1024)).ToString(CultureInfo.InvariantCulture),
            ["PGAPPNAME"] = ApplicationName,
        };
        if (_password is not null)
        {
            environment["PGPASSWORD"] = _password;
        }

        if (RootCertificate is not null)
        {
            environment["PGSSLROOTCERT"] = RootCertificate;
        }

        if (ClientCertificate is not null)
        {
            environment["PGSSLCERT"] = ClientCertificate;
        }

        if (ClientKey is not null)
        {
            environment["PGSSLKEY"] = ClientKey;
        }

        return environment;
    }

    /// <inheritdoc/>
    public override string ToString() => DisplayName;

    internal static bool TryParseSslMode(string text, out SslMode mode)
    {
        string normalized = text.Replace("-", string.Empty, StringComparison.Ordinal).Replace("_", string.Empty, StringComparison.Ordinal).Trim();
        return Enum.TryParse(normalized, ignoreCase: true, out mode) && Enum.IsDefined(mode);
    }

    private static string DescribeSource(PostgresPasswordSource source) => source switch
    {
        PostgresPasswordSource.Credential => "from -Credential",
        PostgresPasswordSource.ConnectionString => "from the connection string",
        PostgresPasswordSource.Environment => "from PGPASSWORD",
        PostgresPasswordSource.PasswordFile => "from the password file",
        PostgresPasswordSource.PlatformRecord => "from db_servers",
        _ => "none",
    };

    private static string? ExistingFile(string path) => File.Exists(path) ? path : null;

    private static OpsToolsException Invalid(PostgresConnectionRequest request, string reason, Exception? inner) => new(
        "PostgresServerInvalid",
        OpsToolsErrorKind.InvalidArgument,
        $"The server given by {request.Origin} cannot be used: {reason}.",
        request.Origin,
        "Give a host, host:port, a libpq string such as 'host=db port=5432 dbname=instance sslmode=require', a postgresql:// URI or an Npgsql connection string.",
        inner);
}
