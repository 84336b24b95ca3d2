using System;
using System.Collections.Generic;
using System.Management.Automation;
using OpsTools.Engine.Docker;
using OpsTools.Engine.Postgres;
using OpsTools.Infrastructure;
using OpsTools.Postgres;

namespace OpsTools.Commands.Postgres;

/// <summary>
/// <para type="synopsis">Removes failed pool servers: their Swarm service, optionally their data directory (archived), and marks their db_servers row deprovisioning.</para>
/// </summary>
[Cmdlet(VerbsCommon.Remove, "DatabasePool", DefaultParameterSetName = ParameterSets.Default, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(DatabasePoolRemoval))]
public sealed class RemoveDatabasePoolCommand : PlatformSwarmCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    private readonly List<string> _names = new();

    /// <summary>Pools to remove (names or ids; wildcards match names).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("PoolName")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(DatabasePoolNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>Move the data directory to &lt;StorageRoot&gt;/archive/pool-N-&lt;UTC time&gt; once the service is gone.</summary>
    [Parameter]
    public SwitchParameter ArchiveDataDirectory { get; set; }

    /// <summary>Remove pools in any status, not only error (a pool any instance uses is never removed).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Write what was done for each pool.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord() => _names.AddRange(Name);

    /// <inheritdoc/>
    protected override void EndProcessing() => Removal.Run(this);

    /// <summary>Engine calls in a nested type so the cmdlet class names no engine type in its members.</summary>
    private static class Removal
    {
        public static void Run(RemoveDatabasePoolCommand cmdlet)
        {
            if (cmdlet._names.Count == 0)
            {
                return;
            }

            string server = cmdlet.GetPlatformServerText();
            PostgresEndpoint endpoint = cmdlet.AwaitOrTerminate(_ => System.Threading.Tasks.Task.FromResult(PostgresConnections.ResolvePlatform(server, cmdlet.EnginePlatformCredential)));
            cmdlet.WriteVerbose($"{cmdlet.MyInvocation.MyCommand.Name}: platform database {endpoint.Describe()}");
            foreach (string warning in endpoint.Warnings)
            {
                cmdlet.WriteWarning(warning);
            }

            DockerConnection docker = cmdlet.AwaitOrTerminate(_ => System.Threading.Tasks.Task.FromResult(DockerConnection.Get(cmdlet.DockerHost)));
            using PlatformDatabase platform = cmdlet.AwaitOrTerminate(ct => PostgresConnections.OpenPlatformAsync(endpoint, ct));
            IReadOnlyList<DatabasePool> all = cmdlet.AwaitOrTerminate(ct => platform.GetPoolsAsync(ct));
            IReadOnlyList<DatabasePool> selected = new NameFilter(cmdlet._names).Select(all, p => p.Name, p => p.Id.ToString(), out IReadOnlyList<string> unmatched);
            foreach (string missing in unmatched)
            {
                cmdlet.WriteError(ErrorRecords.Create(
                    "PoolNotFound", ErrorCategory.ObjectNotFound, missing,
                    $"No pool named '{missing}' is in db_servers on {platform.DisplayName}.", "Run Get-DatabasePool to list the pools."));
            }

            var remover = new PoolRemover(platform, docker);
            foreach (DatabasePool pool in selected)
            {
                string? reason = cmdlet.AwaitOrTerminate(ct => remover.CheckRemovableAsync(pool, cmdlet.Force, ct));
                if (reason is not null)
                {
                    cmdlet.WriteEngineError(PoolRemover.NotRemovable(pool.Name, reason));
                    continue;
                }

                DatabasePoolRemoval? removal = cmdlet.RemovePool(pool, cmdlet.ArchiveDataDirectory, docker.Endpoint.DisplayName, ct => remover.RemoveAsync(pool, cmdlet.Force, cmdlet.ArchiveDataDirectory, ct));
                if (removal is not null && cmdlet.PassThru)
                {
                    cmdlet.WriteObject(removal);
                }
            }
        }
    }
}
