using System.Management.Automation;

namespace OpsTools.Build.Fixture;

/// <summary>Abstract: never a cmdlet, though it carries the attribute.</summary>
[Cmdlet(VerbsCommon.Get, "Abstract")]
public abstract class AbstractWidgetCommand : PSCmdlet
{
}

/// <summary>Not public: PowerShell does not export it.</summary>
[Cmdlet(VerbsCommon.Get, "Internal")]
internal sealed class InternalWidgetCommand : PSCmdlet
{
}
