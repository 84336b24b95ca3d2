using System;
using System.Collections.Generic;
using System.Management.Automation;
using OpsTools.Engine.Docker;
using OpsTools.Engine.Swarm;
using OpsTools.Infrastructure;
using OpsTools.Swarm;

namespace OpsTools.Commands.Swarm;

/// <summary>
/// <para type="synopsis">Gets the log lines of Swarm services as objects, stdout and stderr apart.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "SwarmServiceLog", DefaultParameterSetName = ParameterSets.Default)]
[OutputType(typeof(SwarmLogRecord))]
public sealed class GetSwarmServiceLogCommand : DockerCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    private readonly List<SwarmService> _selected = new();
    private IReadOnlyList<SwarmService>? _services;
    private DockerConnection? _connection;

    /// <summary>Services (names or ids; wildcards on names) whose logs to read.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("ServiceName")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(SwarmServiceNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Service { get; set; } = Array.Empty<string>();

    /// <summary>Number of lines to show from the end of each task's log.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int? Tail { get; set; }

    /// <summary>Only lines written since then: a date, a TimeSpan, or a duration such as 10m, 2h, 1d.</summary>
    [Parameter]
    [SinceTransformation]
    public DateTimeOffset? Since { get; set; }

    /// <summary>Ask the daemon for the time each line was written (fills Timestamp).</summary>
    [Parameter]
    public SwitchParameter Timestamps { get; set; }

    /// <summary>Keep streaming new lines until Ctrl+C.</summary>
    [Parameter]
    public SwitchParameter Follow { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        if (_connection is null)
        {
            _connection = AwaitOrTerminate(_ => System.Threading.Tasks.Task.FromResult(DockerConnection.Get(DockerHost)));
            DockerConnection connection = _connection;
            _services = AwaitOrTerminate(ct => new SwarmInspector(connection).GetServicesAsync(null, ct));
        }

        IReadOnlyList<SwarmService> selected = new NameFilter(Service).Select(_services!, s => s.Name, s => s.Id, out IReadOnlyList<string> unmatched);
        foreach (string missing in unmatched)
        {
            WriteError(ErrorRecords.SwarmServiceNotFound(missing));
        }

        foreach (SwarmService service in selected)
        {
            if (!_selected.Exists(s => s.Id == service.Id))
            {
                _selected.Add(service);
            }
        }
    }

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        if (_connection is null || _selected.Count == 0)
        {
            return;
        }

        var options = new SwarmLogOptions { Tail = Tail, Since = Since, Timestamps = Timestamps, Follow = Follow };
        try
        {
            ForEach(new SwarmLogReader(_connection).ReadAsync(_selected, options, CancellationToken), record => WriteObject(record));
        }
        catch (OpsToolsException ex)
        {
            ThrowTerminatingError(ErrorRecords.From(ex));
        }
    }
}
