namespace OpsTools.Swarm;

/// <summary>When a stack deploy asks the registry for the digest of an image (<c>docker stack deploy --resolve-image</c>).</summary>
public enum SwarmResolveImage
{
    /// <summary>Always: a moving tag (<c>:latest</c>, <c>:15</c>) is pinned to what the registry has now, so every deploy picks up a re-pushed tag.</summary>
    Always,
    /// <summary>Only for services whose image reference changed in the compose file.</summary>
    Changed,
    /// <summary>Never: the image reference is sent as written; each node resolves it on its own.</summary>
    Never,
}
