using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using OpsTools.Engine.Http;
using OpsTools.Http;
using OpsTools.Infrastructure;

namespace OpsTools.Commands.Http;

/// <summary>
/// <para type="synopsis">Checks HTTP(S) health endpoints in parallel: status, JSON content and latency, each bounded by its own timeout.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "ServiceEndpoint", DefaultParameterSetName = ParameterSets.Uri)]
[OutputType(typeof(ServiceEndpointCheck))]
public sealed class TestServiceEndpointCommand : DockerCmdlet
{
    private const int ProgressActivityId = 0x0902;

    private static class ParameterSets
    {
        public const string Uri = "Uri";
        public const string Service = "Service";
    }

    private readonly List<(Uri Uri, string? Service)> _targets = new();

    /// <summary>Absolute http:// or https:// URIs to check.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ParameterSets.Uri)]
    [ValidateNotNullOrEmpty]
    public string[] Uri { get; set; } = Array.Empty<string>();

    /// <summary>Swarm or compose services whose published TCP ports are checked at http://host:port/Path.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ParameterSets.Service)]
    [Alias("Name")]
    [ValidateNotNullOrEmpty]
    public string[] Service { get; set; } = Array.Empty<string>();

    /// <summary>Compose project of the services (with -Service): their ports are read from the project's containers instead of Swarm.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = ParameterSets.Service)]
    [Alias("ComposeProject")]
    [ArgumentCompleter(typeof(ComposeProjectNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Project { get; set; }

    /// <summary>Path appended to each service's address (with -Service).</summary>
    [Parameter(ParameterSetName = ParameterSets.Service)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "/";

    /// <summary>Host name to reach published ports at (with -Service); default: the Docker host's name, or localhost for a local socket.</summary>
    [Parameter(ParameterSetName = ParameterSets.Service)]
    [ValidateNotNullOrEmpty]
    public string? ServiceHost { get; set; }

    /// <summary>Accepted status codes (default: any status below 400, as curl -f).</summary>
    [Parameter]
    [ValidateRange(100, 599)]
    public int[] ExpectStatus { get; set; } = Array.Empty<int>();

    /// <summary>JSON values the body must hold: @{ status = 'ok'; 'checks.db' = 'up' }.</summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable? ExpectJson { get; set; }

    /// <summary>Time for each request, connecting and reading the whole answer: 5, 5s, 1m or a TimeSpan.</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Requests in flight at most.</summary>
    [Parameter]
    [ValidateRange(1, 1024)]
    public int ThrottleLimit { get; set; } = 16;

    /// <summary>Accept any server certificate (self-signed, expired, wrong name).</summary>
    [Parameter]
    public SwitchParameter SkipCertificateCheck { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        if (ParameterSetName == ParameterSets.Service)
        {
            foreach (string service in Service)
            {
                ResolveService(service);
            }

            return;
        }

        foreach (string text in Uri)
        {
            if (System.Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0)
            {
                _targets.Add((uri, null));
            }
            else
            {
                WriteError(ErrorRecords.Create(
                    "EndpointUriInvalid",
                    ErrorCategory.InvalidArgument,
                    text,
                    $"'{text}' is not an absolute http:// or https:// URI.",
                    "Give the full URI, e.g. http://10.0.0.5:8069/web/health."));
            }
        }
    }

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        if (_targets.Count == 0)
        {
            return;
        }

        var expectations = new EndpointExpectations
        {
            Status = ExpectStatus,
            Json = ExpectJson is null
                ? new Dictionary<string, object?>()
                : ExpectJson.Cast<DictionaryEntry>().ToDictionary(e => e.Key.ToString() ?? string.Empty, e => e.Value is PSObject ps ? ps.BaseObject : e.Value, StringComparer.OrdinalIgnoreCase),
        };
        var targets = _targets.Select(t => new EndpointTarget(t.Uri, t.Service)).ToList();
        var messages = new MessageQueue<ServiceEndpointCheck>();
        var progress = new ProgressRecord(ProgressActivityId, "Checking endpoints", $"0 of {targets.Count}");
        var bar = new ThrottledProgress(this, progress);
        int done = 0;
        using var checker = new EndpointChecker(Timeout, SkipCertificateCheck);
        System.Threading.Tasks.Task<IReadOnlyList<ServiceEndpointCheck>> run = checker.CheckAllAsync(targets, expectations, ThrottleLimit, messages.Report, CancellationToken);
        try
        {
            messages.DrainUntil(
                run,
                result =>
                {
                    done++;
                    WriteVerbose($"{result.Uri} - {(result.Healthy ? "healthy" : result.Reason + ": " + result.Detail)} ({result.Latency.TotalMilliseconds:0} ms)");
                    progress.StatusDescription = $"{done} of {targets.Count}";
                    progress.PercentComplete = done * 100 / targets.Count;
                    bar.Changed();
                },
                bar.Tick);
            WriteObject(Await(run), enumerateCollection: true);
        }
        finally
        {
            bar.Complete();
        }
    }

    private void ResolveService(string service)
    {
        var connection = AwaitOrTerminate(_ => System.Threading.Tasks.Task.FromResult(OpsTools.Engine.Docker.DockerConnection.Get(DockerHost)));
        if (Project is not null)
        {
            ResolveComposeService(connection, service, Project, swarmAnswered: false);
            return;
        }

        IReadOnlyList<OpsTools.Swarm.SwarmService> services;
        try
        {
            services = Await(new OpsTools.Engine.Swarm.SwarmInspector(connection).GetServicesAsync(null, CancellationToken));
        }
        catch (OpsToolsException ex)
        {
            if (ex.ErrorId != "SwarmNotManager")
            {
                ThrowTerminatingError(ErrorRecords.From(ex));
            }

            // A compose-only host: no swarm to ask.
            ResolveComposeService(connection, service, null, swarmAnswered: false);
            return;
        }

        OpsTools.Swarm.SwarmService? match = services.FirstOrDefault(s => string.Equals(s.Name, service, StringComparison.Ordinal));
        if (match is null)
        {
            ResolveComposeService(connection, service, null, swarmAnswered: true);
            return;
        }

        var ports = match.PublishedPorts.Where(p => p.Protocol == "tcp" && p.PublishedPort is not null).Select(p => (int)p.PublishedPort!.Value).ToList();
        if (ports.Count == 0)
        {
            WriteError(ErrorRecords.Create(
                "SwarmServiceNoPublishedPort",
                ErrorCategory.ObjectNotFound,
                service,
                $"The Swarm service '{service}' publishes no TCP port.",
                "Publish the port (docker service update --publish-add), or check the service over its network with -Uri."));
            return;
        }

        AddTargets(connection, service, ports.Select(p => ((string?)null, p)));
    }

    /// <summary>Finds a compose service by its containers' labels (in one project, or in the only project that has it) and adds its published TCP ports.</summary>
    private void ResolveComposeService(OpsTools.Engine.Docker.DockerConnection connection, string service, string? project, bool swarmAnswered)
    {
        IReadOnlyList<OpsTools.Compose.ComposeContainer> containers = AwaitOrTerminate(ct => new OpsTools.Engine.Compose.ComposeInventory(connection).GetContainersAsync(project, includeOneOff: false, detailed: false, ct));
        var own = containers.Where(c => string.Equals(c.Service, service, StringComparison.Ordinal)).ToList();
        List<string> projects = own.Select(c => c.Project).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (projects.Count == 0)
        {
            WriteError(swarmAnswered
                ? ErrorRecords.Create(
                    "SwarmServiceNotFound",
                    ErrorCategory.ObjectNotFound,
                    service,
                    $"No Swarm service and no compose service named '{service}' runs on {connection.Endpoint.DisplayName}.",
                    "Run Get-SwarmService or Get-ComposeService to list the services; for a compose service of a given project add -Project.")
                : ComposeCmdlet.ServiceNotFound(service, project));
            return;
        }

        if (projects.Count > 1)
        {
            WriteError(ErrorRecords.Create(
                "ComposeServiceAmbiguous",
                ErrorCategory.InvalidArgument,
                service,
                $"Compose projects {string.Join(", ", projects)} all have a service named '{service}'.",
                $"Say which with -Project, e.g. -Project {projects[0]}, or pipe Get-ComposeService -Project {projects[0]} -Name {service}."));
            return;
        }

        var ports = own
            .Where(c => c.State == OpsTools.Compose.ComposeContainerState.Running)
            .SelectMany(c => c.PublishedPorts)
            .Where(p => p.Protocol == "tcp" && p.PublishedPort is not null)
            .Select(p => (HostIp: p.HostIp is null or "" or "0.0.0.0" or "::" ? null : p.HostIp, Port: p.PublishedPort!.Value))
            .Distinct()
            .ToList();
        if (ports.Count == 0)
        {
            WriteError(ErrorRecords.Create(
                "ComposeServiceNoPublishedPort",
                ErrorCategory.ObjectNotFound,
                service,
                $"The compose service '{service}' of project '{projects[0]}' has no running container with a published TCP port.",
                "Publish the port in the compose file (ports:) and start the service, or check it over its network with -Uri."));
            return;
        }

        AddTargets(connection, service, ports);
    }

    private void AddTargets(OpsTools.Engine.Docker.DockerConnection connection, string service, IEnumerable<(string? HostIp, int Port)> ports)
    {
        string host = ServiceHost ?? (connection.Endpoint.Uri.Scheme is "tcp" or "http" or "https" ? connection.Endpoint.Uri.Host : "localhost");
        string path = Path.StartsWith('/') ? Path : "/" + Path;
        foreach ((string? hostIp, int port) in ports)
        {
            _targets.Add((new Uri(new UriBuilder("http", hostIp ?? host, port).Uri, path), service));
        }
    }
}
