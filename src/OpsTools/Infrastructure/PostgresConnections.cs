using System.Net;
using System.Threading;
using System.Threading.Tasks;
using OpsTools.Engine.Postgres;

namespace OpsTools.Infrastructure;

/// <summary>Builds engine endpoints from cmdlet parameters. A static type of its own, so cmdlet classes never name engine types in their members.</summary>
internal static class PostgresConnections
{
    /// <summary>Default database of the platform.</summary>
    public const string PlatformDatabaseName = "instance";

    public static PostgresConnectionRequest ServerRequest(string? server, NetworkCredential? credential, System.TimeSpan? timeout = null) => new()
    {
        Server = server,
        Credential = credential,
        DefaultDatabase = "postgres",
        Timeout = timeout,
        Origin = "-Server",
    };

    public static PostgresEndpoint ResolveServer(string? server, NetworkCredential? credential, System.TimeSpan? timeout = null) =>
        PostgresEndpoint.Resolve(ServerRequest(server, credential, timeout));

    public static PostgresEndpoint ResolvePlatform(string server, NetworkCredential? credential) => PostgresEndpoint.Resolve(new PostgresConnectionRequest
    {
        Server = server,
        Credential = credential,
        DefaultDatabase = PlatformDatabaseName,
        IsPlatform = true,
        Origin = "-PlatformServer",
    });

    public static Task<PlatformDatabase> OpenPlatformAsync(PostgresEndpoint endpoint, CancellationToken cancellationToken) =>
        PlatformDatabase.OpenAsync(endpoint, cancellationToken);
}
