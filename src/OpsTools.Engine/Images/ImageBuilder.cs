using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Pipes;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Docker.DotNet.Models;
using OpsTools.Engine.Docker;
using OpsTools.Images;

namespace OpsTools.Engine.Images;

/// <summary>What to build: the context, the Dockerfile and the options of <c>docker build</c>.</summary>
public sealed class ImageBuildRequest
{
    /// <summary>Context directory (full path).</summary>
    public required string ContextDirectory { get; init; }

    /// <summary>Dockerfile: relative to the context, or a full path; null for <c>Dockerfile</c> in the context.</summary>
    public string? Dockerfile { get; init; }

    /// <summary>Tags to give the image (<c>repository:tag</c>).</summary>
    public IReadOnlyList<string> Tags { get; init; } = Array.Empty<string>();

    /// <summary>Build arguments (<c>--build-arg</c>).</summary>
    public IReadOnlyDictionary<string, string> BuildArgs { get; init; } = new Dictionary<string, string>();

    /// <summary>Labels to add to the image (<c>--label</c>).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Stage to build in a multi-stage Dockerfile (<c>--target</c>).</summary>
    public string? Target { get; init; }

    /// <summary>Do not use the build cache (<c>--no-cache</c>).</summary>
    public bool NoCache { get; init; }
}

/// <summary>Builds images with the daemon's builder (<c>POST /build</c>), streaming the context and the output.</summary>
public sealed partial class ImageBuilder
{
    private const int OutputLinesKept = 8;

    private readonly DockerConnection _connection;

    /// <summary>Creates a builder for one endpoint.</summary>
    /// <param name="connection">The Docker connection.</param>
    public ImageBuilder(DockerConnection connection)
    {
        _connection = connection ?? throw new ArgumentNullException(nameof(connection));
    }

    /// <summary>Checks a request without sending anything: the context and Dockerfile exist, the tags are references.</summary>
    /// <param name="request">The request.</param>
    /// <returns>The Dockerfile's full path.</returns>
    /// <exception cref="OpsToolsException">DockerBuildContextNotFound, DockerfileNotFound, ImageReferenceInvalid.</exception>
    public static string Validate(ImageBuildRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!Directory.Exists(request.ContextDirectory))
        {
            throw new OpsToolsException(
                "DockerBuildContextNotFound",
                OpsToolsErrorKind.ObjectNotFound,
                $"The build context '{request.ContextDirectory}' is not a directory.",
                request.ContextDirectory,
                "Give -Path the directory that holds the Dockerfile and the files it copies.");
        }

        string dockerfile = Path.GetFullPath(request.Dockerfile ?? "Dockerfile", request.ContextDirectory);
        if (!File.Exists(dockerfile))
        {
            throw new OpsToolsException(
                "DockerfileNotFound",
                OpsToolsErrorKind.ObjectNotFound,
                $"The Dockerfile '{dockerfile}' does not exist.",
                request.Dockerfile ?? dockerfile,
                "Give -Dockerfile relative to the context (-Path), or as a full path.");
        }

        foreach (string tag in request.Tags)
        {
            ImageReference reference = ImageReference.Parse(tag);
            if (reference.Digest is not null)
            {
                throw new OpsToolsException(
                    "ImageReferenceInvalid",
                    OpsToolsErrorKind.InvalidArgument,
                    $"'{tag}' names a digest; a build can only be tagged (repository:tag).",
                    tag,
                    "Leave the @sha256:... part out of -Tag.");
            }
        }

