using System;
using System.Collections;
using System.Management.Automation;
using System.Security;
using OpsTools.Infrastructure;
using OpsTools.Swarm;

namespace OpsTools.Commands.Swarm;

/// <summary>
/// <para type="synopsis">Creates a Swarm secret from a SecureString, a file or the pipeline, as docker secret create does.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "SwarmSecret", DefaultParameterSetName = SwarmObjectParameterSets.Value, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(SwarmSecret))]
public sealed class NewSwarmSecretCommand : SwarmObjectCmdlet
{
    private SwarmObjectInput? _input;

    /// <summary>Name of the new secret.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = string.Empty;

    /// <summary>The secret's value.</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = SwarmObjectParameterSets.Value)]
    [ValidateNotNull]
    public SecureString? Value { get; set; }

    /// <summary>A file whose bytes are the secret's value.</summary>
    [Parameter(Mandatory = true, ParameterSetName = SwarmObjectParameterSets.Path)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>Strings (lines, joined with a line feed) or bytes from the pipeline.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = SwarmObjectParameterSets.Pipeline)]
    [AllowEmptyString]
    public object? InputObject { get; set; }

    /// <summary>Labels of the secret.</summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable? Label { get; set; }

    /// <inheritdoc/>
    protected override void BeginProcessing()
    {
        _input = new SwarmObjectInput(SwarmObjectKind.Secret);
        if (ParameterSetName == SwarmObjectParameterSets.Value)
        {
            _input.SetSecureString(Value!);
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
        CreateObject(SwarmObjectKind.Secret, Name, _input!.Data, Label);
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
