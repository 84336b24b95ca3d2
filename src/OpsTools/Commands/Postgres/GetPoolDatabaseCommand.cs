using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using OpsTools.Engine.Postgres;
using OpsTools.Infrastructure;
using OpsTools.Postgres;

namespace OpsTools.Commands.Postgres;

/// <summary>
/// <para type="synopsis">Gets the databases of pool servers with size, owner and connections, and the platform instance that uses each.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "PoolDatabase", DefaultParameterSetName = ParameterSets.Default)]
[OutputType(typeof(PoolDatabase))]
public sealed class GetPoolDatabaseCommand : PlatformCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    private readonly List<string> _pools = new();
    private bool _allPools;

    /// <summary>Pools whose databases to list (names or ids; wildcards match names); every pool in service when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name", "PoolName")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(DatabasePoolNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Pool { get; set; }

    /// <summary>Only databases no live instance uses, and instances whose database is missing.</summary>
    [Parameter]
    public SwitchParameter Orphaned { get; set; }

    /// <summary>Seconds allowed to connect to each pool.</summary>
    [Parameter]
    [ValidateRange(1, 600)]
    public int Timeout { get; set; } = 5;

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        if (Pool is { Length: > 0 })
        {
            _pools.AddRange(Pool);
        }
        else
        {
            _allPools = true;
        }
    }

    /// <inheritdoc/>
    protected override void EndProcessing() => Listing.Run(this);

    /// <summary>Engine calls in a nested type so the cmdlet class names no engine type in its members.</summary>
    private static class Listing
    {
        /// <summary>Pools whose servers should be up: the ones the platform checks, and those in maintenance.</summary>
        private static readonly PoolStatus[] InService = { PoolStatus.Active, PoolStatus.Full, PoolStatus.Initializing, PoolStatus.Maintenance };

        public static void Run(GetPoolDatabaseCommand cmdlet)
        {
            string server = cmdlet.GetPlatformServerText();
            PostgresEndpoint endpoint = cmdlet.AwaitOrTerminate(_ => System.Threading.Tasks.Task.FromResult(PostgresConnections.ResolvePlatform(server, cmdlet.EnginePlatformCredential)));
            cmdlet.WriteVerbose($"{cmdlet.MyInvocation.MyCommand.Name}: platform database {endpoint.Describe()}");
            foreach (string warning in endpoint.Warnings)
            {
                cmdlet.WriteWarning(warning);
            }

            using PlatformDatabase platform = cmdlet.AwaitOrTerminate(ct => PostgresConnections.OpenPlatformAsync(endpoint, ct));
            IReadOnlyList<DatabasePool> all = cmdlet.AwaitOrTerminate(ct => platform.GetPoolsAsync(ct));
            var selected = new List<DatabasePool>();
            if (cmdlet._allPools)
            {
                selected.AddRange(all.Where(p => InService.Contains(p.Status)));
            }

            if (cmdlet._pools.Count > 0)
            {
                selected.AddRange(new NameFilter(cmdlet._pools).Select(all, p => p.Name, p => p.Id.ToString(), out IReadOnlyList<string> unmatched).Where(p => !selected.Contains(p)));
                foreach (string missing in unmatched)
                {
                    cmdlet.WriteError(ErrorRecords.Create(
                        "PoolNotFound",
                        ErrorCategory.ObjectNotFound,
                        missing,
                        $"No pool named '{missing}' is in db_servers on {platform.DisplayName}.",
                        "Run Get-DatabasePool to list the pools."));
                }
            }

            var inspector = new PoolDatabaseInspector(platform);
            foreach (DatabasePool pool in selected)
            {
                IReadOnlyList<PoolDatabase> databases;
                try
                {
                    databases = cmdlet.Await(inspector.GetDatabasesAsync(pool, TimeSpan.FromSeconds(cmdlet.Timeout), cmdlet.CancellationToken));
                }
                catch (OpsToolsException ex)
                {
                    // One unreachable pool must not hide the others.
                    cmdlet.WriteError(PoolError(pool, ex));
                    continue;
                }

                cmdlet.WriteObject(
                    cmdlet.Orphaned ? databases.Where(d => d.State is PoolDatabaseState.Unreferenced or PoolDatabaseState.Missing) : databases,
                    enumerateCollection: true);
            }
        }

        private static ErrorRecord PoolError(DatabasePool pool, OpsToolsException ex)
        {
            if (ex.ErrorId == "PoolCredentialsMissing")
            {
                return ErrorRecords.From(ex);
            }

            var record = new ErrorRecord(ex, "PoolUnreachable", ErrorRecords.CategoryOf(ex.Kind), pool.Name)
            {
                ErrorDetails = new ErrorDetails($"Pool {pool.Name} ({pool.Host}:{pool.Port}): {ex.Message}")
                {
                    RecommendedAction = ex.RecommendedAction ?? "Check the pool with Test-PostgresReady and Invoke-PoolHealthCheck.",
                },
            };
            return record;
        }
    }
}
