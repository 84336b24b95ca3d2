using System;
using System.Management.Automation;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using OpsTools.Postgres;

namespace OpsTools.Infrastructure;

/// <summary>
/// Base of the cmdlets that work on the platform database (<c>db_servers</c>, <c>instances</c>):
/// <c>-PlatformServer</c> and <c>-PlatformCredential</c>. Scheduled scripts set them once with
/// <c>$PSDefaultParameterValues['*:PlatformServer']</c> (every OpsTools cmdlet names them the same),
/// or through the OPSTOOLS_PLATFORM_SERVER environment variable and the password file.
/// </summary>
public abstract class PlatformCmdlet : OpsToolsCmdlet
{
    /// <summary>Environment variable read when -PlatformServer is not given.</summary>
    public const string PlatformServerVariable = "OPSTOOLS_PLATFORM_SERVER";

    /// <summary>The platform's PostgreSQL server: host, host:port, a libpq string, a URI or an Npgsql connection string; database <c>instance</c> unless it names another.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? PlatformServer { get; set; }

    /// <summary>User and password for the platform database.</summary>
    [Parameter]
    [Credential]
    [ValidateNotNull]
    public PSCredential? PlatformCredential { get; set; }

    /// <summary>The platform credential as the engine takes it, or null.</summary>
    protected NetworkCredential? EnginePlatformCredential =>
        PlatformCredential is null || PlatformCredential == PSCredential.Empty ? null : PlatformCredential.GetNetworkCredential();

    /// <summary>The platform server text: -PlatformServer, else OPSTOOLS_PLATFORM_SERVER; stops the command when neither is set.</summary>
    /// <returns>The server text.</returns>
    protected string GetPlatformServerText()
    {
        if (!string.IsNullOrWhiteSpace(PlatformServer))
        {
            return PlatformServer;
        }

        string? fromEnvironment = Environment.GetEnvironmentVariable(PlatformServerVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return fromEnvironment;
        }

        ThrowTerminatingError(ErrorRecords.Create(
            "PlatformServerNotSet",
            ErrorCategory.InvalidArgument,
            null,
            $"{MyInvocation.MyCommand.Name} needs the platform database, and neither -PlatformServer nor {PlatformServerVariable} is set.",
            "Pass -PlatformServer (for example platform-db:5432), or set it once for the session: $PSDefaultParameterValues['*:PlatformServer'] = 'platform-db:5432' (and '*:PlatformCredential'), or set OPSTOOLS_PLATFORM_SERVER."));
        return string.Empty; // unreachable: ThrowTerminatingError always throws
    }
}

/// <summary>Base of the platform cmdlets that also change Swarm services: adds <c>-DockerHost</c>.</summary>
public abstract class PlatformSwarmCmdlet : PlatformCmdlet
{
    /// <summary>Docker endpoint of a swarm manager; defaults like the docker CLI: DOCKER_HOST, the current context, the local socket.</summary>
    [Parameter]
    [Alias("H")]
    [ValidateNotNullOrEmpty]
    public string? DockerHost { get; set; }

    /// <summary>Asks ShouldProcess for one pool removal and runs it; writes a non-terminating error when it fails.</summary>
    /// <param name="pool">The pool.</param>
    /// <param name="archive">Whether its data directory will be archived.</param>
    /// <param name="dockerHost">Docker endpoint, for the message.</param>
    /// <param name="remove">The engine call that removes it.</param>
    /// <returns>What was done, or null when declined or failed.</returns>
    protected DatabasePoolRemoval? RemovePool(DatabasePool pool, bool archive, string dockerHost, Func<CancellationToken, Task<DatabasePoolRemoval>> remove)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(remove);
        string target = $"{pool.Name} (status {pool.Status.ToString().ToLowerInvariant()}, service {pool.SwarmServiceName ?? pool.Name} on {dockerHost}, row on {pool.PlatformServer})";
        string action = archive && !string.IsNullOrEmpty(pool.StoragePath)
            ? $"Remove pool: remove its service, move {pool.StoragePath} to the archive, set its status to deprovisioning"
            : "Remove pool: remove its service, set its status to deprovisioning";
        if (!ShouldProcess(target, action))
        {
            return null;
        }

        try
        {
            return Await(remove(CancellationToken));
        }
        catch (OpsToolsException ex)
        {
            WriteEngineError(ex);
            return null;
        }
    }
}
