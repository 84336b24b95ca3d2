using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using OpsTools.Compose;
using OpsTools.Infrastructure;

namespace OpsTools.Commands.Compose;

/// <summary>
/// <para type="synopsis">Loads compose files as docker stack deploy reads them, with env files, extends and override files, and returns the merged model or its YAML.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "ComposeConfig", DefaultParameterSetName = ParameterSets.Default)]
[OutputType(typeof(ComposeProject), typeof(string))]
public sealed class GetComposeConfigCommand : OpsToolsCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    private readonly List<string> _paths = new();

    /// <summary>Compose files, merged in order: later files override earlier ones.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>Env files for interpolation; default <c>.env</c> beside the first file.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? EnvFile { get; set; }

    /// <summary>Variables that take precedence over the environment and the env files.</summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable? Variables { get; set; }

    /// <summary>Write the merged file as YAML text instead of objects.</summary>
    [Parameter]
    public SwitchParameter AsYaml { get; set; }

    /// <summary>Stack name the project is meant for.</summary>
    [Parameter]
    [ValidatePattern("^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")]
    public string? StackName { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        _paths.AddRange(ComposeInput.Resolve(SessionState, Path));
    }

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        Dictionary<string, string?> variables = ComposeInput.Variables(Variables);
        List<string> envFiles = ComposeInput.Resolve(SessionState, EnvFile);
        ComposeProject project = AwaitOrTerminate(ct => ComposeInput.LoadAsync(_paths, envFiles, variables, StackName, ct));
        foreach (string warning in project.Warnings)
        {
            WriteWarning(warning);
        }

        WriteVerbose($"Get-ComposeConfig: loaded {string.Join(", ", project.Files)}; env files: {(project.EnvFiles.Count == 0 ? "none" : string.Join(", ", project.EnvFiles))}.");
        if (AsYaml)
        {
            WriteObject(Engine.ToYaml(project));
        }
        else
        {
            WriteObject(project);
        }
    }

    /// <summary>Engine calls in their own type so that reflecting over the cmdlet does not load the engine.</summary>
    private static class Engine
    {
        public static string ToYaml(ComposeProject project) => OpsTools.Engine.Compose.ComposeYamlWriter.Write(project);
    }
}
