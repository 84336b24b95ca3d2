using System;
using System.Text.RegularExpressions;

namespace OpsTools.Engine.Images;

/// <summary>
/// An image reference split and normalised like the docker CLI does (distribution's
/// <c>ParseNormalizedNamed</c>): <c>busybox</c> is <c>docker.io/library/busybox:latest</c>, a first
/// component with a dot or a colon (or <c>localhost</c>) is a registry, a digest may follow.
/// </summary>
public sealed partial class ImageReference : IEquatable<ImageReference>
{
    /// <summary>Registry of Docker Hub, as references name it.</summary>
    public const string DockerHub = "docker.io";

    /// <summary>Tag used when a reference has none.</summary>
    public const string DefaultTag = "latest";

    private ImageReference(string original, string registry, string repository, string? tag, string? digest)
    {
        Original = original;
        Registry = registry;
        Repository = repository;
        Tag = tag;
        Digest = digest;
    }

    /// <summary>The reference as given.</summary>
    public string Original { get; }

    /// <summary>Registry host, with port when given (<c>docker.io</c>, <c>127.0.0.1:5000</c>).</summary>
    public string Registry { get; }

    /// <summary>Repository path in the registry (<c>library/busybox</c>, <c>team/app</c>).</summary>
    public string Repository { get; }

    /// <summary>Tag as given, or null when the reference has none.</summary>
    public string? Tag { get; }

    /// <summary>Digest (<c>sha256:...</c>) as given, or null.</summary>
    public string? Digest { get; }

    /// <summary>Fully qualified name without tag or digest: <c>docker.io/library/busybox</c>.</summary>
    public string FullName => Registry + "/" + Repository;

    /// <summary>Name as the CLI shows it: Docker Hub's <c>docker.io/</c> and <c>library/</c> left out.</summary>
    public string FamiliarName => Registry != DockerHub ? FullName
        : Repository.StartsWith("library/", StringComparison.Ordinal) && Repository.IndexOf('/', 8) < 0 ? Repository[8..]
        : Repository;

    /// <summary>The tag, <c>latest</c> when none was given.</summary>
    public string TagOrDefault => Tag ?? DefaultTag;

    /// <summary>Familiar name and tag (<c>127.0.0.1:5000/app:latest</c>), without the digest.</summary>
    public string FamiliarTagged => FamiliarName + ":" + TagOrDefault;

    /// <summary>
    /// As a swarm service spec names the image: familiar name, the tag (<c>latest</c> when neither tag
    /// nor digest is given) and the digest: <c>redis:7</c>, <c>127.0.0.1:5000/app:latest</c>, <c>redis:7@sha256:...</c>.
    /// </summary>
    public string FamiliarString => Digest is null ? FamiliarTagged
        : FamiliarName + (Tag is null ? string.Empty : ":" + Tag) + "@" + Digest;

    /// <summary>Parses a reference.</summary>
    /// <param name="reference">The reference.</param>
    /// <returns>The parsed reference.</returns>
    /// <exception cref="OpsToolsException">ImageReferenceInvalid (InvalidArgument).</exception>
    public static ImageReference Parse(string reference)
    {
        if (TryParse(reference, out ImageReference? parsed))
        {
            return parsed;
        }

        throw new OpsToolsException(
            "ImageReferenceInvalid",
            OpsToolsErrorKind.InvalidArgument,
            $"'{reference}' is not an image reference.",
            reference,
            "Use [registry[:port]/]repository[:tag], in lower case, e.g. 127.0.0.1:5000/team/app:latest or busybox:1.");
    }

    /// <summary>Parses a reference without throwing.</summary>
    /// <param name="reference">The reference.</param>
    /// <param name="parsed">The parsed reference.</param>
    /// <returns>True when the text is a reference.</returns>
    public static bool TryParse(string? reference, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ImageReference? parsed)
    {
        parsed = null;
        if (string.IsNullOrWhiteSpace(reference))
        {
            return false;
        }

        Match match = ReferencePattern().Match(reference.Trim());
        if (!match.Success)
        {
            return false;
        }

        string name = match.Groups["name"].Value;
        string registry = DockerHub;
        string repository = name;
        int slash = name.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0)
        {
            string first = name[..slash];
            if (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost")
            {
                registry = first == "index.docker.io" ? DockerHub : first;
                repository = name[(slash + 1)..];
            }
        }

        if (repository.Length == 0 || !RepositoryPattern().IsMatch(repository))
        {
            return false;
        }

        if (registry == DockerHub && !repository.Contains('/', StringComparison.Ordinal))
        {
            repository = "library/" + repository;
        }

        string? tag = match.Groups["tag"].Success ? match.Groups["tag"].Value : null;
        string? digest = match.Groups["digest"].Success ? match.Groups["digest"].Value : null;
        parsed = new ImageReference(reference.Trim(), registry, repository, tag, digest);
        return true;
    }

    /// <summary>Whether two references name the same repository and tag (a missing tag is <c>latest</c>), digests aside.</summary>
    /// <param name="other">The other reference.</param>
    /// <returns>True when they match.</returns>
    public bool SameRepositoryAndTag(ImageReference other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return string.Equals(FullName, other.FullName, StringComparison.Ordinal)
            && string.Equals(TagOrDefault, other.TagOrDefault, StringComparison.Ordinal);
    }

    /// <inheritdoc/>
    public bool Equals(ImageReference? other) =>
        other is not null && SameRepositoryAndTag(other) && string.Equals(Digest, other.Digest, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ImageReference);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(FullName, TagOrDefault, Digest);

    /// <inheritdoc/>
    public override string ToString() => Original;

    // name[:tag][@digest]; the tag is the last ':' part after the last '/', so a registry port is not a tag.
    [GeneratedRegex(@"^(?<name>[^@\s]+?)(?::(?<tag>[\w][\w.-]{0,127}))?(?:@(?<digest>[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}))?$", RegexOptions.CultureInvariant)]
    private static partial Regex ReferencePattern();

    [GeneratedRegex(@"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$", RegexOptions.CultureInvariant)]
    private static partial Regex RepositoryPattern();
}
