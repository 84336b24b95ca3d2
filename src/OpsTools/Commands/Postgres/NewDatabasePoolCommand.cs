using System;
using System.Globalization;
using System.Management.Automation;
using OpsTools.Engine.Docker;
using OpsTools.Engine.Postgres;
using OpsTools.Infrastructure;
using OpsTools.Postgres;

namespace OpsTools.Commands.Postgres;

/// <summary>
/// <para type="synopsis">Provisions the next postgres-pool-N as a Swarm service, as the platform does, and records it in db_servers.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "DatabasePool", DefaultParameterSetName = ParameterSets.Default, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(DatabasePool))]
public sealed class NewDatabasePoolCommand : PlatformSwarmCmdlet
{
    private const int ProgressActivityId = 0x0506;

    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    /// <summary>Instances the pool may hold.</summary>
    [Parameter]
    [ValidateRange(1, 100000)]
    public int MaxInstances { get; set; } = 50;

    /// <summary>Image of the service.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Image { get; set; } = "postgres:18-alpine";

    /// <summary>Directory (on CephFS) under which the data directory pool-N is created.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string StorageRoot { get; set; } = "/mnt/cephfs/postgres_pools";

    /// <summary>Overlay network the service joins.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Network { get; set; } = "saasodoo-network";

    /// <summary>Placement constraint of the service; an empty string for none.</summary>
    [Parameter]
    [AllowEmptyString]
    public string Placement { get; set; } = "node.labels.role==database";

    /// <summary>CPU limit; the reservation is half.</summary>
    [Parameter]
    [ValidateRange(0.01, 1024)]
    public double CpuLimit { get; set; } = 2;

    /// <summary>Memory limit (4G, 512M, or bytes); the reservation is half.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string MemoryLimit { get; set; } = "4G";

    /// <summary>Host recorded in db_servers.host; the service name (reachable on the overlay network) when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? HostName { get; set; }

    /// <summary>Publish port 5432 on this port of the node (host mode) and record it in db_servers.port.</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int? PublishedPort { get; set; }

    /// <summary>PostgreSQL major version to record and label; taken from the image tag when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? PostgresVersion { get; set; }

    /// <summary>Allocation priority recorded (lower is preferred).</summary>
    [Parameter]
    public int Priority { get; set; } = 100;

    /// <summary>Seconds to wait for the new server to answer before recording the pool as failed.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int WaitTimeout { get; set; } = 180;

    /// <summary>Return once the service is created; the pool stays initializing until a health check promotes it.</summary>
    [Parameter]
    public SwitchParameter NoWait { get; set; }

    /// <inheritdoc/>
    protected override void EndProcessing() => Provisioning.Run(this);

    /// <summary>Engine calls in a nested type so the cmdlet class names no engine type in its members.</summary>
    private static class Provisioning
    {
        public static void Run(NewDatabasePoolCommand cmdlet)
        {
            if (!PoolProvisioner.TryParseMemory(cmdlet.MemoryLimit, out long memoryBytes))
            {
                cmdlet.ThrowTerminatingError(ErrorRecords.Create(
                    "PoolMemoryLimitInvalid", ErrorCategory.InvalidArgument, cmdlet.MemoryLimit,
                    $"'{cmdlet.MemoryLimit}' is not a memory size.", "Use a size such as 4G, 512M or 1073741824 (binary units, as docker uses)."));
            }

            string server = cmdlet.GetPlatformServerText();
            PostgresEndpoint endpoint = cmdlet.AwaitOrTerminate(_ => System.Threading.Tasks.Task.FromResult(PostgresConnections.ResolvePlatform(server, cmdlet.EnginePlatformCredential)));
            cmdlet.WriteVerbose($"{cmdlet.MyInvocation.MyCommand.Name}: platform database {endpoint.Describe()}");
            foreach (string warning in endpoint.Warnings)
            {
                cmdlet.WriteWarning(warning);
            }

            DockerConnection docker = cmdlet.AwaitOrTerminate(_ => System.Threading.Tasks.Task.FromResult(DockerConnection.Get(cmdlet.DockerHost)));
            using PlatformDatabase platform = cmdlet.AwaitOrTerminate(ct => PostgresConnections.OpenPlatformAsync(endpoint, ct));
            var provisioner = new PoolProvisioner(platform, docker);
            var options = new PoolProvisionOptions
            {
                MaxInstances = cmdlet.MaxInstances,
                Image = cmdlet.Image,
                StorageRoot = cmdlet.StorageRoot,
                Network = cmdlet.Network,
                Placement = cmdlet.Placement,
                Cpus = cmdlet.CpuLimit,
                MemoryBytes = memoryBytes,
                HostName = cmdlet.HostName,
                PublishedPort = cmdlet.PublishedPort,
                PostgresVersion = cmdlet.PostgresVersion,
                Priority = cmdlet.Priority,
                ProvisionedBy = "OpsTools " + Environment.UserName,
            };
            PoolProvisionPlan plan = cmdlet.AwaitOrTerminate(ct => provisioner.PlanAsync(options, ct));
            string what = string.Create(
                CultureInfo.InvariantCulture,
                $"{plan.Name}: Swarm service on {docker.Endpoint.DisplayName} (image {options.Image}, network {options.Network}, data {plan.DataDirectory}) and db_servers row on {platform.DisplayName} ({plan.Host}:{plan.Port})");
            if (!cmdlet.ShouldProcess(what, "Provision pool"))
            {
                return;
            }

            PoolReservation reservation = cmdlet.AwaitOrTerminate(ct => provisioner.ReserveAsync(plan, ct));
            cmdlet.WriteVerbose($"{cmdlet.MyInvocation.MyCommand.Name}: reserved {reservation.Plan.Name} (row {reservation.Id}, status provisioning).");
            try
            {
                PoolProvisioner.CreateDataDirectory(reservation);
                cmdlet.Await(provisioner.CreateServiceAsync(reservation, cmdlet.CancellationToken));
            }
            catch (OpsToolsException ex)
            {
                cmdlet.Await(provisioner.MarkFailedAsync(reservation, System.Threading.CancellationToken.None));
                cmdlet.ThrowTerminatingError(ErrorRecords.From(ex));
            }

            cmdlet.WriteVerbose($"{cmdlet.MyInvocation.MyCommand.Name}: service {reservation.ServiceId} created; {reservation.Plan.Name} is initializing.");
            if (cmdlet.NoWait)
            {
                cmdlet.WriteObject(cmdlet.Await(provisioner.ReadAsync(reservation, cmdlet.CancellationToken)));
                return;
            }

            Wait(cmdlet, provisioner, reservation);
        }

