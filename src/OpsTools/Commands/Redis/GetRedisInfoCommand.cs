using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using OpsTools.Engine.Redis;
using OpsTools.Infrastructure;
using OpsTools.Redis;

namespace OpsTools.Commands.Redis;

/// <summary>
/// <para type="synopsis">Reads a Redis server's role, version, memory, persistence, clients and keys from INFO, as typed objects.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "RedisInfo", DefaultParameterSetName = ParameterSets.Default)]
[OutputType(typeof(RedisInfo))]
public sealed class GetRedisInfoCommand : RedisCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    /// <summary>Servers to read: host, host:port, [IPv6]:port or redis://host:port/db.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[] Server { get; set; } = Array.Empty<string>();

    /// <summary>Report the keys of this database only (default: every database).</summary>
    [Parameter]
    [ValidateRange(0, 15999)]
    public int? Database { get; set; }

    /// <summary>Seconds to wait for the connection and each command.</summary>
    [Parameter]
    [ValidateRange(1, 600)]
    public int Timeout { get; set; } = 5;

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        var reads = new List<Task<RedisInfo>>();
        foreach (string server in Server)
        {
            try
            {
                RedisEndpoint endpoint = RedisEndpoint.Parse(server, EngineCredential);
                reads.Add(RedisInfoReader.ReadAsync(endpoint, TimeSpan.FromSeconds(Timeout), Database ?? endpoint.Database, CancellationToken));
            }
            catch (OpsToolsException ex)
            {
                WriteEngineError(ex);
            }
        }

        foreach (Task<RedisInfo> read in reads)
        {
            try
            {
                WriteObject(Await(read));
            }
            catch (OpsToolsException ex)
            {
                WriteEngineError(ex);
            }
        }
    }
}
