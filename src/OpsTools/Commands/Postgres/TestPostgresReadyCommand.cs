using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using OpsTools.Engine.Postgres;
using OpsTools.Infrastructure;
using OpsTools.Postgres;

namespace OpsTools.Commands.Postgres;

/// <summary>
/// <para type="synopsis">Tells whether PostgreSQL servers accept connections, as pg_isready does, without the pg_isready binary.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "PostgresReady", DefaultParameterSetName = ParameterSets.Default)]
[OutputType(typeof(PostgresReadiness), ParameterSetName = new[] { ParameterSets.Default })]
[OutputType(typeof(bool), ParameterSetName = new[] { ParameterSets.Quiet })]
public sealed class TestPostgresReadyCommand : PostgresCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
        public const string Quiet = "Quiet";
    }

    /// <summary>Servers to probe: host, host:port, a libpq string, a URI or an Npgsql connection string; PGHOST/PGPORT (else localhost:5432) when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[]? Server { get; set; }

    /// <summary>Seconds to wait for an answer (pg_isready's default, 3).</summary>
    [Parameter]
    [ValidateRange(1, 600)]
    public int Timeout { get; set; } = 3;

    /// <summary>Return only true (accepting connections) or false, one per server.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.Quiet)]
    public SwitchParameter Quiet { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        IReadOnlyList<string?> servers = Server is { Length: > 0 } ? Server : new string?[] { null };
        foreach (PostgresReadiness readiness in Probe.Run(this, servers))
        {
            WriteVerbose($"{readiness.Server} - {readiness.Message}{(readiness.Detail is null ? string.Empty : ": " + readiness.Detail)}");
            if (Quiet)
            {
                WriteObject(readiness.Status == PostgresReadyStatus.Accepting);
            }
            else
            {
                WriteObject(readiness);
            }
        }
    }

    /// <summary>Engine calls in a nested type so the cmdlet class names no engine type in its members.</summary>
    private static class Probe
    {
        public static IReadOnlyList<PostgresReadiness> Run(TestPostgresReadyCommand cmdlet, IReadOnlyList<string?> servers)
        {
            // Several servers are probed at once: a dead one costs one timeout, not one each.
            var probes = servers
                .Select(server => PostgresReadinessProbe.ProbeAsync(PostgresConnections.ServerRequest(server, cmdlet.EngineCredential, TimeSpan.FromSeconds(cmdlet.Timeout)), cmdlet.CancellationToken))
                .ToList();
            return cmdlet.Await(System.Threading.Tasks.Task.WhenAll(probes));
        }
    }
}
