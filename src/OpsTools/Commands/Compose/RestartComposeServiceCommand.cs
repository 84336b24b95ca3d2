using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using OpsTools.Compose;
using OpsTools.Engine.Compose;
using OpsTools.Infrastructure;

namespace OpsTools.Commands.Compose;

/// <summary>
/// <para type="synopsis">Restarts the containers of compose services, as docker compose restart does (stopped ones are started).</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Restart, "ComposeService", DefaultParameterSetName = ParameterSets.ByName, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ComposeServiceInfo))]
public sealed class RestartComposeServiceCommand : ComposeServiceChangeCmdlet
{
    /// <summary>Grace period of the stop before the kill, like docker compose restart -t; the container's own when omitted.</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan? Timeout { get; set; }

    private protected override string Action => "Restart container";

    private protected override int ProgressActivityId => 83;

    private protected override bool Batched => false;

    private protected override bool Applies(ComposeContainer container) => container.State != ComposeContainerState.Removing;

    private protected override Task ChangeAsync(ComposeContainerControl control, ComposeContainer container, CancellationToken cancellationToken) =>
        control.RestartAsync(container, Timeout, cancellationToken);
}
