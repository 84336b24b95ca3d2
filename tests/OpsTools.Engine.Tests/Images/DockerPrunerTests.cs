using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using OpsTools.Docker;
using OpsTools.Engine.Docker;

namespace OpsTools.Engine.Tests.Images;

/// <summary>
/// The daemon is shared with other test runs: every object here carries the label
/// opsimg.test=&lt;this test's prefix&gt;, and every FindAsync/RemoveAsync is restricted to it.
/// Nothing calls the daemon's prune endpoints; fixtures are removed by id.
/// </summary>
[Collection(ImageCollection.Name)]
public sealed class DockerPrunerTests
{
    [SkippableFact]
    public async Task Candidates_are_the_stopped_unused_and_dangling_objects_carrying_the_label_and_nothing_in_use()
    {
        await using ImageLab lab = await ImageLab.StartAsync();
        await using PruneFixture fixture = await PruneFixture.CreateAsync(lab);
        var pruner = new DockerPruner(lab.Connect());
        var filter = new DockerPruneFilter { Labels = new[] { fixture.Label } };

        IReadOnlyList<DockerPruneItem> containers = await pruner.FindAsync(DockerObjectKind.Container, filter);
        IReadOnlyList<DockerPruneItem> dangling = await pruner.FindAsync(DockerObjectKind.Image, filter);
        IReadOnlyList<DockerPruneItem> unused = await pruner.FindAsync(DockerObjectKind.Image, new DockerPruneFilter { Labels = new[] { fixture.Label }, AllImages = true });
        IReadOnlyList<DockerPruneItem> volumes = await pruner.FindAsync(DockerObjectKind.Volume, filter);
        IReadOnlyList<DockerPruneItem> networks = await pruner.FindAsync(DockerObjectKind.Network, filter);

        Assert.Equal(new[] { fixture.StoppedContainer }, containers.Select(c => c.Id));
        Assert.Equal(new[] { fixture.DanglingImage }, dangling.Select(i => i.Id));
        Assert.Equal("<none>", dangling[0].Name);
        Assert.Equal(new[] { fixture.DanglingImage, fixture.TaggedImage }.OrderBy(i => i), unused.Select(i => i.Id).OrderBy(i => i));
        Assert.Equal(new[] { fixture.UnusedVolume }, volumes.Select(v => v.Name));
        Assert.Equal(new[] { fixture.UnusedNetwork, fixture.KeptNetwork }.OrderBy(n => n), networks.Select(n => n.Name).OrderBy(n => n));
        Assert.True(dangling[0].Size > 0);
    }

    [SkippableFact]
    public async Task Removing_the_candidates_removes_them_and_frees_what_only_they_used()
    {
        await using ImageLab lab = await ImageLab.StartAsync();
        await using PruneFixture fixture = await PruneFixture.CreateAsync(lab);
        var pruner = new DockerPruner(lab.Connect());
        var filter = new DockerPruneFilter { Labels = new[] { fixture.Label } };

        var going = new HashSet<string>();
        foreach (DockerPruneItem container in await pruner.FindAsync(DockerObjectKind.Container, filter))
        {
            Assert.True(await pruner.RemoveAsync(container));
            going.Add(container.Id);
        }

        IReadOnlyList<DockerPruneItem> volumes = await pruner.FindAsync(DockerObjectKind.Volume, filter, going);
        foreach (DockerPruneItem item in volumes.Concat(await pruner.FindAsync(DockerObjectKind.Image, filter, going)).Concat(await pruner.FindAsync(DockerObjectKind.Network, filter, going)))
        {
            Assert.True(await pruner.RemoveAsync(item));
        }

        // The stopped container held the second volume: once it is gone, that volume is unused too.
        Assert.Equal(new[] { fixture.StoppedContainerVolume, fixture.UnusedVolume }.OrderBy(v => v), volumes.Select(v => v.Name).OrderBy(v => v));
        string allContainers = await lab.DockerAsync("ps", "--all", "--quiet", "--no-trunc", "--filter", "label=" + fixture.Label);
        Assert.Equal(fixture.RunningContainer, allContainers);
        Assert.Empty(await lab.DockerAsync("image", "ls", "--quiet", "--no-trunc", "--filter", "dangling=true", "--filter", "label=" + fixture.Label));
        Assert.Equal(fixture.TaggedImage, await lab.DockerAsync("image", "ls", "--quiet", "--no-trunc", "--filter", "label=" + fixture.Label));
        Assert.Equal(fixture.UsedVolume, await lab.DockerAsync("volume", "ls", "--quiet", "--filter", "label=" + fixture.Label));
        Assert.Equal(fixture.UsedNetwork, await lab.DockerAsync("network", "ls", "--format", "{{.Name}}", "--filter", "label=" + fixture.Label));
    }

