using System;
using System.Diagnostics;
using System.Management.Automation;
using System.Threading.Tasks;
using OpsTools.Engine.Odoo;
using OpsTools.Engine.Postgres;
using OpsTools.Infrastructure;
using OpsTools.Odoo;

namespace OpsTools.Commands.Odoo;

/// <summary>
/// <para type="synopsis">Restores an Odoo backup into a new database (and filestore) the way Odoo does, stopping on the first SQL error; -Copy and -Neutralize as Odoo's.</para>
/// </summary>
[Cmdlet(VerbsData.Restore, "OdooInstance", DefaultParameterSetName = ParameterSets.Default, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(OdooRestore))]
public sealed class RestoreOdooInstanceCommand : PostgresCmdlet
{
    private const int ProgressActivityId = 0x0702;

    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    /// <summary>The backup: a zip, a .dump, a manifest or metadata file, or a backup folder. OdooBackup objects bind their Path.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Path")]
    [ValidateNotNullOrEmpty]
    public string Backup { get; set; } = string.Empty;

    /// <summary>The server to restore on.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Server { get; set; }

    /// <summary>The database to create.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string Database { get; set; } = string.Empty;

    /// <summary>Where to restore the filestore (&lt;data_dir&gt;/filestore/&lt;database&gt;).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? FilestorePath { get; set; }

    /// <summary>Give the database a new database.uuid and database.secret, as Odoo does for a copy.</summary>
    [Parameter]
    public SwitchParameter Copy { get; set; }

    /// <summary>Disable outgoing and incoming mail servers and crons (all but the autovacuum), as Odoo's neutralize does.</summary>
    [Parameter]
    public SwitchParameter Neutralize { get; set; }

    /// <summary>Replace an existing database (its sessions are terminated first) and filestore.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        string backup = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Backup);
        string? filestore = FilestorePath is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(FilestorePath);
        EngineCalls.Run(this, backup, filestore);
    }

    /// <summary>Engine calls in a nested type so the cmdlet class names no engine type in its members.</summary>
    private static class EngineCalls
    {
        public static void Run(RestoreOdooInstanceCommand cmdlet, string backupPath, string? filestore)
        {
            PostgresEndpoint target;
            OdooBackupArchive archive;
            bool exists;
            try
            {
                target = PostgresConnections.ResolveServer(cmdlet.Server, cmdlet.EngineCredential).WithDatabase(cmdlet.Database);
                archive = OdooBackupArchive.Open(backupPath);
                exists = cmdlet.Await(PostgresDatabases.ExistsAsync(target, cmdlet.CancellationToken));
            }
            catch (OpsToolsException ex)
            {
                cmdlet.WriteEngineError(ex);
                return;
            }

            if (exists && !cmdlet.Force)
            {
                cmdlet.WriteError(ErrorRecords.Create(
                    "DatabaseExists",
                    ErrorCategory.ResourceExists,
                    cmdlet.Database,
                    $"The database {target.DisplayName} exists; a restore never replaces one unless told to.",
                    "Restore under another -Database, or pass -Force to drop it (its sessions are terminated first)."));
                return;
            }

            string action = (exists ? "Drop the existing database (terminating its sessions) and restore" : "Restore")
                + $" {archive.Backup.Format} backup {archive.Backup.Path}"
                + (filestore is null ? string.Empty : $" with its filestore into {filestore}")
                + (cmdlet.Copy ? ", as a copy (new database.uuid and secret)" : string.Empty)
                + (cmdlet.Neutralize ? ", neutralized (no mail, no crons)" : string.Empty);
            if (!cmdlet.ShouldProcess($"database {cmdlet.Database} on {target.Server}", action))
            {
                return;
            }

            if (filestore is null && archive.Backup.HasFilestore)
            {
                cmdlet.WriteWarning($"The backup holds a filestore, and no -FilestorePath was given: {cmdlet.Database} is restored without its attachments' files.");
            }

            var request = new OdooRestoreRequest { Archive = archive, Target = target, FilestorePath = filestore, Copy = cmdlet.Copy, Neutralize = cmdlet.Neutralize, Force = cmdlet.Force };
            var progress = new OdooRestoreProgress();
            var record = new ProgressRecord(ProgressActivityId, $"Restoring {archive.Backup.Name} into {cmdlet.Database}", "Starting");
            var watch = Stopwatch.StartNew();
            Task<OdooRestore> restore = OdooRestorer.RestoreAsync(request, progress, cmdlet.CancellationToken);
            try
            {
                while (!((IAsyncResult)restore).AsyncWaitHandle.WaitOne(200))
                {
                    record.StatusDescription = $"{progress.Phase}: filestore {new ByteSize(progress.FilestoreBytes)} written, {watch.Elapsed.TotalSeconds:0} s";
                    cmdlet.WriteProgress(record);
                }

                cmdlet.WriteObject(cmdlet.Await(restore));
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
