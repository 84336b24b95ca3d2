using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using System.Net;
using OpsTools.Engine.Redis;
using OpsTools.Engine.Tests.Lab;
using StackExchange.Redis;

namespace OpsTools.Engine.Tests.Redis;

/// <summary>The lab's two Redis servers (tests/lab/components/redis.sh) and a witness connection that is not the code under test.</summary>
internal static class RedisLab
{
    public static string AofServer => LabEnvironment.Require("OPSTOOLS_TEST_REDIS", "redis");

    public static string AuthServer => LabEnvironment.Require("OPSTOOLS_TEST_REDIS_AUTH", "redis");

    public static NetworkCredential AuthCredential => new("default", LabEnvironment.Require("OPSTOOLS_TEST_REDIS_PASSWORD", "redis"));

    public static async Task<ConnectionMultiplexer> WitnessAsync(string server)
    {
        try
        {
            return await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions { EndPoints = { server }, AllowAdmin = true, ConnectTimeout = 3000 });
        }
        catch (RedisConnectionException ex)
        {
            LabEnvironment.Unreachable("redis", ex);
            throw;
        }
    }

    public static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
