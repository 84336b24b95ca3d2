using System;
using System.Threading.Tasks;
using OpsTools.Engine.Docker;
using OpsTools.Engine.Swarm;
using OpsTools.Engine.Tests.Lab;
using OpsTools.Engine.Tests.Swarm;

namespace OpsTools.Engine.Tests.Docker;

[Collection(SwarmCollection.Name)]
public sealed class DockerConnectionTests(SwarmFixture fixture)
{
    [SkippableFact]
    public async Task The_api_version_is_negotiated_down_to_the_daemons()
    {
        DockerConnection connection = fixture.Connect();
        string daemonApi = await DockerCli.RunAsync(fixture.DockerHost, "version", "--format", "{{.Server.APIVersion}}");

        await connection.GetClientAsync();

        Version expected = Version.Parse(daemonApi) < DockerConnection.MaxApiVersion ? Version.Parse(daemonApi) : DockerConnection.MaxApiVersion;
        Assert.Equal(expected, connection.ApiVersion);
        Assert.False(string.IsNullOrEmpty(connection.EngineVersion));
    }

    [SkippableFact]
    public void Connections_are_reused_per_endpoint()
    {
        DockerConnection first = fixture.Connect();

        Assert.Same(first, DockerConnection.Get(fixture.DockerHost));
    }

    [Fact]
    public async Task An_unreachable_socket_is_a_connection_error_naming_the_endpoint()
    {
        string socket = "unix:///tmp/opstools-missing-" + Guid.NewGuid().ToString("N") + ".sock";
        var inspector = new SwarmInspector(DockerConnection.Get(socket));

        OpsToolsException error = await Assert.ThrowsAsync<OpsToolsException>(() => inspector.GetServicesAsync());

        Assert.Equal("DockerUnreachable", error.ErrorId);
        Assert.Equal(OpsToolsErrorKind.ConnectionError, error.Kind);
        Assert.Contains(socket, error.Message, StringComparison.Ordinal);
        Assert.Contains("-DockerHost", error.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(error.RecommendedAction));
    }

    [Fact]
    public async Task A_closed_tcp_port_is_a_connection_error()
    {
        var inspector = new SwarmInspector(DockerConnection.Get("tcp://127.0.0.1:1"));

        OpsToolsException error = await Assert.ThrowsAsync<OpsToolsException>(() => inspector.GetNodesAsync());

        Assert.Equal(OpsToolsErrorKind.ConnectionError, error.Kind);
        Assert.Contains("127.0.0.1:1", error.Message, StringComparison.Ordinal);
    }
}

public sealed class DockerEndpointTests
{
    [Theory]
    [InlineData("unix:///var/run/docker.sock", "unix:///var/run/docker.sock")]
    [InlineData("tcp://10.0.0.5:2376", "tcp://10.0.0.5:2376")]
    [InlineData("127.0.0.1:2375", "tcp://127.0.0.1:2375")]
    [InlineData("dockerhost", "tcp://dockerhost:2375")]
    public void Explicit_hosts_are_parsed_like_the_docker_cli(string host, string expected)
    {
        DockerEndpoint endpoint = DockerEndpoint.Resolve(host);

        Assert.Equal(expected, endpoint.DisplayName);
        Assert.Equal(DockerEndpointSource.Parameter, endpoint.Source);
    }

    [Theory]
    [InlineData("ftp://host")]
    [InlineData("tcp://")]
    public void Hosts_that_are_not_docker_endpoints_are_invalid_arguments(string host)
    {
        OpsToolsException error = Assert.Throws<OpsToolsException>(() => DockerEndpoint.Resolve(host));

        Assert.Equal(OpsToolsErrorKind.InvalidArgument, error.Kind);
        Assert.Equal(host, error.Target);
    }
}
