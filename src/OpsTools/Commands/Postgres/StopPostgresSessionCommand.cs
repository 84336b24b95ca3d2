using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using OpsTools.Engine.Postgres;
using OpsTools.Infrastructure;
using OpsTools.Postgres;

namespace OpsTools.Commands.Postgres;

/// <summary>
/// <para type="synopsis">Terminates PostgreSQL sessions, by process id or all sessions of databases (pg_terminate_backend).</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "PostgresSession", DefaultParameterSetName = ParameterSets.ProcessId, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(PostgresSession))]
public sealed class StopPostgresSessionCommand : PostgresCmdlet
{
    private static class ParameterSets
    {
        public const string ProcessId = "ProcessId";
        public const string Database = "Database";
    }

    private readonly List<(string? Server, int ProcessId)> _targets = new();

    /// <summary>The server: host, host:port, a libpq string, a URI or an Npgsql connection string; PGHOST/PGPORT (else localhost:5432) when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Server { get; set; }

    /// <summary>Process ids of the sessions to terminate. Binds the ProcessId of sessions and the BlockingPid of lock waits from the pipeline.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true, ParameterSetName = ParameterSets.ProcessId)]
    [Alias("Pid", "BlockingPid")]
    [ValidateRange(1, int.MaxValue)]
    public int[]? ProcessId { get; set; }

    /// <summary>Terminate every client session connected to these databases (wildcards allowed).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.Database)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Database { get; set; }

    /// <summary>Write the sessions that were terminated, as they were just before.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        if (ParameterSetName == ParameterSets.Database)
        {
            Terminator.Run(this, Server, null);
            return;
        }

        // Collected, so a pipeline of sessions of one server uses one connection.
        foreach (int pid in ProcessId ?? Array.Empty<int>())
        {
            _targets.Add((Server, pid));
        }
    }

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        foreach (IGrouping<string?, (string? Server, int ProcessId)> server in _targets.GroupBy(t => t.Server))
        {
            Terminator.Run(this, server.Key, server.Select(t => t.ProcessId).Distinct().ToList());
        }
    }

    /// <summary>Engine calls in a nested type so the cmdlet class names no engine type in its members.</summary>
    private static class Terminator
    {
        public static void Run(StopPostgresSessionCommand cmdlet, string? server, IReadOnlyList<int>? processIds)
        {
            PostgresEndpoint endpoint = cmdlet.AwaitOrTerminate(_ => System.Threading.Tasks.Task.FromResult(PostgresConnections.ResolveServer(server, cmdlet.EngineCredential)));
            cmdlet.WriteVerbose($"{cmdlet.MyInvocation.MyCommand.Name}: {endpoint.Describe()}");
            foreach (string warning in endpoint.Warnings)
            {
                cmdlet.WriteWarning(warning);
            }

            using PostgresActivityReader reader = cmdlet.AwaitOrTerminate(ct => PostgresActivityReader.OpenAsync(endpoint, ct));
            IReadOnlyList<PostgresSession> sessions = cmdlet.AwaitOrTerminate(ct => reader.GetSessionsAsync(ct));
            var targets = new List<PostgresSession>();
            if (processIds is null)
            {
                targets.AddRange(new NameFilter(cmdlet.Database).Select(sessions.Where(s => s.Database is not null), s => s.Database!, null, out _));
            }
            else
            {
                foreach (int pid in processIds)
                {
                    if (sessions.FirstOrDefault(s => s.ProcessId == pid) is { } session)
                    {
                        targets.Add(session);
                    }
                    else if (pid == reader.OwnProcessId)
                    {
                        cmdlet.WriteError(ErrorRecords.Create(
                            "PostgresSessionIsOwn", ErrorCategory.InvalidOperation, pid,
                            $"Session {pid} on {endpoint.Server} is the one this command uses.", "Pick another process id."));
                    }
                    else
                    {
                        cmdlet.WriteError(ErrorRecords.Create(
                            "PostgresSessionNotFound", ErrorCategory.ObjectNotFound, pid,
                            $"No client session with process id {pid} is on {endpoint.Server}.",
                            "Run Get-PostgresActivity to list the sessions; the session may have ended already."));
                    }
                }
            }

            foreach (PostgresSession session in targets)
            {
                string query = session.Query is { Length: > 60 } text ? text[..60] + "..." : session.Query ?? string.Empty;
                string target = $"session {session.ProcessId} on {endpoint.Server} (user {session.User}, database {session.Database}, {session.State}{(query.Length > 0 ? ", query: " + query : string.Empty)})";
                if (!cmdlet.ShouldProcess(target, "Terminate"))
                {
                    continue;
                }

                try
                {
                    if (cmdlet.Await(reader.TerminateAsync(session.ProcessId, cmdlet.CancellationToken)))
                    {
                        if (cmdlet.PassThru)
                        {
                            cmdlet.WriteObject(session);
                        }
                    }
                    else
                    {
                        cmdlet.WriteError(ErrorRecords.Create(
                            "PostgresSessionNotFound", ErrorCategory.ObjectNotFound, session.ProcessId,
                            $"Session {session.ProcessId} on {endpoint.Server} ended before it could be terminated, or did not exit within 5 seconds.",
                            "Run Get-PostgresActivity to see whether it is still there."));
                    }
                }
                catch (OpsToolsException ex)
                {
                    cmdlet.WriteEngineError(ex);
                }
            }
        }
    }
}
