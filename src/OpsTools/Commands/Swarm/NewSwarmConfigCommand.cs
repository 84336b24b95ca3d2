using System.Collections;
using System.Management.Automation;
using OpsTools.Infrastructure;
using OpsTools.Swarm;

namespace OpsTools.Commands.Swarm;

/// <summary>
/// <para type="synopsis">Creates a Swarm config from a string, a file or the pipeline, as docker config create does.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "SwarmConfig", DefaultParameterSetName = SwarmObjectParameterSets.Value, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(SwarmConfig))]
public sealed class NewSwarmConfigCommand : SwarmObjectCmdlet
{
    private SwarmObjectInput? _input;

    /// <summary>Name of the new config.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = string.Empty;

    /// <summary>The config's content, stored as UTF-8.</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = SwarmObjectParameterSets.Value)]
    [ValidateNotNull]
    public string? Value { get; set; }

    /// <summary>A file whose bytes are the config's content.</summary>
    [Parameter(Mandatory = true, ParameterSetName = SwarmObjectParameterSets.Path)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>Strings (lines, joined with a line feed) or bytes from the pipeline.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = SwarmObjectParameterSets.Pipeline)]
    [AllowEmptyString]
    public object? InputObject { get; set; }

    /// <summary>Labels of the config.</summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable? Label { get; set; }

    /// <inheritdoc/>
    protected override void BeginProcessing()
    {
        _input = new SwarmObjectInput(SwarmObjectKind.Config);
        if (ParameterSetName == SwarmObjectParameterSets.Value)
        {
            _input.SetString(Value!);
        }
        else if (ParameterSetName == SwarmObjectParameterSets.Path && _input.SetPath(this, Path!) is { } problem)
        {
            ThrowTerminatingError(problem);
        }
    }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        if (ParameterSetName == SwarmObjectParameterSets.Pipeline && _input!.Add(InputObject) is { } problem)
        {
            ThrowTerminatingError(problem);
        }
    }

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        CreateObject(SwarmObjectKind.Config, Name, _input!.Data, Label);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _input?.Dispose();
        }

        base.Dispose(disposing);
    }
}
