using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using OpsTools.Docker;
using OpsTools.Engine.Docker;
using OpsTools.Infrastructure;

namespace OpsTools.Commands.Docker;

/// <summary>
/// <para type="synopsis">Copies a Docker volume's files to a .tar or .tar.gz file (with a .sha256 beside it) through the Docker API, with no helper image to pull.</para>
/// </summary>
[Cmdlet(VerbsData.Backup, "DockerVolume", DefaultParameterSetName = ParameterSets.Default, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(DockerVolumeArchive))]
public sealed class BackupDockerVolumeCommand : DockerCmdlet
{
    private const int ProgressActivityId = 0x0410;

    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    /// <summary>Volume to back up.</summary>
    [Parameter(ParameterSetName = ParameterSets.Default, Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Volume", "VolumeName")]
    [ArgumentCompleter(typeof(DockerVolumeNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = string.Empty;

    /// <summary>Archive file (.tar, or .tar.gz/.tgz for gzip), or an existing directory to write &lt;volume&gt;-&lt;UTC time&gt;.tar.gz in.</summary>
    [Parameter(ParameterSetName = ParameterSets.Default, Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string Destination { get; set; } = string.Empty;

    /// <summary>Stop the running containers that mount the volume for the copy, and start them again afterwards (also on failure or Ctrl+C).</summary>
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
        string destination = GetUnresolvedProviderPathFromPSPath(Destination);
        if (Directory.Exists(destination))
        {
            destination = Path.Combine(destination, string.Create(CultureInfo.InvariantCulture, $"{Name}-{DateTime.UtcNow:yyyyMMddTHHmmssZ}.tar.gz"));
        }

        var archiver = new DockerVolumeArchiver(connection);
        IReadOnlyList<DockerVolumeUser> users;
        try
        {
            Await(new DockerVolumeInspector(connection).GetAsync(Name, CancellationToken));
            users = Await(archiver.GetUsersAsync(Name, CancellationToken));
        }
        catch (OpsToolsException ex)
        {
            WriteEngineError(ex);
            return;
        }

        List<DockerVolumeUser> running = users.Where(u => u.Running).ToList();
        string stopping = StopContainers && running.Count > 0 ? $", stopping {string.Join(", ", running.Select(u => u.Name))} meanwhile" : string.Empty;
        if (!ShouldProcess($"volume {Name} on {host} to {destination}{stopping}", "Back up"))
        {
            return;
        }

        if (!StopContainers && running.Count > 0)
        {
            WriteWarning($"Volume {Name} is mounted by running containers ({string.Join(", ", running.Select(u => u.Name))}): files they write during the copy may be inconsistent. Use -StopContainers for a consistent copy.");
        }

        var request = new DockerVolumeArchiveRequest { Volume = Name, Path = destination, StopContainers = StopContainers, HelperImage = HelperImage };
        try
        {
            DockerVolumeArchive? result = DockerVolumeCopy.Run(this, ProgressActivityId, $"Backing up volume {Name} on {host}", p => archiver.BackupAsync(request, p, CancellationToken), Await);
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
