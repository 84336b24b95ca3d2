using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using OpsTools.Engine.Swarm;
using OpsTools.Swarm;

namespace OpsTools.Engine.Tests.Swarm;

[Collection(SwarmChangeCollection.Name)]
public sealed class SwarmObjectStoreTests
{
    private const string Forever = "trap 'exit 0' TERM; while true; do sleep 1; done";

    [SkippableFact]
    public async Task Secrets_are_listed_with_their_stack_and_the_services_that_use_them()
    {
        await using LabSwarmObjects objects = LabSwarmObjects.Start();
        await using LabServices lab = await LabServices.StartAsync();
        string usedId = await objects.CreateAsync("secret", "used", "s3cret-value", "--label", "com.docker.stack.namespace=" + objects.Prefix + "-stack");
        string idleId = await objects.CreateAsync("secret", "idle", "other");
        await lab.CreateAsync("user", Forever, "--replicas", "0", "--secret", "source=" + objects.Prefix + "-used,target=db_password");

        IReadOnlyList<OpsTools.Swarm.SwarmSecret> secrets = await new SwarmObjectStore(lab.Connect()).GetSecretsAsync();

        OpsTools.Swarm.SwarmSecret used = secrets.Single(s => s.Id == usedId);
        OpsTools.Swarm.SwarmSecret idle = secrets.Single(s => s.Id == idleId);
        Assert.Equal(objects.Prefix + "-used", used.Name);
        Assert.Equal(objects.Prefix + "-stack", used.Stack);
        Assert.Equal(new[] { lab.Prefix + "-user" }, used.Services);
        Assert.Equal(1, used.ServiceCount);
        Assert.Empty(idle.Services);
        Assert.Null(idle.Stack);
        Assert.NotNull(used.CreatedAt);
        Assert.Equal(TimeSpan.Zero, used.CreatedAt!.Value.Offset);
    }

    [SkippableFact]
    public async Task A_created_secret_carries_its_labels_and_the_daemon_refuses_nothing_we_did_not_check_first()
    {
        await using LabSwarmObjects objects = LabSwarmObjects.Start();
        await using LabServices lab = await LabServices.StartAsync();
        var store = new SwarmObjectStore(lab.Connect());
        string name = objects.Prefix + "-new";

        OpsTools.Swarm.SwarmSecret created = await store.CreateSecretAsync(name, Encoding.UTF8.GetBytes("value"), new Dictionary<string, string> { ["team"] = "ops" });
        OpsToolsException exists = await Assert.ThrowsAsync<OpsToolsException>(() => store.CreateSecretAsync(name, Encoding.UTF8.GetBytes("again")));
        OpsToolsException badName = await Assert.ThrowsAsync<OpsToolsException>(() => store.CreateSecretAsync(objects.Prefix + "/bad", Encoding.UTF8.GetBytes("x")));
        OpsToolsException empty = await Assert.ThrowsAsync<OpsToolsException>(() => store.CreateSecretAsync(objects.Prefix + "-empty", Array.Empty<byte>()));
        OpsToolsException large = await Assert.ThrowsAsync<OpsToolsException>(() => store.CreateSecretAsync(objects.Prefix + "-large", new byte[SwarmObjectStore.MaxSecretBytes + 1]));

        Assert.Equal(name, created.Name);
        Assert.Equal("ops", created.Labels["team"]);
        Assert.Equal("ops", await DockerCliInspect(lab, "secret", name, "{{index .Spec.Labels \"team\"}}"));
        Assert.Equal(("SwarmSecretExists", OpsToolsErrorKind.ResourceExists), (exists.ErrorId, exists.Kind));
        Assert.Equal(("SwarmSecretNameInvalid", OpsToolsErrorKind.InvalidArgument), (badName.ErrorId, badName.Kind));
        Assert.Equal(("SwarmSecretDataEmpty", OpsToolsErrorKind.InvalidArgument), (empty.ErrorId, empty.Kind));
        Assert.Equal(("SwarmSecretDataTooLarge", OpsToolsErrorKind.InvalidArgument), (large.ErrorId, large.Kind));
        Assert.Equal(new[] { name }, await objects.NamesAsync("secret"));
        Assert.DoesNotContain("again", exists.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Configs_are_read_back_with_their_size_and_with_their_data_only_when_asked()
    {
        await using LabSwarmObjects objects = LabSwarmObjects.Start();
        await using LabServices lab = await LabServices.StartAsync();
        var store = new SwarmObjectStore(lab.Connect());
        OpsTools.Swarm.SwarmConfig created = await store.CreateConfigAsync(objects.Prefix + "-conf", Encoding.UTF8.GetBytes("[options]\nworkers = 4\n"));

        OpsTools.Swarm.SwarmConfig plain = (await store.GetConfigsAsync()).Single(c => c.Id == created.Id);
        OpsTools.Swarm.SwarmConfig withData = (await store.GetConfigsAsync(includeData: true)).Single(c => c.Id == created.Id);

        Assert.Equal(22, plain.Size);
        Assert.Null(plain.Data);
        Assert.Equal("[options]\nworkers = 4\n", withData.Data);
    }

    [SkippableFact]
    public async Task Removing_an_object_a_service_uses_is_refused_naming_the_service_and_an_unused_one_is_removed()
    {
        await using LabSwarmObjects objects = LabSwarmObjects.Start();
        await using LabServices lab = await LabServices.StartAsync();
        await objects.CreateAsync("config", "used", "a");
        await objects.CreateAsync("config", "idle", "b");
        await lab.CreateAsync("user", Forever, "--replicas", "0", "--config", "source=" + objects.Prefix + "-used,target=/etc/app.conf");
        var store = new SwarmObjectStore(lab.Connect());

        OpsToolsException inUse = await Assert.ThrowsAsync<OpsToolsException>(() => store.RemoveAsync(SwarmObjectKind.Config, objects.Prefix + "-used"));
        OpsToolsException missing = await Assert.ThrowsAsync<OpsToolsException>(() => store.RemoveAsync(SwarmObjectKind.Config, objects.Prefix + "-nosuch"));
        (string removed, _) = await store.RemoveAsync(SwarmObjectKind.Config, objects.Prefix + "-idle");

        Assert.Equal(("SwarmConfigInUse", OpsToolsErrorKind.InvalidOperation), (inUse.ErrorId, inUse.Kind));
        Assert.Contains(lab.Prefix + "-user", inUse.Message, StringComparison.Ordinal);
        Assert.Equal(("SwarmConfigNotFound", OpsToolsErrorKind.ObjectNotFound), (missing.ErrorId, missing.Kind));
        Assert.Equal(objects.Prefix + "-idle", removed);
        Assert.Equal(new[] { objects.Prefix + "-used" }, await objects.NamesAsync("config"));
    }

    private static Task<string> DockerCliInspect(LabServices lab, string kind, string name, string format) =>
        OpsTools.Engine.Tests.Lab.DockerCli.RunAsync(lab.DockerHost, kind, "inspect", "--format", format, name);
}
