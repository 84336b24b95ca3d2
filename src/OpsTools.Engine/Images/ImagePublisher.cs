using System;
using System.Globalization;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Docker.DotNet.Models;
using OpsTools.Engine.Docker;
using OpsTools.Images;

namespace OpsTools.Engine.Images;

/// <summary>
/// Pushes tags to their registries through the daemon (<c>POST /images/{name}/push</c>) and asks
/// registries for a tag's current digest (<c>GET /distribution/{name}/json</c>).
/// </summary>
public sealed partial class ImagePublisher
{
    private readonly DockerConnection _connection;

    /// <summary>Creates a publisher for one endpoint.</summary>
    /// <param name="connection">The Docker connection.</param>
    public ImagePublisher(DockerConnection connection)
    {
        _connection = connection ?? throw new ArgumentNullException(nameof(connection));
    }

    /// <summary>Pushes one tag and returns the digest the registry stored.</summary>
    /// <param name="image">Reference to push (<c>registry/repository:tag</c>; no tag means <c>latest</c>).</param>
    /// <param name="credential">Credential for the image's registry, or null to push without one.</param>
    /// <param name="progress">Told the progress of each layer (called on a worker thread).</param>
    /// <param name="cancellationToken">Cancels the push.</param>
    /// <returns>What was pushed.</returns>
    /// <exception cref="OpsToolsException">ImageReferenceInvalid, DockerImageNotFound, RegistryAccessDenied, RegistryUnreachable, DockerImagePushFailed.</exception>
    public async Task<DockerImagePush> PushAsync(string image, RegistryCredential? credential, IProgress<DockerImagePushProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ImageReference reference = ParseTagged(image);
        string tagged = reference.FamiliarTagged;
        DockerImage local = await new ImageBuilder(_connection).InspectAsync(tagged, cancellationToken).ConfigureAwait(false);

        var parameters = new ImagePushParameters { Tag = reference.TagOrDefault };
        AuthConfig? auth = credential?.ToAuthConfig();
        var messages = new PushMessages(tagged, progress);
        await _connection.RunAsync(
            async (client, ct) =>
            {
                await client.Images.PushImageAsync(reference.FamiliarName, parameters, auth, messages, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);

        if (messages.Error is { } error)
        {
            throw RegistryError(error, reference, credential, "push");
        }

        if (messages.Digest is not { } digest)
        {
            throw new OpsToolsException(
                "DockerImagePushFailed",
                OpsToolsErrorKind.InvalidData,
                $"The push of '{tagged}' from {_connection.Endpoint.DisplayName} ended without the registry's digest.",
                tagged,
                "See the daemon log; push again with -Verbose.");
        }

        return new DockerImagePush
        {
            DockerHost = _connection.Endpoint.DisplayName,
            Image = tagged,
            Registry = reference.Registry,
            Repository = reference.Repository,
            Tag = reference.TagOrDefault,
            Digest = digest,
            ManifestSize = messages.ManifestSize,
            ImageId = local.Id,
        };
    }

    /// <summary>Asks the image's registry (through the daemon) for the digest its tag points to now.</summary>
    /// <param name="image">Reference with a tag (no tag means <c>latest</c>).</param>
    /// <param name="credential">Credential for the registry, or null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The manifest (or index) digest, <c>sha256:...</c>.</returns>
    /// <exception cref="OpsToolsException">ImageTagNotFound, RegistryAccessDenied, RegistryUnreachable.</exception>
    public async Task<string> ResolveDigestAsync(string image, RegistryCredential? credential, CancellationToken cancellationToken = default)
    {
        ImageReference reference = ParseTagged(image);
        string tagged = reference.FamiliarTagged;
        Func<global::Docker.DotNet.DockerClient, CancellationToken, Task<DistributionInspectResponse>> call =
            (client, ct) => client.Distribution.InspectAsync(tagged, ct);
        try
        {
            DistributionInspectResponse response = credential is null
                ? await _connection.RunAsync(call, cancellationToken).ConfigureAwait(false)
                : await _connection.RunWithHeaderAsync("X-Registry-Auth", credential.ToRegistryAuthHeader(), call, cancellationToken).ConfigureAwait(false);
            return response.Descriptor?.Digest is { Length: > 0 } digest ? digest : throw new OpsToolsException(
                "RegistryAnswerInvalid",
                OpsToolsErrorKind.InvalidData,
                $"The registry {reference.Registry} answered for '{tagged}' without a digest.",
                tagged,
                "Check the registry's health.");
        }
        catch (OpsToolsException ex) when (ex.ErrorId is "DockerObjectNotFound" or "DockerAccessDenied" or "DockerApiError" or "DockerBadRequest")
        {
            throw RegistryError(ex.Message, reference, credential, "resolve", ex);
        }
    }

    private static ImageReference ParseTagged(string image)
    {
        ImageReference reference = ImageReference.Parse(image);
        if (reference.Digest is not null)
        {
            throw new OpsToolsException(
                "ImageReferenceInvalid",
                OpsToolsErrorKind.InvalidArgument,
                $"'{image}' names a digest; give a tag (repository:tag).",
                image,
                "Leave the @sha256:... part out.");
        }

        return reference;
    }

    private OpsToolsException RegistryError(string message, ImageReference reference, RegistryCredential? credential, string action, Exception? inner = null)
    {
        string tagged = reference.FamiliarTagged;
        string verb = action == "push" ? "Pushing" : "Resolving";
        string credentialNote = credential is null ? "without credentials" : $"as '{credential.UserName}' (credential from {credential.Source})";
        if (DeniedPattern().IsMatch(message))
        {
            return new OpsToolsException(
                "RegistryAccessDenied",
                OpsToolsErrorKind.PermissionDenied,
                $"{verb} '{tagged}': the registry {reference.Registry} refused access {credentialNote}: {message}",
                tagged,
                $"Pass -Credential with a user allowed to {(action == "push" ? "push to" : "pull from")} {reference.Registry}, or run 'docker login {reference.Registry}' so the docker config file holds one.",
                inner);
        }

        if (NotFoundPattern().IsMatch(message))
        {
            return new OpsToolsException(
                action == "push" ? "DockerImageNotFound" : "ImageTagNotFound",
                OpsToolsErrorKind.ObjectNotFound,
                action == "push" ? $"{verb} '{tagged}' failed: {message}" : $"The registry {reference.Registry} has no '{tagged}': {message}",
                tagged,
                action == "push" ? "Build or tag the image first (Build-DockerImage -Tag)." : "Check the repository and tag, and that it was pushed (Publish-DockerImage).",
                inner);
        }

        if (UnreachablePattern().IsMatch(message))
        {
            return new OpsToolsException(
                "RegistryUnreachable",
                OpsToolsErrorKind.ConnectionError,
                $"{verb} '{tagged}': the daemon at {_connection.Endpoint.DisplayName} cannot reach the registry {reference.Registry}: {message}",
                tagged,
                "Check that the registry runs and that the daemon's host can reach it (a registry on plain HTTP must be loopback or listed in the daemon's insecure-registries).",
                inner);
        }

        return new OpsToolsException(
            action == "push" ? "DockerImagePushFailed" : "RegistryError",
            OpsToolsErrorKind.InvalidOperation,
            $"{verb} '{tagged}' failed: {message}",
            tagged,
            "See the daemon log and the registry's log.",
            inner);
    }

    [GeneratedRegex(@"unauthorized|authentication required|denied|no basic auth credentials|forbidden", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DeniedPattern();

    [GeneratedRegex(@"does not exist locally|manifest unknown|not found|No such image", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NotFoundPattern();

    [GeneratedRegex(@"connection refused|no such host|i/o timeout|dial tcp|server gave HTTP response to HTTPS client|network is unreachable", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex UnreachablePattern();

    [GeneratedRegex(@"digest: (?<digest>sha256:[0-9a-f]{64}) size: (?<size>\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex DigestLinePattern();

    /// <summary>Follows the push messages: layer progress, the final digest, an error.</summary>
    private sealed class PushMessages(string image, IProgress<DockerImagePushProgress>? progress) : IProgress<JSONMessage>
    {
        public string? Digest { get; private set; }

        public long ManifestSize { get; private set; }

        public string? Error { get; private set; }

        public void Report(JSONMessage value)
        {
            if (value.Error is { } error)
            {
                Error = string.IsNullOrEmpty(error.Message) ? "the daemon reported an error without a message" : error.Message.Trim();
                return;
            }

            if (value.Aux?.ExtensionData is { } aux && aux.TryGetValue("Digest", out object? digest) && digest?.ToString() is { Length: > 0 } text)
            {
                Digest = text;
                if (aux.TryGetValue("Size", out object? size) && long.TryParse(size?.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long bytes))
                {
                    ManifestSize = bytes;
                }
            }
            else if (value.Status is { } status && DigestLinePattern().Match(status) is { Success: true } line && Digest is null)
            {
                Digest = line.Groups["digest"].Value;
                ManifestSize = long.Parse(line.Groups["size"].Value, CultureInfo.InvariantCulture);
            }

            if (!string.IsNullOrEmpty(value.Status))
            {
                progress?.Report(new DockerImagePushProgress
                {
                    Image = image,
                    Layer = string.IsNullOrEmpty(value.ID) ? null : value.ID,
                    Status = value.Status,
                    Current = value.Progress?.Current,
                    Total = value.Progress?.Total is > 0 ? value.Progress.Total : null,
                });
            }
        }
    }
}
