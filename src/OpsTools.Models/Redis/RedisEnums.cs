namespace OpsTools.Redis;

/// <summary>What <c>Test-RedisReady</c> found, as a readiness probe sees it.</summary>
public enum RedisReadyStatus
{
    /// <summary>The server answered PING with PONG.</summary>
    Ready,
    /// <summary>The server is loading its data set (RDB or AOF) into memory and refuses commands.</summary>
    Loading,
    /// <summary>The server answers but rejected the credentials, or needs some and none were given.</summary>
    AuthFailed,
    /// <summary>Nothing answered in time: refused, unresolvable host, dropped packets, not Redis.</summary>
    NoResponse,
}

/// <summary>How <c>Backup-RedisData</c> takes its snapshot.</summary>
public enum RedisBackupMethod
{
    /// <summary>AOF when the server has appendonly on, else RDB.</summary>
    Auto,
    /// <summary>BGSAVE, then copy the RDB file.</summary>
    Rdb,
    /// <summary>BGREWRITEAOF, then copy the append-only file (Redis 7: the whole appendonly directory).</summary>
    Aof,
}
