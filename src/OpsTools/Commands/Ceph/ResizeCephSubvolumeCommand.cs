using System.Globalization;
using System.Management.Automation;
using OpsTools.Ceph;
using OpsTools.Engine.Ceph;
using OpsTools.Infrastructure;

namespace OpsTools.Commands.Ceph;

/// <summary>
/// <para type="synopsis">Changes the size limit of CephFS subvolumes.</para>
/// </summary>
[Cmdlet(VerbsCommon.Resize, "CephSubvolume", DefaultParameterSetName = ParameterSets.Default, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(CephSubvolume))]
public sealed class ResizeCephSubvolumeCommand : CephClusterCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    /// <summary>Names of the subvolumes to resize.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>New size limit: 20GB, '20G', '1.5TiB' or a byte count (binary units); 0 removes the limit.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [Alias("MaxBytes")]
    public ByteSize Size { get; set; }

    /// <summary>Refuses a limit below the bytes the subvolume already uses.</summary>
    [Parameter]
    public SwitchParameter NoShrink { get; set; }

    /// <summary>File system (volume); the cluster's only file system when omitted.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Volume")]
    public string? FileSystem { get; set; }

    /// <summary>Subvolume group; the default group when omitted.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("GroupName")]
    public string? Group { get; set; }

    /// <summary>Writes each subvolume as the cluster reports it after the change.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        CephCluster cluster = Connect();
        string fileSystem = ResolveFileSystem(cluster, FileSystem);
        long? size = Size.Bytes > 0 ? Size.Bytes : null;
        foreach (string name in Name ?? System.Array.Empty<string>())
        {
            CephSubvolume current;
            try
            {
                current = Await(cluster.GetSubvolumeAsync(fileSystem, name, Group, CancellationToken));
            }
            catch (OpsToolsException ex) when (ex.Kind == OpsToolsErrorKind.ObjectNotFound)
            {
                WriteEngineError(ex);
                continue;
            }
            catch (OpsToolsException ex)
            {
                // The cluster itself failed (unreachable, access denied): nothing else can work.
                ThrowTerminatingError(ErrorRecords.From(ex));
                throw; // unreachable: ThrowTerminatingError always throws
            }

            string change = $"{Describe(current.BytesQuota)} -> {Describe(size)}";
            string where = $"{fileSystem}{(string.IsNullOrEmpty(Group) ? string.Empty : "/" + Group)} of cluster {ClusterName}";
            if (!ShouldProcess($"{name} in {where}", $"Resize CephFS subvolume: {change}"))
            {
                continue;
            }

            try
            {
                CephSubvolume resized = Await(cluster.ResizeSubvolumeAsync(fileSystem, name, Group, size, NoShrink, CancellationToken));
                WriteVerbose($"{name}: {change}");
                if (PassThru)
                {
                    WriteObject(resized);
                }
            }
            catch (OpsToolsException ex) when (ex.Kind is OpsToolsErrorKind.InvalidArgument or OpsToolsErrorKind.ObjectNotFound)
            {
                WriteEngineError(ex);
            }
            catch (OpsToolsException ex)
            {
                // The cluster itself failed (unreachable, access denied): nothing else can work.
                ThrowTerminatingError(ErrorRecords.From(ex));
                throw; // unreachable: ThrowTerminatingError always throws
            }
        }
    }

    private static string Describe(long? bytes) =>
        bytes is { } b ? string.Create(CultureInfo.InvariantCulture, $"{ByteSize.Format(b)} ({b})") : "unlimited";
}
