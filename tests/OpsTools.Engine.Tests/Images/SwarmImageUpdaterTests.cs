using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using OpsTools.Engine.Images;
using OpsTools.Engine.Swarm;
using OpsTools.Images;
using OpsTools.Swarm;

namespace OpsTools.Engine.Tests.Images;

[Collection(ImageCollection.Name)]
public sealed class SwarmImageUpdaterTests
{
    [SkippableFact]
    public async Task Services_sharing_a_re_pushed_tag_move_to_its_new_digest_and_converge_while_others_stay()
    {
        await using ImageLab lab = await ImageLab.StartAsync();
        string latest = lab.Reference(lab.Registry, "shared", "latest");
        string pinned = lab.Reference(lab.Registry, "shared", "v0");
        var publisher = new ImagePublisher(lab.Connect());
        await lab.CliBuildAsync(latest, "v1 " + lab.Prefix);
        await lab.DockerAsync("tag", latest, pinned);
        DockerImagePush v1 = await publisher.PushAsync(latest, null);
        await publisher.PushAsync(pinned, null);
        lab.TrackManifest(lab.Registry, $"{lab.Prefix}/shared", v1.Digest);
        var ids = new List<string>();
        foreach (string role in new[] { "api", "worker", "beat" })
        {
            ids.Add(await lab.CreateServiceAsync(role, latest));
        }

        string other = await lab.CreateServiceAsync("other", pinned);
        await lab.CliBuildAsync(latest, "v2 " + lab.Prefix);
        DockerImagePush v2 = await publisher.PushAsync(latest, null);
        lab.TrackManifest(lab.Registry, $"{lab.Prefix}/shared", v2.Digest);
        var updater = new SwarmImageUpdater(lab.Connect());

        (string digest, IReadOnlyList<SwarmImageServicePlan> plans) = await updater.PlanAsync(latest, null);
        foreach (SwarmImageServicePlan plan in plans)
        {
            await updater.ApplyAsync(plan, null);
        }

        IReadOnlyList<SwarmServiceConvergence> converged = await new SwarmConvergenceWatcher(lab.Connect()).WaitAsync(
            plans.Select(p => p.Update!.ToWatchTarget()).ToList(), new SwarmConvergenceOptions { Timeout = TimeSpan.FromSeconds(90) });

        Assert.NotEqual(v1.Digest, v2.Digest);
        Assert.Equal(v2.Digest, digest);
        Assert.Equal(new[] { "api", "beat", "worker" }.Select(r => $"{lab.Prefix}-{r}"), plans.Select(p => p.ServiceName));
        Assert.All(plans, p => Assert.Equal(v1.Digest, p.PreviousDigest));
        Assert.All(converged, c => Assert.Equal(SwarmConvergenceState.Converged, c.State));
        foreach (string id in ids)
        {
            Assert.Equal($"{latest}@{v2.Digest}", await lab.DockerAsync("service", "inspect", "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}", id));
            // The running container really runs the re-pushed content.
            string task = await lab.DockerAsync("service", "ps", "--quiet", "--filter", "desired-state=running", id);
            string container = await lab.DockerAsync("inspect", "--format", "{{.Status.ContainerStatus.ContainerID}}", task);
            Assert.Equal(v2.ImageId, await lab.DockerAsync("inspect", "--format", "{{.Image}}", container));
        }

        Assert.Equal($"{pinned}@{v1.Digest}", await lab.DockerAsync("service", "inspect", "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}", other));
        (_, IReadOnlyList<SwarmImageServicePlan> again) = await updater.PlanAsync(latest, null);
        Assert.All(again, p => Assert.True(p.IsUpToDate));
        Assert.Equal(3, again.Count);
    }

    [SkippableFact]
    public async Task A_service_filter_a_missing_tag_and_a_digest_reference_are_handled_before_any_update()
    {
        await using ImageLab lab = await ImageLab.StartAsync();
        string latest = lab.Reference(lab.Registry, "filter", "latest");
        await lab.CliBuildAsync(latest, "f " + lab.Prefix);
        DockerImagePush pushed = await new ImagePublisher(lab.Connect()).PushAsync(latest, null);
        lab.TrackManifest(lab.Registry, $"{lab.Prefix}/filter", pushed.Digest);
        await lab.CreateServiceAsync("one", latest, "--no-resolve-image");
        await lab.CreateServiceAsync("two", latest, "--no-resolve-image");
        var updater = new SwarmImageUpdater(lab.Connect());

        (_, IReadOnlyList<SwarmImageServicePlan> only) = await updater.PlanAsync(latest, null, name => name.EndsWith("-two", StringComparison.Ordinal));
        OpsToolsException missing = await Assert.ThrowsAsync<OpsToolsException>(() => updater.PlanAsync($"{lab.Registry}/{lab.Prefix}/filter:nope", null));
        OpsToolsException digest = await Assert.ThrowsAsync<OpsToolsException>(() => updater.PlanAsync($"{latest}@{pushed.Digest}", null));

        SwarmImageServicePlan plan = Assert.Single(only);
        Assert.Equal($"{lab.Prefix}-two", plan.ServiceName);
        Assert.Null(plan.PreviousDigest);
        Assert.Equal(new[] { $"Image: {latest} -> {latest}@{pushed.Digest}" }, plan.Update!.Changes.Select(c => c.ToString()));
        Assert.Equal(("ImageTagNotFound", OpsToolsErrorKind.ObjectNotFound), (missing.ErrorId, missing.Kind));
        Assert.Equal(("ImageReferenceInvalid", OpsToolsErrorKind.InvalidArgument), (digest.ErrorId, digest.Kind));
    }
}
