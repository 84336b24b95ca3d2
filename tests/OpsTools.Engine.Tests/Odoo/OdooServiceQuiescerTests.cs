using System.Threading.Tasks;
using OpsTools.Engine.Odoo;
using OpsTools.Engine.Tests.Swarm;

namespace OpsTools.Engine.Tests.Odoo;

[Collection(SwarmChangeCollection.Name)]
public sealed class OdooServiceQuiescerTests
{
    private const string Forever = "trap 'exit 0' TERM; while true; do sleep 1; done";

    [SkippableFact]
    public async Task Scaling_to_zero_waits_for_the_tasks_to_stop_and_restore_puts_the_count_back()
    {
        await using LabServices lab = await LabServices.StartAsync();
        string id = await lab.CreateAsync("odoo", Forever, "--replicas", "2");
        await lab.WaitForReplicasAsync(id, "2/2");

        long previous = await OdooServiceQuiescer.GetReplicasAsync(lab.Connect(), id);
        await OdooServiceQuiescer.ScaleToZeroAsync(lab.Connect(), id, System.TimeSpan.FromMinutes(1));

        Assert.Equal(2, previous);
        Assert.Equal("0", (await lab.InspectAsync(id, "{{.Spec.Mode.Replicated.Replicas}}")).Trim());
        Assert.Equal(string.Empty, (await Lab.DockerCli.RunAsync(lab.DockerHost, "service", "ps", "--filter", "desired-state=running", "--format", "{{.ID}}", id)).Trim());

        await OdooServiceQuiescer.RestoreAsync(lab.Connect(), id, previous);

        Assert.Equal("2", (await lab.InspectAsync(id, "{{.Spec.Mode.Replicated.Replicas}}")).Trim());
    }

    [SkippableFact]
    public async Task A_missing_service_is_named()
    {
        await using LabServices lab = await LabServices.StartAsync();

        OpsToolsException error = await Assert.ThrowsAsync<OpsToolsException>(() => OdooServiceQuiescer.GetReplicasAsync(lab.Connect(), lab.Prefix + "-nope"));

        Assert.Equal(OpsToolsErrorKind.ObjectNotFound, error.Kind);
    }
}
