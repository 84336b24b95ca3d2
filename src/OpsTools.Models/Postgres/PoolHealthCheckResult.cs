using System;

namespace OpsTools.Postgres;

/// <summary>What one health check of a pool found, and what it changed in <c>db_servers</c>.</summary>
public sealed class PoolHealthCheckResult
{
    /// <summary>Pool name.</summary>
    public required string Name { get; init; }
    /// <summary>Whether the check succeeded, failed or was skipped.</summary>
    public PoolCheckOutcome Outcome { get; init; }
    /// <summary>Health before the check.</summary>
    public PoolHealthStatus PreviousHealthStatus { get; init; }
    /// <summary>Health after the check (what the row holds now, or would hold with -NoUpdate / -WhatIf).</summary>
    public PoolHealthStatus HealthStatus { get; init; }
    /// <summary>Status before the check.</summary>
    public PoolStatus PreviousStatus { get; init; }
    /// <summary>Status after the check.</summary>
    public PoolStatus Status { get; init; }
    /// <summary>Consecutive failures before the check.</summary>
    public int PreviousFailures { get; init; }
    /// <summary>Consecutive failures after the check.</summary>
    public int Failures { get; init; }
    /// <summary>Whether health or status changed.</summary>
    public bool Changed => PreviousHealthStatus != HealthStatus || PreviousStatus != Status;
    /// <summary>Whether the row was written (false with -NoUpdate, -WhatIf, for skipped pools, and when the row changed status meanwhile).</summary>
    public bool Updated { get; init; }
    /// <summary>Time to connect and run <c>SELECT 1</c>, in milliseconds; null when skipped.</summary>
    public double? LatencyMilliseconds { get; init; }
    /// <summary>Why the check failed: the server's message, or what happened on the network.</summary>
    public string? Error { get; init; }
    /// <summary>SQLSTATE of a server error, or the OpsTools error id (<c>PostgresTimeout</c>, <c>PostgresUnreachable</c>...).</summary>
    public string? ErrorCode { get; init; }
    /// <summary>Why the pool was not checked or not updated.</summary>
    public string? SkipReason { get; init; }
    /// <summary>Server version the pool reported, e.g. <c>15.18</c>.</summary>
    public string? ServerVersion { get; init; }
    /// <summary>Host checked.</summary>
    public required string Host { get; init; }
    /// <summary>Port checked.</summary>
    public int Port { get; init; }
    /// <summary>When the check finished.</summary>
    public DateTimeOffset CheckedAt { get; init; }
    /// <summary>Row id.</summary>
    public Guid Id { get; init; }
    /// <summary>Platform database of the row.</summary>
    public required string PlatformServer { get; init; }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
