using System.Management.Automation;
using OpsTools.Ceph;
using OpsTools.Engine.Ceph;
using OpsTools.Infrastructure;

namespace OpsTools.Commands.Ceph;

/// <summary>
/// <para type="synopsis">Creates CephFS subvolumes, optionally with a size limit.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "CephSubvolume", DefaultParameterSetName = ParameterSets.Default, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(CephSubvolume))]
public sealed class NewCephSubvolumeCommand : CephClusterCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    /// <summary>Names of the subvolumes to create.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>Size limit: 10GB, '10G', '512Mi' or a byte count (binary units); unlimited when omitted or 0.</summary>
    [Parameter(Position = 1)]
    [Alias("MaxBytes")]
    public ByteSize Size { get; set; }

    /// <summary>File system (volume); the cluster's only file system when omitted.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Volume")]
    public string? FileSystem { get; set; }

    /// <summary>Subvolume group; the default group when omitted. The group must exist.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("GroupName")]
    public string? Group { get; set; }

    /// <summary>Permissions of the subvolume's directory in octal, e.g. 750.</summary>
    [Parameter]
    [ValidatePattern("^[0-7]{3,4}$")]
    public string? Mode { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        CephCluster cluster = Connect();
        string fileSystem = ResolveFileSystem(cluster, FileSystem);
        long? size = Size.Bytes > 0 ? Size.Bytes : null;
        foreach (string name in Name ?? System.Array.Empty<string>())
        {
            string where = $"{fileSystem}{(string.IsNullOrEmpty(Group) ? string.Empty : "/" + Group)} of cluster {ClusterName}";
            if (!ShouldProcess($"{name} in {where}", $"Create CephFS subvolume ({(size is { } s ? $"size {ByteSize.Format(s)} ({s})" : "no size limit")})"))
            {
                continue;
            }

            try
            {
                WriteObject(Await(cluster.NewSubvolumeAsync(fileSystem, name, Group, size, Mode, CancellationToken)));
            }
            catch (OpsToolsException ex) when (ex.Kind is OpsToolsErrorKind.ResourceExists or OpsToolsErrorKind.InvalidArgument or OpsToolsErrorKind.ObjectNotFound)
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
}
