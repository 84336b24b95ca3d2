using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using OpsTools.Engine.Docker;
using OpsTools.Engine.Postgres;
using OpsTools.Infrastructure;
using OpsTools.Postgres;

namespace OpsTools.Commands.Postgres;

/// <summary>
/// <para type="synopsis">Removes every failed pool the platform's daily cleanup should: status error, no instances, last checked long ago or never.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "PoolCleanup", DefaultParameterSetName = ParameterSets.Default, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(DatabasePoolRemoval))]
public sealed class InvokePoolCleanupCommand : PlatformSwarmCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    /// <summary>How long ago the last check must be (pools never checked always qualify): 24h by default, or 30m, 7d, seconds, a TimeSpan.</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan OlderThan { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Move each removed pool's data directory to &lt;StorageRoot&gt;/archive/pool-N-&lt;UTC time&gt;.</summary>
    [Parameter]
    public SwitchParameter ArchiveDataDirectory { get; set; }

    /// <inheritdoc/>
    protected override void EndProcessing() => Cleanup.Run(this);

    /// <summary>Engine calls in a nested type so the cmdlet class names no engine type in its members.</summary>
    private static class Cleanup
    {
        public static void Run(InvokePoolCleanupCommand cmdlet)
        {
            string server = cmdlet.GetPlatformServerText();
            PostgresEndpoint endpoint = cmdlet.AwaitOrTerminate(_ => System.Threading.Tasks.Task.FromResult(PostgresConnections.ResolvePlatform(server, cmdlet.EnginePlatformCredential)));
            cmdlet.WriteVerbose($"{cmdlet.MyInvocation.MyCommand.Name}: platform database {endpoint.Describe()}");
            foreach (string warning in endpoint.Warnings)
            {
                cmdlet.WriteWarning(warning);
            }

            DockerConnection docker = cmdlet.AwaitOrTerminate(_ => System.Threading.Tasks.Task.FromResult(DockerConnection.Get(cmdlet.DockerHost)));
            using PlatformDatabase platform = cmdlet.AwaitOrTerminate(ct => PostgresConnections.OpenPlatformAsync(endpoint, ct));
            var remover = new PoolRemover(platform, docker);
            IReadOnlyList<DatabasePool> candidates = cmdlet.AwaitOrTerminate(ct => remover.GetCleanupCandidatesAsync(cmdlet.OlderThan, ct));
            cmdlet.WriteVerbose(string.Create(
                CultureInfo.InvariantCulture,
                $"{cmdlet.MyInvocation.MyCommand.Name}: {candidates.Count} pool(s) in error, without instances, last checked more than {cmdlet.OlderThan} ago or never: {string.Join(", ", System.Linq.Enumerable.Select(candidates, c => c.Name))}"));
            foreach (DatabasePool pool in candidates)
            {
                DatabasePoolRemoval? removal = cmdlet.RemovePool(pool, cmdlet.ArchiveDataDirectory, docker.Endpoint.DisplayName, ct => remover.RemoveAsync(pool, force: false, cmdlet.ArchiveDataDirectory, ct));
                if (removal is not null)
                {
                    cmdlet.WriteObject(removal);
                }
            }
        }
    }
}