        return dockerfile;
    }

    /// <summary>Builds an image and returns it as the daemon stored it.</summary>
    /// <param name="request">What to build.</param>
    /// <param name="progress">Told each line of output and the step reached (called on a worker thread).</param>
    /// <param name="cancellationToken">Cancels the build (the daemon stops it when the connection closes).</param>
    /// <returns>The image.</returns>
    /// <exception cref="OpsToolsException">DockerImageBuildFailed (a step failed), DockerfileInvalid, or a validation error.</exception>
    public async Task<DockerImage> BuildAsync(ImageBuildRequest request, IProgress<DockerImageBuildProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        string dockerfile = Validate(request);
        string context = Path.GetFullPath(request.ContextDirectory);
        string relative = Path.GetRelativePath(context, dockerfile);
        (string EntryName, string SourcePath)? extraFile = null;
        string dockerfileEntry;
        if (relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative))
        {
            // A Dockerfile outside the context travels in it under a generated name, as the CLI does.
            dockerfileEntry = ".dockerfile." + Convert.ToHexString(RandomNumberGenerator.GetBytes(10)).ToLowerInvariant();
            extraFile = (dockerfileEntry, dockerfile);
        }
        else
        {
            dockerfileEntry = relative.Replace(Path.DirectorySeparatorChar, '/');
        }

        var parameters = new ImageBuildParameters
        {
            Dockerfile = dockerfileEntry,
            Tags = request.Tags.ToList(),
            BuildArgs = request.BuildArgs.ToDictionary(a => a.Key, a => a.Value),
            Labels = request.Labels.ToDictionary(l => l.Key, l => l.Value),
            Target = string.IsNullOrEmpty(request.Target) ? null : request.Target,
            NoCache = request.NoCache ? true : null,
            Remove = true,
            // A failed step's container goes too: an operator's build leaves nothing behind.
            ForceRemove = true,
        };

        var output = new BuildOutput(progress);
        DockerIgnore ignore = DockerIgnore.Load(context);
        using var cancelWriter = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reader = new AnonymousPipeServerStream(PipeDirection.In);
        var pipeWriter = new AnonymousPipeClientStream(PipeDirection.Out, reader.ClientSafePipeHandle);
        Exception? readFailure = null;
        bool buildReturned = false;
        Task writer = Task.Run(
            async () =>
            {
                try
                {
                    await BuildContext.WriteAsync(pipeWriter, context, ignore, new[] { dockerfileEntry, ".dockerignore" }, extraFile, output.ContextSent, cancelWriter.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (!Volatile.Read(ref buildReturned) && ex is IOException or UnauthorizedAccessException)
                {
                    // Failed while the daemon was still reading: a context file could not be read.
                    readFailure = ex;
                }
                finally
                {
                    // End of stream for the daemon, also when the walk failed.
                    await pipeWriter.DisposeAsync().ConfigureAwait(false);
                }
            },
            CancellationToken.None);

        try
        {
            await _connection.RunAsync(
                async (client, ct) =>
                {
                    await client.Images.BuildImageFromDockerfileAsync(parameters, reader, null, null, output, ct).ConfigureAwait(false);
                    return true;
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await StopWriterAsync().ConfigureAwait(false);
            ThrowIfReadFailed();
            if (ex is OpsToolsException { ErrorId: "DockerBadRequest" } badRequest)
            {
                throw new OpsToolsException(
                    "DockerfileInvalid",
                    OpsToolsErrorKind.InvalidArgument,
                    $"The daemon at {_connection.Endpoint.DisplayName} refused the Dockerfile '{dockerfile}': {StripPrefix(badRequest.Message)}",
                    dockerfile,
                    "Fix the Dockerfile at the line named; the daemon runs the classic builder (no BuildKit-only syntax such as RUN --mount).",
                    badRequest);
            }

            throw;
        }
        finally
        {
            await StopWriterAsync().ConfigureAwait(false);
        }

        ThrowIfReadFailed();

        async Task StopWriterAsync()
        {
            Volatile.Write(ref buildReturned, true);
            await cancelWriter.CancelAsync().ConfigureAwait(false);
            // Closing the read end unblocks a writer waiting on a full pipe.
            await reader.DisposeAsync().ConfigureAwait(false);
            try
            {
                await writer.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
            {
                // Stopped on purpose, after the daemon answered.
            }
        }

        void ThrowIfReadFailed()
        {
            if (readFailure is { } failure)
            {
                throw new OpsToolsException(
                    "DockerBuildContextUnreadable",
                    OpsToolsErrorKind.PermissionDenied,
                    $"Reading the build context '{context}' failed: {failure.Message}",
                    context,
                    "Make the files readable, or leave them out with .dockerignore.",
                    failure);
            }
        }

        output.Flush();
        if (output.Error is { } error)
        {
            string step = output.StepText is null ? string.Empty : string.Create(CultureInfo.InvariantCulture, $"Step {output.Step}/{output.TotalSteps} ({output.StepText}) failed: ");
            string tail = output.RecentLines.Count == 0 ? string.Empty : " Last output: " + string.Join(" | ", output.RecentLines);
            throw new OpsToolsException(
                "DockerImageBuildFailed",
                OpsToolsErrorKind.InvalidOperation,
                $"Building '{dockerfile}' on {_connection.Endpoint.DisplayName} failed. {step}{error}.{tail}",
                dockerfile,
                "Fix the failing instruction (its output is in the verbose and information streams: -Verbose or -InformationAction Continue) and build again.");
        }

        string imageId = output.ImageId ?? throw new OpsToolsException(
            "DockerImageBuildFailed",
            OpsToolsErrorKind.InvalidData,
            $"The daemon at {_connection.Endpoint.DisplayName} ended the build of '{dockerfile}' without naming the image it built.",
            dockerfile,
            "See the daemon log; build again with -Verbose.");
        return await InspectAsync(imageId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads an image by id or reference.</summary>
    /// <param name="image">Id or reference.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The image.</returns>
    /// <exception cref="OpsToolsException">DockerImageNotFound.</exception>
    public async Task<DockerImage> InspectAsync(string image, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(image);
        try
        {
            ImageInspectResponse inspect = await _connection.RunAsync((client, ct) => client.Images.InspectImageAsync(image, ct), cancellationToken).ConfigureAwait(false);
            return ToImage(inspect, _connection.Endpoint.DisplayName);
        }
        catch (OpsToolsException ex) when (ex.Kind == OpsToolsErrorKind.ObjectNotFound)
        {
            throw new OpsToolsException(
                "DockerImageNotFound",
                OpsToolsErrorKind.ObjectNotFound,
                $"No image '{image}' exists on {_connection.Endpoint.DisplayName}.",
                image,
                "Check the name and tag ('docker image ls'), or build it first with Build-DockerImage.",
                ex);
        }
    }

    internal static DockerImage ToImage(ImageInspectResponse inspect, string dockerHost) => new()
    {
        DockerHost = dockerHost,
        Id = inspect.ID,
        Size = inspect.Size,
        Created = ToOffset(inspect.Created),
        Tags = inspect.RepoTags?.ToList() ?? new List<string>(),
        RepoDigests = inspect.RepoDigests?.ToList() ?? new List<string>(),
        Labels = inspect.Config?.Labels is { } labels ? new Dictionary<string, string>(labels) : new Dictionary<string, string>(),
    };

    internal static DateTimeOffset? ToOffset(DateTime? time) => time is not { } value || value == default ? null
        : new DateTimeOffset(value.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(value, DateTimeKind.Utc) : value.ToUniversalTime());

    private static string StripPrefix(string message)
    {
        int colon = message.IndexOf(": ", StringComparison.Ordinal);
        return message.StartsWith("Docker daemon at ", StringComparison.Ordinal) && colon > 0 ? message[(colon + 2)..] : message;
    }

    [GeneratedRegex(@"^Step (?<step>\d+)/(?<total>\d+) : (?<text>.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex StepPattern();

    [GeneratedRegex(@"^Successfully built (?<id>[0-9a-f]{12,64})$", RegexOptions.CultureInvariant)]
    private static partial Regex BuiltPattern();

    /// <summary>Turns the daemon's JSON messages into whole lines, the step reached, the image id and the error.</summary>
    private sealed class BuildOutput(IProgress<DockerImageBuildProgress>? progress) : IProgress<JSONMessage>
    {
        private readonly StringBuilder _partial = new();
        private long _contextBytes;

        public int Step { get; private set; }

        public int TotalSteps { get; private set; }

        public string? StepText { get; private set; }

        public string? ImageId { get; private set; }

        public string? Error { get; private set; }

        public List<string> RecentLines { get; } = new();

        public void ContextSent(long bytes)
        {
            _contextBytes = bytes;
            progress?.Report(new DockerImageBuildProgress { ContextBytesSent = bytes, Step = Step, TotalSteps = TotalSteps });
        }

        public void Report(JSONMessage value)
        {
            if (value.Error is { } error)
            {
                Error = string.IsNullOrEmpty(error.Message) ? "the daemon reported an error without a message" : error.Message.TrimEnd();
            }

            if (value.Aux?.ExtensionData is { } aux && aux.TryGetValue("ID", out object? id) && id?.ToString() is { Length: > 0 } imageId)
            {
                ImageId = imageId;
            }

            if (!string.IsNullOrEmpty(value.Stream))
            {
                _partial.Append(value.Stream);
                EmitCompleteLines();
            }
            else if (!string.IsNullOrEmpty(value.Status))
            {
                Emit(value.Status.TrimEnd());
            }
        }

        public void Flush()
        {
            if (_partial.Length > 0)
            {
                string rest = _partial.ToString();
                _partial.Clear();
                Emit(rest.TrimEnd());
            }
        }

        private void EmitCompleteLines()
        {
            string text = _partial.ToString();
            int newline;
            int start = 0;
            while ((newline = text.IndexOf('\n', start)) >= 0)
            {
                Emit(text[start..newline].TrimEnd('\r'));
                start = newline + 1;
            }

            _partial.Clear().Append(text, start, text.Length - start);
        }

        private void Emit(string line)
        {
            if (line.Length == 0)
            {
                return;
            }

            Match step = StepPattern().Match(line);
            if (step.Success)
            {
                Step = int.Parse(step.Groups["step"].Value, CultureInfo.InvariantCulture);
                TotalSteps = int.Parse(step.Groups["total"].Value, CultureInfo.InvariantCulture);
                StepText = step.Groups["text"].Value;
                RecentLines.Clear();
            }
            else
            {
                if (BuiltPattern().Match(line) is { Success: true } built && ImageId is null)
                {
                    ImageId = built.Groups["id"].Value;
                }

                if (!line.StartsWith(" ---> ", StringComparison.Ordinal))
                {
                    RecentLines.Add(line);
                    if (RecentLines.Count > OutputLinesKept)
                    {
                        RecentLines.RemoveAt(0);
                    }
                }
            }

            progress?.Report(new DockerImageBuildProgress { Line = line, Step = Step, TotalSteps = TotalSteps, IsStep = step.Success, ContextBytesSent = _contextBytes });
        }
    }
}
