using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using OpsTools.Engine.Images;
using OpsTools.Images;

namespace OpsTools.Engine.Tests.Images;

[Collection(ImageCollection.Name)]
public sealed class ImageBuilderTests
{
    [SkippableFact]
    public async Task A_build_sends_the_context_minus_dockerignore_and_applies_tags_build_args_and_labels()
    {
        await using ImageLab lab = await ImageLab.StartAsync();
        string context = lab.Context("ctx", new Dictionary<string, string>
        {
            ["Dockerfile"] = $"FROM {lab.BaseImage}\nARG GREETING=none\nCOPY . /ctx/\nRUN echo \"greeting=$GREETING\" > /greeting && cd /ctx && find . -type f | sort > /files\n",
            [".dockerignore"] = "# build output and secrets\n*.log\nsecrets\n**/tmp\n!secrets/public.pem\n",
            ["app/main.sh"] = "echo main",
            ["app/tmp/cache"] = "x",
            ["debug.log"] = "x",
            ["secrets/key.pem"] = "private",
            ["secrets/public.pem"] = "public",
        });
        string first = lab.Reference(lab.Registry, "app", "v1");
        string second = lab.Reference(lab.Registry, "app", "latest");
        var lines = new List<DockerImageBuildProgress>();

        DockerImage image = await new ImageBuilder(lab.Connect()).BuildAsync(
            new ImageBuildRequest
            {
                ContextDirectory = context,
                Tags = new[] { first, second },
                BuildArgs = new Dictionary<string, string> { ["GREETING"] = "hello" },
                Labels = new Dictionary<string, string> { ["opsimg.test"] = lab.Prefix },
            },
            new SynchronousProgress<DockerImageBuildProgress>(lines.Add));

        string files = await lab.DockerAsync("run", "--rm", image.Id, "cat", "/files");
        Assert.Equal(new[] { "./.dockerignore", "./Dockerfile", "./app/main.sh", "./secrets/public.pem" }, files.Split('\n'));
        Assert.Equal("greeting=hello", await lab.DockerAsync("run", "--rm", image.Id, "cat", "/greeting"));
        string[] tags = JsonSerializer.Deserialize<string[]>(await lab.DockerAsync("image", "inspect", "--format", "{{json .RepoTags}}", image.Id))!;
        Assert.Equal(new[] { first, second }.OrderBy(t => t), tags.OrderBy(t => t));
        Assert.Equal(new[] { first, second }.OrderBy(t => t), image.Tags.OrderBy(t => t));
        Assert.Equal(lab.Prefix, await lab.DockerAsync("image", "inspect", "--format", "{{index .Config.Labels \"opsimg.test\"}}", image.Id));
        Assert.Equal((await lab.DockerAsync("image", "inspect", "--format", "{{.Size}}", image.Id)), image.Size.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.NotNull(image.Created);
        // -Label adds a LABEL step of its own at the end, as with the CLI.
        Assert.Contains(lines, l => l.IsStep && l.Step == 4 && l.TotalSteps == 5 && l.Line!.Contains("RUN echo", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Line is null && l.ContextBytesSent > 0);
    }

    [SkippableFact]
    public async Task A_dockerfile_in_a_subdirectory_or_outside_the_context_builds_the_target_stage()
    {
        await using ImageLab lab = await ImageLab.StartAsync();
        string multiStage = $"FROM {lab.BaseImage} AS base\nRUN echo base > /stage\nFROM base AS final\nRUN echo final > /stage\n";
        string context = lab.Context("sub", new Dictionary<string, string> { ["docker/Dockerfile.alt"] = multiStage });
        string outside = lab.Context("elsewhere", new Dictionary<string, string> { ["Dockerfile.out"] = multiStage });
        var builder = new ImageBuilder(lab.Connect());

        DockerImage relative = await builder.BuildAsync(new ImageBuildRequest { ContextDirectory = context, Dockerfile = "docker/Dockerfile.alt", Target = "base", Tags = new[] { lab.Reference(lab.Registry, "stage", "base") } });
        DockerImage external = await builder.BuildAsync(new ImageBuildRequest { ContextDirectory = context, Dockerfile = Path.Combine(outside, "Dockerfile.out"), NoCache = true, Tags = new[] { lab.Reference(lab.Registry, "stage", "final") } });

        Assert.Equal("base", await lab.DockerAsync("run", "--rm", relative.Id, "cat", "/stage"));
        Assert.Equal("final", await lab.DockerAsync("run", "--rm", external.Id, "cat", "/stage"));
    }

    [SkippableFact]
    public async Task A_failing_run_step_fails_with_the_step_its_error_and_its_last_output_and_leaves_no_container()
    {
        await using ImageLab lab = await ImageLab.StartAsync();
        string context = lab.Context("fail", new Dictionary<string, string>
        {
            ["Dockerfile"] = $"FROM {lab.BaseImage}\nRUN echo about-to-fail-{lab.Prefix} && exit 3\n",
        });

        OpsToolsException problem = await Assert.ThrowsAsync<OpsToolsException>(() =>
            new ImageBuilder(lab.Connect()).BuildAsync(new ImageBuildRequest { ContextDirectory = context, Tags = new[] { lab.Reference(lab.Registry, "fail", "v1") } }));

        Assert.Equal("DockerImageBuildFailed", problem.ErrorId);
        Assert.Equal(OpsToolsErrorKind.InvalidOperation, problem.Kind);
        Assert.Contains("Step 2/2", problem.Message, StringComparison.Ordinal);
        Assert.Contains("returned a non-zero code: 3", problem.Message, StringComparison.Ordinal);
        Assert.Contains($"about-to-fail-{lab.Prefix}", problem.Message, StringComparison.Ordinal);
        string containers = await lab.DockerAsync("ps", "--all", "--no-trunc", "--format", "{{.Command}}");
        Assert.DoesNotContain(lab.Prefix, containers, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_dockerfile_the_daemon_cannot_parse_is_reported_as_invalid_with_the_line()
    {
        await using ImageLab lab = await ImageLab.StartAsync();
        string context = lab.Context("syntax", new Dictionary<string, string> { ["Dockerfile"] = $"FROM {lab.BaseImage}\nBOGUS instruction\n" });

        OpsToolsException problem = await Assert.ThrowsAsync<OpsToolsException>(() =>
            new ImageBuilder(lab.Connect()).BuildAsync(new ImageBuildRequest { ContextDirectory = context }));

        Assert.Equal("DockerfileInvalid", problem.ErrorId);
        Assert.Equal(OpsToolsErrorKind.InvalidArgument, problem.Kind);
        Assert.Contains("line 2", problem.Message, StringComparison.Ordinal);
        Assert.Contains("BOGUS", problem.Message, StringComparison.OrdinalIgnoreCase);
    }

    [SkippableFact]
    public async Task A_large_context_is_sent_as_a_stream_while_the_daemon_reads_it()
    {
        await using ImageLab lab = await ImageLab.StartAsync();
        string context = lab.Context("large", new Dictionary<string, string> { ["Dockerfile"] = $"FROM {lab.BaseImage}\nCOPY blob /blob\n" });
        const int Size = 32 * 1024 * 1024;
        await using (FileStream blob = File.Create(Path.Combine(context, "blob")))
        {
            blob.SetLength(Size);
        }

        var sent = new List<long>();
        DockerImage image = await new ImageBuilder(lab.Connect()).BuildAsync(
            new ImageBuildRequest { ContextDirectory = context, Tags = new[] { lab.Reference(lab.Registry, "large", "v1") } },
            new SynchronousProgress<DockerImageBuildProgress>(p => { if (p.Line is null) { sent.Add(p.ContextBytesSent); } }));

        Assert.True(sent.Count > 100, $"the context went out in {sent.Count} writes");
        Assert.True(sent[^1] > Size);
        Assert.Equal(sent.OrderBy(s => s), sent);
        Assert.Equal(Size.ToString(System.Globalization.CultureInfo.InvariantCulture), await lab.DockerAsync("run", "--rm", image.Id, "stat", "-c", "%s", "/blob"));
    }

    [SkippableFact]
    public async Task Bad_input_is_refused_before_anything_is_sent()
    {
        await using ImageLab lab = await ImageLab.StartAsync();
        string context = lab.Context("bad", new Dictionary<string, string> { ["Dockerfile"] = $"FROM {lab.BaseImage}\n" });
        var builder = new ImageBuilder(lab.Connect());

        OpsToolsException noContext = await Assert.ThrowsAsync<OpsToolsException>(() => builder.BuildAsync(new ImageBuildRequest { ContextDirectory = Path.Combine(context, "nope") }));
        OpsToolsException noDockerfile = await Assert.ThrowsAsync<OpsToolsException>(() => builder.BuildAsync(new ImageBuildRequest { ContextDirectory = context, Dockerfile = "Dockerfile.missing" }));
        OpsToolsException badTag = await Assert.ThrowsAsync<OpsToolsException>(() => builder.BuildAsync(new ImageBuildRequest { ContextDirectory = context, Tags = new[] { "Upper/Case:1" } }));

        Assert.Equal(("DockerBuildContextNotFound", OpsToolsErrorKind.ObjectNotFound), (noContext.ErrorId, noContext.Kind));
        Assert.Equal(("DockerfileNotFound", OpsToolsErrorKind.ObjectNotFound), (noDockerfile.ErrorId, noDockerfile.Kind));
        Assert.Equal(("ImageReferenceInvalid", OpsToolsErrorKind.InvalidArgument), (badTag.ErrorId, badTag.Kind));
    }
}

/// <summary>An IProgress that runs its handler on the reporting thread (Progress&lt;T&gt; would post it elsewhere).</summary>
internal sealed class SynchronousProgress<T>(Action<T> handler) : IProgress<T>
{
    private readonly object _gate = new();

    public void Report(T value)
    {
        lock (_gate)
        {
            handler(value);
        }
    }
}
