using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using OpsTools.Engine.Images;
using OpsTools.Images;

namespace OpsTools.Engine.Tests.Images;

[Collection(ImageCollection.Name)]
public sealed class ImagePublisherTests
{
    [SkippableFact]
    public async Task A_push_returns_the_digest_the_registry_stored_and_reports_each_layer()
    {
        await using ImageLab lab = await ImageLab.StartAsync();
        string reference = lab.Reference(lab.Registry, "app", "v1");
        await lab.CliBuildAsync(reference, "v1 " + lab.Prefix);
        var progress = new List<DockerImagePushProgress>();

        DockerImagePush pushed = await new ImagePublisher(lab.Connect()).PushAsync(reference, null, new SynchronousProgress<DockerImagePushProgress>(progress.Add));
        lab.TrackManifest(lab.Registry, $"{lab.Prefix}/app", pushed.Digest);

        Assert.Equal(await lab.RegistryDigestAsync(lab.Registry, $"{lab.Prefix}/app", "v1"), pushed.Digest);
        Assert.Equal((reference, lab.Registry, $"{lab.Prefix}/app", "v1"), (pushed.Image, pushed.Registry, pushed.Repository, pushed.Tag));
        Assert.True(pushed.ManifestSize > 0);
        Assert.Equal(await lab.DockerAsync("image", "inspect", "--format", "{{.Id}}", reference), pushed.ImageId);
        Assert.Equal($"{lab.Registry}/{lab.Prefix}/app@{pushed.Digest}", pushed.PinnedImage);
        Assert.True(progress.Where(p => p.Layer is not null).Select(p => p.Layer).Distinct().Count() >= 2, "one progress stream per layer (base + COPY)");
        Assert.Contains(progress, p => p.Layer is not null && p.Status == "Pushed");
    }

    [SkippableFact]
    public async Task A_push_to_the_authenticated_registry_works_with_a_credential_and_with_the_docker_config_file()
    {
        await using ImageLab lab = await ImageLab.StartAsync();
        string withCredential = lab.Reference(lab.AuthRegistry, "auth", "given");
        string withConfig = lab.Reference(lab.AuthRegistry, "auth", "config");
        await lab.CliBuildAsync(withCredential, "auth " + lab.Prefix);
        await lab.DockerAsync("tag", withCredential, withConfig);
        string configDirectory = Path.Combine(lab.Scratch, "docker-config");
        Directory.CreateDirectory(configDirectory);
        string auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{lab.User}:{lab.Password}"));
        await File.WriteAllTextAsync(Path.Combine(configDirectory, "config.json"), $"{{\"auths\":{{\"http://{lab.AuthRegistry}\":{{\"auth\":\"{auth}\"}}}}}}");
        var publisher = new ImagePublisher(lab.Connect());

        DockerImagePush given = await publisher.PushAsync(withCredential, new RegistryCredential(lab.AuthRegistry, lab.User, lab.Password, "-Credential"));
        RegistryCredential? fromFile = RegistryCredential.FromDockerConfig(lab.AuthRegistry, configDirectory);
        DockerImagePush configured = await publisher.PushAsync(withConfig, fromFile);
        lab.TrackManifest(lab.AuthRegistry, $"{lab.Prefix}/auth", given.Digest);

        Assert.NotNull(fromFile);
        Assert.Equal(lab.User, fromFile!.UserName);
        Assert.Equal(await lab.RegistryDigestAsync(lab.AuthRegistry, $"{lab.Prefix}/auth", "given"), given.Digest);
        Assert.Equal(await lab.RegistryDigestAsync(lab.AuthRegistry, $"{lab.Prefix}/auth", "config"), configured.Digest);
    }

