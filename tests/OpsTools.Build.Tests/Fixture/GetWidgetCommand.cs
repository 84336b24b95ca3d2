using System;
using System.Management.Automation;

namespace OpsTools.Build.Fixture;

[Cmdlet(VerbsCommon.Get, "Widget", DefaultParameterSetName = ByNameSet)]
[OutputType(typeof(Widget))]
public sealed class GetWidgetCommand : FixtureCmdletBase
{
    public const string ByNameSet = "ByName";
    public const string ByIdSet = "ById";

    [Parameter(ParameterSetName = ByNameSet, Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [Alias("WidgetName")]
    public string[]? Name { get; set; }

    [Parameter(ParameterSetName = ByIdSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
    public int Id { get; set; }

    [Parameter]
    [ValidateSet("Small", "Large")]
    public string? Size { get; set; }

    [Parameter]
    public DateTimeOffset? Since { get; set; }

    protected override void ProcessRecord()
    {
        string name = Name is { Length: > 0 } ? Name[0] : "widget";
        WriteObject(new Widget { Name = name, Id = Id });
    }
}
