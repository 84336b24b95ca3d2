using System;
using System.Collections.Generic;
using System.Threading;
using OpsTools.Engine.Ceph;
using OpsTools.Engine.Docker;

namespace OpsTools.Infrastructure;

/// <summary>Asks Docker, when it answers, which host directories the Swarm services mount.</summary>
internal static class SwarmMountLookup
{
    private static readonly TimeSpan DockerTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The services' mounts, or null with a warning when Docker cannot tell (not reachable, not a swarm manager).</summary>
    /// <param name="dockerHost">Explicit endpoint, or null for the docker CLI defaults.</param>
    /// <param name="cancellationToken">Stops the request.</param>
    /// <param name="warning">Why Docker could not tell, when it could not.</param>
    /// <returns>The mounts, or null.</returns>
    /// <exception cref="OpsToolsException">The endpoint setting itself is unusable (InvalidArgument).</exception>
    public static IReadOnlyList<SwarmServiceMount>? TryGet(string? dockerHost, CancellationToken cancellationToken, out string? warning)
    {
        warning = null;
        DockerConnection connection = DockerConnection.Get(dockerHost);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(DockerTimeout);
        try
        {
            return SwarmServiceMount.GetAsync(connection, timeout.Token).GetAwaiter().GetResult();
        }
        catch (OpsToolsException ex) when (ex.Kind != OpsToolsErrorKind.InvalidArgument)
        {
            warning = $"Cannot ask Docker which directories running Swarm services mount: {ex.Message.TrimEnd('.')}.";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            warning = $"Cannot ask Docker which directories running Swarm services mount: {connection.Endpoint.DisplayName} did not answer within {DockerTimeout.TotalSeconds:0} s.";
        }

        return null;
    }
}
