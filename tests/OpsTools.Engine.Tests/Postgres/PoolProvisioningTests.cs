using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using OpsTools.Engine.Docker;
using OpsTools.Engine.Postgres;
using OpsTools.Engine.Tests.Lab;
using OpsTools.Postgres;

namespace OpsTools.Engine.Tests.Postgres;

/// <summary>Provisioning a pool as a real Swarm service of the lab's PostgreSQL image, and removing failed pools.</summary>
[Collection(PostgresCollection.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PoolProvisioningTests(PostgresFixture lab) : IAsyncLifetime
{
    private readonly string _network = "opstools-test-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _storage = Directory.CreateTempSubdirectory("opstools-pools-").FullName;
    private readonly List<string> _services = new();
    private string? _dockerHost;

    public async Task InitializeAsync()
    {
        _dockerHost = LabEnvironment.Get("OPSTOOLS_TEST_DOCKER_HOST");
        if (_dockerHost is not null && lab.LabProblem is null)
        {
            await DockerCli.RunAsync(_dockerHost, "network", "create", "--driver", "overlay", "--attachable", _network);
        }
    }

    public async Task DisposeAsync()
    {
        if (_dockerHost is not null && lab.LabProblem is null)
        {
            foreach (string service in _services)
            {
                await DockerCli.RunAsync(_dockerHost, "service", "rm", service).ContinueWith(_ => { }, TaskScheduler.Default);
            }

            // The network goes once the removed services' containers are gone.
            for (int attempt = 0; attempt < 40; attempt++)
            {
                try
                {
                    await DockerCli.RunAsync(_dockerHost, "network", "rm", _network);
                    break;
                }
                catch (InvalidOperationException)
                {
                    await Task.Delay(500);
                }
            }
        }

        Directory.Delete(_storage, recursive: true);
    }

    private DockerConnection Docker()
    {
        lab.RequireLab();
        return DockerConnection.Get(LabEnvironment.Require("OPSTOOLS_TEST_DOCKER_HOST", "Docker swarm"));
    }

    private PoolProvisionOptions Options(string image, int port) => new()
    {
        Image = image,
        StorageRoot = _storage,
        Network = _network,
        Placement = string.Empty,
        Cpus = 0.25,
        MemoryBytes = 256L * 1024 * 1024,
        HostName = lab.Host,
        PublishedPort = port,
        MaxInstances = 40,
    };

    [SkippableFact]
    public async Task A_new_pool_is_the_platforms_service_and_row_goes_provisioning_initializing_active()
    {
        DockerConnection docker = Docker();
        await using PlatformDatabase platform = await PlatformDatabase.OpenAsync(lab.PlatformEndpoint());
        var provisioner = new PoolProvisioner(platform, docker);
        (HashSet<string> rows, int shared) = await platform.GetPoolNamesAsync(default);
        // A data directory left by an earlier pool: its number must be skipped.
        PoolProvisionPlan first = await provisioner.PlanAsync(Options(LabEnvironment.Require("OPSTOOLS_TEST_IMAGE_POSTGRES", "images"), PostgresFixture.FreePort()));
        Directory.CreateDirectory(first.DataDirectory);

        PoolProvisionPlan plan = await provisioner.PlanAsync(first.Options);
        PoolReservation reservation = await provisioner.ReserveAsync(plan);
        _services.Add(reservation.Plan.Name);
        Assert.Equal("provisioning", (await lab.GetPoolRowAsync(reservation.Id)).Status);
        PoolProvisioner.CreateDataDirectory(reservation);
        await provisioner.CreateServiceAsync(reservation);
        Assert.Equal("initializing", (await lab.GetPoolRowAsync(reservation.Id)).Status);
        (PoolReadiness readiness, string? lastError) = await provisioner.WaitUntilAnswersAsync(reservation, TimeSpan.FromSeconds(90));
        DatabasePool pool = await provisioner.ActivateAsync(reservation);

        Assert.True(first.Number >= shared + 1 && !rows.Contains(first.Name));
        Assert.True(plan.Number > first.Number, $"{plan.Name} should skip {first.Name}, whose directory exists");
        Assert.True(readiness == PoolReadiness.Connected, $"{readiness}: {lastError}");
        Assert.Equal((PoolStatus.Active, PoolHealthStatus.Healthy, 0), (pool.Status, pool.HealthStatus, pool.HealthCheckFailures));
        Assert.Equal((plan.Name, plan.Name, plan.DataDirectory, "15", true, 40), (pool.Name, pool.SwarmServiceName, pool.StoragePath, pool.PostgresVersion, pool.HasAdminPassword, pool.MaxInstances));
        Assert.NotNull(pool.ProvisionedAt);
        Assert.Equal(PoolStorage.PostgresUid, StatOwner(plan.DataDirectory));

        using JsonDocument inspected = JsonDocument.Parse(await DockerCli.RunAsync(docker.Endpoint.DisplayName, "service", "inspect", plan.Name, "--format", "{{json .Spec}}"));
        JsonElement spec = inspected.RootElement;
        JsonElement labels = spec.GetProperty("Labels");
        Assert.Equal("database-pool", labels.GetProperty("saasodoo.service.type").GetString());
        Assert.Equal(plan.Name, labels.GetProperty("saasodoo.pool.name").GetString());
        Assert.Equal("40", labels.GetProperty("saasodoo.pool.max_instances").GetString());
        Assert.Equal("15", labels.GetProperty("saasodoo.postgres.version").GetString());
        JsonElement container = spec.GetProperty("TaskTemplate").GetProperty("ContainerSpec");
        List<string> env = container.GetProperty("Env").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Contains("POSTGRES_USER=postgres", env);
        Assert.Contains("POSTGRES_DB=postgres", env);
        Assert.Contains("PGDATA=/var/lib/postgresql/data/pgdata", env);
        Assert.Single(env, e => e.StartsWith("POSTGRES_PASSWORD=", StringComparison.Ordinal) && e.Length > 40);
        JsonElement mount = Assert.Single(container.GetProperty("Mounts").EnumerateArray());
        Assert.Equal(("bind", plan.DataDirectory, "/var/lib/postgresql/data"), (mount.GetProperty("Type").GetString(), mount.GetProperty("Source").GetString(), mount.GetProperty("Target").GetString()));
        JsonElement health = container.GetProperty("Healthcheck");
        Assert.Equal(new[] { "CMD-SHELL", "pg_isready -U postgres" }, health.GetProperty("Test").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal((10_000_000_000L, 5_000_000_000L, 5, 30_000_000_000L), (health.GetProperty("Interval").GetInt64(), health.GetProperty("Timeout").GetInt64(), health.GetProperty("Retries").GetInt32(), health.GetProperty("StartPeriod").GetInt64()));
        JsonElement task = spec.GetProperty("TaskTemplate");
        Assert.Equal((250_000_000L, 268435456L), (task.GetProperty("Resources").GetProperty("Limits").GetProperty("NanoCPUs").GetInt64(), task.GetProperty("Resources").GetProperty("Limits").GetProperty("MemoryBytes").GetInt64()));
        Assert.Equal((125_000_000L, 134217728L), (task.GetProperty("Resources").GetProperty("Reservations").GetProperty("NanoCPUs").GetInt64(), task.GetProperty("Resources").GetProperty("Reservations").GetProperty("MemoryBytes").GetInt64()));
        Assert.Equal(("any", 5_000_000_000L, 3), (task.GetProperty("RestartPolicy").GetProperty("Condition").GetString(), task.GetProperty("RestartPolicy").GetProperty("Delay").GetInt64(), task.GetProperty("RestartPolicy").GetProperty("MaxAttempts").GetInt32()));
        Assert.Equal((1, 10_000_000_000L, "rollback"), (spec.GetProperty("UpdateConfig").GetProperty("Parallelism").GetInt32(), spec.GetProperty("UpdateConfig").GetProperty("Delay").GetInt64(), spec.GetProperty("UpdateConfig").GetProperty("FailureAction").GetString()));
        Assert.Equal(1, spec.GetProperty("Mode").GetProperty("Replicated").GetProperty("Replicas").GetInt32());
        JsonElement port = Assert.Single(spec.GetProperty("EndpointSpec").GetProperty("Ports").EnumerateArray());
        Assert.Equal(("host", 5432, plan.Port), (port.GetProperty("PublishMode").GetString(), port.GetProperty("TargetPort").GetInt32(), port.GetProperty("PublishedPort").GetInt32()));

        // The new pool passes the platform's check with the password only db_servers knows.
        var service = new PoolHealthService(platform);
        PoolProbe probe = await FirstAsync(service.ProbeAsync(new[] { pool }, TimeSpan.FromSeconds(5), 1));
        Assert.Equal(PoolCheckOutcome.Succeeded, probe.Outcome);

        DatabasePoolRemoval removal = await new PoolRemover(platform, docker).RemoveAsync(pool, force: true, archiveDataDirectory: true);

        Assert.Equal((PoolStatus.Active, PoolStatus.Deprovisioning, true), (removal.PreviousStatus, removal.Status, removal.ServiceRemoved));
        Assert.False(Directory.Exists(plan.DataDirectory));
        Assert.True(Directory.Exists(removal.ArchivedTo), removal.ArchivedTo);
        Assert.StartsWith(Path.Combine(_storage, "archive", Path.GetFileName(plan.DataDirectory) + "-"), removal.ArchivedTo, StringComparison.Ordinal);
        Assert.Equal("deprovisioning", (await lab.GetPoolRowAsync(reservation.Id)).Status);
        Assert.DoesNotContain(plan.Name, await DockerCli.RunAsync(docker.Endpoint.DisplayName, "service", "ls", "--format", "{{.Name}}"), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_pool_that_never_answers_is_recorded_as_error_and_the_cleanup_removes_it_though_never_checked()
    {
        DockerConnection docker = Docker();
        await using PlatformDatabase platform = await PlatformDatabase.OpenAsync(lab.PlatformEndpoint());
        var provisioner = new PoolProvisioner(platform, docker);
        // busybox is no PostgreSQL: the service starts and nothing ever answers.
        PoolProvisionPlan plan = await provisioner.PlanAsync(Options(LabEnvironment.Require("OPSTOOLS_TEST_IMAGE_BUSYBOX", "images"), PostgresFixture.FreePort()));
        PoolReservation reservation = await provisioner.ReserveAsync(plan);
        _services.Add(reservation.Plan.Name);
        PoolProvisioner.CreateDataDirectory(reservation);
        await provisioner.CreateServiceAsync(reservation);

        (PoolReadiness readiness, _) = await provisioner.WaitUntilAnswersAsync(reservation, TimeSpan.FromSeconds(3));
        DatabasePool failed = await provisioner.MarkFailedAsync(reservation);

        Assert.Equal(PoolReadiness.TimedOut, readiness);
        Assert.Equal((PoolStatus.Error, PoolHealthStatus.Unhealthy, (DateTimeOffset?)null), (failed.Status, failed.HealthStatus, failed.LastHealthCheck));

        var remover = new PoolRemover(platform, docker);
        IReadOnlyList<DatabasePool> candidates = await remover.GetCleanupCandidatesAsync(TimeSpan.FromHours(24));
        Assert.Contains(candidates, c => c.Id == reservation.Id);
        DatabasePoolRemoval removal = await remover.RemoveAsync(failed, force: false, archiveDataDirectory: false);
        Assert.Equal((PoolStatus.Error, PoolStatus.Deprovisioning, true, (string?)null), (removal.PreviousStatus, removal.Status, removal.ServiceRemoved, removal.ArchivedTo));
        Assert.True(Directory.Exists(plan.DataDirectory), "without -ArchiveDataDirectory the data stays");
    }

    [SkippableFact]
    public async Task Cleanup_selects_failed_pools_without_instances_checked_long_ago_or_never()
    {
        DockerConnection docker = Docker();
        string tag = Guid.NewGuid().ToString("N")[..6];
        Guid neverChecked = await lab.AddPoolAsync($"postgres-pool-c{tag}a", PostgresFixture.FreePort(), status: "error");
        Guid checkedLongAgo = await lab.AddPoolAsync($"postgres-pool-c{tag}b", PostgresFixture.FreePort(), status: "error", lastCheck: DateTimeOffset.UtcNow.AddDays(-2));
        Guid checkedRecently = await lab.AddPoolAsync($"postgres-pool-c{tag}c", PostgresFixture.FreePort(), status: "error", lastCheck: DateTimeOffset.UtcNow.AddHours(-1));
        Guid counted = await lab.AddPoolAsync($"postgres-pool-c{tag}d", PostgresFixture.FreePort(), status: "error", currentInstances: 1);
        Guid withInstance = await lab.AddPoolAsync($"postgres-pool-c{tag}e", PostgresFixture.FreePort(), status: "error");
        Guid active = await lab.AddPoolAsync($"postgres-pool-c{tag}f", PostgresFixture.FreePort(), status: "active", lastCheck: DateTimeOffset.UtcNow.AddDays(-3));
        await lab.ExecuteAsync(lab.PlatformPort, lab.PlatformDatabase, $"INSERT INTO instances (customer_id, name, status, db_server_id) VALUES (gen_random_uuid(), 'x', 'stopped', '{withInstance}')");
        await using PlatformDatabase platform = await PlatformDatabase.OpenAsync(lab.PlatformEndpoint());
        var remover = new PoolRemover(platform, docker);

        var selected = (await remover.GetCleanupCandidatesAsync(TimeSpan.FromHours(24))).Select(p => p.Id).ToHashSet();

        Assert.Contains(neverChecked, selected);
        Assert.Contains(checkedLongAgo, selected);
        Assert.DoesNotContain(checkedRecently, selected);
        Assert.DoesNotContain(counted, selected);
        Assert.DoesNotContain(withInstance, selected);
        Assert.DoesNotContain(active, selected);

        // An instance placed on a candidate between selection and removal keeps it.
        DatabasePool candidate = (await platform.GetPoolsAsync()).Single(p => p.Id == checkedLongAgo);
        await lab.ExecuteAsync(lab.PlatformPort, lab.PlatformDatabase, $"INSERT INTO instances (customer_id, name, status, db_server_id) VALUES (gen_random_uuid(), 'y', 'creating', '{checkedLongAgo}')");
        OpsToolsException refused = await Assert.ThrowsAsync<OpsToolsException>(() => remover.RemoveAsync(candidate, force: false, archiveDataDirectory: false));
        Assert.Equal(("PoolNotRemovable", OpsToolsErrorKind.InvalidOperation), (refused.ErrorId, refused.Kind));
        Assert.Equal("error", (await lab.GetPoolRowAsync(checkedLongAgo)).Status);

        // The removal writes a status the CHECK constraint allows (the platform's 'deprovisioned' is rejected).
        DatabasePoolRemoval removal = await remover.RemoveAsync((await platform.GetPoolsAsync()).Single(p => p.Id == neverChecked), force: false, archiveDataDirectory: false);
        Assert.False(removal.ServiceRemoved);
        Assert.Equal("deprovisioning", (await lab.GetPoolRowAsync(neverChecked)).Status);
        await Assert.ThrowsAnyAsync<Npgsql.PostgresException>(() => lab.ExecuteAsync(lab.PlatformPort, lab.PlatformDatabase, $"UPDATE db_servers SET status = 'deprovisioned' WHERE id = '{neverChecked}'"));
    }

    private static async Task<T> FirstAsync<T>(IAsyncEnumerable<T> items)
    {
        await foreach (T item in items)
        {
            return item;
        }

        throw new InvalidOperationException("empty");
    }

    private static int StatOwner(string path)
    {
        string output = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", new[] { "-c", "%u %a", path }) { RedirectStandardOutput = true })!.StandardOutput.ReadToEnd().Trim();
        string[] parts = output.Split(' ');
        Assert.Equal("700", parts[1]);
        return int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
    }
}