    [SkippableFact]
    public async Task A_wrong_or_missing_credential_is_refused_as_access_denied_without_the_password_in_the_message()
    {
        await using ImageLab lab = await ImageLab.StartAsync();
        string reference = lab.Reference(lab.AuthRegistry, "denied", "v1");
        await lab.DockerAsync("tag", lab.BaseImage, reference);
        var publisher = new ImagePublisher(lab.Connect());
        const string WrongPassword = "not-the-password-4711";

        OpsToolsException wrong = await Assert.ThrowsAsync<OpsToolsException>(() => publisher.PushAsync(reference, new RegistryCredential(lab.AuthRegistry, lab.User, WrongPassword, "-Credential")));
        OpsToolsException missing = await Assert.ThrowsAsync<OpsToolsException>(() => publisher.PushAsync(reference, null));

        Assert.Equal(("RegistryAccessDenied", OpsToolsErrorKind.PermissionDenied), (wrong.ErrorId, wrong.Kind));
        Assert.Equal(("RegistryAccessDenied", OpsToolsErrorKind.PermissionDenied), (missing.ErrorId, missing.Kind));
        Assert.Contains($"as '{lab.User}'", wrong.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(WrongPassword, wrong.Message, StringComparison.Ordinal);
        Assert.Null(await lab.RegistryDigestAsync(lab.AuthRegistry, $"{lab.Prefix}/denied", "v1"));
    }

    [SkippableFact]
    public async Task A_tag_that_does_not_exist_locally_is_not_found()
    {
        await using ImageLab lab = await ImageLab.StartAsync();

        OpsToolsException problem = await Assert.ThrowsAsync<OpsToolsException>(() => new ImagePublisher(lab.Connect()).PushAsync($"{lab.Registry}/{lab.Prefix}/nothing:v1", null));

        Assert.Equal(("DockerImageNotFound", OpsToolsErrorKind.ObjectNotFound), (problem.ErrorId, problem.Kind));
    }

    [SkippableFact]
    public async Task A_tag_resolves_to_the_digest_it_points_to_now_after_a_re_push()
    {
        await using ImageLab lab = await ImageLab.StartAsync();
        string latest = lab.Reference(lab.Registry, "moving", "latest");
        var publisher = new ImagePublisher(lab.Connect());
        await lab.CliBuildAsync(latest, "one " + lab.Prefix);
        DockerImagePush one = await publisher.PushAsync(latest, null);
        await lab.CliBuildAsync(latest, "two " + lab.Prefix);
        DockerImagePush two = await publisher.PushAsync(latest, null);
        lab.TrackManifest(lab.Registry, $"{lab.Prefix}/moving", one.Digest);
        lab.TrackManifest(lab.Registry, $"{lab.Prefix}/moving", two.Digest);

        string resolved = await publisher.ResolveDigestAsync(latest, null);

        Assert.NotEqual(one.Digest, two.Digest);
        Assert.Equal(two.Digest, resolved);
        Assert.Equal(await lab.RegistryDigestAsync(lab.Registry, $"{lab.Prefix}/moving", "latest"), resolved);
    }

    [SkippableFact]
    public async Task Resolving_needs_the_credential_of_a_protected_registry_and_an_existing_tag()
    {
        await using ImageLab lab = await ImageLab.StartAsync();
        string reference = lab.Reference(lab.AuthRegistry, "resolve", "v1");
        await lab.DockerAsync("tag", lab.BaseImage, reference);
        var credential = new RegistryCredential(lab.AuthRegistry, lab.User, lab.Password, "-Credential");
        var publisher = new ImagePublisher(lab.Connect());
        DockerImagePush pushed = await publisher.PushAsync(reference, credential);
        lab.TrackManifest(lab.AuthRegistry, $"{lab.Prefix}/resolve", pushed.Digest);

        string resolved = await publisher.ResolveDigestAsync(reference, credential);
        OpsToolsException anonymous = await Assert.ThrowsAsync<OpsToolsException>(() => publisher.ResolveDigestAsync(reference, null));
        OpsToolsException missing = await Assert.ThrowsAsync<OpsToolsException>(() => publisher.ResolveDigestAsync($"{lab.Registry}/{lab.Prefix}/none:v1", null));

        Assert.Equal(pushed.Digest, resolved);
        Assert.Equal(("RegistryAccessDenied", OpsToolsErrorKind.PermissionDenied), (anonymous.ErrorId, anonymous.Kind));
        Assert.Equal(("ImageTagNotFound", OpsToolsErrorKind.ObjectNotFound), (missing.ErrorId, missing.Kind));
    }
}
