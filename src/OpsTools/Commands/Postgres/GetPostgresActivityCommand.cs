using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using OpsTools.Engine.Postgres;
using OpsTools.Infrastructure;
using OpsTools.Postgres;

namespace OpsTools.Commands.Postgres;

/// <summary>
/// <para type="synopsis">Gets the client sessions of a PostgreSQL server (pg_stat_activity), or its connections per database against max_connections.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "PostgresActivity", DefaultParameterSetName = ParameterSets.Session)]
[OutputType(typeof(PostgresSession), ParameterSetName = new[] { ParameterSets.Session })]
[OutputType(typeof(PostgresDatabaseActivity), ParameterSetName = new[] { ParameterSets.Summary })]
public sealed class GetPostgresActivityCommand : PostgresCmdlet
{
    private static class ParameterSets
    {
        public const string Session = "Session";
        public const string Summary = "Summary";
    }

    /// <summary>The server: host, host:port, a libpq string, a URI or an Npgsql connection string; PGHOST/PGPORT (else localhost:5432) when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Server { get; set; }

    /// <summary>Only sessions of (or summaries for) these databases; wildcards allowed.</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Database { get; set; }

    /// <summary>Only sessions in these states.</summary>
    [Parameter(ParameterSetName = ParameterSets.Session)]
    [ValidateNotNullOrEmpty]
    public PostgresSessionState[]? State { get; set; }

    /// <summary>Only sessions whose Duration (query when active, transaction when idle in transaction) is at least this long: 30s, 5m, 1h, or a TimeSpan.</summary>
    [Parameter(ParameterSetName = ParameterSets.Session)]
    [DurationTransformation]
    public TimeSpan? MinimumDuration { get; set; }

    /// <summary>One object per database with its connection counts against max_connections, instead of sessions.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.Summary)]
    public SwitchParameter Summary { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord() => Reader.Run(this);

    /// <summary>Engine calls in a nested type so the cmdlet class names no engine type in its members.</summary>
    private static class Reader
    {
        public static void Run(GetPostgresActivityCommand cmdlet)
        {
            PostgresEndpoint endpoint = cmdlet.AwaitOrTerminate(_ => System.Threading.Tasks.Task.FromResult(PostgresConnections.ResolveServer(cmdlet.Server, cmdlet.EngineCredential)));
            cmdlet.WriteVerbose($"{cmdlet.MyInvocation.MyCommand.Name}: {endpoint.Describe()}");
            foreach (string warning in endpoint.Warnings)
            {
                cmdlet.WriteWarning(warning);
            }

            using PostgresActivityReader reader = cmdlet.AwaitOrTerminate(ct => PostgresActivityReader.OpenAsync(endpoint, ct));
            var databases = new NameFilter(cmdlet.Database);
            if (cmdlet.Summary)
            {
                IReadOnlyList<PostgresDatabaseActivity> summary = cmdlet.AwaitOrTerminate(ct => reader.GetDatabaseActivityAsync(ct));
                cmdlet.WriteObject(databases.Select(summary, d => d.Database, null, out _), enumerateCollection: true);
                return;
            }

            IReadOnlyList<PostgresSession> sessions = cmdlet.AwaitOrTerminate(ct => reader.GetSessionsAsync(ct));
            IEnumerable<PostgresSession> selected = databases.IsEmpty ? sessions : databases.Select(sessions.Where(s => s.Database is not null), s => s.Database!, null, out _);
            if (cmdlet.State is { } states)
            {
                selected = selected.Where(s => states.Contains(s.State));
            }

            if (cmdlet.MinimumDuration is { } minimum)
            {
                selected = selected.Where(s => s.Duration >= minimum);
            }

            cmdlet.WriteObject(selected, enumerateCollection: true);
        }
    }
}
