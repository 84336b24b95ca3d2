using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using System.Net;
using OpsTools.Engine.Redis;

namespace OpsTools.Engine.Tests.Redis;

/// <summary>Server and broker texts as operators and Celery's broker_url write them.</summary>
public sealed class RedisEndpointTests
{
    [Theory]
    [InlineData("redis-broker", "redis-broker", 6379)]
    [InlineData("10.0.3.12:6380", "10.0.3.12", 6380)]
    [InlineData("[::1]:7000", "::1", 7000)]
    [InlineData("redis://cache.internal:6390/2", "cache.internal", 6390)]
    public void Host_and_port_come_from_every_accepted_form(string text, string host, int port)
    {
        RedisEndpoint endpoint = RedisEndpoint.Parse(text);

        Assert.Equal(host, endpoint.Host);
        Assert.Equal(port, endpoint.Port);
    }

    [Fact]
    public void A_uri_password_is_used_but_never_displayed()
    {
        RedisEndpoint endpoint = RedisEndpoint.Parse("redis://:s3cret@broker:6379/1");

        Assert.Equal("s3cret", endpoint.Password);
        Assert.Null(endpoint.User);
        Assert.Equal(1, endpoint.Database);
        Assert.Equal("broker:6379", endpoint.ToString());
        Assert.Equal("redis://broker:6379/1", endpoint.SafeUri);
    }

    [Fact]
    public void A_credential_wins_over_the_uri_and_user_default_means_password_only()
    {
        RedisEndpoint endpoint = RedisEndpoint.Parse("redis://ops:old@broker", new NetworkCredential("default", "new"));

        Assert.Null(endpoint.User);
        Assert.Equal("new", endpoint.Password);
    }

    [Theory]
    [InlineData("host:notaport")]
    [InlineData("host:70000")]
    [InlineData("redis://host:6379/notadb")]
    [InlineData("http://host:6379")]
    [InlineData("[::1")]
    public void A_text_that_is_no_server_is_an_invalid_argument(string text)
    {
        OpsToolsException error = Assert.Throws<OpsToolsException>(() => RedisEndpoint.Parse(text));

        Assert.Equal("RedisServerInvalid", error.ErrorId);
        Assert.Equal(OpsToolsErrorKind.InvalidArgument, error.Kind);
    }

    [Fact]
    public void A_malformed_broker_never_shows_its_password()
    {
        OpsToolsException error = Assert.Throws<OpsToolsException>(() => CeleryQueueReader.ParseBroker("redis://:hunter2@broker:port/0", null));

        Assert.Equal("CeleryBrokerInvalid", error.ErrorId);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Target?.ToString() ?? string.Empty, StringComparison.Ordinal);
    }

    [Fact]
    public void An_amqp_broker_is_not_implemented()
    {
        OpsToolsException error = Assert.Throws<OpsToolsException>(() => CeleryQueueReader.ParseBroker("amqp://guest:guest@rabbit:5672//", null));

        Assert.Equal("CeleryBrokerUnsupported", error.ErrorId);
        Assert.Equal(OpsToolsErrorKind.NotImplemented, error.Kind);
    }

    [Fact]
    public void Info_text_becomes_typed_fields_with_keys_per_database()
    {
        var fields = RedisInfoReader.Parse("# Server\r\nredis_version:7.0.15\r\nrole:master\r\n# Memory\r\nused_memory:1048576\r\nmaxmemory:0\r\n# Persistence\r\naof_enabled:1\r\nrdb_last_save_time:1700000000\r\n# Keyspace\r\ndb0:keys=3,expires=1,avg_ttl=500\r\ndb2:keys=4,expires=0,avg_ttl=0\r\n");

        var info = RedisInfoReader.Shape(RedisEndpoint.Parse("h:1"), fields, database: null);

        Assert.Equal("7.0.15", info.Version);
        Assert.Equal(1048576L, info.UsedMemoryBytes);
        Assert.True(info.AofEnabled);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000), info.RdbLastSaveTime);
        Assert.Equal(7L, info.Keys);
        Assert.Equal(new[] { 0, 2 }, info.Keyspace.Select(k => k.Database));
        Assert.Equal(4L, RedisInfoReader.Shape(RedisEndpoint.Parse("h:1"), fields, database: 2).Keys);
    }
}
