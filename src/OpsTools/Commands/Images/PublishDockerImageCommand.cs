using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using OpsTools.Images;
using OpsTools.Infrastructure;

namespace OpsTools.Commands.Images;

/// <summary>
/// <para type="synopsis">Pushes image tags to their registries (docker push), with progress per layer, and returns the digest each registry stored.</para>
/// </summary>
[Cmdlet(VerbsData.Publish, "DockerImage", DefaultParameterSetName = ParameterSets.Name, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(DockerImagePush))]
public sealed class PublishDockerImageCommand : DockerCmdlet
{
    private const int ProgressActivityId = 0x0402;

    private static class ParameterSets
    {
        public const string Name = "Name";
    }

    // Credentials are looked up once per registry and command; engine objects, kept untyped so
    // reflecting over the cmdlet never loads the engine.
    private readonly Dictionary<string, object?> _credentials = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Image references to push (<c>registry/repository:tag</c>; no tag means <c>latest</c>). Images piped from
    /// Build-DockerImage bind their <c>Tags</c>, so every tag is pushed.
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Image", "Tags")]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>User name and password for the registry. Without it, the docker config file's credential for the registry is used, if any.</summary>
    [Parameter]
    [Credential]
    [ValidateNotNull]
    public PSCredential? Credential { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        foreach (string reference in Name)
        {
            try
            {
                Push(reference);
            }
            catch (OpsToolsException ex)
            {
                WriteEngineError(ex);
            }
        }
    }

    private void Push(string image)
    {
        var reference = OpsTools.Engine.Images.ImageReference.Parse(image);
        var connection = OpsTools.Engine.Docker.DockerConnection.Get(DockerHost);
        string host = connection.Endpoint.DisplayName;
        if (!ShouldProcess($"{reference.FamiliarTagged} on {host}", $"Push to registry {reference.Registry}"))
        {
            return;
        }

        var credential = CredentialFor(reference.Registry);
        WriteVerbose(credential is null
            ? $"{reference.FamiliarTagged}: pushing to {reference.Registry} without credentials (none given, none in the docker config file)."
            : $"{reference.FamiliarTagged}: pushing to {reference.Registry} as '{credential.UserName}' (from {credential.Source}).");

        var publisher = new OpsTools.Engine.Images.ImagePublisher(connection);
        var messages = new MessageQueue<DockerImagePushProgress>();
        var layers = new Dictionary<string, (string Status, long Current, long Total)>(StringComparer.Ordinal);
        var progress = new ProgressRecord(ProgressActivityId, $"Pushing {reference.FamiliarTagged} to {reference.Registry}", "Preparing");
        var bar = new ThrottledProgress(this, progress);
        System.Threading.Tasks.Task<DockerImagePush> push = publisher.PushAsync(image, credential, messages, CancellationToken);
        try
        {
            messages.DrainUntil(
                push,
                message =>
                {
                    if (message.Layer is not { } layer)
                    {
                        WriteVerbose($"{message.Image}: {message.Status}");
                        return;
                    }

                    layers.TryGetValue(layer, out (string Status, long Current, long Total) before);
                    string status = message.Status ?? before.Status ?? string.Empty;
                    if (!string.Equals(status, before.Status, StringComparison.Ordinal))
                    {
                        WriteVerbose($"{message.Image}: layer {layer} {status}");
                    }

                    long total = message.Total ?? before.Total;
                    long current = message.Current ?? (IsDone(status) ? total : before.Current);
                    layers[layer] = (status, current, total);
                    Describe(progress, layers, layer);
                    bar.Changed();
                },
                bar.Tick);
        }
        finally
        {
            bar.Complete();
        }

        DockerImagePush pushed = Await(push);
        WriteVerbose(string.Create(CultureInfo.InvariantCulture, $"{pushed.Image}: the registry stored {pushed.Digest} ({pushed.ManifestSize} bytes of manifest)."));
        WriteObject(pushed);
    }

    private OpsTools.Engine.Images.RegistryCredential? CredentialFor(string registry)
    {
        if (_credentials.TryGetValue(registry, out object? known))
        {
            return (OpsTools.Engine.Images.RegistryCredential?)known;
        }

        OpsTools.Engine.Images.RegistryCredential? credential = Credential is { } given
            ? new OpsTools.Engine.Images.RegistryCredential(registry, given.UserName, given.GetNetworkCredential().Password, "-Credential")
            : OpsTools.Engine.Images.RegistryCredential.FromDockerConfig(registry);
        _credentials[registry] = credential;
        return credential;
    }

    private static bool IsDone(string status) =>
        status.StartsWith("Pushed", StringComparison.Ordinal)
        || status.StartsWith("Layer already exists", StringComparison.Ordinal)
        || status.StartsWith("Mounted from", StringComparison.Ordinal);

    private static void Describe(ProgressRecord progress, Dictionary<string, (string Status, long Current, long Total)> layers, string lastLayer)
    {
        int done = layers.Values.Count(l => IsDone(l.Status));
        long total = layers.Values.Sum(l => l.Total);
        long current = layers.Values.Sum(l => Math.Min(l.Current, l.Total > 0 ? l.Total : l.Current));
        progress.StatusDescription = string.Create(CultureInfo.InvariantCulture,
            $"{done}/{layers.Count} layer(s) done{(total > 0 ? $", {ByteSize.Format(current)} of {ByteSize.Format(total)} sent" : string.Empty)}");
        (string status, long layerCurrent, long layerTotal) = layers[lastLayer];
        progress.CurrentOperation = layerTotal > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{lastLayer}: {status} {ByteSize.Format(layerCurrent)}/{ByteSize.Format(layerTotal)}")
            : $"{lastLayer}: {status}";
        progress.PercentComplete = total > 0 ? (int)Math.Min(99, current * 100 / total) : -1;
    }
}
