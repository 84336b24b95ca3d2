using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using OpsTools.Engine.Ceph;
using OpsTools.Engine.Tests.Lab;
using OpsTools.Engine.Tests.Swarm;

namespace OpsTools.Engine.Tests.Ceph;

[Collection(SwarmCollection.Name)]
public sealed class SwarmServiceMountTests(SwarmFixture fixture)
{
    [SkippableFact]
    public async Task Bind_mounts_and_bound_local_volumes_of_services_are_listed_with_their_state()
    {
        var connection = fixture.Connect();
        string name = fixture.Prefix + "-mounts";
        string scaled = fixture.Prefix + "-scaled";
        await DockerCli.RunAsync(fixture.DockerHost, "service", "create", "--detach", "--name", name, "--stop-grace-period", "1s",
            "--mount", "type=bind,source=/tmp,target=/data",
            "--mount", "type=volume,source=" + name + "-vol,target=/files,volume-driver=local,volume-opt=type=none,volume-opt=o=bind,volume-opt=device=/var/tmp",
            fixture.Image, "sleep", "600");
        await DockerCli.RunAsync(fixture.DockerHost, "service", "create", "--detach", "--name", scaled, "--replicas", "0",
            "--mount", "type=bind,source=/tmp,target=/data", fixture.Image, "sleep", "600");
        try
        {
            IReadOnlyList<SwarmServiceMount> mounts = await SwarmServiceMount.GetAsync(connection);

            SwarmServiceMount bind = Assert.Single(mounts, m => m.ServiceName == name && m.Target == "/data");
            Assert.Equal("/tmp", bind.Source);
            Assert.True(bind.IsRunning);
            SwarmServiceMount volume = Assert.Single(mounts, m => m.ServiceName == name && m.Target == "/files");
            Assert.Equal("/var/tmp", volume.Source);
            Assert.False(Assert.Single(mounts, m => m.ServiceName == scaled).IsRunning);
            Assert.Contains(name, SwarmServiceMount.ServicesUsing(mounts, "/tmp"));
            Assert.DoesNotContain(scaled, SwarmServiceMount.ServicesUsing(mounts, "/tmp"));
        }
        finally
        {
            await DockerCli.RunAsync(fixture.DockerHost, "service", "rm", name, scaled);
        }
    }
}
