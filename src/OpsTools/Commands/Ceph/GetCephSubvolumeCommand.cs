using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using OpsTools.Ceph;
using OpsTools.Engine.Ceph;
using OpsTools.Infrastructure;

namespace OpsTools.Commands.Ceph;

/// <summary>
/// <para type="synopsis">Gets CephFS subvolumes with their path, size limit and use.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "CephSubvolume", DefaultParameterSetName = ParameterSets.Default)]
[OutputType(typeof(CephSubvolume))]
public sealed class GetCephSubvolumeCommand : CephClusterCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    /// <summary>Subvolume names; wildcards allowed. All subvolumes of the group when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>File system (volume); the cluster's only file system when omitted.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Volume")]
    public string? FileSystem { get; set; }

    /// <summary>Subvolume group; the default group when omitted.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("GroupName")]
    public string? Group { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        CephCluster cluster = Connect();
        string fileSystem = ResolveFileSystem(cluster, FileSystem);
        string[] names = Name ?? Array.Empty<string>();
        if (names.Length > 0 && !names.Any(WildcardPattern.ContainsWildcardCharacters))
        {
            // Plain names: one info call each instead of listing the whole group.
            foreach (string name in names)
            {
                try
                {
                    WriteObject(Await(cluster.GetSubvolumeAsync(fileSystem, name, Group, CancellationToken)));
                }
                catch (OpsToolsException ex) when (ex.Kind == OpsToolsErrorKind.ObjectNotFound)
                {
                    WriteEngineError(ex);
                }
                catch (OpsToolsException ex)
                {
                    // The cluster itself failed (unreachable, access denied): nothing else can work.
                    ThrowTerminatingError(ErrorRecords.From(ex));
                }
            }

            return;
        }

        IReadOnlyList<CephSubvolume> all = AwaitOrTerminate(ct => cluster.GetSubvolumesAsync(fileSystem, Group, ct));
        IReadOnlyList<CephSubvolume> selected = new NameFilter(names).Select(all, s => s.Name, null, out IReadOnlyList<string> unmatched);
        foreach (string missing in unmatched)
        {
            WriteError(ErrorRecords.Create(
                "CephSubvolumeNotFound",
                ErrorCategory.ObjectNotFound,
                missing,
                $"No subvolume named '{missing}' in {fileSystem}{(string.IsNullOrEmpty(Group) ? string.Empty : "/" + Group)}.",
                "Run Get-CephSubvolume without -Name to list the subvolumes."));
        }

        WriteObject(selected, enumerateCollection: true);
    }
}
