using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using System.Threading.Tasks;
using OpsTools.Engine.Docker;
using OpsTools.Engine.Postgres;
using OpsTools.Infrastructure;
using OpsTools.Postgres;

namespace OpsTools.Commands.Postgres;

/// <summary>
/// <para type="synopsis">Backs up a PostgreSQL database to one file (custom format, plain SQL or gzipped SQL) with the real pg_dump, streamed, written atomically, with its SHA-256 beside it.</para>
/// </summary>
[Cmdlet(VerbsData.Backup, "PostgresDatabase", DefaultParameterSetName = ParameterSets.Server, SupportsShouldProcess = true)]
[OutputType(typeof(PostgresBackup))]
public sealed class BackupPostgresDatabaseCommand : PostgresCmdlet
{
    private const int ProgressActivityId = 0x0901;

    private static class ParameterSets
    {
        public const string Server = "Server";
        public const string Container = "Container";
        public const string Service = "Service";
    }

    /// <summary>The database to back up.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Database { get; set; } = string.Empty;

    /// <summary>The backup file (.dump, .sql or .sql.gz), or an existing directory to write &lt;database&gt;_&lt;yyyyMMdd_HHmmss&gt;&lt;extension&gt; into.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>Custom (pg_dump -Fc), Plain (SQL) or PlainGzip (SQL, gzip); by default what the file name says, else Custom.</summary>
    [Parameter]
    public PostgresBackupFormat? Format { get; set; }

    /// <summary>
    /// The server: host, host:port, a libpq string, a URI or an Npgsql connection string. With -Container or
    /// -Service, the server as seen from inside that container (default 127.0.0.1:5432).
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Server { get; set; }

    /// <summary>A running container whose own pg_dump makes the dump (Docker exec, streamed back).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.Container)]
    [ValidateNotNullOrEmpty]
    public string? Container { get; set; }

    /// <summary>A Swarm service whose running task on this node makes the dump with its own pg_dump.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.Service)]
    [ValidateNotNullOrEmpty]
    public string? Service { get; set; }

    /// <summary>Docker endpoint of the node that runs -Container or -Service; defaults like the docker CLI.</summary>
    [Parameter(ParameterSetName = ParameterSets.Container)]
    [Parameter(ParameterSetName = ParameterSets.Service)]
    [Alias("H")]
    [ValidateNotNullOrEmpty]
    public string? DockerHost { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        string target = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        PostgresBackupFormat? named = EngineCalls.FormatOf(target);
        bool isDirectory = Directory.Exists(target);
        if (!isDirectory && named is null && Format is null)
        {
            WriteError(ErrorRecords.Create(
                "BackupFormatUnknown",
                ErrorCategory.InvalidArgument,
                target,
                $"The backup file {target} ends in neither .dump, .sql nor .sql.gz, and no -Format was given.",
                "Name the file .dump (custom format), .sql or .sql.gz, give -Format, or give an existing directory."));
            return;
        }

        if (!isDirectory && named is { } fromName && Format is { } given && fromName != given)
        {
            WriteError(ErrorRecords.Create(
                "BackupFormatMismatch",
                ErrorCategory.InvalidArgument,
                target,
                $"The file name {target} says {fromName}, but -Format is {given}.",
                "Drop -Format, or give the file the extension of the format."));
            return;
        }

        PostgresBackupFormat format = Format ?? named ?? PostgresBackupFormat.Custom;
        EngineCalls.Run(this, target, isDirectory, format);
    }

    /// <summary>Engine calls in a nested type so the cmdlet class names no engine type in its members.</summary>
    private static class EngineCalls
    {
        public static PostgresBackupFormat? FormatOf(string path) => PostgresBackupWriter.FormatOf(path);

        public static void Run(BackupPostgresDatabaseCommand cmdlet, string target, bool isDirectory, PostgresBackupFormat format)
        {
            bool inContainer = cmdlet.Container is not null || cmdlet.Service is not null;
            PostgresEndpoint endpoint;
            PostgresClientContainer? container = null;
            try
            {
                // Inside a container the server is the container's own, not what the host's PG* variables say.
                endpoint = PostgresConnections.ResolveServer(inContainer ? cmdlet.Server ?? "127.0.0.1:5432" : cmdlet.Server, cmdlet.EngineCredential).WithDatabase(cmdlet.Database);
                if (inContainer)
                {
                    DockerConnection connection = DockerConnection.Get(cmdlet.DockerHost);
                    container = cmdlet.Container is { } name
                        ? cmdlet.Await(PostgresClientContainer.FromContainerAsync(connection, name, "Postgres", cmdlet.CancellationToken))
                        : cmdlet.Await(PostgresClientContainer.FromServiceAsync(connection, cmdlet.Service!, "Postgres", cmdlet.CancellationToken));
                }
            }
            catch (OpsToolsException ex)
            {
                cmdlet.WriteEngineError(ex);
                return;
            }

            foreach (string warning in endpoint.Warnings)
            {
                cmdlet.WriteWarning(warning);
            }

            string path = isDirectory ? PostgresBackupWriter.DefaultPath(target, cmdlet.Database, format, DateTimeOffset.UtcNow) : target;
            string source = container is null ? endpoint.Server : $"{endpoint.Server} in {container.DisplayName}";
            if (!cmdlet.ShouldProcess($"{cmdlet.Database} on {source}", $"Back up as {format} to {path}"))
            {
                return;
            }

            cmdlet.WriteVerbose($"{cmdlet.MyInvocation.MyCommand.Name}: dumping {endpoint.Describe()}{(container is null ? string.Empty : $" with pg_dump in {container.DisplayName}")}");
            var request = new PostgresBackupRequest { Endpoint = endpoint, Container = container, Path = path, Format = format };
            long written = 0;
            var record = new ProgressRecord(ProgressActivityId, $"Backing up {cmdlet.Database} ({format})", "Starting");
            var watch = Stopwatch.StartNew();
            Task<PostgresBackup> backup = PostgresBackupWriter.BackupAsync(request, count => System.Threading.Interlocked.Add(ref written, count), cmdlet.CancellationToken);
            try
            {
                while (!((IAsyncResult)backup).AsyncWaitHandle.WaitOne(200))
                {
                    long bytes = System.Threading.Interlocked.Read(ref written);
                    record.StatusDescription = string.Create(CultureInfo.InvariantCulture, $"{new ByteSize(bytes)} written, {new ByteSize((long)(bytes / Math.Max(watch.Elapsed.TotalSeconds, 0.001)))}/s");
                    cmdlet.WriteProgress(record);
                }

                PostgresBackup result = cmdlet.Await(backup);
                cmdlet.WriteVerbose(string.Create(CultureInfo.InvariantCulture, $"{cmdlet.MyInvocation.MyCommand.Name}: {result.Path}: {new ByteSize(result.Size)} in {result.Duration.TotalSeconds:0.0} s, sha256 {result.Sha256}"));
                cmdlet.WriteObject(result);
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
