using System;
using System.Threading;
using System.Threading.Tasks;
using Docker.DotNet.Models;
using OpsTools.Compose;
using OpsTools.Engine.Docker;

namespace OpsTools.Engine.Compose;

/// <summary>
/// Starts, stops, restarts and removes the containers, networks and volumes of compose projects,
/// one object per call so the cmdlet can ask ShouldProcess for each and report each failure.
/// </summary>
public sealed class ComposeContainerControl
{
    private readonly DockerConnection _connection;

    /// <summary>Creates a controller for one endpoint.</summary>
    /// <param name="connection">The Docker connection.</param>
    public ComposeContainerControl(DockerConnection connection)
    {
        _connection = connection ?? throw new ArgumentNullException(nameof(connection));
    }

    /// <summary>Starts a container (nothing happens when it runs already).</summary>
    /// <param name="container">The container.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    public Task StartAsync(ComposeContainer container, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(container);
        return _connection.RunAsync((client, ct) => client.Containers.StartContainerAsync(container.Id, new ContainerStartParameters(), ct), cancellationToken);
    }

    /// <summary>Stops a container: its stop signal, then a kill once the grace period is over.</summary>
    /// <param name="container">The container.</param>
    /// <param name="timeout">Grace period; null for the container's own (<c>stop_grace_period</c>, default 10 s).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    public Task StopAsync(ComposeContainer container, TimeSpan? timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(container);
        var parameters = new ContainerStopParameters { WaitBeforeKillSeconds = Seconds(timeout) };
        return _connection.RunAsync((client, ct) => client.Containers.StopContainerAsync(container.Id, parameters, ct), cancellationToken);
    }

    /// <summary>Restarts a container (stops it as <see cref="StopAsync"/> does, then starts it).</summary>
    /// <param name="container">The container.</param>
    /// <param name="timeout">Grace period of the stop; null for the container's own.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    public async Task RestartAsync(ComposeContainer container, TimeSpan? timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(container);
        var parameters = new ContainerRestartParameters { WaitBeforeKillSeconds = Seconds(timeout) };
        await _connection.RunAsync(async (client, ct) => { await client.Containers.RestartContainerAsync(container.Id, parameters, ct).ConfigureAwait(false); return true; }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes a stopped container, with its anonymous volumes when asked (as <c>docker compose down -v</c>).</summary>
    /// <param name="container">The container.</param>
    /// <param name="anonymousVolumes">Also remove its anonymous volumes.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    public async Task RemoveAsync(ComposeContainer container, bool anonymousVolumes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(container);
        var parameters = new ContainerRemoveParameters { Force = true, RemoveVolumes = anonymousVolumes };
        try
        {
            await _connection.RunAsync(async (client, ct) => { await client.Containers.RemoveContainerAsync(container.Id, parameters, ct).ConfigureAwait(false); return true; }, cancellationToken).ConfigureAwait(false);
        }
        catch (OpsToolsException ex) when (ex.Kind == OpsToolsErrorKind.ObjectNotFound)
        {
            // Gone already (auto-removed, or removed by someone else): nothing left to do.
        }
    }

    /// <summary>Removes a network or a volume of a project.</summary>
    /// <param name="resource">The network or volume.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task.</returns>
    public async Task RemoveAsync(ComposeResource resource, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resource);
        try
        {
            await _connection.RunAsync(
                async (client, ct) =>
                {
                    if (resource.Kind == "volume")
                    {
                        await client.Volumes.RemoveAsync(resource.Name, false, ct).ConfigureAwait(false);
                    }
                    else
                    {
                        await client.Networks.DeleteNetworkAsync(resource.Name, ct).ConfigureAwait(false);
                    }

                    return true;
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (OpsToolsException ex) when (ex.Kind == OpsToolsErrorKind.ObjectNotFound)
        {
            // Gone already: nothing left to do.
        }
    }

    private static uint? Seconds(TimeSpan? timeout) => timeout is { } t ? (uint)Math.Ceiling(Math.Max(0, t.TotalSeconds)) : null;
}
