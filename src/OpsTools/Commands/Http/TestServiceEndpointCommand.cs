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

    /// <summary>Swarm services whose published TCP ports are checked at http://host:port/Path.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ParameterSets.Service)]
    [Alias("Name")]
    [ValidateNotNullOrEmpty]
    public string[] Service { get; set; } = Array.Empty<string>();

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
        var connection = OpsTools.Engine.Docker.DockerConnection.Get(DockerHost);
        var inspector = new OpsTools.Engine.Swarm.SwarmInspector(connection);
        IReadOnlyList<OpsTools.Swarm.SwarmService> services = AwaitOrTerminate(ct => inspector.GetServicesAsync(null, ct));
        OpsTools.Swarm.SwarmService? match = services.FirstOrDefault(s => string.Equals(s.Name, service, StringComparison.Ordinal));
        if (match is null)
        {
            WriteError(ErrorRecords.SwarmServiceNotFound(service));
            return;
        }

        var ports = match.PublishedPorts.Where(p => p.Protocol == "tcp" && p.PublishedPort is not null).ToList();
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

        string host = ServiceHost ?? (connection.Endpoint.Uri.Scheme is "tcp" or "http" or "https" ? connection.Endpoint.Uri.Host : "localhost");
        string path = Path.StartsWith('/') ? Path : "/" + Path;
        foreach (OpsTools.Swarm.SwarmPort port in ports)
        {
            _targets.Add((new UriBuilder("http", host, (int)port.PublishedPort!.Value).Uri is { } root ? new Uri(root, path) : throw new InvalidOperationException(), service));
        }
    }
}
