using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using OpsTools.Compose;
using OpsTools.Diagnostics;
using OpsTools.Engine.Compose;

namespace OpsTools.Engine.Diagnostics;

/// <summary>A block of ports of the registry, owned by one compose project.</summary>
/// <param name="Name">Block name.</param>
/// <param name="First">First port.</param>
/// <param name="Last">Last port.</param>
/// <param name="Owner">Who owns it (free text).</param>
/// <param name="Project">Compose project the block is for (the block's name unless <c>project:</c> says otherwise).</param>
/// <param name="Services">Service name to its registered port, with the line.</param>
/// <param name="Line">Line of the block in the registry.</param>
internal sealed record PortBlock(string Name, int First, int Last, string? Owner, string Project, IReadOnlyDictionary<string, (int Port, int Line)> Services, int Line)
{
    public bool Contains(int port) => port >= First && port <= Last;

    public string RangeText => string.Create(CultureInfo.InvariantCulture, $"{First}-{Last}");
}

/// <summary>
/// The port registry (<c>PORT_REGISTRY.yaml</c>) that replaces <c>npm run ports:check</c>, and its check
/// against compose files and this host's listening sockets. Format:
/// <code>
/// blocks:
///   billing:                 # block name
///     range: 8100-8199       # required, first-last (1-65535)
///     owner: team-billing    # optional, free text
///     project: billing       # optional compose project name; default: the block name
///     services:              # optional: a service's port, inside the range
///       api: 8101
/// </code>
/// A compose file's project is the name of its directory, as <c>docker compose</c> names it.
/// </summary>
public static class PortRegistry
{
    private static readonly HashSet<string> BlockKeys = new(StringComparer.Ordinal) { "range", "owner", "project", "services" };

    /// <summary>Checks a registry, and compose files against it, and the registered ports against this host.</summary>
    /// <param name="registryPath">The registry file.</param>
    /// <param name="composePaths">Compose files, each its own project.</param>
    /// <param name="envFiles">Env files for the compose files' interpolation.</param>
    /// <param name="listening">Listening sockets of this host, or null to read them.</param>
    /// <param name="cancellationToken">Cancels between files.</param>
    /// <returns>The findings.</returns>
    /// <exception cref="OpsToolsException"><c>PortRegistryNotFound</c>, <c>PortRegistryInvalid</c>, compose loading errors.</exception>
    public static async Task<IReadOnlyList<PortRegistryFinding>> CheckAsync(
        string registryPath, IReadOnlyList<string> composePaths, IReadOnlyList<string> envFiles, IReadOnlyList<ListeningPort>? listening = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(registryPath);
        ArgumentNullException.ThrowIfNull(composePaths);
        ArgumentNullException.ThrowIfNull(envFiles);
        string registryFile = Path.GetFullPath(registryPath);
        IReadOnlyList<PortBlock> blocks = Load(registryFile);
        var findings = new List<PortRegistryFinding>();
        var publishers = new List<Publisher>();
        CheckRegistry(registryFile, blocks, findings);
        foreach (string composePath in composePaths)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string composeFile = Path.GetFullPath(composePath);
            ComposeProject project = await ComposeLoader.LoadAsync(new ComposeLoadOptions { Paths = new[] { composeFile }, EnvFiles = envFiles }, cancellationToken).ConfigureAwait(false);
            CheckCompose(composeFile, project, blocks, findings, publishers);
        }

        CheckDuplicates(publishers, findings);
        listening ??= await ListeningPortReader.ReadAsync(cancellationToken).ConfigureAwait(false);
        foreach (PortBlock block in blocks)
        {
            foreach ((string service, (int port, int line)) in block.Services.OrderBy(s => s.Value.Port))
            {
                if (listening.FirstOrDefault(l => l.Port == port) is { } socket)
                {
                    findings.Add(new PortRegistryFinding
                    {
                        Kind = PortRegistryFindingKind.PortInUse,
                        Severity = FindingSeverity.Warning,
                        Port = port,
                        Block = block.Name,
                        Service = service,
                        ProcessId = socket.ProcessId,
                        ProcessName = socket.ProcessName,
                        File = registryFile,
                        Line = line,
                        Message = $"Port {port} of {block.Name}/{service} is already listening on this host ({socket.Protocol.ToString().ToLowerInvariant()} {socket.Endpoint}, {socket.ProcessName ?? "unknown process"}{(socket.ProcessId is { } pid ? " pid " + pid.ToString(CultureInfo.InvariantCulture) : string.Empty)}): expected if the service runs here (docker-proxy), a clash otherwise.",
                    });
                }
            }
        }

