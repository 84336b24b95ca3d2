using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using OpsTools.Redis;
using StackExchange.Redis;

namespace OpsTools.Engine.Redis;

/// <summary>
/// Reads Celery queues from a Redis broker the way kombu's Redis transport lays them out: each
/// queue is a list named by the queue, with one more list per priority step,
/// <c>&lt;queue&gt;\x06\x16&lt;priority&gt;</c>; deliveries taken by workers and not yet
/// acknowledged sit in the hash <c>unacked</c> (delivery tag → <c>[message, exchange, routing_key]</c>)
/// with their delivery time in the sorted set <c>unacked_index</c>; queues declared by workers are
/// members of the sets <c>_kombu.binding.&lt;exchange&gt;</c> (<c>routing_key\x06\x16pattern\x06\x16queue</c>).
/// </summary>
public static class CeleryQueueReader
{
    /// <summary>kombu's separator in priority list names and binding members.</summary>
    public const string Separator = "\x06\x16";

    private const string UnackedHash = "unacked";
    private const string UnackedIndex = "unacked_index";
    private const string BindingPrefix = "_kombu.binding.";

    // kombu's default priority_steps are 0-9; the list of step 0 is the bare queue name.
    private static readonly int[] PrioritySteps = Enumerable.Range(1, 9).ToArray();

    /// <summary>Parses a Celery broker URL (<c>redis://[:password@]host:port/db</c>).</summary>
    /// <param name="broker">The URL.</param>
    /// <param name="credential">Credential that wins over the URL's.</param>
    /// <returns>The Redis endpoint.</returns>
    /// <exception cref="OpsToolsException"><c>CeleryBrokerInvalid</c>, <c>CeleryBrokerUnsupported</c>.</exception>
    public static RedisEndpoint ParseBroker(string broker, NetworkCredential? credential)
    {
        ArgumentNullException.ThrowIfNull(broker);
        string safe = RedisEndpoint.RedactUserInfo(broker);
        if (!Uri.TryCreate(broker.Trim(), UriKind.Absolute, out Uri? uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw new OpsToolsException("CeleryBrokerInvalid", OpsToolsErrorKind.InvalidArgument, $"The broker '{safe}' is not a URL with a host.", safe, "Give the broker as Celery's broker_url writes it: redis://host:6379/0.");
        }

        if (uri.Scheme is not ("redis" or "rediss"))
        {
            throw new OpsToolsException("CeleryBrokerUnsupported", OpsToolsErrorKind.NotImplemented, $"The broker '{safe}' uses the scheme '{uri.Scheme}'; only Redis brokers (redis://, rediss://) are read.", safe, "Read RabbitMQ queues with rabbitmqctl list_queues or the management API.");
        }

        try
        {
            return RedisEndpoint.Parse(broker, credential);
        }
        catch (OpsToolsException ex) when (ex.ErrorId == "RedisServerInvalid")
        {
            throw new OpsToolsException("CeleryBrokerInvalid", OpsToolsErrorKind.InvalidArgument, ex.Message, safe, "Give the broker as Celery's broker_url writes it: redis://host:6379/0.", ex);
        }
    }

    /// <summary>Reads the queues.</summary>
    /// <param name="endpoint">The broker.</param>
    /// <param name="queues">Queue names; empty for every queue bound in the broker (else <c>celery</c>).</param>
    /// <param name="timeout">Connect and command timeout.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One result per queue.</returns>
    public static async Task<IReadOnlyList<CeleryQueue>> ReadAsync(RedisEndpoint endpoint, IReadOnlyCollection<string> queues, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(queues);
        ConnectionMultiplexer connection = await RedisConnector.ConnectAsync(endpoint, timeout, allowAdmin: false, cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            IDatabase db = connection.GetDatabase(endpoint.Database ?? 0);
            try
            {
                IReadOnlyList<string> names = queues.Count > 0 ? queues.ToList() : await BoundQueuesAsync(connection, db, endpoint).ConfigureAwait(false);
                (Dictionary<string, long> unacked, Dictionary<string, double> oldest) = await UnackedAsync(db).WaitAsync(cancellationToken).ConfigureAwait(false);
                DateTimeOffset now = DateTimeOffset.UtcNow;
                var results = new List<CeleryQueue>();
                foreach (string name in names)
                {
                    Task<long>[] lengths = new[] { db.ListLengthAsync(name) }
                        .Concat(PrioritySteps.Select(p => db.ListLengthAsync(name + Separator + p.ToString(CultureInfo.InvariantCulture))))
                        .ToArray();
                    long[] counts = await Task.WhenAll(lengths).WaitAsync(cancellationToken).ConfigureAwait(false);
                    results.Add(new CeleryQueue
                    {
                        Broker = endpoint.SafeUri,
                        Queue = name,
                        Messages = counts.Sum(),
                        Unacked = unacked.GetValueOrDefault(name),
                        OldestUnackedAge = oldest.TryGetValue(name, out double since) ? Max(now - DateTimeOffset.FromUnixTimeMilliseconds((long)(since * 1000))) : null,
                        CheckedAt = now,
                    });
                }

                return results;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                throw RedisConnector.Map(ex, endpoint);
            }
        }
    }

    private static TimeSpan Max(TimeSpan age) => age < TimeSpan.Zero ? TimeSpan.Zero : age;

    private static async Task<IReadOnlyList<string>> BoundQueuesAsync(ConnectionMultiplexer connection, IDatabase db, RedisEndpoint endpoint)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        IServer server = connection.GetServer(endpoint.Host, endpoint.Port);
        await foreach (RedisKey key in server.KeysAsync(endpoint.Database ?? 0, BindingPrefix + "*", pageSize: 250).ConfigureAwait(false))
        {
            foreach (RedisValue member in await db.SetMembersAsync(key).ConfigureAwait(false))
            {
                string[] parts = member.ToString().Split(Separator);
                if (parts.Length == 3 && parts[2].Length > 0)
                {
                    names.Add(parts[2]);
                }
            }
        }

        return names.Count > 0 ? names.ToList() : new[] { "celery" };
    }

    // The unacked hash is shared by every queue of the broker: count it once, attribute each
    // delivery to its queue by the routing key kombu stored with it.
    private static async Task<(Dictionary<string, long> Counts, Dictionary<string, double> Oldest)> UnackedAsync(IDatabase db)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var oldest = new Dictionary<string, double>(StringComparer.Ordinal);
        Task<HashEntry[]> entriesTask = db.HashGetAllAsync(UnackedHash);
        Task<SortedSetEntry[]> indexTask = db.SortedSetRangeByRankWithScoresAsync(UnackedIndex);
        await Task.WhenAll(entriesTask, indexTask).ConfigureAwait(false);
        Dictionary<string, double> deliveredAt = indexTask.Result.ToDictionary(e => e.Element.ToString(), e => e.Score, StringComparer.Ordinal);
        foreach (HashEntry entry in entriesTask.Result)
        {
            string? queue = RoutingKey(entry.Value.ToString());
            if (queue is null)
            {
                continue;
            }

            counts[queue] = counts.GetValueOrDefault(queue) + 1;
            if (deliveredAt.TryGetValue(entry.Name.ToString(), out double at) && (!oldest.TryGetValue(queue, out double known) || at < known))
            {
                oldest[queue] = at;
            }
        }

        return (counts, oldest);
    }

    private static string? RoutingKey(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            JsonElement root = document.RootElement;
            return root.ValueKind == JsonValueKind.Array && root.GetArrayLength() >= 3 && root[2].ValueKind == JsonValueKind.String ? root[2].GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
