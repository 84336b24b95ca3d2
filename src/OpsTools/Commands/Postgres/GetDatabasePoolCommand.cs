using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using OpsTools.Engine.Postgres;
using OpsTools.Infrastructure;
using OpsTools.Postgres;

namespace OpsTools.Commands.Postgres;

/// <summary>
/// <para type="synopsis">Gets the platform's PostgreSQL pool servers (rows of db_servers) as objects.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "DatabasePool", DefaultParameterSetName = ParameterSets.Default)]
[OutputType(typeof(DatabasePool))]
public sealed class GetDatabasePoolCommand : PlatformCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    private IReadOnlyList<DatabasePool>? _pools;

    /// <summary>Pool names or ids; wildcards match names.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("PoolName")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(DatabasePoolNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>Only pools with one of these statuses.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public PoolStatus[]? Status { get; set; }

    /// <summary>Only pools with one of these health statuses.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public PoolHealthStatus[]? HealthStatus { get; set; }

    /// <summary>Only pools of these server types.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public PoolServerType[]? ServerType { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        _pools ??= Load();
        IEnumerable<DatabasePool> candidates = _pools
            .Where(p => Status is null || Status.Contains(p.Status))
            .Where(p => HealthStatus is null || HealthStatus.Contains(p.HealthStatus))
            .Where(p => ServerType is null || ServerType.Contains(p.ServerType));
        IReadOnlyList<DatabasePool> selected = new NameFilter(Name).Select(candidates, p => p.Name, p => p.Id.ToString(), out IReadOnlyList<string> unmatched);
        foreach (string missing in unmatched)
        {
            WriteError(ErrorRecords.Create(
                "PoolNotFound",
                ErrorCategory.ObjectNotFound,
                missing,
                $"No pool named '{missing}' is in db_servers{(Status is null && HealthStatus is null && ServerType is null ? string.Empty : " with the -Status, -HealthStatus and -ServerType given")}.",
                "Run Get-DatabasePool without -Name to list the pools."));
        }

        WriteObject(selected, enumerateCollection: true);
    }

    private IReadOnlyList<DatabasePool> Load()
    {
        string server = GetPlatformServerText();
        PostgresEndpoint endpoint = AwaitOrTerminate(_ => System.Threading.Tasks.Task.FromResult(PostgresConnections.ResolvePlatform(server, EnginePlatformCredential)));
        WriteVerbose($"{MyInvocation.MyCommand.Name}: platform database {endpoint.Describe()}");
        foreach (string warning in endpoint.Warnings)
        {
            WriteWarning(warning);
        }

        using PlatformDatabase platform = AwaitOrTerminate(ct => PostgresConnections.OpenPlatformAsync(endpoint, ct));
        return AwaitOrTerminate(ct => platform.GetPoolsAsync(ct));
    }
}
