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
/// <para type="synopsis">Tests Odoo backups by restoring each into a scratch database: it must open, have Odoo's core tables with rows, every attachment's file with its size, matching checksums; then it is dropped.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "OdooBackup", DefaultParameterSetName = ParameterSets.Default)]
[OutputType(typeof(OdooBackupTest))]
public sealed class TestOdooBackupCommand : PostgresCmdlet
{
    private const int ProgressActivityId = 0x0703;

    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    /// <summary>The backups: zips, dumps, manifests or metadata files, folders. OdooBackup objects bind their Path.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Path")]
    [ValidateNotNullOrEmpty]
    public string[] Backup { get; set; } = Array.Empty<string>();

    /// <summary>The server to restore the scratch databases on.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Server { get; set; }

    /// <summary>Directory for the scratch filestores; the system's temporary directory by default.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ScratchDirectory { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        string scratch = ScratchDirectory is null ? System.IO.Path.GetTempPath() : SessionState.Path.GetUnresolvedProviderPathFromPSPath(ScratchDirectory);
        foreach (string backup in Backup)
        {
            EngineCalls.Run(this, SessionState.Path.GetUnresolvedProviderPathFromPSPath(backup), scratch);
        }
    }

    /// <summary>Engine calls in a nested type so the cmdlet class names no engine type in its members.</summary>
    private static class EngineCalls
    {
        public static void Run(TestOdooBackupCommand cmdlet, string backup, string scratch)
        {
            PostgresEndpoint server;
            try
            {
                server = PostgresConnections.ResolveServer(cmdlet.Server, cmdlet.EngineCredential);
            }
            catch (OpsToolsException ex)
            {
                cmdlet.WriteEngineError(ex);
                return;
            }

            var progress = new OdooRestoreProgress();
            var record = new ProgressRecord(ProgressActivityId, $"Testing {System.IO.Path.GetFileName(backup)}", "Starting");
            var watch = Stopwatch.StartNew();
            Task<OdooBackupTest> test = OdooBackupVerifier.TestAsync(backup, server, scratch, progress, cmdlet.CancellationToken);
            try
            {
                while (!((IAsyncResult)test).AsyncWaitHandle.WaitOne(200))
                {
                    record.StatusDescription = $"{progress.Phase}: filestore {new ByteSize(progress.FilestoreBytes)} restored, {watch.Elapsed.TotalSeconds:0} s";
                    cmdlet.WriteProgress(record);
                }

                OdooBackupTest verdict = cmdlet.Await(test);
                foreach (OdooBackupCheck check in verdict.Checks)
                {
                    cmdlet.WriteVerbose($"{verdict.Name}: {check}");
                }

                cmdlet.WriteObject(verdict);
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
