using System.Collections.Generic;
using System.Management.Automation;
using OpsTools.Engine.Postgres;
using OpsTools.Infrastructure;
using OpsTools.Postgres;

namespace OpsTools.Commands.Postgres;

/// <summary>
/// <para type="synopsis">Gets the sessions waiting for a lock on a PostgreSQL server, each paired with a session that blocks it.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "PostgresLock", DefaultParameterSetName = ParameterSets.Default)]
[OutputType(typeof(PostgresLockWait))]
public sealed class GetPostgresLockCommand : PostgresCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    /// <summary>The server: host, host:port, a libpq string, a URI or an Npgsql connection string; PGHOST/PGPORT (else localhost:5432) when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Server { get; set; }

    /// <summary>Only waits in these databases; wildcards allowed.</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Database { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord() => Reader.Run(this);

    /// <summary>Engine calls in a nested type so the cmdlet class names no engine type in its members.</summary>
    private static class Reader
    {
        public static void Run(GetPostgresLockCommand cmdlet)
        {
            PostgresEndpoint endpoint = cmdlet.AwaitOrTerminate(_ => System.Threading.Tasks.Task.FromResult(PostgresConnections.ResolveServer(cmdlet.Server, cmdlet.EngineCredential)));
            cmdlet.WriteVerbose($"{cmdlet.MyInvocation.MyCommand.Name}: {endpoint.Describe()}");
            foreach (string warning in endpoint.Warnings)
            {
                cmdlet.WriteWarning(warning);
            }

            using PostgresActivityReader reader = cmdlet.AwaitOrTerminate(ct => PostgresActivityReader.OpenAsync(endpoint, ct));
            IReadOnlyList<PostgresLockWait> waits = cmdlet.AwaitOrTerminate(ct => reader.GetLockWaitsAsync(ct));
            var databases = new NameFilter(cmdlet.Database);
            cmdlet.WriteObject(databases.IsEmpty ? waits : databases.Select(waits, w => w.Database ?? string.Empty, null, out _), enumerateCollection: true);
        }
    }
}
