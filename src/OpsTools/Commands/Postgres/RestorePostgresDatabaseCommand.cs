using System.Globalization;
using System.IO;
using System.Management.Automation;
using OpsTools.Engine.Postgres;
using OpsTools.Infrastructure;
using OpsTools.Postgres;

namespace OpsTools.Commands.Postgres;

/// <summary>
/// <para type="synopsis">Restores a backup file (custom format, plain SQL or gzipped SQL) into a new PostgreSQL database, after checking its SHA-256, stopping at the first error and dropping what it created on failure.</para>
/// </summary>
[Cmdlet(VerbsData.Restore, "PostgresDatabase", DefaultParameterSetName = ParameterSets.Default, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(PostgresRestore))]
public sealed class RestorePostgresDatabaseCommand : PostgresCmdlet
{
    private const int ProgressActivityId = 0x0902;

    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    /// <summary>The backup file (.dump, .sql or .sql.gz); its checksum file (&lt;file&gt;.sha256) is checked when present.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>The database to create.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Database { get; set; } = string.Empty;

    /// <summary>The server: host, host:port, a libpq string, a URI or an Npgsql connection string; PGHOST/PGPORT (else localhost:5432) when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Server { get; set; }

    /// <summary>The layout of the file; by default read from its first bytes (PGDMP: custom, gzip: PlainGzip, else Plain).</summary>
    [Parameter]
    public PostgresBackupFormat? Format { get; set; }

    /// <summary>Drop an existing database of that name first (its sessions are terminated).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord() => EngineCalls.Run(this, SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path));

    /// <summary>Engine calls in a nested type so the cmdlet class names no engine type in its members.</summary>
    private static class EngineCalls
    {
        public static void Run(RestorePostgresDatabaseCommand cmdlet, string path)
        {
            PostgresEndpoint target;
            try
            {
                target = PostgresConnections.ResolveServer(cmdlet.Server, cmdlet.EngineCredential).WithDatabase(cmdlet.Database);
            }
            catch (OpsToolsException ex)
            {
                cmdlet.WriteEngineError(ex);
                return;
            }

            foreach (string warning in target.Warnings)
            {
                cmdlet.WriteWarning(warning);
            }

            var record = new ProgressRecord(ProgressActivityId, $"Restoring {cmdlet.Database}", "Checking the backup file");
            try
            {
                // The file is checked before anything on the server is touched or asked.
                cmdlet.WriteProgress(record);
                (string sha256, bool verified) = cmdlet.Await(PostgresRestorer.VerifyChecksumAsync(path, cmdlet.CancellationToken));
                cmdlet.WriteVerbose(verified
                    ? $"{cmdlet.MyInvocation.MyCommand.Name}: {path} matches its checksum file (sha256 {sha256})"
                    : $"{cmdlet.MyInvocation.MyCommand.Name}: {path} has no checksum file beside it; sha256 {sha256}");
                if (!verified)
                {
                    cmdlet.WriteWarning($"{path} has no checksum file ({System.IO.Path.GetFileName(path)}.sha256) beside it; it is restored unchecked.");
                }

                PostgresBackupFormat format = cmdlet.Format ?? PostgresRestorer.DetectFormat(path);
                string action = cmdlet.Force
                    ? $"Restore {path} ({format}), dropping the database first if it exists"
                    : $"Restore {path} ({format}) into a new database";
                if (!cmdlet.ShouldProcess($"{cmdlet.Database} on {target.Server}", action))
                {
                    return;
                }

                record.StatusDescription = string.Create(CultureInfo.InvariantCulture, $"Loading {new ByteSize(new FileInfo(path).Length)} with {(format == PostgresBackupFormat.Custom ? "pg_restore" : "psql")}");
                cmdlet.WriteProgress(record);
                cmdlet.WriteVerbose($"{cmdlet.MyInvocation.MyCommand.Name}: restoring into {target.Describe()}");
                var request = new PostgresRestoreRequest { Target = target, Path = path, Format = format, Force = cmdlet.Force };
                cmdlet.WriteObject(cmdlet.Await(PostgresRestorer.RestoreAsync(request, cmdlet.CancellationToken)));
            }
            catch (OpsToolsException ex)
            {
                cmdlet.WriteEngineError(ex);
            }
            finally
            {
                record.RecordType = ProgressRecordType.Completed;
                cmdlet.WriteProgress(record);
            }
        }
    }
}
