using System;
using System.Globalization;
using System.Management.Automation;
using System.Threading.Tasks;
using OpsTools.Docker;
using OpsTools.Infrastructure;

namespace OpsTools.Commands.Docker;

/// <summary>Runs a volume backup or restore with a byte-count progress bar written from the pipeline thread.</summary>
internal static class DockerVolumeCopy
{
    public static DockerVolumeArchive? Run(DockerCmdlet cmdlet, int activityId, string activity, Func<IProgress<long>, Task<DockerVolumeArchive>> start, Func<Task<DockerVolumeArchive>, DockerVolumeArchive> await)
    {
        var queue = new MessageQueue<long>();
        var progress = new ThrottledProgress(cmdlet, new ProgressRecord(activityId, activity, "Starting"));
        Task<DockerVolumeArchive> copy = start(queue);
        try
        {
            queue.DrainUntil(
                copy,
                bytes =>
                {
                    progress.Record.StatusDescription = ByteSize.Format(bytes) + " of archive";
                    progress.Changed();
                },
                progress.Tick);
            return await(copy);
        }
        finally
        {
            progress.Complete();
        }
    }

    public static string Describe(DockerVolumeArchive result) => string.Create(
        CultureInfo.InvariantCulture,
        $"{result.Operation} of volume {result.Volume} ({result.Path}): {ByteSize.Format(result.Size)} in {result.Duration.TotalSeconds:0.0} s, sha256 {result.Sha256}, helper image {result.HelperImage}{(result.StoppedContainers.Count > 0 ? ", restarted " + string.Join(", ", result.StoppedContainers) : string.Empty)}.");
}
