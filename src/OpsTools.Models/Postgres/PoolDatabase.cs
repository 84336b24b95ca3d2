using System;

namespace OpsTools.Postgres;

/// <summary>A database on a pool server, matched against the platform's <c>instances</c> rows.</summary>
public sealed class PoolDatabase
{
    /// <summary>Pool name.</summary>
    public required string Pool { get; init; }
    /// <summary>Database name.</summary>
    public required string Name { get; init; }
    /// <summary>How the database relates to the instances.</summary>
    public PoolDatabaseState State { get; init; }
    /// <summary>Whether the database exists on the pool (false for <see cref="PoolDatabaseState.Missing"/>).</summary>
    public bool Exists { get; init; }
    /// <summary>Owner role.</summary>
    public string? Owner { get; init; }
    /// <summary>Size on disk in bytes; null when missing or not readable.</summary>
    public long? SizeBytes { get; init; }
    /// <summary>Sessions connected to the database now.</summary>
    public int Connections { get; init; }
    /// <summary>Connection limit of the database; null when unlimited.</summary>
    public int? ConnectionLimit { get; init; }
    /// <summary>Name of the instance that points at the database.</summary>
    public string? InstanceName { get; init; }
    /// <summary>Status of that instance (<c>running</c>, <c>stopped</c>, <c>terminated</c>...).</summary>
    public string? InstanceStatus { get; init; }
    /// <summary>Id of that instance.</summary>
    public Guid? InstanceId { get; init; }
    /// <summary>Pool host.</summary>
    public required string Host { get; init; }
    /// <summary>Pool port.</summary>
    public int Port { get; init; }
    /// <summary>Pool row id.</summary>
    public Guid PoolId { get; init; }
    /// <summary>Platform database the pool and instances were read from.</summary>
    public required string PlatformServer { get; init; }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
