using System;
using System.Management.Automation;
using OpsTools.Engine.Redis;
using OpsTools.Infrastructure;
using OpsTools.Redis;

namespace OpsTools.Commands.Redis;

/// <summary>
/// <para type="synopsis">Reads Celery queue lengths and unacknowledged deliveries from a Redis broker.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "CeleryQueue", DefaultParameterSetName = ParameterSets.Default)]
[OutputType(typeof(CeleryQueue))]
public sealed class GetCeleryQueueCommand : RedisCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    /// <summary>The broker as Celery's broker_url writes it: redis://[:password@]host:port/db.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Broker { get; set; } = string.Empty;

    /// <summary>Queues to read (default: every queue bound on the broker, else 'celery').</summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string[] Queue { get; set; } = Array.Empty<string>();

    /// <summary>Seconds to wait for the connection and each command.</summary>
    [Parameter]
    [ValidateRange(1, 600)]
    public int Timeout { get; set; } = 5;

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        RedisEndpoint endpoint;
        try
        {
            endpoint = CeleryQueueReader.ParseBroker(Broker, EngineCredential);
        }
        catch (OpsToolsException ex)
        {
            WriteEngineError(ex);
            return;
        }

        try
        {
            WriteObject(Await(CeleryQueueReader.ReadAsync(endpoint, Queue, TimeSpan.FromSeconds(Timeout), CancellationToken)), enumerateCollection: true);
        }
        catch (OpsToolsException ex)
        {
            WriteEngineError(ex);
        }
    }
}
