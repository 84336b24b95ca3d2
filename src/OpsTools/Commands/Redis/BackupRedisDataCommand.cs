using System;
using System.IO;
using System.Management.Automation;
using OpsTools.Engine.Redis;
using OpsTools.Infrastructure;
using OpsTools.Redis;

namespace OpsTools.Commands.Redis;

/// <summary>
/// <para type="synopsis">Takes a consistent Redis snapshot (BGSAVE or BGREWRITEAOF), waits for it, and copies the data files with a SHA-256 manifest.</para>
/// </summary>
[Cmdlet(VerbsData.Backup, "RedisData", DefaultParameterSetName = ParameterSets.Default, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(RedisBackup))]
public sealed class BackupRedisDataCommand : DockerCmdlet
{
    private const int ProgressActivityId = 0x0901;

    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    /// <summary>The server: host, host:port, [IPv6]:port or redis://host:port.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Server { get; set; } = string.Empty;

    /// <summary>Password (and ACL user) to AUTH with; user 'default' or empty sends the password alone.</summary>
    [Parameter]
    [Credential]
    [ValidateNotNull]
    public PSCredential? Credential { get; set; }

    /// <summary>Existing directory the backup directory is created in.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string Destination { get; set; } = string.Empty;

    /// <summary>Auto (AOF when appendonly is on, else RDB), Rdb or Aof.</summary>
    [Parameter]
    public RedisBackupMethod Method { get; set; } = RedisBackupMethod.Auto;

    /// <summary>Container whose file system holds the data directory; the files are read through the Docker archive API.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Container { get; set; }

    /// <summary>Redis's data directory ('dir'), when CONFIG GET is renamed or forbidden, or mounted elsewhere here.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? DataDirectory { get; set; }

    /// <summary>Seconds to wait for the connection and each command (not for the snapshot, which runs to its end).</summary>
    [Parameter]
    [ValidateRange(1, 600)]
    public int Timeout { get; set; } = 10;

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        RedisEndpoint endpoint;
        try
        {
            endpoint = RedisEndpoint.Parse(Server, RedisCredentials.ToEngine(Credential));
        }
        catch (OpsToolsException ex)
        {
            WriteEngineError(ex);
            return;
        }

        string destination = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Destination);
        string action = Method switch
        {
            RedisBackupMethod.Rdb => "BGSAVE and copy dump.rdb",
            RedisBackupMethod.Aof => "BGREWRITEAOF and copy the append-only files",
            _ => "BGSAVE or BGREWRITEAOF and copy the data files",
        };
        if (!ShouldProcess($"Redis {endpoint.Display} to {destination}", action))
        {
            return;
        }

        var request = new RedisBackupRequest
        {
            Endpoint = endpoint,
            Destination = destination,
            Method = Method,
            Container = Container,
            DataDirectory = DataDirectory,
            Docker = Container is null ? null : OpsTools.Engine.Docker.DockerConnection.Get(DockerHost),
            Timeout = TimeSpan.FromSeconds(Timeout),
        };
        var messages = new MessageQueue<string>();
        var progress = new ProgressRecord(ProgressActivityId, $"Backing up Redis {endpoint.Display}", "Connecting");
        var bar = new ThrottledProgress(this, progress);
        System.Threading.Tasks.Task<RedisBackup> backup = RedisBackupWriter.BackupAsync(request, messages.Report, CancellationToken);
        try
        {
            messages.DrainUntil(
                backup,
                status =>
                {
                    WriteVerbose($"{endpoint.Display}: {status}");
                    progress.StatusDescription = status;
                    bar.Changed();
                },
                bar.Tick);
            WriteObject(Await(backup));
        }
        catch (OpsToolsException ex)
        {
            WriteEngineError(ex);
        }
        catch (IOException ex)
        {
            WriteError(ErrorRecords.Create("RedisBackupWriteFailed", ErrorCategory.WriteError, destination, $"Writing the backup under {destination} failed: {ex.Message}", "Check the free space and permissions of -Destination."));
        }
        finally
        {
            bar.Complete();
        }
    }
}
