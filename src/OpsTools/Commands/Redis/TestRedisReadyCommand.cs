using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using OpsTools.Engine.Redis;
using OpsTools.Infrastructure;
using OpsTools.Redis;

namespace OpsTools.Commands.Redis;

/// <summary>
/// <para type="synopsis">Tells whether Redis servers answer commands, as a readiness probe running redis-cli ping does.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "RedisReady", DefaultParameterSetName = ParameterSets.Default)]
[OutputType(typeof(RedisReadiness), ParameterSetName = new[] { ParameterSets.Default })]
[OutputType(typeof(bool), ParameterSetName = new[] { ParameterSets.Quiet })]
public sealed class TestRedisReadyCommand : RedisCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
        public const string Quiet = "Quiet";
    }

    /// <summary>Servers to probe: host, host:port, [IPv6]:port or redis://host:port/db.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[] Server { get; set; } = Array.Empty<string>();

    /// <summary>Seconds to wait for each server's answer.</summary>
    [Parameter]
    [ValidateRange(1, 600)]
    public int Timeout { get; set; } = 3;

    /// <summary>Return only true (Ready) or false, one per server.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.Quiet)]
    public SwitchParameter Quiet { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        var endpoints = new List<RedisEndpoint>();
        foreach (string server in Server)
        {
            try
            {
                endpoints.Add(RedisEndpoint.Parse(server, EngineCredential));
            }
            catch (OpsToolsException ex)
            {
                WriteEngineError(ex);
            }
        }

        // Probed at once: silent servers cost one timeout together.
        var probes = endpoints.Select(e => RedisReadinessProbe.ProbeAsync(e, TimeSpan.FromSeconds(Timeout), CancellationToken)).ToList();
        foreach (RedisReadiness readiness in Await(System.Threading.Tasks.Task.WhenAll(probes)))
        {
            WriteVerbose($"{readiness.Server} - {readiness.Status}{(readiness.Detail is null ? string.Empty : ": " + readiness.Detail)}");
            if (Quiet)
            {
                WriteObject(readiness.Status == RedisReadyStatus.Ready);
            }
            else
            {
                WriteObject(readiness);
            }
        }
    }
}
