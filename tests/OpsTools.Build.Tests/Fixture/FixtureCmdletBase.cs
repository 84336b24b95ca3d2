using System.Management.Automation;

namespace OpsTools.Build.Fixture;

/// <summary>Connection parameters shared through a base class, as OpsTools does.</summary>
public abstract class FixtureCmdletBase : PSCmdlet
{
    [Parameter]
    public string? Server { get; set; }

    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }
}
