using System;
using System.Collections.Generic;

namespace OpsTools.Redis;

/// <summary>A Redis server's state, read from <c>INFO</c>.</summary>
public sealed class RedisInfo
{
    /// <summary>The server as given (<c>host:port</c>).</summary>
    public required string Server { get; init; }
    /// <summary><c>master</c> or <c>slave</c> (<c>role</c>).</summary>
    public string? Role { get; init; }
    /// <summary>Redis version (<c>redis_version</c>).</summary>
    public string? Version { get; init; }
    /// <summary>Time since the server started (<c>uptime_in_seconds</c>).</summary>
    public TimeSpan Uptime { get; init; }
    /// <summary>Memory in use, bytes (<c>used_memory</c>).</summary>
    public long UsedMemoryBytes { get; init; }
    /// <summary>Memory limit, bytes; 0 means no limit (<c>maxmemory</c>).</summary>
    public long MaxMemoryBytes { get; init; }
    /// <summary>What happens at the limit (<c>maxmemory_policy</c>, e.g. <c>noeviction</c>).</summary>
    public string? MaxMemoryPolicy { get; init; }
    /// <summary>Whether the append-only file is on (<c>aof_enabled</c>).</summary>
    public bool AofEnabled { get; init; }
    /// <summary>Whether an AOF rewrite runs now (<c>aof_rewrite_in_progress</c>).</summary>
    public bool AofRewriteInProgress { get; init; }
    /// <summary>Status of the last AOF rewrite, <c>ok</c> or <c>err</c> (<c>aof_last_bgrewrite_status</c>).</summary>
    public string? AofLastRewriteStatus { get; init; }
    /// <summary>Status of the last write to the AOF, <c>ok</c> or <c>err</c> (<c>aof_last_write_status</c>); null when AOF is off.</summary>
    public string? AofLastWriteStatus { get; init; }
    /// <summary>Whether a BGSAVE runs now (<c>rdb_bgsave_in_progress</c>).</summary>
    public bool RdbSaveInProgress { get; init; }
    /// <summary>When the last successful RDB save finished (<c>rdb_last_save_time</c>).</summary>
    public DateTimeOffset? RdbLastSaveTime { get; init; }
    /// <summary>Status of the last BGSAVE, <c>ok</c> or <c>err</c> (<c>rdb_last_bgsave_status</c>).</summary>
    public string? RdbLastSaveStatus { get; init; }
    /// <summary>Writes since the last RDB save (<c>rdb_changes_since_last_save</c>).</summary>
    public long RdbChangesSinceLastSave { get; init; }
    /// <summary>Connected clients (<c>connected_clients</c>).</summary>
    public int ConnectedClients { get; init; }
    /// <summary>Keys in the databases reported (all, or the one of <c>-Database</c>).</summary>
    public long Keys { get; init; }
    /// <summary>Keys per database, from <c>INFO keyspace</c> (databases without keys are absent).</summary>
    public required IReadOnlyList<RedisKeyspace> Keyspace { get; init; }
    /// <summary>Whether the server is loading its data set (<c>loading</c>).</summary>
    public bool Loading { get; init; }
    /// <summary>When the server was read.</summary>
    public DateTimeOffset CheckedAt { get; init; }

    /// <inheritdoc/>
    public override string ToString() => $"{Server} {Role} {Version}";
}

/// <summary>One database line of <c>INFO keyspace</c> (<c>db0:keys=3,expires=0,avg_ttl=0</c>).</summary>
public sealed class RedisKeyspace
{
    /// <summary>Database number.</summary>
    public int Database { get; init; }
    /// <summary>Keys in the database.</summary>
    public long Keys { get; init; }
    /// <summary>Keys with an expiry.</summary>
    public long Expires { get; init; }
    /// <summary>Average time to live of the keys with an expiry, in milliseconds.</summary>
    public long AverageTtlMilliseconds { get; init; }

    /// <inheritdoc/>
    public override string ToString() => $"db{Database}={Keys}";
}
