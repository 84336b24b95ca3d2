using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using OpsTools.Engine.Docker;
using OpsTools.Engine.Swarm;
using OpsTools.Swarm;

namespace OpsTools.Engine.Odoo;

/// <summary>
/// Stops an Odoo service for a consistent backup: scales it to 0 and waits until its tasks are
/// gone, remembering the replica count, which <see cref="RestoreAsync"/> puts back.
/// </summary>
public static class OdooServiceQuiescer
{
    /// <summary>Reads the replica count of a replicated service (what <see cref="RestoreAsync"/> puts back).</summary>
    /// <param name="docker">A swarm manager.</param>
    /// <param name="service">Service name or id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The replica count.</returns>
    public static async Task<long> GetReplicasAsync(DockerConnection docker, string service, CancellationToken cancellationToken = default)
    {
        SwarmServicePlan plan = await new SwarmServiceUpdater(docker).PlanAsync(service, new SwarmServiceChange { Replicas = 0 }, cancellationToken).ConfigureAwait(false);
        return plan.CurrentReplicas ?? throw new OpsToolsException(
            "OdooServiceNotReplicated",
            OpsToolsErrorKind.InvalidOperation,
            $"The service {plan.ServiceName} is not a replicated service; it cannot be scaled to 0 for the backup.",
            plan.ServiceName,
            "Stop the instance another way, or back up without -StopInstance.");
    }

    /// <summary>Scales the service to 0 and waits until no task of it runs.</summary>
    /// <param name="docker">A swarm manager.</param>
    /// <param name="service">Service name or id.</param>
    /// <param name="timeout">How long to wait for the tasks to stop.</param>
    /// <param name="cancellationToken">Cancels the wait (the service stays scaled to 0: restore it).</param>
    /// <returns>The replica count before.</returns>
    /// <exception cref="OpsToolsException"><c>OdooServiceNotReplicated</c>, <c>OdooServiceNotStopped</c>, and the Swarm errors.</exception>
    public static async Task<long> ScaleToZeroAsync(DockerConnection docker, string service, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var updater = new SwarmServiceUpdater(docker);
        SwarmServicePlan plan = await updater.PlanAsync(service, new SwarmServiceChange { Replicas = 0 }, cancellationToken).ConfigureAwait(false);
        long previous = plan.CurrentReplicas ?? throw new OpsToolsException(
            "OdooServiceNotReplicated",
            OpsToolsErrorKind.InvalidOperation,
            $"The service {plan.ServiceName} is not a replicated service; it cannot be scaled to 0 for the backup.",
            plan.ServiceName,
            "Stop the instance another way, or back up without -StopInstance.");
        if (previous == 0)
        {
            return 0;
        }

        await updater.ApplyAsync(plan, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<SwarmServiceConvergence> outcome = await new SwarmConvergenceWatcher(docker).WaitAsync(
            new[] { plan.ToWatchTarget() }, new SwarmConvergenceOptions { Timeout = timeout }, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (outcome.Count == 1 && outcome[0].State != SwarmConvergenceState.Converged)
        {
            throw new OpsToolsException(
                "OdooServiceNotStopped",
                OpsToolsErrorKind.OperationTimeout,
                $"The service {plan.ServiceName} was scaled to 0 but its tasks did not stop within {timeout.TotalSeconds:0} s ({outcome[0].State}).",
                plan.ServiceName,
                "Check the service's tasks (Get-SwarmTask); its replica count is put back.");
        }

        return previous;
    }

    /// <summary>Puts the replica count back.</summary>
    /// <param name="docker">A swarm manager.</param>
    /// <param name="service">Service name or id.</param>
    /// <param name="replicas">The count to restore.</param>
    /// <param name="cancellationToken">Cancels the update.</param>
    /// <returns>A task.</returns>
    public static async Task RestoreAsync(DockerConnection docker, string service, long replicas, CancellationToken cancellationToken = default)
    {
        var updater = new SwarmServiceUpdater(docker);
        SwarmServicePlan plan = await updater.PlanAsync(service, new SwarmServiceChange { Replicas = replicas }, cancellationToken).ConfigureAwait(false);
        if (plan.Changes.Count > 0)
        {
            await updater.ApplyAsync(plan, cancellationToken).ConfigureAwait(false);
        }
    }
}
