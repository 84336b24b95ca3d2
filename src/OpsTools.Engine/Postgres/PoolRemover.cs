using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Docker.DotNet;
using Docker.DotNet.Models;
using OpsTools.Engine.Docker;
using OpsTools.Engine.Swarm;
using OpsTools.Postgres;
using OpsTools.Swarm;

namespace OpsTools.Engine.Postgres;

/// <summary>
/// Removes failed pools: marks the row <c>deprovisioning</c> (a status the schema's CHECK
/// constraint allows; the platform's own cleanup writes <c>deprovisioned</c>, which the
/// constraint rejects, so its rows stay <c>error</c>), removes the Swarm service and, on request,
/// moves the data directory to an archive. The row is kept so instance history still resolves.
/// </summary>
public sealed class PoolRemover
{
    /// <summary>Statuses a pool may be removed from without force: failed, or a removal that did not finish.</summary>
    public static readonly IReadOnlyList<PoolStatus> RemovableStatuses = new[] { PoolStatus.Error, PoolStatus.Deprovisioning };

    private readonly PlatformDatabase _platform;
    private readonly DockerConnection _docker;

    /// <summary>Creates the remover.</summary>
    /// <param name="platform">The platform database.</param>
    /// <param name="docker">A swarm manager.</param>
    public PoolRemover(PlatformDatabase platform, DockerConnection docker)
    {
        _platform = platform ?? throw new ArgumentNullException(nameof(platform));
        _docker = docker ?? throw new ArgumentNullException(nameof(docker));
    }

    /// <summary>Pools the daily cleanup removes: error, no instances, last checked before the cutoff or never.</summary>
    /// <param name="olderThan">Age of the last check.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The candidates by name.</returns>
    public Task<IReadOnlyList<DatabasePool>> GetCleanupCandidatesAsync(TimeSpan olderThan, CancellationToken cancellationToken = default) =>
        _platform.GetCleanupCandidatesAsync(olderThan, cancellationToken);

    /// <summary>Why a pool may not be removed, or null when it may.</summary>
    /// <param name="pool">The pool.</param>
    /// <param name="force">Whether any status is accepted.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The reason, or null.</returns>
    public async Task<string?> CheckRemovableAsync(DatabasePool pool, bool force, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pool);
        int instances = Math.Max(pool.CurrentInstances, await _platform.CountLiveInstancesAsync(pool.Id, cancellationToken).ConfigureAwait(false));
        if (instances > 0)
        {
            return $"{instances} instance(s) still use it";
        }

        if (!force && !RemovableStatuses.Contains(pool.Status))
        {
            return $"its status is {pool.Status.ToString().ToLowerInvariant()}, not error (use -Force to remove it anyway)";
        }

