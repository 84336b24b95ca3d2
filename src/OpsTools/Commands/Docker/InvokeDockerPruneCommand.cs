using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using OpsTools.Docker;
using OpsTools.Infrastructure;

namespace OpsTools.Commands.Docker;

/// <summary>
/// <para type="synopsis">Removes stopped containers, dangling or unused images, unused volumes and unused networks (docker system prune), one object at a time, and returns what was removed.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "DockerPrune", DefaultParameterSetName = ParameterSets.Default, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(DockerPruneItem), typeof(DockerPruneSummary))]
public sealed class InvokeDockerPruneCommand : DockerCmdlet
{
    private const int ProgressActivityId = 0x0404;
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(200);

    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    /// <summary>Remove stopped containers (created, exited, dead).</summary>
    [Parameter]
    public SwitchParameter Containers { get; set; }

    /// <summary>Remove dangling images (with -All, every image no container uses).</summary>
    [Parameter]
    public SwitchParameter Images { get; set; }

    /// <summary>Remove volumes no container uses.</summary>
    [Parameter]
    public SwitchParameter Volumes { get; set; }

    /// <summary>Remove networks no container or service uses.</summary>
    [Parameter]
    public SwitchParameter Networks { get; set; }

    /// <summary>Images: every image no container uses, not only dangling ones.</summary>
    [Parameter]
    public SwitchParameter All { get; set; }

    /// <summary>Only objects created before this: a duration ago (24h, 7d), a date, or a TimeSpan.</summary>
    [Parameter]
    [SinceTransformation]
    public DateTimeOffset? Until { get; set; }

    /// <summary>Only objects with these labels: key, key=value; !key or !key=value for objects without them.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] Label { get; set; } = Array.Empty<string>();

    /// <summary>Return one summary (counts and space reclaimed) instead of one object per removed item.</summary>
    [Parameter]
    public SwitchParameter Summary { get; set; }

    /// <inheritdoc/>
    protected override void BeginProcessing()
    {
        try
        {
            OpsTools.Engine.Docker.DockerPruner.ValidateLabels(Label);
        }
        catch (OpsToolsException ex)
        {
            ThrowTerminatingError(ErrorRecords.From(ex));
        }

        if (Volumes && Until is not null)
        {
            ThrowTerminatingError(ErrorRecords.Create(
                "DockerPruneUntilVolumes",
                ErrorCategory.InvalidArgument,
                Until,
                "Volumes have no creation filter: -Until cannot be used with -Volumes (docker system prune refuses it too).",
                "Prune volumes in a run of their own, without -Until, restricted with -Label."));
        }
    }

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        var kinds = new List<DockerObjectKind>();
        if (Containers) { kinds.Add(DockerObjectKind.Container); }
        if (Images) { kinds.Add(DockerObjectKind.Image); }
        if (Volumes) { kinds.Add(DockerObjectKind.Volume); }
        if (Networks) { kinds.Add(DockerObjectKind.Network); }
        if (kinds.Count == 0)
        {
            // As docker system prune: containers, dangling images and networks; volumes only when asked.
            kinds.AddRange(new[] { DockerObjectKind.Container, DockerObjectKind.Image, DockerObjectKind.Network });
        }

