using System;
using System.Collections.Generic;

namespace OpsTools.Docker;

/// <summary>A Docker volume, as <c>docker volume ls</c> and <c>docker volume inspect</c> show it, with the containers that mount it.</summary>
public sealed class DockerVolume
{
    /// <summary>Docker endpoint the volume was read from.</summary>
    public required string DockerHost { get; init; }
    /// <summary>Volume name.</summary>
    public required string Name { get; init; }
    /// <summary>Volume driver (<c>local</c>...).</summary>
    public string? Driver { get; init; }
    /// <summary><c>local</c> or <c>global</c>.</summary>
    public string? Scope { get; init; }
    /// <summary>Where the data lives on the host.</summary>
    public string? Mountpoint { get; init; }
    /// <summary>Compose project the volume belongs to (<c>com.docker.compose.project</c>), if any.</summary>
    public string? Project { get; init; }
    /// <summary>Swarm stack the volume belongs to (<c>com.docker.stack.namespace</c>), if any.</summary>
    public string? Stack { get; init; }
    /// <summary>Bytes of data, from the daemon's disk usage; null unless asked for with -IncludeSize (or when the daemon does not know).</summary>
    public long? Size { get; init; }
    /// <summary>Number of containers (running or not) that mount the volume.</summary>
    public int UserCount => Users.Count;
    /// <summary>When the volume was created.</summary>
    public DateTimeOffset? CreatedAt { get; init; }
    /// <summary>Names of the containers (running or not) that mount the volume, sorted.</summary>
    public IReadOnlyList<string> Users { get; init; } = Array.Empty<string>();
    /// <summary>Volume labels.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <inheritdoc/>
    public override string ToString() => Name;
}

/// <summary>What Backup-DockerVolume or Restore-DockerVolume did: which volume, which archive file, its size and checksum.</summary>
public sealed class DockerVolumeArchive
{
    /// <summary>Docker endpoint the volume lives on.</summary>
    public required string DockerHost { get; init; }
    /// <summary>Volume name.</summary>
    public required string Volume { get; init; }
    /// <summary><c>Backup</c> or <c>Restore</c>.</summary>
    public required string Operation { get; init; }
    /// <summary>Full path of the archive (<c>.tar</c> or <c>.tar.gz</c>).</summary>
    public required string Path { get; init; }
    /// <summary>Bytes of the archive file.</summary>
    public long Size { get; init; }
    /// <summary>SHA-256 of the archive file, lower-case hex (also in the <c>.sha256</c> file beside it).</summary>
    public required string Sha256 { get; init; }
    /// <summary>Whether the archive is gzip-compressed.</summary>
    public bool Compressed { get; init; }
    /// <summary>Local image the never-started helper container was created from.</summary>
    public required string HelperImage { get; init; }
    /// <summary>Containers stopped for the copy and started again afterwards.</summary>
    public IReadOnlyList<string> StoppedContainers { get; init; } = Array.Empty<string>();
    /// <summary>How long the copy took.</summary>
    public TimeSpan Duration { get; init; }

    /// <inheritdoc/>
    public override string ToString() => Path;
}
