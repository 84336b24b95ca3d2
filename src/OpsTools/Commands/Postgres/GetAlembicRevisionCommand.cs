using System.Management.Automation;
using OpsTools.Engine.Postgres;
using OpsTools.Infrastructure;
using OpsTools.Postgres;

namespace OpsTools.Commands.Postgres;

/// <summary>
/// <para type="synopsis">Gets the Alembic revision(s) a database records and, with the migration scripts, its head(s), the pending revisions and whether it is up to date.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "AlembicRevision", DefaultParameterSetName = ParameterSets.Default)]
[OutputType(typeof(AlembicRevision))]
public sealed class GetAlembicRevisionCommand : PostgresCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    /// <summary>The server: host, host:port, a libpq string, a URI or an Npgsql connection string; PGHOST/PGPORT (else localhost:5432) when omitted.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Server { get; set; }

    /// <summary>The database migrated by Alembic.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Database { get; set; } = string.Empty;

    /// <summary>The Alembic script directory (alembic.ini's script_location, holding versions/) or the versions directory itself.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ScriptLocation { get; set; }

    /// <summary>The version table (alembic's version_table; schema.table for version_table_schema).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string VersionTable { get; set; } = "alembic_version";

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        string? scripts = ScriptLocation is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(ScriptLocation);
        Reader.Run(this, scripts);
    }

    /// <summary>Engine calls in a nested type so the cmdlet class names no engine type in its members.</summary>
    private static class Reader
    {
        public static void Run(GetAlembicRevisionCommand cmdlet, string? scripts)
        {
            PostgresEndpoint endpoint = cmdlet.AwaitOrTerminate(_ => System.Threading.Tasks.Task.FromResult(PostgresConnections.ResolveServer(cmdlet.Server, cmdlet.EngineCredential).WithDatabase(cmdlet.Database)));
            cmdlet.WriteVerbose($"{cmdlet.MyInvocation.MyCommand.Name}: {endpoint.Describe()}");
            foreach (string warning in endpoint.Warnings)
            {
                cmdlet.WriteWarning(warning);
            }

            AlembicRevision revision = cmdlet.AwaitOrTerminate(ct => AlembicRevisionReader.ReadAsync(endpoint, cmdlet.VersionTable, scripts, ct));
            if (revision.State == AlembicState.MultipleHeads)
            {
                cmdlet.WriteWarning($"The migration scripts of {revision.Database} have {revision.Heads.Count} heads ({string.Join(", ", revision.Heads)}); 'alembic upgrade head' refuses to run until they are merged ('alembic merge heads').");
            }
            else if (revision.State == AlembicState.Unknown)
            {
                cmdlet.WriteWarning($"{revision.Database} records revision(s) {string.Join(", ", revision.UnknownRevisions)} that no script in {revision.ScriptLocation} defines: the database is ahead of these scripts, or was migrated by other ones.");
            }

            cmdlet.WriteObject(revision);
        }
    }
}
