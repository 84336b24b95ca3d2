using System.Management.Automation;
using OpsTools.Ceph;
using OpsTools.Engine.Ceph;
using OpsTools.Infrastructure;

namespace OpsTools.Commands.Ceph;

/// <summary>
/// <para type="synopsis">Gets the health of a Ceph cluster with every health check, as ceph health detail reports it.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "CephHealth", DefaultParameterSetName = ParameterSets.Default)]
[OutputType(typeof(CephHealth))]
public sealed class GetCephHealthCommand : CephClusterCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        CephCluster cluster = Connect();
        CephHealth health = AwaitOrTerminate(cluster.GetHealthAsync);
        WriteVerbose($"{ClusterName}: {health.StatusText}, {health.ActiveChecks} active and {health.MutedChecks} muted check(s).");
        WriteObject(health);
    }
}
