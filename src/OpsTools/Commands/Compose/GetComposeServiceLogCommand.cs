using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using OpsTools.Compose;
using OpsTools.Engine.Compose;
using OpsTools.Engine.Docker;
using OpsTools.Infrastructure;

namespace OpsTools.Commands.Compose;

/// <summary>
/// <para type="synopsis">Gets the log lines of compose services as objects, several containers interleaved in time order.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "ComposeServiceLog", DefaultParameterSetName = ParameterSets.Default)]
[OutputType(typeof(ComposeLogRecord))]
public sealed class GetComposeServiceLogCommand : ComposeCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    private readonly List<ComposeContainer> _selected = new();
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private IReadOnlyList<ComposeContainer>? _containers;

    /// <summary>Project whose services' logs to read.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ComposeProjectNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Project { get; set; } = string.Empty;

    /// <summary>Services (wildcards allowed); all services of the project when omitted.</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ComposeServiceNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Service { get; set; }

    /// <summary>Number of lines to show from the end of each container's log.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int? Tail { get; set; }

    /// <summary>Only lines written since then: a date, a TimeSpan, or a duration such as 10m, 2h, 1d.</summary>
    [Parameter]
    [SinceTransformation]
    public DateTimeOffset? Since { get; set; }

    /// <summary>Fill Timestamp with the time the daemon recorded for each line.</summary>
    [Parameter]
    public SwitchParameter Timestamps { get; set; }

    /// <summary>Keep streaming new lines until Ctrl+C.</summary>
    [Parameter]
    public SwitchParameter Follow { get; set; }

    /// <summary>Read the logs of docker compose run containers too.</summary>
    [Parameter]
    public SwitchParameter IncludeOneOff { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        DockerConnection connection = Connection;
        _containers ??= ListContainers(connection, null, IncludeOneOff, detailed: false);
        List<ComposeContainer> inProject = _containers.Where(c => c.Project == Project).ToList();
        if (inProject.Count == 0)
        {
            WriteError(ProjectNotFound(Project, connection.Endpoint.DisplayName));
            return;
        }

        IReadOnlyList<ComposeContainer> selected = new NameFilter(Service).Select(inProject, c => c.Service, null, out IReadOnlyList<string> unmatched);
        foreach (string missing in unmatched)
        {
            WriteError(ServiceNotFound(missing, Project));
        }

        _selected.AddRange(selected.Where(c => _seen.Add(c.Id)));
    }

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        if (_selected.Count == 0)
        {
            return;
        }

        var options = new ComposeLogOptions { Tail = Tail, Since = Since, Timestamps = Timestamps, Follow = Follow };
        try
        {
            ForEach(new ComposeLogReader(Connection).ReadAsync(_selected, options, CancellationToken), record => WriteObject(record));
        }
        catch (OpsToolsException ex)
        {
            ThrowTerminatingError(ErrorRecords.From(ex));
        }
    }
}
