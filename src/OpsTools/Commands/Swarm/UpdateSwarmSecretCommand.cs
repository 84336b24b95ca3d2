using System.Management.Automation;
using System.Security;
using OpsTools.Infrastructure;
using OpsTools.Swarm;

namespace OpsTools.Commands.Swarm;

/// <summary>
/// <para type="synopsis">Rotates a Swarm secret: creates a new version, repoints every service that uses it, then removes the old one.</para>
/// </summary>
[Cmdlet(VerbsData.Update, "SwarmSecret", DefaultParameterSetName = SwarmObjectParameterSets.Value, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(SwarmSecret))]
public sealed class UpdateSwarmSecretCommand : SwarmRotationCmdlet
{
    /// <summary>The new value.</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = SwarmObjectParameterSets.Value)]
    [ValidateNotNull]
    public SecureString? Value { get; set; }

    private protected override SwarmObjectKind Kind => SwarmObjectKind.Secret;

    private protected override int ProgressActivityId => 51;

    private protected override void TakeValue(SwarmObjectInput input) => input.SetSecureString(Value!);
}
