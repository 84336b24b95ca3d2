using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using OpsTools.Compose;
using OpsTools.Engine.Compose;
using OpsTools.Infrastructure;

namespace OpsTools.Commands.Compose;

/// <summary>
/// <para type="synopsis">Starts the stopped containers of compose services, as docker compose start does.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "ComposeService", DefaultParameterSetName = ParameterSets.ByName, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ComposeServiceInfo))]
public sealed class StartComposeServiceCommand : ComposeServiceChangeCmdlet
{
    private protected override string Action => "Start container";

    private protected override int ProgressActivityId => 81;

    private protected override bool Batched => false;

    private protected override bool Applies(ComposeContainer container) =>
        container.State is not (ComposeContainerState.Running or ComposeContainerState.Restarting or ComposeContainerState.Removing);

    private protected override Task ChangeAsync(ComposeContainerControl control, ComposeContainer container, CancellationToken cancellationToken) =>
        control.StartAsync(container, cancellationToken);
}
