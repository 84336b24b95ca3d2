using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using OpsTools.Engine.Postgres;
using OpsTools.Postgres;

namespace OpsTools.Engine.Tests.Postgres;

/// <summary>Databases of a real pool matched with the platform's instances.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PoolDatabaseInspectorTests(PostgresFixture lab) : IAsyncLifetime
{
    private readonly string _prefix = "odoo_t" + Guid.NewGuid().ToString("N")[..6];

    private string Used => _prefix + "_used";

    private string Orphan => _prefix + "_orphan";

    private string LeftBehind => _prefix + "_terminated";

    private string Missing => _prefix + "_missing";

    public async Task InitializeAsync()
    {
        if (lab.LabProblem is not null)
        {
            return;
        }

        foreach (string database in new[] { Used, Orphan, LeftBehind })
        {
            await lab.ExecuteAsync(lab.DatabasesPoolPort, "postgres", $"CREATE DATABASE {database}");
        }
    }

    public async Task DisposeAsync()
    {
        if (lab.LabProblem is not null)
        {
            return;
        }

        foreach (string database in new[] { Used, Orphan, LeftBehind })
        {
            await lab.ExecuteAsync(lab.DatabasesPoolPort, "postgres", $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        }
    }

    [SkippableFact]
    public async Task Databases_are_matched_with_live_terminated_and_missing_instances()
    {
        lab.RequireLab();
        string pool = "postgres-pool-db" + Guid.NewGuid().ToString("N")[..6];
        Guid poolId = await lab.AddPoolAsync(pool, lab.DatabasesPoolPort);
        string customer = Guid.NewGuid().ToString();
        await lab.ExecuteAsync(lab.PlatformPort, lab.PlatformDatabase, $"""
            INSERT INTO instances (customer_id, name, status, database_name, db_name, db_server_id) VALUES
              ('{customer}', 'acme', 'running', '{Used}', '{Used}', '{poolId}'),
              ('{customer}', 'old-shop', 'terminated', '{LeftBehind}', '{LeftBehind}', '{poolId}'),
              ('{customer}', 'lost', 'stopped', '{Missing}', NULL, '{poolId}')
            """);
        await using PlatformDatabase platform = await PlatformDatabase.OpenAsync(lab.PlatformEndpoint());
        DatabasePool row = (await platform.GetPoolsAsync()).Single(p => p.Id == poolId);

        IReadOnlyList<PoolDatabase> databases = await new PoolDatabaseInspector(platform).GetDatabasesAsync(row, TimeSpan.FromSeconds(5));

        PoolDatabase used = databases.Single(d => d.Name == Used);
        Assert.Equal((PoolDatabaseState.InUse, "acme", "running", true), (used.State, used.InstanceName, used.InstanceStatus, used.Exists));
        Assert.True(used.SizeBytes > 1_000_000, $"size {used.SizeBytes}");
        Assert.Equal("postgres", used.Owner);
        Assert.Equal((PoolDatabaseState.Unreferenced, (string?)null), (databases.Single(d => d.Name == Orphan).State, databases.Single(d => d.Name == Orphan).InstanceName));
        Assert.Equal((PoolDatabaseState.Unreferenced, "old-shop"), (databases.Single(d => d.Name == LeftBehind).State, databases.Single(d => d.Name == LeftBehind).InstanceName));
        PoolDatabase missing = databases.Single(d => d.Name == Missing);
        Assert.Equal((PoolDatabaseState.Missing, false, "lost", (long?)null), (missing.State, missing.Exists, missing.InstanceName, missing.SizeBytes));
        Assert.Equal(PoolDatabaseState.System, databases.Single(d => d.Name == "postgres").State);
        Assert.DoesNotContain(databases, d => d.Name.StartsWith("template", StringComparison.Ordinal));
        Assert.All(databases, d => Assert.Equal(pool, d.Pool));
    }

    [SkippableFact]
    public async Task A_pool_without_credentials_is_PoolCredentialsMissing()
    {
        lab.RequireLab();
        Guid poolId = await lab.AddPoolAsync("postgres-pool-nc" + Guid.NewGuid().ToString("N")[..6], lab.DatabasesPoolPort, password: null);
        await using PlatformDatabase platform = await PlatformDatabase.OpenAsync(lab.PlatformEndpoint());
        DatabasePool row = (await platform.GetPoolsAsync()).Single(p => p.Id == poolId);

        OpsToolsException error = await Assert.ThrowsAsync<OpsToolsException>(() => new PoolDatabaseInspector(platform).GetDatabasesAsync(row, TimeSpan.FromSeconds(5)));

        Assert.Equal("PoolCredentialsMissing", error.ErrorId);
    }
}
