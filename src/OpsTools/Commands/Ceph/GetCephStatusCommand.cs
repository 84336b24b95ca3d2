using System.Management.Automation;
using OpsTools.Ceph;
using OpsTools.Engine.Ceph;
using OpsTools.Infrastructure;

namespace OpsTools.Commands.Ceph;

/// <summary>
/// <para type="synopsis">Gets the state of a Ceph cluster: health, monitors, OSDs, capacity, pools and file systems.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "CephStatus", DefaultParameterSetName = ParameterSets.Default)]
[OutputType(typeof(CephStatus))]
public sealed class GetCephStatusCommand : CephClusterCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        CephCluster cluster = Connect();
        WriteObject(AwaitOrTerminate(cluster.GetStatusAsync));
    }
}
