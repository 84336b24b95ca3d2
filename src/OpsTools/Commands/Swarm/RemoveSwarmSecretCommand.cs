using System;
using System.Management.Automation;
using OpsTools.Infrastructure;
using OpsTools.Swarm;

namespace OpsTools.Commands.Swarm;

/// <summary>
/// <para type="synopsis">Removes Swarm secrets that no service uses, as docker secret rm does; refuses, naming the services, one still in use.</para>
/// </summary>
[Cmdlet(VerbsCommon.Remove, "SwarmSecret", DefaultParameterSetName = ParameterSets.Default, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(SwarmSecret))]
public sealed class RemoveSwarmSecretCommand : SwarmObjectCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    /// <summary>Secret names or ids; wildcards match names.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("SecretName")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(SwarmSecretNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>Write each removed secret (as it was before the removal).</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord() => RemoveObjects(SwarmObjectKind.Secret, Name, PassThru);
}
