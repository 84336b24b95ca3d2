using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using OpsTools.Images;
using OpsTools.Infrastructure;

namespace OpsTools.Commands.Images;

/// <summary>
/// <para type="synopsis">Builds an image from a Dockerfile and a context directory (docker build), streaming the context and the build output.</para>
/// </summary>
[Cmdlet("Build", "DockerImage", DefaultParameterSetName = ParameterSets.Default, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(DockerImage))]
public sealed class BuildDockerImageCommand : DockerCmdlet
{
    private const int ProgressActivityId = 0x0401;

    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    /// <summary>The build context: the directory whose files the Dockerfile can copy. Defaults to the current directory.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "FullName", "Context")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = ".";

    /// <summary>The Dockerfile, relative to the context (default <c>Dockerfile</c>) or a full path.</summary>
    [Parameter]
    [Alias("File")]
    [ValidateNotNullOrEmpty]
    public string? Dockerfile { get; set; }

    /// <summary>Tags for the image (<c>registry/repository:tag</c>); several allowed.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] Tag { get; set; } = Array.Empty<string>();

    /// <summary>Build arguments (ARG values), as a hashtable.</summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable? BuildArg { get; set; }

    /// <summary>The stage of a multi-stage Dockerfile to build.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Target { get; set; }

    /// <summary>Build every step again instead of using the build cache.</summary>
    [Parameter]
    public SwitchParameter NoCache { get; set; }

    /// <summary>Labels to add to the image, as a hashtable.</summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable? Label { get; set; }

    /// <inheritdoc/>
    protected override void BeginProcessing()
    {
        ToMap(BuildArg, nameof(BuildArg));
        ToMap(Label, nameof(Label));
    }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        if (ResolveContext(Path) is not { } context)
        {
            return;
        }

        try
        {
            Build(context);
        }
        catch (OpsToolsException ex)
        {
            WriteEngineError(ex);
        }
    }

    private void Build(string context)
    {
        var request = new OpsTools.Engine.Images.ImageBuildRequest
        {
            ContextDirectory = context,
            Dockerfile = Dockerfile,
            Tags = Tag,
            BuildArgs = ToMap(BuildArg, nameof(BuildArg)),
            Labels = ToMap(Label, nameof(Label)),
            Target = Target,
            NoCache = NoCache,
        };
        string dockerfile = OpsTools.Engine.Images.ImageBuilder.Validate(request);
        var connection = OpsTools.Engine.Docker.DockerConnection.Get(DockerHost);
        string host = connection.Endpoint.DisplayName;
        string what = Tag.Length == 0 ? "an untagged image" : string.Join(", ", Tag);
        if (!ShouldProcess($"{what} on {host}", $"Build image from '{context}' with '{dockerfile}'"))
        {
            return;
        }

        var builder = new OpsTools.Engine.Images.ImageBuilder(connection);
        var messages = new MessageQueue<DockerImageBuildProgress>();
        var progress = new ProgressRecord(ProgressActivityId, $"Building {what}", "Sending build context");
        var bar = new ThrottledProgress(this, progress);
        System.Threading.Tasks.Task<DockerImage> build = builder.BuildAsync(request, messages, CancellationToken);
        try
        {
            messages.DrainUntil(
                build,
                message =>
                {
                    if (message.Line is { } line)
                    {
                        WriteVerbose(line);
                        WriteInformation(line, new[] { "OpsTools", "BuildOutput" });
                    }

                    if (message.TotalSteps > 0)
                    {
                        progress.StatusDescription = message.IsStep || progress.StatusDescription.StartsWith("Sending", StringComparison.Ordinal)
                            ? string.Create(CultureInfo.InvariantCulture, $"Step {message.Step}/{message.TotalSteps}{(message.IsStep ? ": " + message.Line![(message.Line!.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim() : string.Empty)}")
                            : progress.StatusDescription;
                        progress.PercentComplete = Math.Clamp((message.Step - 1) * 100 / message.TotalSteps, 0, 99);
                        progress.CurrentOperation = message.IsStep ? null : message.Line;
                    }
                    else if (message.Line is null)
                    {
                        progress.StatusDescription = $"Sending build context: {ByteSize.Format(message.ContextBytesSent)}";
                    }

                    bar.Changed();
                },
                bar.Tick);
        }
        finally
        {
            bar.Complete();
        }

        DockerImage image = Await(build);
        WriteVerbose(string.Create(CultureInfo.InvariantCulture, $"Built {image.ShortId} ({ByteSize.Format(image.Size)}) on {host}{(image.Tags.Count == 0 ? string.Empty : ", tagged " + string.Join(", ", image.Tags))}."));
        WriteObject(image);
    }

    private string? ResolveContext(string path)
    {
        try
        {
            string resolved = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out ProviderInfo provider, out _);
            if (provider.Name == "FileSystem")
            {
                return resolved;
            }

            WriteError(ErrorRecords.Create(
                "DockerBuildContextNotFound",
                ErrorCategory.InvalidArgument,
                path,
                $"'{path}' is not a file-system path (provider {provider.Name}).",
                "Give -Path a directory on disk."));
        }
        catch (Exception ex) when (ex is ItemNotFoundException or DriveNotFoundException or ProviderNotFoundException or PSArgumentException)
        {
            WriteError(ErrorRecords.Create("DockerBuildContextNotFound", ErrorCategory.ObjectNotFound, path, $"The build context '{path}' cannot be resolved: {ex.Message}", "Give -Path the directory that holds the Dockerfile."));
        }

        return null;
    }

    private Dictionary<string, string> ToMap(Hashtable? table, string parameter)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (table is null)
        {
            return map;
        }

        foreach (DictionaryEntry entry in table)
        {
            string key = Convert.ToString(entry.Key is PSObject pk ? pk.BaseObject : entry.Key, CultureInfo.InvariantCulture) ?? string.Empty;
            object? value = entry.Value is PSObject pv ? pv.BaseObject : entry.Value;
            if (key.Length == 0 || key.Contains('=', StringComparison.Ordinal) || key.Any(char.IsWhiteSpace) || value is null)
            {
                ThrowTerminatingError(ErrorRecords.Create(
                    "DockerBuildKeyInvalid",
                    ErrorCategory.InvalidArgument,
                    key,
                    $"'{key}' is not a valid entry for -{parameter}: keys must be non-empty without '=' or spaces, and values not $null.",
                    $"Pass -{parameter} @{{ NAME = 'value' }}."));
            }

            map[key] = Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;
        }

        return map;
    }
}