        return findings;
    }

    /// <summary>Reads and validates the registry file.</summary>
    /// <param name="file">Full path.</param>
    /// <returns>The blocks, in file order.</returns>
    internal static IReadOnlyList<PortBlock> Load(string file)
    {
        if (!File.Exists(file))
        {
            throw new OpsToolsException("PortRegistryNotFound", OpsToolsErrorKind.ObjectNotFound, $"The port registry {file} does not exist.", file, "Check -Path; relative paths resolve against the current directory.");
        }

        YNode? root;
        try
        {
            root = YamlTreeReader.Read(File.ReadAllText(file), file);
        }
        catch (OpsToolsException ex) when (ex.ErrorId == "ComposeYamlInvalid")
        {
            throw new OpsToolsException("PortRegistryInvalid", OpsToolsErrorKind.InvalidData, ex.Message, file, FormatHelp, ex);
        }

        if (root is not YMapping top || top["blocks"] is not YMapping blockNodes)
        {
            throw Invalid(root?.Mark ?? new SourceMark(file, 1, 1), "the file must be a mapping with a 'blocks' mapping");
        }

        if (top.Keys.FirstOrDefault(k => k != "blocks") is { } unknown)
        {
            throw Invalid(top.KeyMark(unknown), $"unknown top-level key '{unknown}'");
        }

        var blocks = new List<PortBlock>();
        foreach (string name in blockNodes.Keys)
        {
            SourceMark at = blockNodes.KeyMark(name);
            if (blockNodes[name] is not YMapping block)
            {
                throw Invalid(at, $"block '{name}' must be a mapping with a range");
            }

            if (block.Keys.FirstOrDefault(k => !BlockKeys.Contains(k)) is { } extra)
            {
                throw Invalid(block.KeyMark(extra), $"unknown key '{extra}' in block '{name}' (range, owner, project, services)");
            }

            if (block["range"] is not YScalar { Value: { } rangeText } rangeNode)
            {
                throw Invalid(at, $"block '{name}' has no range");
            }

            string[] bounds = rangeText.Split('-', StringSplitOptions.TrimEntries);
            if (bounds.Length != 2 || ParsePort(bounds[0]) is not { } first || ParsePort(bounds[1]) is not { } last || first > last)
            {
                throw Invalid(rangeNode.Mark, $"the range of block '{name}' must be first-last with ports from 1 to 65535 and first <= last");
            }

            var services = new Dictionary<string, (int Port, int Line)>(StringComparer.Ordinal);
            if (block["services"] is YMapping serviceNodes)
            {
                foreach (string service in serviceNodes.Keys)
                {
                    if (serviceNodes[service] is not YScalar { Value: { } portText } portNode || ParsePort(portText) is not { } port)
                    {
                        throw Invalid(serviceNodes.KeyMark(service), $"the port of service '{service}' in block '{name}' must be a number from 1 to 65535");
                    }

                    services[service] = (port, portNode.Mark.Line);
                }
            }
            else if (block["services"] is { } notMapping)
            {
                throw Invalid(notMapping.Mark, $"services of block '{name}' must be a mapping of service: port");
            }

            string? owner = (block["owner"] as YScalar)?.Value;
            string project = (block["project"] as YScalar)?.Value ?? name;
            blocks.Add(new PortBlock(name, first, last, owner, project, services, at.Line));
        }

        return blocks;
    }

    private const string FormatHelp = "The registry is YAML: blocks: { <name>: { range: 8100-8199, owner: <text>, project: <compose project>, services: { <service>: <port> } } }. See Get-Help Test-PortRegistry.";

    private static OpsToolsException Invalid(SourceMark at, string problem) =>
        new("PortRegistryInvalid", OpsToolsErrorKind.InvalidData, $"{at}: {problem}.", at.File, FormatHelp);

    private static int? ParsePort(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port is >= 1 and <= 65535 ? port : null;

    private static void CheckRegistry(string file, IReadOnlyList<PortBlock> blocks, List<PortRegistryFinding> findings)
    {
        for (int i = 0; i < blocks.Count; i++)
        {
            for (int j = i + 1; j < blocks.Count; j++)
            {
                PortBlock a = blocks[i];
                PortBlock b = blocks[j];
                if (a.First <= b.Last && b.First <= a.Last)
                {
                    int from = Math.Max(a.First, b.First);
                    int to = Math.Min(a.Last, b.Last);
                    findings.Add(new PortRegistryFinding
                    {
                        Kind = PortRegistryFindingKind.BlockOverlap,
                        Severity = FindingSeverity.Error,
                        Port = from,
                        Block = a.Name + ", " + b.Name,
                        File = file,
                        Line = b.Line,
                        Message = string.Create(CultureInfo.InvariantCulture, $"Blocks {a.Name} ({a.RangeText}) and {b.Name} ({b.RangeText}) share ports {from}-{to}."),
                    });
                }
            }
        }

        var owners = new Dictionary<int, string>();
        foreach (PortBlock block in blocks)
        {
            foreach ((string service, (int port, int line)) in block.Services)
            {
                if (!block.Contains(port))
                {
                    findings.Add(new PortRegistryFinding
                    {
                        Kind = PortRegistryFindingKind.RegisteredPortOutsideBlock,
                        Severity = FindingSeverity.Error,
                        Port = port,
                        Block = block.Name,
                        Service = service,
                        File = file,
                        Line = line,
                        Message = $"{block.Name}/{service} is registered on port {port}, outside its block's range {block.RangeText}.",
                    });
                }

                if (owners.TryGetValue(port, out string? other))
                {
                    findings.Add(new PortRegistryFinding
                    {
                        Kind = PortRegistryFindingKind.RegisteredPortDuplicate,
                        Severity = FindingSeverity.Error,
                        Port = port,
                        Block = block.Name,
                        Service = service,
                        File = file,
                        Line = line,
                        Message = $"{block.Name}/{service} is registered on port {port}, already given to {other}.",
                    });
                }
                else
                {
                    owners[port] = block.Name + "/" + service;
                }
            }
        }
    }

    private static void CheckCompose(string file, ComposeProject project, IReadOnlyList<PortBlock> blocks, List<PortRegistryFinding> findings, List<Publisher> publishers)
    {
        string projectName = Path.GetFileName(Path.GetDirectoryName(file))!.ToLowerInvariant();
        PortBlock? projectBlock = blocks.FirstOrDefault(b => string.Equals(b.Project, projectName, StringComparison.OrdinalIgnoreCase));
        bool reportedUnregistered = false;
        foreach (ComposeService service in project.Services)
        {
            List<ComposePort> published = service.Ports.Where(p => p.Published is not null).ToList();
            if (published.Count == 0)
            {
                continue;
            }

            PortBlock? block = projectBlock ?? blocks.FirstOrDefault(b => b.Services.ContainsKey(service.Name));
            if (block is null)
            {
                if (!reportedUnregistered)
                {
                    findings.Add(new PortRegistryFinding
                    {
                        Kind = PortRegistryFindingKind.ProjectNotRegistered,
                        Severity = FindingSeverity.Error,
                        Project = projectName,
                        Service = service.Name,
                        File = file,
                        Message = $"The compose project {projectName} publishes ports but no block of the registry is for it (and none registers its service {service.Name}).",
                    });
                    reportedUnregistered = true;
                }

                foreach (ComposePort port in published)
                {
                    publishers.Add(new Publisher((int)port.Published!.Value, port.Protocol, file, projectName, service.Name, null));
                }

                continue;
            }

            foreach (ComposePort port in published)
            {
                int number = (int)port.Published!.Value;
                if (!block.Contains(number))
                {
                    findings.Add(new PortRegistryFinding
                    {
                        Kind = PortRegistryFindingKind.PublishedPortOutsideBlock,
                        Severity = FindingSeverity.Error,
                        Port = number,
                        Block = block.Name,
                        Project = projectName,
                        Service = service.Name,
                        File = file,
                        Message = $"{projectName}/{service.Name} publishes port {number}, outside block {block.Name} ({block.RangeText}).",
                    });
                }

                publishers.Add(new Publisher(number, port.Protocol, file, projectName, service.Name, block.Name));
            }

            if (block.Services.TryGetValue(service.Name, out (int Port, int Line) registered) && published.All(p => (int)p.Published!.Value != registered.Port))
            {
                findings.Add(new PortRegistryFinding
                {
                    Kind = PortRegistryFindingKind.PublishedPortMismatch,
                    Severity = FindingSeverity.Error,
                    Port = registered.Port,
                    Block = block.Name,
                    Project = projectName,
                    Service = service.Name,
                    File = file,
                    Message = $"{projectName}/{service.Name} is registered on port {registered.Port} but publishes {string.Join(", ", published.Select(p => p.Published))}.",
                });
            }
        }
    }

    private static void CheckDuplicates(List<Publisher> publishers, List<PortRegistryFinding> findings)
    {
        foreach (IGrouping<(int, string), Publisher> group in publishers.GroupBy(p => (p.Port, p.Protocol)))
        {
            List<Publisher> users = group.DistinctBy(p => (p.File, p.Service)).ToList();
            if (users.Count < 2)
            {
                continue;
            }

            Publisher first = users[0];
            findings.Add(new PortRegistryFinding
            {
                Kind = PortRegistryFindingKind.PublishedPortDuplicate,
                Severity = FindingSeverity.Error,
                Port = first.Port,
                Block = first.Block,
                Project = first.Project,
                Service = string.Join(", ", users.Select(u => u.Project + "/" + u.Service)),
                File = first.File,
                Message = $"Port {first.Port}/{first.Protocol} is published by {string.Join(" and ", users.Select(u => $"{u.Project}/{u.Service} ({Path.GetFileName(u.File)})"))}.",
            });
        }
    }

    /// <summary>A port a compose service publishes.</summary>
    private sealed record Publisher(int Port, string Protocol, string File, string Project, string Service, string? Block);
}
