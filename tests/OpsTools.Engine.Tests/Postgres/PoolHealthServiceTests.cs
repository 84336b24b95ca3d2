using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using OpsTools.Engine.Postgres;
using OpsTools.Postgres;

namespace OpsTools.Engine.Tests.Postgres;

/// <summary>The platform's health-check state machine, run for real against the lab's servers.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PoolHealthServiceTests(PostgresFixture lab)
{
    private static string NewName() => "postgres-pool-t" + Guid.NewGuid().ToString("N")[..6];

    private async Task<List<PoolHealthCheckResult>> CheckAsync(IEnumerable<Guid> ids, bool includeError = false, int timeoutSeconds = 2)
    {
        await using PlatformDatabase platform = await PlatformDatabase.OpenAsync(lab.PlatformEndpoint());
        var service = new PoolHealthService(platform);
        var wanted = ids.ToHashSet();
        List<DatabasePool> pools = (await platform.GetPoolsAsync()).Where(p => wanted.Contains(p.Id)).ToList();
        var results = new List<PoolHealthCheckResult>();
        await foreach (PoolProbe probe in service.ProbeAsync(pools, TimeSpan.FromSeconds(timeoutSeconds), throttleLimit: 16))
        {
            results.Add(await service.RecordAsync(probe, includeError));
        }

        return results;
    }

    [SkippableFact]
    public async Task A_healthy_pool_stays_healthy_with_its_counter_at_zero()
    {
        lab.RequireLab();
        Guid id = await lab.AddPoolAsync(NewName(), lab.StablePoolPort, health: "healthy");

        PoolHealthCheckResult first = Assert.Single(await CheckAsync(new[] { id }));
        PoolHealthCheckResult second = Assert.Single(await CheckAsync(new[] { id }));

        Assert.Equal(PoolCheckOutcome.Succeeded, second.Outcome);
        Assert.Equal((PoolHealthStatus.Healthy, PoolStatus.Active, 0, true), (second.HealthStatus, second.Status, second.Failures, second.Updated));
        Assert.False(first.Changed);
        Assert.Matches(@"^\d+\.\d+$", second.ServerVersion);
        Assert.Equal(("active", "healthy", 0), ((await lab.GetPoolRowAsync(id)).Status, (await lab.GetPoolRowAsync(id)).Health, (await lab.GetPoolRowAsync(id)).Failures));
    }

    [SkippableFact]
    public async Task A_stopped_pool_goes_degraded_degraded_then_unhealthy_and_error_and_recovers_with_include_error()
    {
        lab.RequireLab();
        Guid id = await lab.AddPoolAsync(NewName(), lab.StoppablePoolPort, health: "healthy");
        var seen = new List<(PoolHealthStatus Health, PoolStatus Status, int Failures)>();
        await lab.StopServerAsync(lab.StoppablePoolPort);
        try
        {
            for (int run = 0; run < 3; run++)
            {
                PoolHealthCheckResult result = Assert.Single(await CheckAsync(new[] { id }));
                Assert.Equal(PoolCheckOutcome.Failed, result.Outcome);
                Assert.Contains("connection refused", result.Error, StringComparison.Ordinal);
                seen.Add((result.HealthStatus, result.Status, result.Failures));
            }

            // Without -IncludeError the platform never looks at an error pool again.
            Assert.Empty(await CheckWithPlatformSelectionAsync(includeError: false, id));
        }
        finally
        {
            await lab.StartServerAsync(lab.StoppablePoolPort);
        }

        PoolHealthCheckResult recovered = Assert.Single(await CheckWithPlatformSelectionAsync(includeError: true, id));

        Assert.Equal(
            new[] { (PoolHealthStatus.Degraded, PoolStatus.Active, 1), (PoolHealthStatus.Degraded, PoolStatus.Active, 2), (PoolHealthStatus.Unhealthy, PoolStatus.Error, 3) },
            seen);
        Assert.Equal((PoolStatus.Error, PoolStatus.Active, PoolHealthStatus.Healthy, 0), (recovered.PreviousStatus, recovered.Status, recovered.HealthStatus, recovered.Failures));
        Assert.Equal(("active", "healthy", 0), ((await lab.GetPoolRowAsync(id)).Status, (await lab.GetPoolRowAsync(id)).Health, (await lab.GetPoolRowAsync(id)).Failures));
    }

    /// <summary>What Invoke-PoolHealthCheck selects without names: the checked statuses only.</summary>
    private async Task<List<PoolHealthCheckResult>> CheckWithPlatformSelectionAsync(bool includeError, Guid id)
    {
        await using PlatformDatabase platform = await PlatformDatabase.OpenAsync(lab.PlatformEndpoint());
        IReadOnlyList<PoolStatus> statuses = PoolHealthService.StatusesToCheck(includeError);
        bool selected = (await platform.GetPoolsAsync()).Any(p => p.Id == id && statuses.Contains(p.Status));
        return selected ? await CheckAsync(new[] { id }, includeError) : new List<PoolHealthCheckResult>();
    }

    [SkippableFact]
    public async Task An_initializing_pool_that_answers_is_promoted_to_active()
    {
        lab.RequireLab();
        Guid id = await lab.AddPoolAsync(NewName(), lab.StablePoolPort, status: "initializing");

        PoolHealthCheckResult result = Assert.Single(await CheckAsync(new[] { id }));

        Assert.Equal((PoolStatus.Initializing, PoolStatus.Active, PoolHealthStatus.Healthy), (result.PreviousStatus, result.Status, result.HealthStatus));
        Assert.True(result.Changed);
    }

    [SkippableFact]
    public async Task Wrong_credentials_are_a_failure_with_the_servers_message()
    {
        lab.RequireLab();
        Guid id = await lab.AddPoolAsync(NewName(), lab.StablePoolPort, password: "not-the-password");

        PoolHealthCheckResult result = Assert.Single(await CheckAsync(new[] { id }));

        Assert.Equal(PoolCheckOutcome.Failed, result.Outcome);
        Assert.Equal("password authentication failed for user \"postgres\"", result.Error);
        Assert.Equal("28P01", result.ErrorCode);
        Assert.Equal((PoolHealthStatus.Degraded, 1), (result.HealthStatus, result.Failures));
    }

    [SkippableFact]
    public async Task A_pool_without_credentials_is_skipped_with_a_reason_and_not_written()
    {
        lab.RequireLab();
        Guid id = await lab.AddPoolAsync(NewName(), lab.StablePoolPort, password: null);

        PoolHealthCheckResult result = Assert.Single(await CheckAsync(new[] { id }));

        Assert.Equal(PoolCheckOutcome.Skipped, result.Outcome);
        Assert.Contains("no admin credentials", result.SkipReason, StringComparison.Ordinal);
        Assert.False(result.Updated);
        Assert.Null((await lab.GetPoolRowAsync(id)).LastCheck);
    }

    [SkippableFact]
    public async Task Full_pools_keep_their_status_and_initializing_pools_are_not_failed_into_error()
    {
        lab.RequireLab();
        Guid full = await lab.AddPoolAsync(NewName(), PostgresFixture.FreePort(), status: "full", failures: 2);
        Guid initializing = await lab.AddPoolAsync(NewName(), PostgresFixture.FreePort(), status: "initializing", failures: 5);

        List<PoolHealthCheckResult> results = await CheckAsync(new[] { full, initializing });

        Assert.All(results, r => Assert.Equal(PoolHealthStatus.Unhealthy, r.HealthStatus));
        Assert.Equal(PoolStatus.Full, results.Single(r => r.Id == full).Status);
        Assert.Equal((PoolStatus.Initializing, 6), (results.Single(r => r.Id == initializing).Status, results.Single(r => r.Id == initializing).Failures));
    }

    [SkippableFact]
    public async Task The_written_transition_is_the_one_computed_for_NoUpdate_in_every_case()
    {
        lab.RequireLab();
        await using PlatformDatabase platform = await PlatformDatabase.OpenAsync(lab.PlatformEndpoint());
        var cases = from status in new[] { "active", "full", "initializing", "error" }
                    from failures in new[] { 0, 1, 2, 3, 7 }
                    from ok in new[] { true, false }
                    select (status, failures, ok);
        foreach ((string status, int failures, bool ok) in cases)
        {
            Guid id = await lab.AddPoolAsync(NewName(), lab.StablePoolPort, status: status, failures: failures);
            PoolStatus before = PlatformDatabase.ParseStatus(status);

            PoolHealthUpdate? written = await platform.RecordHealthCheckAsync(id, ok, PoolHealthService.StatusesToCheck(includeError: true));
            (PoolStatus expectedStatus, PoolHealthStatus expectedHealth, int expectedFailures) = PoolHealthService.Transition(before, failures, ok);

            Assert.NotNull(written);
            Assert.True(
                (expectedStatus, expectedHealth, expectedFailures) == (written!.Status, written.HealthStatus, written.Failures),
                $"{status}/{failures}/{(ok ? "ok" : "failed")}: computed {expectedStatus}/{expectedHealth}/{expectedFailures}, written {written.Status}/{written.HealthStatus}/{written.Failures}");
        }
    }

    [SkippableFact]
    public async Task Concurrent_checkers_each_count_their_failure()
    {
        lab.RequireLab();
        Guid id = await lab.AddPoolAsync(NewName(), lab.StablePoolPort, failures: 0);
        var platforms = new List<PlatformDatabase>();
        for (int i = 0; i < 8; i++)
        {
            platforms.Add(await PlatformDatabase.OpenAsync(lab.PlatformEndpoint()));
        }

        try
        {
            // Eight checkers record a failure at the same moment; a read-modify-write would lose some.
            await Task.WhenAll(platforms.Select(p => p.RecordHealthCheckAsync(id, succeeded: false, PoolHealthService.StatusesToCheck(includeError: true))));
        }
        finally
        {
            foreach (PlatformDatabase platform in platforms)
            {
                await platform.DisposeAsync();
            }
        }

        (string status, string health, int failures, _) = await lab.GetPoolRowAsync(id);
        Assert.Equal(("error", "unhealthy", 8), (status, health, failures));
    }

    [SkippableFact]
    public async Task A_pool_moved_to_maintenance_during_its_check_is_not_written()
    {
        lab.RequireLab();
        Guid id = await lab.AddPoolAsync(NewName(), lab.StablePoolPort);
        await using PlatformDatabase platform = await PlatformDatabase.OpenAsync(lab.PlatformEndpoint());
        var service = new PoolHealthService(platform);
        DatabasePool pool = (await platform.GetPoolsAsync()).Single(p => p.Id == id);
        PoolProbe? probe = null;
        await foreach (PoolProbe only in service.ProbeAsync(new[] { pool }, TimeSpan.FromSeconds(2), 1))
        {
            probe = only;
        }

        await lab.ExecuteAsync(lab.PlatformPort, lab.PlatformDatabase, $"UPDATE db_servers SET status = 'maintenance' WHERE id = '{id}'");

        PoolHealthCheckResult result = await service.RecordAsync(probe!, includeError: false);

        Assert.False(result.Updated);
        Assert.Contains("maintenance", result.SkipReason, StringComparison.Ordinal);
        Assert.Equal(("maintenance", "unknown"), ((await lab.GetPoolRowAsync(id)).Status, (await lab.GetPoolRowAsync(id)).Health));
    }

    [SkippableFact]
    public async Task Unreachable_pools_cost_one_timeout_not_one_each()
    {
        lab.RequireLab();
        await using LoopbackDrop a = await LoopbackDrop.CreateAsync();
        await using LoopbackDrop b = await LoopbackDrop.CreateAsync();
        await using LoopbackDrop c = await LoopbackDrop.CreateAsync();
        var ids = new List<Guid>();
        foreach (int port in new[] { a.Port, b.Port, c.Port })
        {
            ids.Add(await lab.AddPoolAsync(NewName(), port));
        }

        ids.Add(await lab.AddPoolAsync(NewName(), lab.StablePoolPort));
        const int TimeoutSeconds = 2;

        var watch = Stopwatch.StartNew();
        List<PoolHealthCheckResult> results = await CheckAsync(ids, timeoutSeconds: TimeoutSeconds);
        watch.Stop();

        Assert.Equal(3, results.Count(r => r.ErrorCode == "PostgresTimeout"));
        Assert.Single(results, r => r.Outcome == PoolCheckOutcome.Succeeded);
        // One after another the three silent pools need at least 3 x 2 s; in parallel about one timeout.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(TimeoutSeconds * 2), $"took {watch.Elapsed.TotalSeconds:0.00} s");
        Assert.All(results.Where(r => r.ErrorCode == "PostgresTimeout"), r => Assert.InRange(r.LatencyMilliseconds!.Value, TimeoutSeconds * 1000 - 50, TimeoutSeconds * 1000 + 1500));
    }
}
