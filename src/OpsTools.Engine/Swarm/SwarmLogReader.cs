using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Docker.DotNet;
using Docker.DotNet.Models;
using OpsTools.Engine.Docker;
using OpsTools.Swarm;

namespace OpsTools.Engine.Swarm;

/// <summary>What to read from a service's log.</summary>
public sealed class SwarmLogOptions
{
    /// <summary>Lines per task from the end of the log; null for all.</summary>
    public int? Tail { get; init; }

    /// <summary>Only lines written at or after this time.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Ask the daemon for timestamps (fills <see cref="SwarmLogRecord.Timestamp"/>).</summary>
    public bool Timestamps { get; init; }

    /// <summary>Keep reading as new lines arrive until cancelled.</summary>
    public bool Follow { get; init; }
}

/// <summary>Streams the logs of Swarm services as one record per line, stdout and stderr demultiplexed.</summary>
public sealed class SwarmLogReader
{
    private const string NodeIdAttribute = "com.docker.swarm.node.id";
    private const string TaskIdAttribute = "com.docker.swarm.task.id";

    private readonly DockerConnection _connection;

    /// <summary>Creates a reader for one endpoint.</summary>
    /// <param name="connection">The Docker connection.</param>
    public SwarmLogReader(DockerConnection connection)
    {
        _connection = connection ?? throw new ArgumentNullException(nameof(connection));
    }