        return null;
    }

    /// <summary>Removes one pool. Throws <c>PoolNotRemovable</c> when the row changed so that it may no longer be removed.</summary>
    /// <param name="pool">The pool, as read.</param>
    /// <param name="force">Whether any status is accepted (instances never are).</param>
    /// <param name="archiveDataDirectory">Whether to move the data directory to the archive.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>What was done.</returns>
    public async Task<DatabasePoolRemoval> RemoveAsync(DatabasePool pool, bool force, bool archiveDataDirectory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pool);
        IReadOnlyList<PoolStatus> statuses = force ? Enum.GetValues<PoolStatus>() : RemovableStatuses;
        DatabasePool? before = await _platform.BeginRemovalAsync(pool.Id, statuses, cancellationToken).ConfigureAwait(false);
        if (before is null)
        {
            DatabasePool? now = await _platform.GetPoolAsync(pool.Id, cancellationToken).ConfigureAwait(false);
            string reason = now is null ? "its row was deleted" : await CheckRemovableAsync(now, force, cancellationToken).ConfigureAwait(false) ?? "its row changed while it was being removed";
            throw NotRemovable(pool.Name, reason);
        }

        bool archive = archiveDataDirectory && !string.IsNullOrEmpty(before.StoragePath);
        string? serviceId = await RemoveServiceAsync(before, stopFirst: archive, cancellationToken).ConfigureAwait(false);
        string? archivedTo = null;
        if (archive)
        {
            archivedTo = PoolStorage.Archive(before.StoragePath!, DateTimeOffset.UtcNow);
            if (archivedTo is not null)
            {
                await _platform.SetStoragePathAsync(before.Id, archivedTo, cancellationToken).ConfigureAwait(false);
            }
        }

        return new DatabasePoolRemoval
        {
            Name = before.Name,
            Id = before.Id,
            PreviousStatus = before.Status,
            Status = PoolStatus.Deprovisioning,
            ServiceName = before.SwarmServiceName ?? before.Name,
            ServiceRemoved = serviceId is not null,
            DataDirectory = before.StoragePath,
            ArchivedTo = archivedTo,
            LastHealthCheck = before.LastHealthCheck,
            RemovedAt = DateTimeOffset.UtcNow,
            PlatformServer = _platform.DisplayName,
        };
    }

    /// <summary>The error for a pool that may not be removed.</summary>
    /// <param name="name">Pool name.</param>
    /// <param name="reason">Why.</param>
    /// <returns>The error.</returns>
    public static OpsToolsException NotRemovable(string name, string reason) => new(
        "PoolNotRemovable",
        OpsToolsErrorKind.InvalidOperation,
        $"Pool {name} is not removed: {reason}.",
        name,
        "Move its instances elsewhere first; pools are removed only when no instance uses them.");

    /// <summary>
    /// Removes the pool's service (by id, else by name); returns the id removed, or null when there
    /// was none. With <paramref name="stopFirst"/> the service is scaled to zero and its tasks
    /// awaited first, on whatever node they run, so nothing writes to the data directory any more.
    /// </summary>
    private async Task<string?> RemoveServiceAsync(DatabasePool pool, bool stopFirst, CancellationToken cancellationToken)
    {
        var inspector = new SwarmInspector(_docker);
        IReadOnlyList<OpsTools.Swarm.SwarmService> services = await inspector.GetServicesAsync(null, cancellationToken).ConfigureAwait(false);
        string name = pool.SwarmServiceName ?? pool.Name;
        OpsTools.Swarm.SwarmService? service = services.FirstOrDefault(s => pool.SwarmServiceId is { Length: > 0 } id && s.Id == id)
            ?? services.FirstOrDefault(s => s.Name == name);
        if (service is null)
        {
            return null;
        }

        try
        {
            if (stopFirst)
            {
                await ScaleToZeroAsync(service.Id, cancellationToken).ConfigureAwait(false);
                await WaitForTasksStoppedAsync(inspector, service.Id, cancellationToken).ConfigureAwait(false);
            }

            await _docker.RunAsync(async (client, ct) =>
            {
                await client.Swarm.RemoveServiceAsync(service.Id, ct).ConfigureAwait(false);
                return true;
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (OpsToolsException ex) when (ex.InnerException is DockerApiException { StatusCode: HttpStatusCode.NotFound })
        {
            // Removed by someone else meanwhile.
            return null;
        }

        return service.Id;
    }

    private Task<bool> ScaleToZeroAsync(string serviceId, CancellationToken cancellationToken) =>
        _docker.RunAsync(async (client, ct) =>
        {
            global::Docker.DotNet.Models.SwarmService current = await client.Swarm.InspectServiceAsync(serviceId, ct).ConfigureAwait(false);
            if (current.Spec?.Mode?.Replicated is not { } replicated)
            {
                return false;
            }

            replicated.Replicas = 0;
            await client.Swarm.UpdateServiceAsync(serviceId, new ServiceUpdateParameters { Service = current.Spec, Version = (long)(current.Version?.Index ?? 0) }, ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <summary>Waits (up to a minute) until no task of the service runs any more.</summary>
    private static async Task WaitForTasksStoppedAsync(SwarmInspector inspector, string serviceId, CancellationToken cancellationToken)
    {
        DateTime deadline = DateTime.UtcNow.AddMinutes(1);
        while (DateTime.UtcNow < deadline)
        {
            IReadOnlyList<SwarmTask> tasks = await inspector.GetTasksAsync(new[] { serviceId }, null, cancellationToken).ConfigureAwait(false);
            if (!tasks.Any(t => t.CurrentState is SwarmTaskState.Running or SwarmTaskState.Starting or SwarmTaskState.Preparing or SwarmTaskState.Ready or SwarmTaskState.Assigned or SwarmTaskState.Accepted))
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
        }

        throw new OpsToolsException(
            "PoolServiceStillRunning",
            OpsToolsErrorKind.OperationTimeout,
            $"The tasks of service {serviceId} still ran a minute after it was scaled to 0; the service is kept and the data directory was not archived.",
            serviceId,
            "Check the tasks with Get-SwarmTask, then run Remove-DatabasePool -ArchiveDataDirectory again (the row is deprovisioning, so it is accepted).");
    }
}
