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
using OpsTools.Compose;
using OpsTools.Engine.Docker;
using OpsTools.Swarm;

namespace OpsTools.Engine.Compose;

/// <summary>What to read from the containers' logs.</summary>
public sealed class ComposeLogOptions
{
    /// <summary>Lines per container from the end of its log; null for all.</summary>
    public int? Tail { get; init; }

    /// <summary>Only lines written at or after this time.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Fill <see cref="ComposeLogRecord.Timestamp"/>.</summary>
    public bool Timestamps { get; init; }

    /// <summary>Keep reading as new lines arrive until cancelled.</summary>
    public bool Follow { get; init; }
}

/// <summary>
/// Reads the logs of compose containers as one record per line, stdout and stderr apart, several
/// containers interleaved in the order the lines were written.
/// </summary>
public sealed class ComposeLogReader
{
    private readonly DockerConnection _connection;

    /// <summary>Creates a reader for one endpoint.</summary>
    /// <param name="connection">The Docker connection.</param>
    public ComposeLogReader(DockerConnection connection)
    {
        _connection = connection ?? throw new ArgumentNullException(nameof(connection));
    }

    /// <summary>
    /// Reads the logs of several containers. The daemon always stamps the lines, so without
    /// <see cref="ComposeLogOptions.Follow"/> the containers' logs are merged by time (each read as a
    /// stream, one line ahead per container); with it, the lines come as they arrive.
    /// </summary>
    /// <param name="containers">The containers.</param>
    /// <param name="options">What to read.</param>
    /// <param name="cancellationToken">Stops reading (Ctrl+C).</param>
    /// <returns>Log records.</returns>
    public async IAsyncEnumerable<ComposeLogRecord> ReadAsync(IReadOnlyList<ComposeContainer> containers, ComposeLogOptions options, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(containers);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Follow)
        {
            await foreach (ComposeLogRecord record in FollowAsync(containers, options, cancellationToken).ConfigureAwait(false))
            {
                yield return record;
            }

            yield break;
        }

        var sources = containers.Select(c => ReadOneAsync(c, options, cancellationToken).GetAsyncEnumerator(cancellationToken)).ToList();
        try
        {
            bool[] primed = await Task.WhenAll(sources.Select(s => s.MoveNextAsync().AsTask())).ConfigureAwait(false);
            var queue = new PriorityQueue<int, (DateTimeOffset Time, int Source)>();
            for (int i = 0; i < sources.Count; i++)
            {
                if (primed[i])
                {
                    queue.Enqueue(i, (sources[i].Current.Time, i));
                }
            }

            while (queue.TryDequeue(out int source, out _))
            {
                IAsyncEnumerator<StampedRecord> head = sources[source];
                yield return head.Current.Record;
                if (await head.MoveNextAsync().ConfigureAwait(false))
                {
                    queue.Enqueue(source, (head.Current.Time, source));
                }
            }
        }
        finally
        {
            foreach (IAsyncEnumerator<StampedRecord> source in sources)
            {
                await source.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async IAsyncEnumerable<ComposeLogRecord> FollowAsync(IReadOnlyList<ComposeContainer> containers, ComposeLogOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<ComposeLogRecord>(new BoundedChannelOptions(1024) { SingleReader = true });
        Task producers = Task.WhenAll(containers.Select(c => PumpAsync(c, options, channel.Writer, cancellationToken)))
            .ContinueWith(t => channel.Writer.TryComplete(t.Exception?.InnerException), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        await foreach (ComposeLogRecord record in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return record;
        }

        await producers.ConfigureAwait(false);
    }

    private async Task PumpAsync(ComposeContainer container, ComposeLogOptions options, ChannelWriter<ComposeLogRecord> writer, CancellationToken cancellationToken)
    {
        await foreach (StampedRecord stamped in ReadOneAsync(container, options, cancellationToken).ConfigureAwait(false))
        {
            await writer.WriteAsync(stamped.Record, cancellationToken).ConfigureAwait(false);
        }
    }

    private async IAsyncEnumerable<StampedRecord> ReadOneAsync(ComposeContainer container, ComposeLogOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var parameters = new ContainerLogsParameters
        {
            ShowStdout = true,
            ShowStderr = true,
            Timestamps = true,
            Follow = options.Follow,
            Tail = options.Tail is { } tail ? tail.ToString(CultureInfo.InvariantCulture) : "all",
            Since = options.Since is { } since ? since.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) : null,
        };
        using MultiplexedStream stream = await _connection
            .RunAsync((client, ct) => client.Containers.GetContainerLogsAsync(container.Id, parameters, ct), cancellationToken)
            .ConfigureAwait(false);
        DateTimeOffset last = DateTimeOffset.MinValue;
        await foreach ((LogStream target, string line) in DockerLogLines.ReadAsync(stream, cancellationToken).ConfigureAwait(false))
        {
            string message = DockerLogLines.SplitTimestamp(line, out DateTimeOffset? timestamp);
            // A line without a stamp (a partial line at the end) sorts with the line before it.
            last = timestamp ?? last;
            yield return new StampedRecord(last, new ComposeLogRecord
            {
                Timestamp = options.Timestamps ? timestamp : null,
                Project = container.Project,
                Service = container.Service,
                Container = container.Name,
                Stream = target,
                Message = message,
            });
        }
    }

    private readonly record struct StampedRecord(DateTimeOffset Time, ComposeLogRecord Record);
}
