using System;
using System.Globalization;
using System.IO;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Threading;
using Npgsql;

namespace OpsTools.Engine.Postgres;

/// <summary>
/// Turns Npgsql, socket and timeout failures into <see cref="OpsToolsException"/>s with a stable
/// id, a kind from the SQLSTATE or the network error, and advice. Messages name the server,
/// database and role, never a password or a connection string.
/// </summary>
internal static class PostgresErrorMapper
{
    /// <summary>Maps an exception; null for ones that must pass through (ours, or cancellation by the caller).</summary>
    /// <param name="exception">The failure.</param>
    /// <param name="endpoint">Where it happened.</param>
    /// <param name="cancellationToken">The caller's token: cancellation through it is not a timeout.</param>
    /// <returns>The mapped exception, or null.</returns>
    public static OpsToolsException? Map(Exception exception, PostgresEndpoint endpoint, CancellationToken cancellationToken)
    {
        switch (exception)
        {
            case OpsToolsException:
                return null;
            case OperationCanceledException when cancellationToken.IsCancellationRequested:
                return null;
            case OperationCanceledException or TimeoutException:
                return Timeout(endpoint, exception);
            case PostgresException pg:
                return FromSqlState(pg, endpoint);
            case NpgsqlException npgsql when npgsql.InnerException is TimeoutException or OperationCanceledException:
                return cancellationToken.IsCancellationRequested ? null : Timeout(endpoint, exception);
            case NpgsqlException npgsql when npgsql.InnerException is AuthenticationException or System.Security.Cryptography.CryptographicException:
                return new OpsToolsException(
                    "PostgresSslFailed",
                    OpsToolsErrorKind.ConnectionError,
                    $"SSL with {endpoint.Server} failed (sslmode {endpoint.SslMode}): {Root(exception).Message}",
                    endpoint.Server,
                    "Check the server certificate and sslrootcert (PGSSLROOTCERT, ~/.postgresql/root.crt), or use a weaker sslmode such as require.",
                    exception);
            case NpgsqlException npgsql when npgsql.Message.Contains("No password has been provided", StringComparison.Ordinal):
                return new OpsToolsException(
                    "PostgresPasswordMissing",
                    OpsToolsErrorKind.AuthenticationError,
                    $"{endpoint.Server} asks for a password for user {endpoint.User}, and none was given.",
                    endpoint.Server,
                    "Pass -Credential, set PGPASSWORD, or add a line for this server to ~/.pgpass (mode 0600).",
                    exception);
            case NpgsqlException npgsql when npgsql.Message.StartsWith("SSL connection requested", StringComparison.Ordinal)
                || npgsql.Message.Contains("does not support SSL", StringComparison.OrdinalIgnoreCase):
                return new OpsToolsException(
                    "PostgresSslFailed",
                    OpsToolsErrorKind.ConnectionError,
                    $"{endpoint.Server} does not offer SSL, and sslmode is {endpoint.SslMode}.",
                    endpoint.Server,
                    "Enable ssl on the server, or connect with sslmode=prefer or disable.",
                    exception);
            case FileNotFoundException notFound:
                return new OpsToolsException(
                    "PostgresFileNotFound",
                    OpsToolsErrorKind.ObjectNotFound,
                    $"A file named for the connection to {endpoint.Server} does not exist: {notFound.FileName ?? notFound.Message}",
                    notFound.FileName,
                    "Check the passfile, sslrootcert, sslcert and sslkey settings and the PGPASSFILE / PGSSL* variables.",
                    exception);
            case NpgsqlException or SocketException or IOException:
                return Unreachable(endpoint, exception);
            default:
                return null;
        }
    }

    /// <summary>Short text for a result object: the server's own message for SQL errors, else the mapped message.</summary>
    /// <param name="exception">The failure.</param>
    /// <param name="mapped">Its mapping.</param>
    /// <returns>The text.</returns>
    public static string ShortMessage(Exception exception, OpsToolsException mapped) =>
        FindPostgresException(exception) is { } pg ? pg.MessageText : mapped.Message;

    /// <summary>SQLSTATE of a server error, else the mapped error id.</summary>
    /// <param name="exception">The failure.</param>
    /// <param name="mapped">Its mapping.</param>
    /// <returns>The code.</returns>
    public static string Code(Exception exception, OpsToolsException mapped) =>
        FindPostgresException(exception)?.SqlState ?? mapped.ErrorId;

