using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using OpsTools.Redis;
using StackExchange.Redis;

namespace OpsTools.Engine.Redis;

/// <summary>Reads <c>INFO</c> from a server and shapes it into a <see cref="RedisInfo"/>.</summary>
public static class RedisInfoReader
{
    /// <summary>Connects, reads INFO and disconnects.</summary>
    /// <param name="endpoint">The server.</param>
    /// <param name="timeout">Connect and command timeout.</param>
    /// <param name="database">Report only this database's keys; null for every database.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The server's state.</returns>
    /// <exception cref="OpsToolsException">When the server cannot be reached or refuses.</exception>
    public static async Task<RedisInfo> ReadAsync(RedisEndpoint endpoint, TimeSpan timeout, int? database, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ConnectionMultiplexer connection = await RedisConnector.ConnectAsync(endpoint, timeout, allowAdmin: false, cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            IReadOnlyDictionary<string, string> fields = await ReadFieldsAsync(connection, endpoint, "default", cancellationToken).ConfigureAwait(false);
            return Shape(endpoint, fields, database);
        }
    }

    /// <summary>Sends <c>INFO [section]</c> and returns its <c>name:value</c> fields.</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="endpoint">The server, for errors.</param>
    /// <param name="section">Section, e.g. <c>persistence</c>.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The fields.</returns>
    public static async Task<IReadOnlyDictionary<string, string>> ReadFieldsAsync(ConnectionMultiplexer connection, RedisEndpoint endpoint, string section, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        try
        {
            RedisResult result = await connection.GetDatabase().ExecuteAsync("INFO", section).WaitAsync(cancellationToken).ConfigureAwait(false);
            return Parse(result.ToString() ?? string.Empty);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            throw RedisConnector.Map(ex, endpoint);
        }
    }

    /// <summary>Parses INFO text: <c>name:value</c> lines, <c># Section</c> headers skipped.</summary>
    /// <param name="text">INFO's answer.</param>
    /// <returns>The fields by name.</returns>
    public static IReadOnlyDictionary<string, string> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (line.Length == 0 || line[0] == '#' || colon <= 0)
            {
                continue;
            }

            fields[line[..colon]] = line[(colon + 1)..];
        }

        return fields;
    }

    /// <summary>Builds the typed state from INFO fields.</summary>
    /// <param name="endpoint">The server.</param>
    /// <param name="fields">INFO fields.</param>
    /// <param name="database">Report only this database's keys; null for all.</param>
    /// <returns>The state.</returns>
    public static RedisInfo Shape(RedisEndpoint endpoint, IReadOnlyDictionary<string, string> fields, int? database)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(fields);
        var keyspace = new List<RedisKeyspace>();
        foreach ((string name, string value) in fields)
        {
            if (name.StartsWith("db", StringComparison.Ordinal) && int.TryParse(name.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out int db) && (database is null || database == db))
            {
                Dictionary<string, long> parts = value.Split(',')
                    .Select(p => p.Split('=', 2))
                    .Where(p => p.Length == 2)
                    .ToDictionary(p => p[0], p => long.TryParse(p[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) ? n : 0L, StringComparer.Ordinal);
                keyspace.Add(new RedisKeyspace
                {
                    Database = db,
                    Keys = parts.GetValueOrDefault("keys"),
                    Expires = parts.GetValueOrDefault("expires"),
                    AverageTtlMilliseconds = parts.GetValueOrDefault("avg_ttl"),
                });
            }
        }

        keyspace.Sort((a, b) => a.Database.CompareTo(b.Database));
        bool aof = Flag(fields, "aof_enabled");
        long lastSave = Number(fields, "rdb_last_save_time");
        return new RedisInfo
        {
            Server = endpoint.Display,
            Role = Text(fields, "role"),
            Version = Text(fields, "redis_version"),
            Uptime = TimeSpan.FromSeconds(Number(fields, "uptime_in_seconds")),
            UsedMemoryBytes = Number(fields, "used_memory"),
            MaxMemoryBytes = Number(fields, "maxmemory"),
            MaxMemoryPolicy = Text(fields, "maxmemory_policy"),
            AofEnabled = aof,
            AofRewriteInProgress = Flag(fields, "aof_rewrite_in_progress"),
            AofLastRewriteStatus = Text(fields, "aof_last_bgrewrite_status"),
            AofLastWriteStatus = aof ? Text(fields, "aof_last_write_status") : null,
            RdbSaveInProgress = Flag(fields, "rdb_bgsave_in_progress"),
            RdbLastSaveTime = lastSave > 0 ? DateTimeOffset.FromUnixTimeSeconds(lastSave) : null,
            RdbLastSaveStatus = Text(fields, "rdb_last_bgsave_status"),
            RdbChangesSinceLastSave = Number(fields, "rdb_changes_since_last_save"),
            ConnectedClients = (int)Number(fields, "connected_clients"),
            Keys = keyspace.Sum(k => k.Keys),
            Keyspace = keyspace,
            Loading = Flag(fields, "loading"),
            CheckedAt = DateTimeOffset.UtcNow,
        };
    }

    /// <summary>A numeric INFO field, 0 when absent or not a number.</summary>
    /// <param name="fields">INFO fields.</param>
    /// <param name="name">Field name.</param>
    /// <returns>The value.</returns>
    public static long Number(IReadOnlyDictionary<string, string> fields, string name) =>
        fields.TryGetValue(name, out string? value) && long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long number) ? number : 0;

    /// <summary>A 0/1 INFO field.</summary>
    /// <param name="fields">INFO fields.</param>
    /// <param name="name">Field name.</param>
    /// <returns>True for 1.</returns>
    public static bool Flag(IReadOnlyDictionary<string, string> fields, string name) => Number(fields, name) == 1;

    private static string? Text(IReadOnlyDictionary<string, string> fields, string name) => fields.TryGetValue(name, out string? value) ? value : null;
}
