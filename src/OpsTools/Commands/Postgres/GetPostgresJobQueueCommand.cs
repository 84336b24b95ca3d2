using System.Management.Automation;
using OpsTools.Engine.Postgres;
using OpsTools.Infrastructure;
using OpsTools.Postgres;

namespace OpsTools.Commands.Postgres;

/// <summary>
/// <para type="synopsis">Counts the rows of a job queue table per status and reports the age of the oldest pending row.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "PostgresJobQueue", DefaultParameterSetName = ParameterSets.Default)]
[OutputType(typeof(PostgresJobQueue))]
public sealed class GetPostgresJobQueueCommand : PostgresCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    /// <summary>The server: host, host:port, a libpq string, a URI or an Npgsql connection string; PGHOST/PGPORT (else localhost:5432) when omitted.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Server { get; set; }

    /// <summary>The database holding the queue table.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Database { get; set; } = string.Empty;

    /// <summary>The queue table: table or schema.table; double-quote mixed-case names.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[] Table { get; set; } = System.Array.Empty<string>();

    /// <summary>The column holding each row's status.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string StatusColumn { get; set; } = "status";

    /// <summary>The column holding each row's creation time.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string CreatedColumn { get; set; } = "created_at";

    /// <summary>The statuses that count as pending (case-insensitive).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] PendingStatus { get; set; } = new[] { "pending", "queued" };

    /// <inheritdoc/>
    protected override void ProcessRecord() => Reader.Run(this);

    /// <summary>Engine calls in a nested type so the cmdlet class names no engine type in its members.</summary>
    private static class Reader
    {
        public static void Run(GetPostgresJobQueueCommand cmdlet)
        {
            PostgresEndpoint endpoint = cmdlet.AwaitOrTerminate(_ => System.Threading.Tasks.Task.FromResult(PostgresConnections.ResolveServer(cmdlet.Server, cmdlet.EngineCredential).WithDatabase(cmdlet.Database)));
            cmdlet.WriteVerbose($"{cmdlet.MyInvocation.MyCommand.Name}: {endpoint.Describe()}");
            foreach (string warning in endpoint.Warnings)
            {
                cmdlet.WriteWarning(warning);
            }

            foreach (string table in cmdlet.Table)
            {
                var request = new PostgresJobQueueRequest
                {
                    Endpoint = endpoint,
                    Table = table,
                    StatusColumn = cmdlet.StatusColumn,
                    CreatedColumn = cmdlet.CreatedColumn,
                    PendingStatus = cmdlet.PendingStatus,
                };
                try
                {
                    cmdlet.WriteObject(cmdlet.Await(PostgresJobQueueReader.ReadAsync(request, cmdlet.CancellationToken)));
                }
                catch (OpsToolsException ex) when (ex.Kind is OpsToolsErrorKind.ObjectNotFound or OpsToolsErrorKind.InvalidArgument)
                {
                    cmdlet.WriteEngineError(ex);
                }
                catch (OpsToolsException ex)
                {
                    cmdlet.ThrowTerminatingError(ErrorRecords.From(ex));
                }
            }
        }
    }
}
