namespace OpsTools.Swarm;

/// <summary>What <c>Update-SwarmServiceImage</c> did to a service.</summary>
public enum SwarmImageUpdateStatus
{
    /// <summary>The service was updated to the tag's current digest.</summary>
    Updated,
    /// <summary>The service already ran the tag's current digest; it was not touched.</summary>
    UpToDate,
}

/// <summary>A service that runs an image tag, and the digest it was moved to.</summary>
public sealed class SwarmServiceImageUpdate
{
    /// <summary>Docker endpoint of the service.</summary>
    public required string DockerHost { get; init; }
    /// <summary>Service name.</summary>
    public required string Service { get; init; }
    /// <summary>Service id.</summary>
    public required string ServiceId { get; init; }
    /// <summary>The image tag the service runs (<c>registry/repository:tag</c>).</summary>
    public required string Image { get; init; }
    /// <summary>Digest the service was pinned to before; null when its spec named the tag alone.</summary>
    public string? PreviousDigest { get; init; }
    /// <summary>Digest the tag points to in the registry now.</summary>
    public required string Digest { get; init; }
    /// <summary>Whether the service was updated or already current.</summary>
    public SwarmImageUpdateStatus Status { get; init; }
    /// <summary>With <c>-Wait</c>: where the service stands after the wait; null otherwise or when up to date.</summary>
    public SwarmConvergenceState? Convergence { get; init; }
    /// <summary>The image reference now in the service's spec (<c>repository:tag@sha256:...</c>).</summary>
    public string PinnedImage => $"{Image}@{Digest}";

    /// <inheritdoc/>
    public override string ToString() => $"{Service}: {Image}@{Digest}";
}
