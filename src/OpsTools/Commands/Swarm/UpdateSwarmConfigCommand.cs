using System.Management.Automation;
using OpsTools.Infrastructure;
using OpsTools.Swarm;

namespace OpsTools.Commands.Swarm;

/// <summary>
/// <para type="synopsis">Rotates a Swarm config: creates a new version, repoints every service that uses it, then removes the old one.</para>
/// </summary>
[Cmdlet(VerbsData.Update, "SwarmConfig", DefaultParameterSetName = SwarmObjectParameterSets.Value, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(SwarmConfig))]
public sealed class UpdateSwarmConfigCommand : SwarmRotationCmdlet
{
    /// <summary>The new content, stored as UTF-8.</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = SwarmObjectParameterSets.Value)]
    [ValidateNotNull]
    public string? Value { get; set; }

    private protected override SwarmObjectKind Kind => SwarmObjectKind.Config;

    private protected override int ProgressActivityId => 52;

    private protected override void TakeValue(SwarmObjectInput input) => input.SetString(Value!);
}
