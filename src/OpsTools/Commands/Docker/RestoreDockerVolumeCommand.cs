using System.Management.Automation;
using OpsTools.Docker;
using OpsTools.Engine.Docker;
using OpsTools.Infrastructure;

namespace OpsTools.Commands.Docker;

/// <summary>
/// <para type="synopsis">Writes a .tar or .tar.gz archive made by Backup-DockerVolume into a Docker volume through the Docker API, after verifying its checksum.</para>
/// </summary>
[Cmdlet(VerbsData.Restore, "DockerVolume", DefaultParameterSetName = ParameterSets.Default, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(DockerVolumeArchive))]
public sealed class RestoreDockerVolumeCommand : DockerCmdlet
{
    private const int ProgressActivityId = 0x0411;

    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    /// <summary>Archive to restore (its .sha256 file must be beside it).</summary>
    [Parameter(ParameterSetName = ParameterSets.Default, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>Volume to restore into; the daemon creates it when it does not exist.</summary>
    [Parameter(ParameterSetName = ParameterSets.Default, Mandatory = true, Position = 1)]
    [Alias("Volume", "VolumeName")]
    [ArgumentCompleter(typeof(DockerVolumeNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = string.Empty;

    /// <summary>Write into a volume that already holds files (the archive's files replace theirs; others stay).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Stop the running containers that mount the volume for the restore, and start them again afterwards (also on failure or Ctrl+C).</summary>
    [Parameter]
    public SwitchParameter StopContainers { get; set; }

    /// <summary>Local image to create the never-started helper container from; default: the image of a container that mounts the volume, else the smallest local image.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? HelperImage { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        DockerConnection connection = DockerConnection.Get(DockerHost);
        string host = connection.Endpoint.DisplayName;
        string source = GetUnresolvedProviderPathFromPSPath(Path);
        if (!ShouldProcess($"volume {Name} on {host} from {source}", "Restore"))
        {
            return;
        }

        var request = new DockerVolumeArchiveRequest { Volume = Name, Path = source, StopContainers = StopContainers, HelperImage = HelperImage, Force = Force };
        try
        {
            DockerVolumeArchive? result = DockerVolumeCopy.Run(this, ProgressActivityId, $"Restoring volume {Name} on {host}", p => new DockerVolumeArchiver(connection).RestoreAsync(request, p, CancellationToken), Await);
            if (result is not null)
            {
                WriteVerbose(DockerVolumeCopy.Describe(result));
                WriteObject(result);
            }
        }
        catch (OpsToolsException ex)
        {
            WriteEngineError(ex);
        }
    }
}