    [SkippableFact]
    public async Task Until_and_negated_labels_narrow_the_candidates()
    {
        await using ImageLab lab = await ImageLab.StartAsync();
        await using PruneFixture fixture = await PruneFixture.CreateAsync(lab);
        var pruner = new DockerPruner(lab.Connect());

        IReadOnlyList<DockerPruneItem> beforeFixture = await pruner.FindAsync(DockerObjectKind.Container, new DockerPruneFilter { Labels = new[] { fixture.Label }, Until = DateTimeOffset.UtcNow.AddHours(-1) });
        IReadOnlyList<DockerPruneItem> notKept = await pruner.FindAsync(DockerObjectKind.Network, new DockerPruneFilter { Labels = new[] { fixture.Label, "!opsimg.keep" } });
        IReadOnlyList<DockerPruneItem> kept = await pruner.FindAsync(DockerObjectKind.Network, new DockerPruneFilter { Labels = new[] { fixture.Label, "opsimg.keep=yes" } });

        Assert.Empty(beforeFixture);
        Assert.Equal(new[] { fixture.UnusedNetwork }, notKept.Select(n => n.Name));
        Assert.Equal(new[] { fixture.KeptNetwork }, kept.Select(n => n.Name));
    }

    [SkippableFact]
    public async Task A_bad_label_or_until_with_volumes_is_refused()
    {
        await using ImageLab lab = await ImageLab.StartAsync();
        var pruner = new DockerPruner(lab.Connect());

        OpsToolsException label = await Assert.ThrowsAsync<OpsToolsException>(() => pruner.FindAsync(DockerObjectKind.Container, new DockerPruneFilter { Labels = new[] { "bad key=1" } }));
        OpsToolsException until = await Assert.ThrowsAsync<OpsToolsException>(() => pruner.FindAsync(DockerObjectKind.Volume, new DockerPruneFilter { Labels = new[] { "opsimg.test=" + lab.Prefix }, Until = DateTimeOffset.UtcNow }));

        Assert.Equal(("DockerPruneLabelInvalid", OpsToolsErrorKind.InvalidArgument), (label.ErrorId, label.Kind));
        Assert.Equal(("DockerPruneUntilVolumes", OpsToolsErrorKind.InvalidArgument), (until.ErrorId, until.Kind));
    }

    /// <summary>Objects of every kind, in use and not, all labelled for this test; removed by id afterwards.</summary>
    private sealed class PruneFixture : IAsyncDisposable
    {
        private readonly ImageLab _lab;

        private PruneFixture(ImageLab lab)
        {
            _lab = lab;
            Label = "opsimg.test=" + lab.Prefix;
        }

        public string Label { get; }

        public string StoppedContainer { get; private set; } = string.Empty;

        public string StoppedContainerVolume => _lab.Prefix + "-held";

        public string RunningContainer { get; private set; } = string.Empty;

        public string DanglingImage { get; private set; } = string.Empty;

        public string TaggedImage { get; private set; } = string.Empty;

        public string UnusedVolume => _lab.Prefix + "-unused";

        public string UsedVolume => _lab.Prefix + "-used";

        public string UnusedNetwork => _lab.Prefix + "-unused";

        public string KeptNetwork => _lab.Prefix + "-kept";

        public string UsedNetwork => _lab.Prefix + "-used";

        public static async Task<PruneFixture> CreateAsync(ImageLab lab)
        {
            var fixture = new PruneFixture(lab);
            try
            {
                await fixture.CreateObjectsAsync();
            }
            catch
            {
                await fixture.DisposeAsync();
                throw;
            }

            return fixture;
        }

        private async Task CreateObjectsAsync()
        {
            string tag = $"{_lab.Prefix}/prune:1";
            string first = await _lab.CliBuildAsync(tag, "first " + _lab.Prefix, "--label", Label);
            // Re-building the tag with other content leaves the first image dangling.
            TaggedImage = await _lab.CliBuildAsync(tag, "second " + _lab.Prefix, "--label", Label);
            DanglingImage = first;
            foreach (string volume in new[] { UnusedVolume, UsedVolume, StoppedContainerVolume })
            {
                await _lab.DockerAsync("volume", "create", "--label", Label, volume);
            }

            await _lab.DockerAsync("network", "create", "--label", Label, UnusedNetwork);
            await _lab.DockerAsync("network", "create", "--label", Label, "--label", "opsimg.keep=yes", KeptNetwork);
            await _lab.DockerAsync("network", "create", "--label", Label, UsedNetwork);
            StoppedContainer = await _lab.DockerAsync("create", "--label", Label, "--volume", StoppedContainerVolume + ":/data", _lab.BaseImage, "true");
            RunningContainer = await _lab.DockerAsync("run", "--detach", "--init", "--label", Label, "--network", UsedNetwork, "--volume", UsedVolume + ":/data", _lab.BaseImage, "sleep", "600");
        }

        public async ValueTask DisposeAsync()
        {
            foreach (string container in new[] { RunningContainer, StoppedContainer }.Where(c => c.Length > 0))
            {
                await Quietly("rm", "--force", container);
            }

            foreach (string volume in new[] { UnusedVolume, UsedVolume, StoppedContainerVolume })
            {
                await Quietly("volume", "rm", volume);
            }

            foreach (string network in new[] { UnusedNetwork, KeptNetwork, UsedNetwork })
            {
                await Quietly("network", "rm", network);
            }

            if (DanglingImage.Length > 0)
            {
                await Quietly("image", "rm", DanglingImage);
            }
        }

        private async Task Quietly(params string[] arguments)
        {
            try
            {
                await _lab.DockerAsync(arguments);
            }
            catch (InvalidOperationException)
            {
                // Removed by the test itself.
            }
        }
    }
}
