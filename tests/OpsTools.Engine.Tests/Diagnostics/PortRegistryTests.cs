using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using OpsTools.Diagnostics;
using OpsTools.Engine.Diagnostics;

namespace OpsTools.Engine.Tests.Diagnostics;

/// <summary>Registries and compose files written for each test; the host's sockets given explicitly or read for real.</summary>
public sealed class PortRegistryTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("opstools-df-ports-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string relative, string text)
    {
        string path = Path.Combine(_directory, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private static Task<IReadOnlyList<PortRegistryFinding>> CheckAsync(string registry, params string[] compose) =>
        PortRegistry.CheckAsync(registry, compose, Array.Empty<string>(), Array.Empty<ListeningPort>());

    [Fact]
    public async Task Reports_overlapping_blocks_and_registered_ports_outside_or_shared()
    {
        string registry = Write("PORT_REGISTRY.yaml",
            "blocks:\n  billing:\n    range: 8100-8199\n    services:\n      api: 8101\n      worker: 8160\n  crm:\n    range: 8150-8249\n    services:\n      web: 8160\n      admin: 8300\n");

        IReadOnlyList<PortRegistryFinding> findings = await CheckAsync(registry);

        PortRegistryFinding overlap = Assert.Single(findings, f => f.Kind == PortRegistryFindingKind.BlockOverlap);
        Assert.Equal(8150, overlap.Port);
        Assert.Equal(7, overlap.Line);
        Assert.Equal("admin", Assert.Single(findings, f => f.Kind == PortRegistryFindingKind.RegisteredPortOutsideBlock).Service);
        Assert.Equal("web", Assert.Single(findings, f => f.Kind == PortRegistryFindingKind.RegisteredPortDuplicate).Service);
    }

    [Fact]
    public async Task Reports_compose_ports_outside_their_block_mismatched_and_published_twice()
    {
        string registry = Write("PORT_REGISTRY.yaml",
            "blocks:\n  billing:\n    range: 8100-8199\n    services:\n      api: 8101\n  crm:\n    range: 8200-8299\n");
        string billing = Write("billing/docker-compose.yml",
            "services:\n  api:\n    image: x\n    ports: ['8102:80']\n  admin:\n    image: x\n    ports: ['8300:80']\n");
        string crm = Write("crm/docker-compose.yml", "services:\n  web:\n    image: x\n    ports: ['8102:80']\n");
        string shop = Write("shop/docker-compose.yml", "services:\n  web:\n    image: x\n    ports: ['9000:80']\n");

        IReadOnlyList<PortRegistryFinding> findings = await CheckAsync(registry, billing, crm, shop);

        Assert.Equal(new[] { "admin@8300", "web@8102" }, Of(findings, PortRegistryFindingKind.PublishedPortOutsideBlock));
        Assert.Equal(new[] { "api@8101" }, Of(findings, PortRegistryFindingKind.PublishedPortMismatch));
        PortRegistryFinding twice = Assert.Single(findings, f => f.Kind == PortRegistryFindingKind.PublishedPortDuplicate);
        Assert.Equal(8102, twice.Port);
        Assert.Equal("billing/api, crm/web", twice.Service);
        Assert.Equal("shop", Assert.Single(findings, f => f.Kind == PortRegistryFindingKind.ProjectNotRegistered).Project);
    }

    [Fact]
    public async Task Reports_a_registered_port_listening_on_this_host_with_its_process()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        string registry = Write("PORT_REGISTRY.yaml", $"blocks:\n  test:\n    range: {port}-{port}\n    services:\n      probe: {port}\n");

        IReadOnlyList<PortRegistryFinding> findings = await PortRegistry.CheckAsync(registry, Array.Empty<string>(), Array.Empty<string>());

        PortRegistryFinding inUse = Assert.Single(findings, f => f.Kind == PortRegistryFindingKind.PortInUse);
        Assert.Equal(port, inUse.Port);
        if (OperatingSystem.IsLinux())
        {
            Assert.Equal(Environment.ProcessId, inUse.ProcessId);
        }
    }

    [Theory]
    [InlineData("blocks:\n  billing:\n    range: 8100-\n", 3)]
    [InlineData("blocks:\n  billing:\n    range: 8100-8199\n    servces: {}\n", 4)]
    [InlineData("blocks:\n  billing:\n    range: 8100-8199\n    services:\n      api: http\n", 5)]
    public async Task Refuses_a_malformed_registry_naming_the_line(string yaml, int line)
    {
        string registry = Write("PORT_REGISTRY.yaml", yaml);

        OpsToolsException error = await Assert.ThrowsAsync<OpsToolsException>(() => CheckAsync(registry));

        Assert.Equal("PortRegistryInvalid", error.ErrorId);
        Assert.Equal(OpsToolsErrorKind.InvalidData, error.Kind);
        Assert.Contains($"PORT_REGISTRY.yaml:{line}:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refuses_a_registry_that_is_not_yaml_with_PortRegistryInvalid()
    {
        string registry = Write("PORT_REGISTRY.yaml", "blocks:\n  billing: [\n");

        OpsToolsException error = await Assert.ThrowsAsync<OpsToolsException>(() => CheckAsync(registry));

        Assert.Equal("PortRegistryInvalid", error.ErrorId);
        Assert.Contains("PORT_REGISTRY.yaml:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refuses_a_missing_registry_with_PortRegistryNotFound()
    {
        OpsToolsException error = await Assert.ThrowsAsync<OpsToolsException>(() => CheckAsync(Path.Combine(_directory, "none.yaml")));

        Assert.Equal("PortRegistryNotFound", error.ErrorId);
        Assert.Equal(OpsToolsErrorKind.ObjectNotFound, error.Kind);
    }

    private static string[] Of(IEnumerable<PortRegistryFinding> findings, PortRegistryFindingKind kind) =>
        findings.Where(f => f.Kind == kind).Select(f => $"{f.Service}@{f.Port}").OrderBy(s => s, StringComparer.Ordinal).ToArray();
}
