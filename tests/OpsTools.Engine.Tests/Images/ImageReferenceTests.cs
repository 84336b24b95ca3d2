using OpsTools.Engine.Images;

namespace OpsTools.Engine.Tests.Images;

public sealed class ImageReferenceTests
{
    [Theory]
    [InlineData("busybox", "docker.io", "library/busybox", null, null, "busybox:latest")]
    [InlineData("docker.io/library/busybox:1", "docker.io", "library/busybox", "1", null, "busybox:1")]
    [InlineData("index.docker.io/team/app:2", "docker.io", "team/app", "2", null, "team/app:2")]
    [InlineData("127.0.0.1:5000/team/app", "127.0.0.1:5000", "team/app", null, null, "127.0.0.1:5000/team/app:latest")]
    [InlineData("localhost/app:v1", "localhost", "app", "v1", null, "localhost/app:v1")]
    [InlineData("registry.internal:5000/app:latest@sha256:89b70fa8ece27bb94713030f80cb804815df784589196906ae5298a364e7e6f6", "registry.internal:5000", "app", "latest",
        "sha256:89b70fa8ece27bb94713030f80cb804815df784589196906ae5298a364e7e6f6", "registry.internal:5000/app:latest")]
    public void References_are_normalised_like_the_docker_cli(string text, string registry, string repository, string? tag, string? digest, string familiarTagged)
    {
        ImageReference reference = ImageReference.Parse(text);

        Assert.Equal((registry, repository, tag, digest, familiarTagged), (reference.Registry, reference.Repository, reference.Tag, reference.Digest, reference.FamiliarTagged));
    }

    [Theory]
    [InlineData("docker.io/library/redis", "redis:latest")]
    [InlineData("127.0.0.1:5000/team/app:2", "127.0.0.1:5000/team/app:2")]
    [InlineData("redis@sha256:89b70fa8ece27bb94713030f80cb804815df784589196906ae5298a364e7e6f6", "redis@sha256:89b70fa8ece27bb94713030f80cb804815df784589196906ae5298a364e7e6f6")]
    [InlineData("index.docker.io/library/redis:7@sha256:89b70fa8ece27bb94713030f80cb804815df784589196906ae5298a364e7e6f6", "redis:7@sha256:89b70fa8ece27bb94713030f80cb804815df784589196906ae5298a364e7e6f6")]
    public void The_service_spec_form_keeps_tag_and_digest_and_adds_latest_only_when_both_are_missing(string text, string familiar)
    {
        Assert.Equal(familiar, ImageReference.Parse(text).FamiliarString);
    }

    [Fact]
    public void A_service_image_pinned_by_digest_matches_its_tag_with_defaults_filled_in()
    {
        ImageReference service = ImageReference.Parse("busybox:latest@sha256:89b70fa8ece27bb94713030f80cb804815df784589196906ae5298a364e7e6f6");

        Assert.True(service.SameRepositoryAndTag(ImageReference.Parse("docker.io/library/busybox")));
        Assert.False(service.SameRepositoryAndTag(ImageReference.Parse("busybox:1")));
        Assert.False(service.SameRepositoryAndTag(ImageReference.Parse("127.0.0.1:5000/busybox")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Upper/Case")]
    [InlineData("app:bad tag")]
    [InlineData("app@sha256:short")]
    public void Text_that_is_not_a_reference_is_refused(string text)
    {
        OpsToolsException problem = Assert.Throws<OpsToolsException>(() => ImageReference.Parse(text));

        Assert.Equal(("ImageReferenceInvalid", OpsToolsErrorKind.InvalidArgument), (problem.ErrorId, problem.Kind));
    }
}
