using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using OpsTools.Engine.Docker;
using OpsTools.Engine.Swarm;
using OpsTools.Swarm;

namespace OpsTools.Engine.Tests.Swarm;

[Collection(SwarmCollection.Name)]
public sealed class SwarmLogReaderTests(SwarmFixture fixture)
{
    private async Task<(SwarmLogReader Reader, OpsTools.Swarm.SwarmService Web)> ArrangeAsync()
    {
        var connection = fixture.Connect();
        OpsTools.Swarm.SwarmService web = (await new SwarmInspector(connection).GetServicesAsync()).Single(s => s.Name == fixture.WebService);
        return (new SwarmLogReader(connection), web);
    }

    private static async Task<List<SwarmLogRecord>> CollectAsync(IAsyncEnumerable<SwarmLogRecord> records)
    {
        var list = new List<SwarmLogRecord>();
        await foreach (SwarmLogRecord record in records)
        {
            list.Add(record);
        }

        return list;
    }

    [SkippableFact]
    public async Task Stdout_and_stderr_lines_are_demultiplexed_per_task_and_node()
    {
        (SwarmLogReader reader, OpsTools.Swarm.SwarmService web) = await ArrangeAsync();

        List<SwarmLogRecord> records = await CollectAsync(reader.ReadAsync(new[] { web }, new SwarmLogOptions()));

        Assert.Contains(records, r => r.Stream == LogStream.StdOut && r.Message.StartsWith("out ", StringComparison.Ordinal));
        Assert.Contains(records, r => r.Stream == LogStream.StdErr && r.Message.StartsWith("err ", StringComparison.Ordinal));
        Assert.DoesNotContain(records, r => r.Stream == LogStream.StdOut && r.Message.StartsWith("err", StringComparison.Ordinal));
        Assert.Equal(new[] { web.Name + ".1", web.Name + ".2" }, records.Select(r => r.Task).Distinct().OrderBy(t => t, StringComparer.Ordinal));
        Assert.All(records, r =>
        {
            Assert.Equal(web.Name, r.Service);
            Assert.Equal(Environment.MachineName, r.Node);
            Assert.Null(r.Timestamp);
            Assert.DoesNotContain("com.docker.swarm", r.Message, StringComparison.Ordinal);
        });
    }

    [SkippableFact]
    public async Task Tail_limits_lines_per_task()
    {
        (SwarmLogReader reader, OpsTools.Swarm.SwarmService web) = await ArrangeAsync();

        List<SwarmLogRecord> records = await CollectAsync(reader.ReadAsync(new[] { web }, new SwarmLogOptions { Tail = 1 }));

        Assert.InRange(records.Count, 2, 2);
        Assert.Equal(2, records.Select(r => r.TaskId).Distinct().Count());
    }

    [SkippableFact]
    public async Task Timestamps_are_parsed_and_since_excludes_older_lines()
    {
        (SwarmLogReader reader, OpsTools.Swarm.SwarmService web) = await ArrangeAsync();
        List<SwarmLogRecord> all = await CollectAsync(reader.ReadAsync(new[] { web }, new SwarmLogOptions { Timestamps = true }));
        DateTimeOffset cut = all.Max(r => r.Timestamp!.Value).AddSeconds(-1.5);

        List<SwarmLogRecord> recent = await CollectAsync(reader.ReadAsync(new[] { web }, new SwarmLogOptions { Timestamps = true, Since = cut }));

        Assert.All(all, r => Assert.NotNull(r.Timestamp));
        Assert.All(all, r => Assert.InRange(r.Timestamp!.Value, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddSeconds(5)));
        Assert.NotEmpty(recent);
        Assert.True(recent.Count < all.Count, $"since kept {recent.Count} of {all.Count} lines");
        // The API takes whole seconds: nothing older than the second of the cut comes back.
        Assert.All(recent, r => Assert.True(r.Timestamp >= cut.AddSeconds(-1)));
    }

    [SkippableFact]
    public async Task Follow_streams_new_lines_and_stops_promptly_when_cancelled()
    {
        (SwarmLogReader reader, OpsTools.Swarm.SwarmService web) = await ArrangeAsync();
        using var cancel = new CancellationTokenSource();
        var seen = new List<SwarmLogRecord>();
        var stopwatch = new Stopwatch();

        Task reading = Task.Run(async () =>
        {
            await foreach (SwarmLogRecord record in reader.ReadAsync(new[] { web }, new SwarmLogOptions { Follow = true, Tail = 0 }, cancel.Token))
            {
                lock (seen)
                {
                    seen.Add(record);
                }
            }
        });
        await Task.Delay(2500);
        stopwatch.Start();
        cancel.Cancel();
        Exception? ended = await Record.ExceptionAsync(() => reading.WaitAsync(TimeSpan.FromSeconds(5)));
        stopwatch.Stop();

        Assert.True(ended is null or OperationCanceledException, ended?.ToString());
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(3), $"stopping took {stopwatch.Elapsed}");
        lock (seen)
        {
            Assert.NotEmpty(seen);
        }
    }

    [Fact]
    public void A_detailed_line_splits_into_timestamp_task_node_and_message()
    {
        const string Line = "2026-11-25T10:00:01.123456789Z com.docker.swarm.node.id=n1,com.docker.swarm.service.id=s1,com.docker.swarm.task.id=t1 hello world";

        SwarmLogReader.ParsedLine parsed = SwarmLogReader.ParseLine(Line, timestamps: true);

        // Nanoseconds round to the nearest 100 ns tick.
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 10, 0, 1, TimeSpan.Zero).AddTicks(1234568), parsed.Timestamp);
        Assert.Equal("t1", parsed.TaskId);
        Assert.Equal("n1", parsed.NodeId);
        Assert.Equal("hello world", parsed.Message);
    }

    [Fact]
    public void A_line_without_details_is_kept_whole()
    {
        SwarmLogReader.ParsedLine parsed = SwarmLogReader.ParseLine("plain message = with equals", timestamps: false);

        Assert.Null(parsed.TaskId);
        Assert.Equal("plain message = with equals", parsed.Message);
    }

    [Fact]
    public void Lines_split_across_reads_and_multibyte_characters_are_reassembled()
    {
        var splitter = new DockerLogLines.LineSplitter();
        byte[] bytes = Encoding.UTF8.GetBytes("héllo\r\nwörld\npartial");

        var lines = new List<string>();
        for (int i = 0; i < bytes.Length; i++)
        {
            lines.AddRange(splitter.Push(new[] { bytes[i] }, 1));
        }

        Assert.Equal(new[] { "héllo", "wörld" }, lines);
        Assert.Equal("partial", splitter.Flush());
        Assert.Null(splitter.Flush());
    }
}
