using System.Management.Automation;

namespace OpsTools.Build.Fixture;

[Cmdlet(VerbsCommon.Remove, "Widget", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(Widget))]
public sealed class RemoveWidgetCommand : PSCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    public Widget? InputObject { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    [Parameter(DontShow = true)]
    public SwitchParameter Hidden { get; set; }

    protected override void ProcessRecord()
    {
        if (InputObject is not null && ShouldProcess(InputObject.Name, "Remove widget") && PassThru)
        {
            WriteObject(InputObject);
        }
    }
}
