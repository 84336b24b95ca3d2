using System.IO;
using System.Management.Automation;
using OpsTools.Diagnostics;
using OpsTools.Engine.Diagnostics;
using OpsTools.Infrastructure;

namespace OpsTools.Commands.Diagnostics;

/// <summary>
/// <para type="synopsis">Checks a .env file against its template: missing, extra and empty keys, placeholders left in, values compose would interpolate, and whether git tracks the file. Never shows a value.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "EnvFile", DefaultParameterSetName = ParameterSets.Default)]
[OutputType(typeof(EnvFileFinding))]
public sealed class TestEnvFileCommand : OpsToolsCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    /// <summary>The env file.</summary>
    [Parameter(ParameterSetName = ParameterSets.Default, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>The template (.env.example); default: the env file's name plus .example, when that file exists.</summary>
    [Parameter(ParameterSetName = ParameterSets.Default, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string? Template { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        string file = GetUnresolvedProviderPathFromPSPath(Path);
        string? template = Template is null ? null : GetUnresolvedProviderPathFromPSPath(Template);
        if (template is null && File.Exists(file + ".example"))
        {
            template = file + ".example";
        }

        WriteVerbose(template is null ? $"Checking {file} without a template." : $"Checking {file} against {template}.");
        try
        {
            WriteObject(Await(EnvFileChecker.CheckAsync(file, template, CancellationToken)), enumerateCollection: true);
        }
        catch (OpsToolsException ex)
        {
            WriteEngineError(ex);
        }
    }
}
