using System;
using System.Collections.Generic;

namespace OpsTools.Ceph;

/// <summary>Health of a Ceph cluster or of one check (<c>HEALTH_OK</c>, <c>HEALTH_WARN</c>, <c>HEALTH_ERR</c>).</summary>
public enum CephHealthStatus
{
    /// <summary>A status this module does not know.</summary>
    Unknown,
    /// <summary><c>HEALTH_OK</c>.</summary>
    Ok,
    /// <summary><c>HEALTH_WARN</c>.</summary>
    Warning,
    /// <summary><c>HEALTH_ERR</c>.</summary>
    Error,
}

/// <summary>The health of a Ceph cluster, as <c>ceph health detail</c> reports it.</summary>
public sealed class CephHealth
{
    /// <summary>Cluster name (<c>ceph</c> unless <c>-Cluster</c> says otherwise).</summary>
    public required string Cluster { get; init; }
    /// <summary>Overall status; muted checks do not count towards it.</summary>
    public CephHealthStatus Status { get; init; }
    /// <summary>Checks that are raised and not muted.</summary>
    public int ActiveChecks { get; init; }
    /// <summary>Checks that are raised but muted (<c>ceph health mute</c>).</summary>
    public int MutedChecks { get; init; }
    /// <summary>Every raised check, muted ones included.</summary>
    public IReadOnlyList<CephHealthCheck> Checks { get; init; } = Array.Empty<CephHealthCheck>();

    /// <summary>Status as the ceph CLI prints it, e.g. <c>HEALTH_WARN</c>.</summary>
    public string StatusText => CephHealthCheck.ToCephText(Status);

    /// <inheritdoc/>
    public override string ToString() => StatusText;
}

/// <summary>One raised health check, e.g. <c>OSDMAP_FLAGS</c> or <c>MDS_ALL_DOWN</c>.</summary>
public sealed class CephHealthCheck
{
    /// <summary>Cluster name.</summary>
    public required string Cluster { get; init; }
    /// <summary>Check code, e.g. <c>OSDMAP_FLAGS</c>.</summary>
    public required string Code { get; init; }
    /// <summary>Severity of the check.</summary>
    public CephHealthStatus Severity { get; init; }
    /// <summary>Summary message, e.g. <c>noout flag(s) set</c>.</summary>
    public string Message { get; init; } = string.Empty;
    /// <summary>How many things the check is about (OSDs, PGs, daemons...).</summary>
    public long Count { get; init; }
    /// <summary>Whether the check is muted (<c>ceph health mute</c>).</summary>
    public bool Muted { get; init; }
    /// <summary>Detail lines (<c>ceph health detail</c>).</summary>
    public IReadOnlyList<string> Details { get; init; } = Array.Empty<string>();

    /// <summary>Severity as the ceph CLI prints it in <c>ceph health detail</c>: <c>WRN</c>, <c>ERR</c>.</summary>
    public string SeverityText => Severity switch
    {
        CephHealthStatus.Error => "ERR",
        CephHealthStatus.Warning => "WRN",
        CephHealthStatus.Ok => "OK",
        _ => "???",
    };

    /// <summary>The CLI text of a status.</summary>
    /// <param name="status">The status.</param>
    /// <returns><c>HEALTH_OK</c>, <c>HEALTH_WARN</c>, <c>HEALTH_ERR</c> or <c>HEALTH_UNKNOWN</c>.</returns>
    public static string ToCephText(CephHealthStatus status) => status switch
    {
        CephHealthStatus.Ok => "HEALTH_OK",
        CephHealthStatus.Warning => "HEALTH_WARN",
        CephHealthStatus.Error => "HEALTH_ERR",
        _ => "HEALTH_UNKNOWN",
    };

    /// <inheritdoc/>
    public override string ToString() => $"{Code}: {Message}";
}
