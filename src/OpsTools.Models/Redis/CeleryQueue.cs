using System;

namespace OpsTools.Redis;

/// <summary>One Celery queue on a broker: messages waiting, and messages taken by a worker but not acknowledged.</summary>
public sealed class CeleryQueue
{
    /// <summary>The broker, without credentials (<c>redis://host:port/db</c> or <c>http://host:15672</c>).</summary>
    public required string Broker { get; init; }
    /// <summary>Queue name.</summary>
    public required string Queue { get; init; }
    /// <summary>Messages waiting, every priority together.</summary>
    public long Messages { get; init; }
    /// <summary>Messages delivered to workers and not yet acknowledged. On Redis the broker keeps one
    /// <c>unacked</c> hash for every queue of the virtual host, so this is the share of it whose
    /// delivery names this queue.</summary>
    public long Unacked { get; init; }
    /// <summary>Age of the oldest unacknowledged delivery, when the broker records it (Redis: <c>unacked_index</c>).</summary>
    public TimeSpan? OldestUnackedAge { get; init; }
    /// <summary>Consumers attached (RabbitMQ); null on Redis, which does not record them.</summary>
    public int? Consumers { get; init; }
    /// <summary>When the queue was read.</summary>
    public DateTimeOffset CheckedAt { get; init; }

    /// <inheritdoc/>
    public override string ToString() => $"{Queue}: {Messages}";
}