    internal static PostgresException? FindPostgresException(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is PostgresException pg)
            {
                return pg;
            }
        }

        return null;
    }

    internal static OpsToolsException Timeout(PostgresEndpoint endpoint, Exception? inner) => new(
        "PostgresTimeout",
        OpsToolsErrorKind.OperationTimeout,
        string.Create(CultureInfo.InvariantCulture, $"{endpoint.Server} did not answer within {endpoint.Timeout.TotalSeconds:0.#} s."),
        endpoint.Server,
        "Check that the server runs and that the network path to it is open (firewalls drop packets silently), or raise the timeout.",
        inner);

    private static OpsToolsException Unreachable(PostgresEndpoint endpoint, Exception exception)
    {
        Exception root = Root(exception);
        if (root is SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain })
        {
            return new OpsToolsException(
                "PostgresHostNotFound",
                OpsToolsErrorKind.ConnectionError,
                $"The host of {endpoint.Server} cannot be resolved: {root.Message}",
                endpoint.Server,
                "Check the host name. Swarm service names resolve only inside their overlay network.",
                exception);
        }

        string reason = root is SocketException { SocketErrorCode: SocketError.ConnectionRefused } ? "connection refused" : root.Message;
        return new OpsToolsException(
            "PostgresUnreachable",
            OpsToolsErrorKind.ConnectionError,
            $"Cannot connect to {endpoint.Server}: {reason}.",
            endpoint.Server,
            "Check that PostgreSQL runs there and listens on that address and port (listen_addresses, port), or pass the right -Server.",
            exception);
    }

    private static OpsToolsException FromSqlState(PostgresException pg, PostgresEndpoint endpoint)
    {
        string where = $"{endpoint.DisplayName} as {endpoint.User}";
        (string id, OpsToolsErrorKind kind, string advice) = pg.SqlState switch
        {
            PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification => (
                "PostgresAuthenticationFailed", OpsToolsErrorKind.AuthenticationError,
                "Check the user and password (-Credential, PGPASSWORD or ~/.pgpass) and the server's pg_hba.conf."),
            PostgresErrorCodes.InvalidCatalogName => (
                "PostgresDatabaseNotFound", OpsToolsErrorKind.ObjectNotFound,
                "Check the database name (dbname in the server text, or PGDATABASE)."),
            PostgresErrorCodes.InsufficientPrivilege => (
                "PostgresPermissionDenied", OpsToolsErrorKind.PermissionDenied,
                "Connect as a role with the needed privileges (a superuser, or a member of pg_signal_backend / pg_read_all_stats)."),
            PostgresErrorCodes.CannotConnectNow => (
                "PostgresNotAccepting", OpsToolsErrorKind.ConnectionError,
                "The server is starting up, shutting down or in recovery; try again shortly."),
            PostgresErrorCodes.TooManyConnections or PostgresErrorCodes.ConfigurationLimitExceeded => (
                "PostgresTooManyConnections", OpsToolsErrorKind.ResourceUnavailable,
                "Close idle sessions (Get-PostgresActivity, Stop-PostgresSession) or raise max_connections."),
            PostgresErrorCodes.QueryCanceled => (
                "PostgresTimeout", OpsToolsErrorKind.OperationTimeout,
                "The statement was cancelled (statement_timeout or a cancel request); try again or raise the timeout."),
            PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.UndefinedColumn => (
                "PostgresSchemaMismatch", OpsToolsErrorKind.InvalidData,
                "The database does not have the tables or columns OpsTools expects; check that it is the right database."),
            PostgresErrorCodes.CheckViolation => (
                "PostgresCheckViolation", OpsToolsErrorKind.InvalidData,
                "The value is not allowed by a CHECK constraint of the table."),
            PostgresErrorCodes.UniqueViolation => (
                "PostgresDuplicate", OpsToolsErrorKind.ResourceExists,
                "A row with that key exists already."),
            _ => ("PostgresError", OpsToolsErrorKind.NotSpecified, "See the server log for details."),
        };
        return new OpsToolsException(id, kind, $"{where}: {pg.MessageText} (SQLSTATE {pg.SqlState})", endpoint.Server, advice, pg);
    }

    private static Exception Root(Exception exception)
    {
        Exception root = exception;
        while (root.InnerException is not null)
        {
            root = root.InnerException;
        }

        return root;
    }
}
