using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Npgsql;
using OpsTools.Postgres;

namespace OpsTools.Engine.Postgres;

/// <summary>What one probe of a pool found, before anything is written.</summary>
public sealed class PoolProbe
{
    /// <summary>The pool as it was read before the check.</summary>
    public required DatabasePool Pool { get; init; }
    /// <summary>Succeeded, Failed or Skipped.</summary>
    public PoolCheckOutcome Outcome { get; init; }
    /// <summary>Connect + SELECT 1 time in milliseconds.</summary>
    public double? LatencyMilliseconds { get; init; }
    /// <summary>Why it failed.</summary>
    public string? Error { get; init; }
    /// <summary>SQLSTATE or error id.</summary>
    public string? ErrorCode { get; init; }
    /// <summary>Why it was skipped.</summary>
    public string? SkipReason { get; init; }
    /// <summary>Server version reported by the pool.</summary>
    public string? ServerVersion { get; init; }
    /// <summary>When the probe finished.</summary>
    public DateTimeOffset CheckedAt { get; init; }
}

/// <summary>
/// Checks pools the way the platform's periodic job does (connect to database <c>postgres</c> as
/// the pool admin and run <c>SELECT 1</c> under a timeout), but all at once with a bound on how
/// many run together, so one unreachable pool costs one timeout instead of delaying every other.
/// Writing the outcome is a separate step so the caller can ask before each write.
/// </summary>
public sealed class PoolHealthService
{
    /// <summary>Statuses the platform checks.</summary>
    public static readonly IReadOnlyList<PoolStatus> CheckedStatuses = new[] { PoolStatus.Active, PoolStatus.Full, PoolStatus.Initializing };

    private readonly PlatformDatabase _platform;

    /// <summary>Creates the service for one platform database.</summary>
    /// <param name="platform">The platform database.</param>
    public PoolHealthService(PlatformDatabase platform)
    {
        _platform = platform ?? throw new ArgumentNullException(nameof(platform));
    }

    /// <summary>Statuses checked: the platform's, plus error when recovering failed pools.</summary>
    /// <param name="includeError">Whether pools in error are checked too.</param>
    /// <returns>The statuses.</returns>
    public static IReadOnlyList<PoolStatus> StatusesToCheck(bool includeError) =>
        includeError ? CheckedStatuses.Append(PoolStatus.Error).ToList() : CheckedStatuses;

    /// <summary>
    /// Probes the pools in parallel (at most <paramref name="throttleLimit"/> at a time) and yields
    /// each probe as it finishes. Pools without admin credentials are yielded first, as skipped.
    /// </summary>
    /// <param name="pools">Pools to check.</param>
    /// <param name="timeout">Time allowed to connect and run SELECT 1, per pool.</param>
    /// <param name="throttleLimit">Checks running at once.</param>
    /// <param name="cancellationToken">Cancels every check.</param>
    /// <returns>The probes, in completion order.</returns>
    public async IAsyncEnumerable<PoolProbe> ProbeAsync(
        IReadOnlyList<DatabasePool> pools, TimeSpan timeout, int throttleLimit, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pools);
        ArgumentOutOfRangeException.ThrowIfLessThan(throttleLimit, 1);
        Dictionary<Guid, (string? User, string? Password)> credentials = pools.Count == 0
            ? new Dictionary<Guid, (string?, string?)>()
            : await _platform.GetCredentialsAsync(pools.Select(p => p.Id).ToList(), cancellationToken).ConfigureAwait(false);

        var targets = new List<(DatabasePool Pool, string User, string Password)>();
        foreach (DatabasePool pool in pools)
        {
            (string? user, string? password) = credentials.GetValueOrDefault(pool.Id);
            if (string.IsNullOrEmpty(user) || string.IsNullOrEmpty(password))
            {
                yield return new PoolProbe
                {
                    Pool = pool,
                    Outcome = PoolCheckOutcome.Skipped,
                    SkipReason = "no admin credentials in db_servers (admin_user or admin_password is empty)",
                    CheckedAt = DateTimeOffset.UtcNow,
                };
            }
            else
            {
                targets.Add((pool, user, password));
            }
        }

