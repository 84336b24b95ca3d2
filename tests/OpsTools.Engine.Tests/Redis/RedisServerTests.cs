using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using System.Net;
using OpsTools.Engine.Redis;
using OpsTools.Redis;
using StackExchange.Redis;

namespace OpsTools.Engine.Tests.Redis;

/// <summary>Readiness, INFO and Celery queues against the lab's real redis-server instances.</summary>
public sealed class RedisServerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    [SkippableFact]
    public async Task A_running_server_is_ready_with_a_latency()
    {
        RedisReadiness readiness = await RedisReadinessProbe.ProbeAsync(RedisEndpoint.Parse(RedisLab.AofServer), Timeout);

        Assert.Equal(RedisReadyStatus.Ready, readiness.Status);
        Assert.NotNull(readiness.LatencyMilliseconds);
    }

    [SkippableFact]
    public async Task A_password_server_is_auth_failed_without_or_with_a_wrong_password_and_ready_with_the_right_one()
    {
        string server = RedisLab.AuthServer;

        RedisReadiness none = await RedisReadinessProbe.ProbeAsync(RedisEndpoint.Parse(server), Timeout);
        RedisReadiness wrong = await RedisReadinessProbe.ProbeAsync(RedisEndpoint.Parse(server, new NetworkCredential("default", "not-the-password")), Timeout);
        RedisReadiness right = await RedisReadinessProbe.ProbeAsync(RedisEndpoint.Parse(server, RedisLab.AuthCredential), Timeout);

        Assert.Equal(RedisReadyStatus.AuthFailed, none.Status);
        Assert.Equal(RedisReadyStatus.AuthFailed, wrong.Status);
        Assert.DoesNotContain("not-the-password", wrong.Detail, StringComparison.Ordinal);
        Assert.Equal(RedisReadyStatus.Ready, right.Status);
    }

    [Fact]
    public async Task A_refused_port_is_no_response()
    {
        RedisReadiness readiness = await RedisReadinessProbe.ProbeAsync(RedisEndpoint.Parse("127.0.0.1:" + RedisLab.FreePort()), Timeout);

        Assert.Equal(RedisReadyStatus.NoResponse, readiness.Status);
        Assert.Null(readiness.LatencyMilliseconds);
        Assert.Equal("connection refused", readiness.Detail);
    }

    [SkippableFact]
    public async Task Info_reports_aof_on_and_the_keys_a_witness_wrote()
    {
        string server = RedisLab.AofServer;
        await using ConnectionMultiplexer witness = await RedisLab.WitnessAsync(server);
        IDatabase db = witness.GetDatabase(7);
        string key = "opstools-rq-info-" + Guid.NewGuid().ToString("N");
        await db.StringSetAsync(key, "x");
        try
        {
            RedisInfo info = await RedisInfoReader.ReadAsync(RedisEndpoint.Parse(server), Timeout, database: 7);

            Assert.Equal("master", info.Role);
            Assert.True(info.AofEnabled);
            Assert.True(info.UsedMemoryBytes > 0);
            Assert.Equal(268435456L, info.MaxMemoryBytes);
            Assert.Equal("noeviction", info.MaxMemoryPolicy);
            RedisKeyspace db7 = Assert.Single(info.Keyspace);
            Assert.Equal(7, db7.Database);
            Assert.True(db7.Keys >= 1);
        }
        finally
        {
            await db.KeyDeleteAsync(key);
        }
    }

    [SkippableFact]
    public async Task A_wrong_password_is_an_authentication_error_that_does_not_name_the_password()
    {
        string server = RedisLab.AuthServer;

        OpsToolsException error = await Assert.ThrowsAsync<OpsToolsException>(() => RedisInfoReader.ReadAsync(RedisEndpoint.Parse(server, new NetworkCredential("default", "wrong-pass-123")), Timeout, null));

        Assert.Equal("RedisAuthenticationFailed", error.ErrorId);
        Assert.Equal(OpsToolsErrorKind.AuthenticationError, error.Kind);
        Assert.DoesNotContain("wrong-pass-123", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_server_is_a_connection_error()
    {
        OpsToolsException error = await Assert.ThrowsAsync<OpsToolsException>(() => RedisInfoReader.ReadAsync(RedisEndpoint.Parse("127.0.0.1:" + RedisLab.FreePort()), Timeout, null));

        Assert.Equal("RedisUnreachable", error.ErrorId);
        Assert.Equal(OpsToolsErrorKind.ConnectionError, error.Kind);
    }

    [SkippableFact]
    public async Task Celery_queues_count_every_priority_list_and_the_unacked_deliveries_of_their_queue()
    {
        string server = RedisLab.AofServer;
        await using ConnectionMultiplexer witness = await RedisLab.WitnessAsync(server);
        IDatabase db = witness.GetDatabase(9);
        string queue = "opstools-rq-" + Guid.NewGuid().ToString("N")[..8];
        string other = queue + "-other";
        string[] keys = { queue, queue + "\x06\x16" + "3", queue + "\x06\x16" + "9", "unacked", "unacked_index", "_kombu.binding.celery" };
        await db.KeyDeleteAsync(keys.Select(k => (RedisKey)k).ToArray());
        try
        {
            string message = "{\"body\": \"W10=\", \"headers\": {\"task\": \"t\"}, \"properties\": {\"delivery_tag\": \"x\"}}";
            await db.ListLeftPushAsync(queue, new RedisValue[] { message, message });
            await db.ListLeftPushAsync(queue + "\x06\x16" + "3", message);
            await db.ListLeftPushAsync(queue + "\x06\x16" + "9", message);
            double deliveredAt = DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeMilliseconds() / 1000.0;
            await db.HashSetAsync("unacked", new[]
            {
                new HashEntry("tag-1", $"[{message}, \"\", \"{queue}\"]"),
                new HashEntry("tag-2", $"[{message}, \"\", \"{other}\"]"),
            });
            await db.SortedSetAddAsync("unacked_index", new[] { new SortedSetEntry("tag-1", deliveredAt), new SortedSetEntry("tag-2", deliveredAt) });
            await db.SetAddAsync("_kombu.binding.celery", new RedisValue[] { $"{queue}\x06\x16\x06\x16{queue}", $"{other}\x06\x16\x06\x16{other}" });

            IReadOnlyList<CeleryQueue> queues = await CeleryQueueReader.ReadAsync(CeleryQueueReader.ParseBroker($"redis://{server}/9", null), Array.Empty<string>(), Timeout);

            Assert.Equal(new[] { queue, other }, queues.Select(q => q.Queue));
            CeleryQueue first = queues[0];
            Assert.Equal(4L, first.Messages);
            Assert.Equal(1L, first.Unacked);
            Assert.InRange(first.OldestUnackedAge!.Value.TotalMinutes, 4.9, 6);
            Assert.Equal($"redis://{server}/9", first.Broker);
            Assert.Equal(0L, queues[1].Messages);
            Assert.Equal(1L, queues[1].Unacked);
        }
        finally
        {
            await db.KeyDeleteAsync(keys.Select(k => (RedisKey)k).ToArray());
        }
    }
}