    /// <summary>
    /// Reads the logs of several services. Without <see cref="SwarmLogOptions.Follow"/> the services are
    /// read one after the other; with it they are read together and lines come as they arrive.
    /// </summary>
    /// <param name="services">Services (names or ids) already known to exist.</param>
    /// <param name="options">What to read.</param>
    /// <param name="cancellationToken">Stops reading (Ctrl+C).</param>
    /// <returns>Log records.</returns>
    public async IAsyncEnumerable<SwarmLogRecord> ReadAsync(IReadOnlyList<OpsTools.Swarm.SwarmService> services, SwarmLogOptions options, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        var names = new NameCache(_connection);
        if (!options.Follow || services.Count == 1)
        {
            foreach (OpsTools.Swarm.SwarmService service in services)
            {
                await foreach (SwarmLogRecord record in ReadOneAsync(service, options, names, cancellationToken).ConfigureAwait(false))
                {
                    yield return record;
                }
            }

            yield break;
        }

        var channel = Channel.CreateBounded<SwarmLogRecord>(new BoundedChannelOptions(1024) { SingleReader = true });
        Task producers = Task.WhenAll(services.Select(service => PumpAsync(service, options, names, channel.Writer, cancellationToken)))
            .ContinueWith(t => channel.Writer.TryComplete(t.Exception?.InnerException), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        await foreach (SwarmLogRecord record in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return record;
        }

        await producers.ConfigureAwait(false);
    }

    private async Task PumpAsync(OpsTools.Swarm.SwarmService service, SwarmLogOptions options, NameCache names, ChannelWriter<SwarmLogRecord> writer, CancellationToken cancellationToken)
    {
        await foreach (SwarmLogRecord record in ReadOneAsync(service, options, names, cancellationToken).ConfigureAwait(false))
        {
            await writer.WriteAsync(record, cancellationToken).ConfigureAwait(false);
        }
    }

    private async IAsyncEnumerable<SwarmLogRecord> ReadOneAsync(OpsTools.Swarm.SwarmService service, SwarmLogOptions options, NameCache names, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ServiceLogsParameters parameters = new()
        {
            ShowStdout = true,
            ShowStderr = true,
            Timestamps = options.Timestamps,
            Follow = options.Follow,
            Details = true,
            Tail = options.Tail is { } tail ? tail.ToString(CultureInfo.InvariantCulture) : "all",
            Since = options.Since is { } since ? since.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) : null,
        };

        bool tty = await _connection.RunAsync(async (client, ct) =>
        {
            ServiceSpec? spec = (await client.Swarm.InspectServiceAsync(service.Id, ct).ConfigureAwait(false)).Spec;
            return spec?.TaskTemplate?.ContainerSpec?.TTY ?? false;
        }, cancellationToken).ConfigureAwait(false);

        using MultiplexedStream stream = await _connection
            .RunAsync((client, ct) => client.Swarm.GetServiceLogsAsync(service.Id, tty, parameters, ct), cancellationToken)
            .ConfigureAwait(false);

        await foreach ((LogStream target, string line) in DockerLogLines.ReadAsync(stream, cancellationToken).ConfigureAwait(false))
        {
            yield return await ToRecordAsync(service, target, line, options.Timestamps, names, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<SwarmLogRecord> ToRecordAsync(OpsTools.Swarm.SwarmService service, LogStream stream, string line, bool timestamps, NameCache names, CancellationToken cancellationToken)
    {
        ParsedLine parsed = ParseLine(line, timestamps);
        string? taskName = null;
        string? node = null;
        if (parsed.TaskId is not null)
        {
            taskName = await names.TaskNameAsync(parsed.TaskId, cancellationToken).ConfigureAwait(false);
        }

        if (parsed.NodeId is not null)
        {
            node = await names.NodeNameAsync(parsed.NodeId, cancellationToken).ConfigureAwait(false);
        }

        return new SwarmLogRecord
        {
            Timestamp = parsed.Timestamp,
            Service = service.Name,
            Task = taskName ?? parsed.TaskId,
            TaskId = parsed.TaskId,
            Node = node ?? parsed.NodeId,
            Stream = stream,
            Message = parsed.Message,
        };
    }

    /// <summary>A log line split into the parts the daemon prefixes: timestamp, details, message.</summary>
    internal readonly record struct ParsedLine(DateTimeOffset? Timestamp, string? TaskId, string? NodeId, string Message);

    /// <summary>Parses <c>[timestamp ]key=value,key=value message</c> as written with <c>details=true</c>.</summary>
    internal static ParsedLine ParseLine(string line, bool timestamps)
    {
        string rest = line;
        DateTimeOffset? timestamp = null;
        if (timestamps)
        {
            rest = DockerLogLines.SplitTimestamp(rest, out timestamp);
        }

        string? taskId = null;
        string? nodeId = null;
        int detailsEnd = rest.IndexOf(' ', StringComparison.Ordinal);
        string details = detailsEnd >= 0 ? rest[..detailsEnd] : rest;
        if (details.Contains(TaskIdAttribute + "=", StringComparison.Ordinal) || details.Contains(NodeIdAttribute + "=", StringComparison.Ordinal))
        {
            foreach (string pair in details.Split(','))
            {
                int eq = pair.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    continue;
                }

                string key = Uri.UnescapeDataString(pair[..eq]);
                string value = Uri.UnescapeDataString(pair[(eq + 1)..]);
                if (key == TaskIdAttribute)
                {
                    taskId = value;
                }
                else if (key == NodeIdAttribute)
                {
                    nodeId = value;
                }
            }

            rest = detailsEnd >= 0 ? rest[(detailsEnd + 1)..] : string.Empty;
        }

        return new ParsedLine(timestamp, taskId, nodeId, rest);
    }

    /// <summary>Task and node names looked up once per log read, refreshed when an unknown id shows up.</summary>
    private sealed class NameCache(DockerConnection connection)
    {
        private readonly SemaphoreSlim _gate = new(1, 1);
        private readonly HashSet<string> _missedTasks = new(StringComparer.Ordinal);
        private readonly HashSet<string> _missedNodes = new(StringComparer.Ordinal);
        private Dictionary<string, string>? _tasks;
        private Dictionary<string, string>? _nodes;

        public async Task<string?> TaskNameAsync(string taskId, CancellationToken cancellationToken)
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (_tasks is null || (!_tasks.ContainsKey(taskId) && _missedTasks.Add(taskId)))
                {
                    IReadOnlyList<SwarmTask> tasks = await new SwarmInspector(connection).GetTasksAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                    _tasks = tasks.ToDictionary(t => t.Id, t => t.Name, StringComparer.Ordinal);
                    _nodes ??= tasks.Where(t => t.NodeId is not null && t.Node is not null).GroupBy(t => t.NodeId!).ToDictionary(g => g.Key, g => g.First().Node!, StringComparer.Ordinal);
                }

                return _tasks.GetValueOrDefault(taskId);
            }
            finally
            {
                _gate.Release();
            }
        }

        public async Task<string?> NodeNameAsync(string nodeId, CancellationToken cancellationToken)
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (_nodes is null || (!_nodes.ContainsKey(nodeId) && _missedNodes.Add(nodeId)))
                {
                    IReadOnlyList<SwarmNode> nodes = await new SwarmInspector(connection).GetNodesAsync(cancellationToken).ConfigureAwait(false);
                    _nodes = nodes.ToDictionary(n => n.Id, n => n.Hostname, StringComparer.Ordinal);
                }

                return _nodes.GetValueOrDefault(nodeId);
            }
            finally
            {
                _gate.Release();
            }
        }
    }
}
