using System;
using System.Management.Automation;
using OpsTools.Infrastructure;
using OpsTools.Swarm;

namespace OpsTools.Commands.Swarm;

/// <summary>
/// <para type="synopsis">Removes Swarm configs that no service uses, as docker config rm does; refuses, naming the services, one still in use.</para>
/// </summary>
[Cmdlet(VerbsCommon.Remove, "SwarmConfig", DefaultParameterSetName = ParameterSets.Default, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(SwarmConfig))]
public sealed class RemoveSwarmConfigCommand : SwarmObjectCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    /// <summary>Config names or ids; wildcards match names.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("ConfigName")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(SwarmConfigNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>Write each removed config (as it was before the removal).</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord() => RemoveObjects(SwarmObjectKind.Config, Name, PassThru);
}
