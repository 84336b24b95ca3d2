using System;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Management.Automation;
using System.Threading.Tasks;
using System.Threading;
using OpsTools.Engine.Docker;
using OpsTools.Engine.Odoo;
using OpsTools.Engine.Postgres;
using OpsTools.Infrastructure;
using OpsTools.Odoo;

namespace OpsTools.Commands.Odoo;

/// <summary>
/// <para type="synopsis">Backs up an Odoo database and its filestore as Odoo's zip, a pg_dump custom file, a folder or the platform's three files, verified and written atomically.</para>
/// </summary>
[Cmdlet(VerbsData.Backup, "OdooInstance", DefaultParameterSetName = ParameterSets.Default, SupportsShouldProcess = true)]
[OutputType(typeof(OdooBackup))]
public sealed class BackupOdooInstanceCommand : PostgresCmdlet
{
    private const int ProgressActivityId = 0x0701;

    private static class ParameterSets
    {
        public const string Default = "Default";
        public const string Container = "Container";
        public const string Service = "Service";
    }

    /// <summary>
    /// The database's server: host, host:port, a libpq string, a URI or an Npgsql connection string. With
    /// -Container or -Service, the server as seen from inside that container (default 127.0.0.1:5432).
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Server { get; set; }

    /// <summary>A running container whose own pg_dump and psql dump the database (Docker exec, streamed).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.Container)]
    [ValidateNotNullOrEmpty]
    public string? Container { get; set; }

    /// <summary>A Swarm service whose running task on this node dumps the database with its own pg_dump.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.Service)]
    [ValidateNotNullOrEmpty]
    public string? Service { get; set; }

    /// <summary>The Odoo database to back up.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("DatabaseName")]
    [ValidateNotNullOrEmpty]
    public string Database { get; set; } = string.Empty;

    /// <summary>Directory the backup is written into.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string Destination { get; set; } = string.Empty;

    /// <summary>Layout: Zip (Odoo's own), Dump (pg_dump -Fc + filestore tar), Folder, Platform.</summary>
    [Parameter]
    public OdooBackupFormat Format { get; set; } = OdooBackupFormat.Zip;

    /// <summary>The database's filestore directory (&lt;data_dir&gt;/filestore/&lt;database&gt;); inside the filestore container when one is given.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? FilestorePath { get; set; }

    /// <summary>A running container -FilestorePath lies in; read through the Docker archive API.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? FilestoreContainer { get; set; }

    /// <summary>A Swarm service whose running task on this node holds -FilestorePath.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? FilestoreService { get; set; }

    /// <summary>The instance's whole data directory; the Platform format archives it, as the platform does.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? DataDirectory { get; set; }

    /// <summary>Back up the database only.</summary>
    [Parameter]
    public SwitchParameter NoFilestore { get; set; }

    /// <summary>Compression of the zip entries, the filestore tar and pg_dump's custom format.</summary>
    [Parameter]
    public CompressionLevel Compression { get; set; } = CompressionLevel.Optimal;

    /// <summary>Instance name recorded in the manifest.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ValidateNotNullOrEmpty]
    public string? Instance { get; set; }

    /// <summary>Instance id recorded in the platform's metadata.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    public Guid? InstanceId { get; set; }

    /// <summary>Customer id recorded in the platform's metadata.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public Guid? CustomerId { get; set; }

    /// <summary>Scale the Odoo service to 0 for a consistent filestore; the previous replica count is always put back.</summary>
    [Parameter]
    public SwitchParameter StopInstance { get; set; }

    /// <summary>The instance's Swarm service, for -StopInstance.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? ServiceName { get; set; }

