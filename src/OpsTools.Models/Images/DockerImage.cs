using System;
using System.Collections.Generic;

namespace OpsTools.Images;

/// <summary>A local Docker image, as <c>docker image ls</c> and <c>docker image inspect</c> show it.</summary>
public sealed class DockerImage
{
    /// <summary>Docker endpoint the image lives on.</summary>
    public required string DockerHost { get; init; }
    /// <summary>Image id (<c>sha256:...</c>).</summary>
    public required string Id { get; init; }
    /// <summary>First tag of the image (<c>repository:tag</c>), or null when it has none.</summary>
    public string? Tag => Tags.Count > 0 ? Tags[0] : null;
    /// <summary>Size of the image's layers in bytes.</summary>
    public long Size { get; init; }
    /// <summary>When the image was created.</summary>
    public DateTimeOffset? Created { get; init; }
    /// <summary>Every tag of the image (<c>repository:tag</c>).</summary>
    public IReadOnlyList<string> Tags { get; init; } = Array.Empty<string>();
    /// <summary>Digests the image is known by in registries (<c>repository@sha256:...</c>), once pushed or pulled.</summary>
    public IReadOnlyList<string> RepoDigests { get; init; } = Array.Empty<string>();
    /// <summary>Image labels.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>The first 12 hex digits of the id, as the CLI shows it.</summary>
    public string ShortId => Id.StartsWith("sha256:", StringComparison.Ordinal) && Id.Length >= 19 ? Id.Substring(7, 12) : Id;

    /// <inheritdoc/>
    public override string ToString() => Tag ?? Id;
}

/// <summary>One tag pushed to a registry, and the digest the registry answered with.</summary>
public sealed class DockerImagePush
{
    /// <summary>Docker endpoint that pushed the image.</summary>
    public required string DockerHost { get; init; }
    /// <summary>The reference pushed, as given (<c>registry/repository:tag</c>).</summary>
    public required string Image { get; init; }
    /// <summary>Registry host (<c>docker.io</c> for Docker Hub).</summary>
    public required string Registry { get; init; }
    /// <summary>Repository within the registry, e.g. <c>library/busybox</c> or <c>team/app</c>.</summary>
    public required string Repository { get; init; }
    /// <summary>Tag pushed.</summary>
    public required string Tag { get; init; }
    /// <summary>Manifest digest the registry stored (<c>sha256:...</c>).</summary>
    public required string Digest { get; init; }
    /// <summary>Size of the manifest in bytes, as the registry reports it.</summary>
    public long ManifestSize { get; init; }
    /// <summary>Id of the local image that was pushed.</summary>
    public string? ImageId { get; init; }
    /// <summary>The pinned reference (<c>registry/repository@sha256:...</c>), what a service can deploy.</summary>
    public string PinnedImage => $"{(Registry == "docker.io" ? string.Empty : Registry + "/")}{Repository}@{Digest}";

    /// <inheritdoc/>
    public override string ToString() => $"{Image}@{Digest}";
}

/// <summary>A line of build output, or the step a build has reached, as the daemon streams it.</summary>
public sealed class DockerImageBuildProgress
{
    /// <summary>One line of output (a step header, a command's output, a status); null for a context upload update.</summary>
    public string? Line { get; init; }
    /// <summary>Current step (1-based) once the first step started; 0 before.</summary>
    public int Step { get; init; }
    /// <summary>Number of steps in the Dockerfile; 0 before the first step.</summary>
    public int TotalSteps { get; init; }
    /// <summary>Bytes of build context sent to the daemon so far.</summary>
    public long ContextBytesSent { get; init; }
    /// <summary>Whether this line is a step header (<c>Step 2/5 : RUN ...</c>).</summary>
    public bool IsStep { get; init; }
}

/// <summary>Progress of one layer of a push, as the daemon streams it.</summary>
public sealed class DockerImagePushProgress
{
    /// <summary>The reference being pushed.</summary>
    public required string Image { get; init; }
    /// <summary>Layer id (short digest), or null for a message about the whole push.</summary>
    public string? Layer { get; init; }
    /// <summary>Status text: Preparing, Waiting, Pushing, Pushed, Layer already exists, Mounted from...</summary>
    public string? Status { get; init; }
    /// <summary>Bytes of the layer pushed so far, when known.</summary>
    public long? Current { get; init; }
    /// <summary>Size of the layer in bytes, when known.</summary>
    public long? Total { get; init; }
}