        if (targets.Count == 0)
        {
            yield break;
        }

        var channel = Channel.CreateUnbounded<PoolProbe>(new UnboundedChannelOptions { SingleReader = true });
        var options = new ParallelOptions { MaxDegreeOfParallelism = throttleLimit, CancellationToken = cancellationToken };
        Task producer = Task.Run(
            async () =>
            {
                try
                {
                    await Parallel.ForEachAsync(targets, options, async (target, token) =>
                    {
                        PoolProbe probe = await ProbeOneAsync(target.Pool, target.User, target.Password, timeout, token).ConfigureAwait(false);
                        await channel.Writer.WriteAsync(probe, token).ConfigureAwait(false);
                    }).ConfigureAwait(false);
                    channel.Writer.Complete();
                }
                catch (Exception ex)
                {
                    channel.Writer.Complete(ex);
                }
            },
            CancellationToken.None);

        await foreach (PoolProbe probe in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return probe;
        }

        await producer.ConfigureAwait(false);
    }

    /// <summary>Checks one pool: connect to <c>postgres</c> as the admin, <c>SELECT 1</c>, all within the timeout.</summary>
    internal static async Task<PoolProbe> ProbeOneAsync(DatabasePool pool, string user, string password, TimeSpan timeout, CancellationToken cancellationToken)
    {
        PostgresEndpoint endpoint = PostgresEndpoint.ForPool(pool.Host, pool.Port, user, password, timeout);
        var watch = Stopwatch.StartNew();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await using var connection = new NpgsqlConnection(endpoint.ConnectionString);
            await connection.OpenAsync(deadline.Token).ConfigureAwait(false);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(deadline.Token).ConfigureAwait(false);
            return new PoolProbe
            {
                Pool = pool,
                Outcome = PoolCheckOutcome.Succeeded,
                LatencyMilliseconds = Math.Round(watch.Elapsed.TotalMilliseconds, 1),
                ServerVersion = PostgresConnector.ShortVersion(connection.ServerVersion),
                CheckedAt = DateTimeOffset.UtcNow,
            };
        }
        catch (Exception ex) when (PostgresErrorMapper.Map(ex, endpoint, cancellationToken) is { } mapped)
        {
            return new PoolProbe
            {
                Pool = pool,
                Outcome = PoolCheckOutcome.Failed,
                LatencyMilliseconds = Math.Round(watch.Elapsed.TotalMilliseconds, 1),
                Error = PostgresErrorMapper.ShortMessage(ex, mapped),
                ErrorCode = PostgresErrorMapper.Code(ex, mapped),
                CheckedAt = DateTimeOffset.UtcNow,
            };
        }
    }

    /// <summary>The platform's transition for one check, computed without writing (for -NoUpdate and -WhatIf).</summary>
    /// <param name="status">Status before.</param>
    /// <param name="failures">Failures before.</param>
    /// <param name="succeeded">Whether the check succeeded.</param>
    /// <returns>Status, health and failures after.</returns>
    public static (PoolStatus Status, PoolHealthStatus Health, int Failures) Transition(PoolStatus status, int failures, bool succeeded)
    {
        if (succeeded)
        {
            return (status is PoolStatus.Initializing or PoolStatus.Error ? PoolStatus.Active : status, PoolHealthStatus.Healthy, 0);
        }

        int next = failures + 1;
        bool overThreshold = next >= PlatformDatabase.FailureThreshold;
        return (
            overThreshold && status == PoolStatus.Active ? PoolStatus.Error : status,
            overThreshold ? PoolHealthStatus.Unhealthy : PoolHealthStatus.Degraded,
            next);
    }

    /// <summary>The result a probe would give if written, without writing it.</summary>
    /// <param name="probe">The probe.</param>
    /// <param name="notUpdatedReason">Why nothing is written (shown as the skip reason), or null.</param>
    /// <returns>The result.</returns>
    public PoolHealthCheckResult Plan(PoolProbe probe, string? notUpdatedReason = null)
    {
        ArgumentNullException.ThrowIfNull(probe);
        DatabasePool pool = probe.Pool;
        if (probe.Outcome == PoolCheckOutcome.Skipped)
        {
            return Result(probe, pool.Status, pool.HealthStatus, pool.HealthCheckFailures, updated: false, probe.SkipReason);
        }

        (PoolStatus status, PoolHealthStatus health, int failures) = Transition(pool.Status, pool.HealthCheckFailures, probe.Outcome == PoolCheckOutcome.Succeeded);
        return Result(probe, status, health, failures, updated: false, notUpdatedReason);
    }

    /// <summary>Writes a probe's outcome to its row in one guarded statement and returns what changed.</summary>
    /// <param name="probe">The probe.</param>
    /// <param name="includeError">Whether pools in error may be written (and recovered).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The result, with the values the row held before and holds now.</returns>
    public async Task<PoolHealthCheckResult> RecordAsync(PoolProbe probe, bool includeError, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(probe);
        if (probe.Outcome == PoolCheckOutcome.Skipped)
        {
            return Plan(probe);
        }

        PoolHealthUpdate? update = await _platform.RecordHealthCheckAsync(
            probe.Pool.Id, probe.Outcome == PoolCheckOutcome.Succeeded, StatusesToCheck(includeError), cancellationToken).ConfigureAwait(false);
        if (update is null)
        {
            DatabasePool? now = await _platform.GetPoolAsync(probe.Pool.Id, cancellationToken).ConfigureAwait(false);
            string reason = now is null
                ? "not updated: the row was deleted while the pool was checked"
                : $"not updated: the status changed to {now.Status.ToString().ToLowerInvariant()} while the pool was checked";
            DatabasePool current = now ?? probe.Pool;
            return Result(probe, current.Status, current.HealthStatus, current.HealthCheckFailures, updated: false, reason);
        }

        return new PoolHealthCheckResult
        {
            Name = probe.Pool.Name,
            Id = probe.Pool.Id,
            Outcome = probe.Outcome,
            PreviousStatus = update.PreviousStatus,
            Status = update.Status,
            PreviousHealthStatus = update.PreviousHealthStatus,
            HealthStatus = update.HealthStatus,
            PreviousFailures = update.PreviousFailures,
            Failures = update.Failures,
            Updated = true,
            LatencyMilliseconds = probe.LatencyMilliseconds,
            Error = probe.Error,
            ErrorCode = probe.ErrorCode,
            ServerVersion = probe.ServerVersion,
            Host = probe.Pool.Host,
            Port = probe.Pool.Port,
            CheckedAt = probe.CheckedAt,
            PlatformServer = _platform.DisplayName,
        };
    }

    /// <summary>A skipped result for a pool that is not checked (its status, for instance).</summary>
    /// <param name="pool">The pool.</param>
    /// <param name="reason">Why.</param>
    /// <returns>The result.</returns>
    public PoolHealthCheckResult Skip(DatabasePool pool, string reason)
    {
        ArgumentNullException.ThrowIfNull(pool);
        return Plan(new PoolProbe { Pool = pool, Outcome = PoolCheckOutcome.Skipped, SkipReason = reason, CheckedAt = DateTimeOffset.UtcNow });
    }

    private PoolHealthCheckResult Result(PoolProbe probe, PoolStatus status, PoolHealthStatus health, int failures, bool updated, string? reason) => new()
    {
        Name = probe.Pool.Name,
        Id = probe.Pool.Id,
        Outcome = probe.Outcome,
        PreviousStatus = probe.Pool.Status,
        Status = status,
        PreviousHealthStatus = probe.Pool.HealthStatus,
        HealthStatus = health,
        PreviousFailures = probe.Pool.HealthCheckFailures,
        Failures = failures,
        Updated = updated,
        LatencyMilliseconds = probe.LatencyMilliseconds,
        Error = probe.Error,
        ErrorCode = probe.ErrorCode,
        SkipReason = reason,
        ServerVersion = probe.ServerVersion,
        Host = probe.Pool.Host,
        Port = probe.Pool.Port,
        CheckedAt = probe.CheckedAt,
        PlatformServer = _platform.DisplayName,
    };
}