        private static void Wait(NewDatabasePoolCommand cmdlet, PoolProvisioner provisioner, PoolReservation reservation)
        {
            var progress = new ProgressRecord(ProgressActivityId, $"Provisioning {reservation.Plan.Name}", "Waiting for the server to answer");
            var updates = new System.Collections.Concurrent.ConcurrentQueue<TimeSpan>();
            var timeout = TimeSpan.FromSeconds(cmdlet.WaitTimeout);
            System.Threading.Tasks.Task<(PoolReadiness Readiness, string? LastError)> wait =
                provisioner.WaitUntilAnswersAsync(reservation, timeout, new Progress(updates), cmdlet.CancellationToken);
            try
            {
                // Progress is written from the pipeline thread only: the wait reports into a queue drained here.
                while (!wait.Wait(TimeSpan.FromMilliseconds(250)))
                {
                    TimeSpan waited = TimeSpan.Zero;
                    while (updates.TryDequeue(out TimeSpan update))
                    {
                        waited = update;
                    }

                    progress.StatusDescription = $"Waiting for the server to answer ({waited.TotalSeconds:0} s of {timeout.TotalSeconds:0} s)";
                    progress.PercentComplete = (int)Math.Min(99, waited.TotalSeconds * 100 / timeout.TotalSeconds);
                    cmdlet.WriteProgress(progress);
                }
            }
            catch (AggregateException)
            {
                // Observed through Await below, which maps cancellation and engine errors.
            }
            finally
            {
                progress.RecordType = ProgressRecordType.Completed;
                cmdlet.WriteProgress(progress);
            }

            (PoolReadiness readiness, string? lastError) = cmdlet.Await(wait);
            if (readiness == PoolReadiness.TimedOut)
            {
                DatabasePool failed = cmdlet.Await(provisioner.MarkFailedAsync(reservation, cmdlet.CancellationToken));
                cmdlet.WriteError(ErrorRecords.Create(
                    "PoolDidNotAnswer",
                    ErrorCategory.OperationTimeout,
                    failed.Name,
                    $"{failed.Name} did not answer at {failed.Host}:{failed.Port} within {cmdlet.WaitTimeout} s{(lastError is null ? string.Empty : " (last error: " + lastError + ")")}; it is recorded as error/unhealthy.",
                    $"Look at its tasks and log (Get-SwarmTask {failed.Name}; Get-SwarmServiceLog {failed.Name}). Remove it with Remove-DatabasePool {failed.Name}, or fix it and run Invoke-PoolHealthCheck -IncludeError."));
                cmdlet.WriteObject(failed);
                return;
            }

            if (readiness == PoolReadiness.ServiceHealthy)
            {
                cmdlet.WriteWarning($"{reservation.Plan.Host} does not resolve here, so OpsTools could not connect to the new pool; its service's health check (pg_isready) passed, so it is recorded as active. Run Invoke-PoolHealthCheck from a host on the pool's network to check it with its password.");
            }

            cmdlet.WriteObject(cmdlet.Await(provisioner.ActivateAsync(reservation, cmdlet.CancellationToken)));
        }

        private sealed class Progress(System.Collections.Concurrent.ConcurrentQueue<TimeSpan> queue) : IProgress<TimeSpan>
        {
            public void Report(TimeSpan value) => queue.Enqueue(value);
        }
    }
}
