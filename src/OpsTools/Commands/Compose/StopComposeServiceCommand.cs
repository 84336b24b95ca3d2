using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using OpsTools.Compose;
using OpsTools.Engine.Compose;
using OpsTools.Infrastructure;

namespace OpsTools.Commands.Compose;

/// <summary>
/// <para type="synopsis">Stops the running containers of compose services, as docker compose stop does (stop signal, then a kill after the grace period).</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "ComposeService", DefaultParameterSetName = ParameterSets.ByName, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ComposeServiceInfo))]
public sealed class StopComposeServiceCommand : ComposeServiceChangeCmdlet
{
    /// <summary>Grace period before the kill, like docker compose stop -t; the container's own stop_grace_period (default 10 s) when omitted.</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan? Timeout { get; set; }

    private protected override string Action => "Stop container";

    private protected override int ProgressActivityId => 82;

    private protected override bool Batched => true;

    private protected override bool Applies(ComposeContainer container) =>
        container.State is ComposeContainerState.Running or ComposeContainerState.Restarting or ComposeContainerState.Paused;

    private protected override Task ChangeAsync(ComposeContainerControl control, ComposeContainer container, CancellationToken cancellationToken) =>
        control.StopAsync(container, Timeout, cancellationToken);
}