    /// <summary>Docker endpoint for -Container, -Service, -FilestoreContainer, -FilestoreService (the node that runs them) and -StopInstance (a swarm manager); defaults like the docker CLI.</summary>
    [Parameter]
    [Alias("H")]
    [ValidateNotNullOrEmpty]
    public string? DockerHost { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        string destination = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Destination);
        bool filestoreInContainer = FilestoreContainer is not null || FilestoreService is not null;
        string? filestore = FilestorePath is null || filestoreInContainer ? FilestorePath : SessionState.Path.GetUnresolvedProviderPathFromPSPath(FilestorePath);
        string? dataDirectory = DataDirectory is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(DataDirectory);
        EngineCalls.Run(this, destination, filestore, dataDirectory);
    }

    private static string Size(long bytes) => new ByteSize(bytes).ToString();

    /// <summary>Engine calls in a nested type so the cmdlet class names no engine type in its members.</summary>
    private static class EngineCalls
    {
        public static void Run(BackupOdooInstanceCommand cmdlet, string destination, string? filestore, string? dataDirectory)
        {
            if (cmdlet.FilestoreContainer is not null && cmdlet.FilestoreService is not null)
            {
                cmdlet.WriteError(ErrorRecords.Create(
                    "OdooFilestoreSourceAmbiguous",
                    ErrorCategory.InvalidArgument,
                    cmdlet.FilestoreContainer,
                    "Both -FilestoreContainer and -FilestoreService were given; the filestore is read from one container.",
                    "Pass only one of -FilestoreContainer and -FilestoreService."));
                return;
            }

            if ((cmdlet.FilestoreContainer is not null || cmdlet.FilestoreService is not null) && cmdlet.FilestorePath is null && !cmdlet.NoFilestore)
            {
                cmdlet.WriteError(ErrorRecords.Create(
                    "FilestoreNotGiven",
                    ErrorCategory.InvalidArgument,
                    cmdlet.FilestoreContainer ?? cmdlet.FilestoreService,
                    "A filestore container was given but no -FilestorePath inside it.",
                    "Pass -FilestorePath as the database's filestore inside the container (<data_dir>/filestore/<database>)."));
                return;
            }

            bool inContainer = cmdlet.Container is not null || cmdlet.Service is not null;
            PostgresEndpoint endpoint;
            PostgresClientContainer? databaseContainer = null;
            PostgresClientContainer? filestoreContainer = null;
            try
            {
                // Inside a database container the server is the container's own, not what the host's PG* variables say.
                endpoint = PostgresConnections.ResolveServer(inContainer ? cmdlet.Server ?? "127.0.0.1:5432" : cmdlet.Server, cmdlet.EngineCredential).WithDatabase(cmdlet.Database);
                if (inContainer || cmdlet.FilestoreContainer is not null || cmdlet.FilestoreService is not null)
                {
                    DockerConnection connection = DockerConnection.Get(cmdlet.DockerHost);
                    databaseContainer = ResolveContainer(cmdlet, connection, cmdlet.Container, cmdlet.Service);
                    filestoreContainer = ResolveContainer(cmdlet, connection, cmdlet.FilestoreContainer, cmdlet.FilestoreService);
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

            string what = cmdlet.NoFilestore || (filestore is null && dataDirectory is null) ? "database" : "database and filestore";
            string stop = cmdlet.StopInstance ? $", with service {cmdlet.ServiceName ?? "(none given)"} scaled to 0 meanwhile" : string.Empty;
            string source = databaseContainer is null ? endpoint.Server : $"{endpoint.Server} in {databaseContainer.DisplayName}";
            string from = filestoreContainer is null || cmdlet.NoFilestore ? string.Empty : $" (filestore from {filestoreContainer.DisplayName})";
            if (!cmdlet.ShouldProcess($"{cmdlet.Database} on {source}", $"Back up the {what}{from} as {cmdlet.Format} into {destination}{stop}"))
            {
                return;
            }

            DockerConnection? docker = null;
            long? previousReplicas = null;
            if (cmdlet.StopInstance)
            {
                if (cmdlet.ServiceName is null)
                {
                    cmdlet.WriteError(ErrorRecords.Create(
                        "OdooServiceNameMissing",
                        ErrorCategory.InvalidArgument,
                        cmdlet.Database,
                        $"-StopInstance needs the instance's Swarm service, and none was given for {cmdlet.Database}.",
                        "Pass -ServiceName, or pipe the instance from Get-OdooInstance (its ServiceName binds)."));
                    return;
                }

                try
                {
                    docker = DockerConnection.Get(cmdlet.DockerHost);
                    previousReplicas = cmdlet.Await(OdooServiceQuiescer.GetReplicasAsync(docker, cmdlet.ServiceName, cmdlet.CancellationToken));
                }
                catch (OpsToolsException ex)
                {
                    cmdlet.WriteEngineError(ex);
                    return;
                }
            }

            try
            {
                if (docker is not null)
                {
                    cmdlet.WriteVerbose($"{cmdlet.MyInvocation.MyCommand.Name}: scaling {cmdlet.ServiceName} from {previousReplicas} to 0 on {docker.Endpoint.DisplayName}");
                    cmdlet.Await(OdooServiceQuiescer.ScaleToZeroAsync(docker, cmdlet.ServiceName!, TimeSpan.FromMinutes(2), cmdlet.CancellationToken));
                }

                Backup(cmdlet, endpoint, databaseContainer, filestoreContainer, destination, filestore, dataDirectory);
            }
            catch (OpsToolsException ex)
            {
                cmdlet.WriteEngineError(ex);
            }
            finally
            {
                if (docker is not null && previousReplicas is long replicas)
                {
                    RestoreReplicas(cmdlet, docker, replicas);
                }
            }
        }

        private static void RestoreReplicas(BackupOdooInstanceCommand cmdlet, DockerConnection docker, long replicas)
        {
            // Also after a failure or Ctrl+C: never leave an instance scaled down by a backup.
            try
            {
                OdooServiceQuiescer.RestoreAsync(docker, cmdlet.ServiceName!, replicas, CancellationToken.None).GetAwaiter().GetResult();
                cmdlet.WriteVerbose($"{cmdlet.MyInvocation.MyCommand.Name}: {cmdlet.ServiceName} scaled back to {replicas}");
            }
            catch (OpsToolsException ex)
            {
                cmdlet.WriteEngineError(ex);
            }
        }

        private static PostgresClientContainer? ResolveContainer(BackupOdooInstanceCommand cmdlet, DockerConnection connection, string? container, string? service)
        {
            if (container is not null)
            {
                return cmdlet.Await(PostgresClientContainer.FromContainerAsync(connection, container, "Odoo", cmdlet.CancellationToken));
            }

            return service is null ? null : cmdlet.Await(PostgresClientContainer.FromServiceAsync(connection, service, "Odoo", cmdlet.CancellationToken));
        }

        private static void Backup(BackupOdooInstanceCommand cmdlet, PostgresEndpoint endpoint, PostgresClientContainer? databaseContainer, PostgresClientContainer? filestoreContainer, string destination, string? filestore, string? dataDirectory)
        {
            string inside = databaseContainer is null ? string.Empty : $" with pg_dump in {databaseContainer.DisplayName} ({databaseContainer.Id[..12]})";
            cmdlet.WriteVerbose($"{cmdlet.MyInvocation.MyCommand.Name}: dumping {endpoint.Describe()}{inside}");
            var request = new OdooBackupRequest
            {
                Endpoint = endpoint,
                DatabaseContainer = databaseContainer,
                FilestoreContainer = filestoreContainer,
                Format = cmdlet.Format,
                Destination = destination,
                FilestorePath = filestore,
                DataDirectory = dataDirectory,
                NoFilestore = cmdlet.NoFilestore,
                Compression = cmdlet.Compression,
                InstanceName = cmdlet.Instance,
                InstanceId = cmdlet.InstanceId,
                CustomerId = cmdlet.CustomerId,
            };
            var progress = new OdooBackupProgress();
            var record = new ProgressRecord(ProgressActivityId, $"Backing up {cmdlet.Database} ({cmdlet.Format})", "Starting");
            var watch = Stopwatch.StartNew();
            Task<OdooBackup> backup = OdooBackupWriter.BackupAsync(request, progress, cmdlet.CancellationToken);
            try
            {
                while (!((IAsyncResult)backup).AsyncWaitHandle.WaitOne(200))
                {
                    long bytes = progress.DatabaseBytes + progress.FilestoreBytes;
                    double seconds = Math.Max(watch.Elapsed.TotalSeconds, 0.001);
                    record.StatusDescription = string.Create(
                        CultureInfo.InvariantCulture,
                        $"{progress.Phase}: database {Size(progress.DatabaseBytes)}, filestore {Size(progress.FilestoreBytes)}{(progress.FilesTotal > 0 ? $" of {Size(progress.FilestoreTotalBytes)} ({progress.FilesDone}/{progress.FilesTotal} files)" : $" ({progress.FilesDone} files)")}, {Size((long)(bytes / seconds))}/s");
                    cmdlet.WriteProgress(record);
                }

                OdooBackup result = cmdlet.Await(backup);
                cmdlet.WriteVerbose(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{cmdlet.MyInvocation.MyCommand.Name}: {result.Path}: {Size(result.SizeBytes)} in {result.Duration?.TotalSeconds:0.0} s (database sha256 {result.DatabaseSha256}, filestore sha256 {result.FilestoreSha256 ?? "-"})."));
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