        var connection = OpsTools.Engine.Docker.DockerConnection.Get(DockerHost);
        var pruner = new OpsTools.Engine.Docker.DockerPruner(connection);
        var filter = new OpsTools.Engine.Docker.DockerPruneFilter { Until = Until, Labels = Label, AllImages = All };
        string host = connection.Endpoint.DisplayName;
        var removed = new List<DockerPruneItem>();
        var going = new HashSet<string>(StringComparer.Ordinal);
        var progress = new ProgressRecord(ProgressActivityId, $"Pruning {host}", "Listing");
        DateTime lastWrite = DateTime.MinValue;
        bool wrote = false;
        try
        {
            foreach (DockerObjectKind kind in kinds)
            {
                IReadOnlyList<DockerPruneItem> candidates = AwaitOrTerminate(ct => pruner.FindAsync(kind, filter, going, ct));
                WriteVerbose($"{candidates.Count} {Plural(kind)} to remove on {host}.");
                for (int i = 0; i < candidates.Count; i++)
                {
                    DockerPruneItem item = candidates[i];
                    if (DateTime.UtcNow - lastWrite >= ProgressInterval)
                    {
                        progress.StatusDescription = string.Create(CultureInfo.InvariantCulture, $"{Plural(kind)}: {i + 1} of {candidates.Count}");
                        progress.CurrentOperation = item.Name;
                        progress.PercentComplete = i * 100 / candidates.Count;
                        WriteProgress(progress);
                        wrote = true;
                        lastWrite = DateTime.UtcNow;
                    }

                    string size = item.Kind == DockerObjectKind.Network ? string.Empty : ", " + ByteSize.Format(item.Size);
                    string id = item.Kind == DockerObjectKind.Volume ? string.Empty : Short(item.Id);
                    string target = $"{item.Kind.ToString().ToLowerInvariant()} {item.Name} ({id}{(id.Length > 0 ? size : size.TrimStart(',', ' '))}) on {host}";
                    string action = $"Remove {Describe(item.Kind)}";
                    if (!ShouldProcess($"Performing the operation \"{action}\" on target \"{target}\".", $"Remove {target}?", action, out ShouldProcessReason reason))
                    {
                        if (reason == ShouldProcessReason.WhatIf && item.Kind == DockerObjectKind.Container)
                        {
                            // What-if lists what a real run would free once these containers are gone.
                            going.Add(item.Id);
                        }

                        continue;
                    }

                    try
                    {
                        if (!Await(pruner.RemoveAsync(item, CancellationToken)))
                        {
                            WriteVerbose($"{target}: already gone.");
                            continue;
                        }
                    }
                    catch (OpsToolsException ex)
                    {
                        WriteEngineError(ex);
                        continue;
                    }

                    if (item.Kind == DockerObjectKind.Container)
                    {
                        going.Add(item.Id);
                    }

                    removed.Add(item);
                    if (!Summary)
                    {
                        WriteObject(item);
                    }
                }
            }
        }
        finally
        {
            if (wrote)
            {
                progress.RecordType = ProgressRecordType.Completed;
                try
                {
                    WriteProgress(progress);
                }
                catch (PipelineStoppedException)
                {
                    // Stopping: the host clears the bar itself.
                }
            }
        }

        var summary = new DockerPruneSummary
        {
            DockerHost = host,
            Containers = removed.Count(r => r.Kind == DockerObjectKind.Container),
            Images = removed.Count(r => r.Kind == DockerObjectKind.Image),
            Volumes = removed.Count(r => r.Kind == DockerObjectKind.Volume),
            Networks = removed.Count(r => r.Kind == DockerObjectKind.Network),
            SpaceReclaimed = removed.Sum(r => r.Size),
        };
        string line = string.Create(CultureInfo.InvariantCulture,
            $"Removed {summary.Containers} container(s), {summary.Images} image(s), {summary.Volumes} volume(s), {summary.Networks} network(s) on {host}; reclaimed {ByteSize.Format(summary.SpaceReclaimed)}.");
        WriteVerbose(line);
        WriteInformation(line, new[] { "OpsTools", "Summary" });
        if (Summary)
        {
            WriteObject(summary);
        }
    }

    private static string Short(string id)
    {
        string bare = id.StartsWith("sha256:", StringComparison.Ordinal) ? id[7..] : id;
        return bare.Length > 12 ? bare[..12] : bare;
    }

    private static string Plural(DockerObjectKind kind) => kind switch
    {
        DockerObjectKind.Container => "stopped containers",
        DockerObjectKind.Image => "images",
        DockerObjectKind.Volume => "unused volumes",
        _ => "unused networks",
    };

    private static string Describe(DockerObjectKind kind) => kind switch
    {
        DockerObjectKind.Container => "stopped container",
        DockerObjectKind.Image => "unused image",
        DockerObjectKind.Volume => "unused volume",
        _ => "unused network",
    };
}
