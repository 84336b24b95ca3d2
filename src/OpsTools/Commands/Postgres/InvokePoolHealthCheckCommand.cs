using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using OpsTools.Engine.Postgres;
using OpsTools.Infrastructure;
using OpsTools.Postgres;

namespace OpsTools.Commands.Postgres;

/// <summary>
/// <para type="synopsis">Checks the platform's pool servers in parallel and records the outcome in db_servers with the platform's state machine.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "PoolHealthCheck", DefaultParameterSetName = ParameterSets.Default, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(PoolHealthCheckResult))]
public sealed class InvokePoolHealthCheckCommand : PlatformCmdlet
{
    private const int ProgressActivityId = 0x0505;

    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    private readonly List<string> _names = new();
    private bool _allPools;

    /// <summary>Pools to check (names or ids; wildcards match names); all checkable pools when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("PoolName")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(DatabasePoolNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>Checks running at once.</summary>
    [Parameter]
    [ValidateRange(1, 256)]
    public int ThrottleLimit { get; set; } = 16;

    /// <summary>Seconds allowed per pool to connect and run SELECT 1 (the platform's 5 by default).</summary>
    [Parameter]
    [ValidateRange(1, 600)]
    public int Timeout { get; set; } = 5;

    /// <summary>Report what the checks found and what would change, without writing db_servers.</summary>
    [Parameter]
    public SwitchParameter NoUpdate { get; set; }

    /// <summary>Also check pools in status error, and return those that answer to active.</summary>
    [Parameter]
    public SwitchParameter IncludeError { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        // Pools are collected and checked together in EndProcessing, so piped pools run in parallel too.
        if (Name is { Length: > 0 })
        {
            _names.AddRange(Name);
        }
        else
        {
            _allPools = true;
        }
    }

    /// <inheritdoc/>
    protected override void EndProcessing() => HealthCheckRun.Execute(this);

    private static string Lower(Enum value) => value.ToString().ToLowerInvariant();

    /// <summary>The work, in a nested type so the cmdlet class names no engine type in its members.</summary>
    private static class HealthCheckRun
    {
        public static void Execute(InvokePoolHealthCheckCommand cmdlet)
        {
            string server = cmdlet.GetPlatformServerText();
            PostgresEndpoint endpoint = cmdlet.AwaitOrTerminate(_ => System.Threading.Tasks.Task.FromResult(PostgresConnections.ResolvePlatform(server, cmdlet.EnginePlatformCredential)));
            cmdlet.WriteVerbose($"{cmdlet.MyInvocation.MyCommand.Name}: platform database {endpoint.Describe()}");
            foreach (string warning in endpoint.Warnings)
            {
                cmdlet.WriteWarning(warning);
            }

            using PlatformDatabase platform = cmdlet.AwaitOrTerminate(ct => PostgresConnections.OpenPlatformAsync(endpoint, ct));
            var service = new PoolHealthService(platform);
            IReadOnlyList<DatabasePool> all = cmdlet.AwaitOrTerminate(ct => platform.GetPoolsAsync(ct));
            IReadOnlyList<PoolStatus> checkable = PoolHealthService.StatusesToCheck(cmdlet.IncludeError);

            var toCheck = new List<DatabasePool>();
            var skipped = new List<PoolHealthCheckResult>();
            if (cmdlet._allPools)
            {
                toCheck.AddRange(all.Where(p => checkable.Contains(p.Status)));
            }

            if (cmdlet._names.Count > 0)
            {
                IReadOnlyList<DatabasePool> named = new NameFilter(cmdlet._names).Select(all, p => p.Name, p => p.Id.ToString(), out IReadOnlyList<string> unmatched);
                foreach (string missing in unmatched)
                {
                    cmdlet.WriteError(ErrorRecords.Create(
                        "PoolNotFound",
                        ErrorCategory.ObjectNotFound,
                        missing,
                        $"No pool named '{missing}' is in db_servers on {platform.DisplayName}.",
                        "Run Get-DatabasePool to list the pools."));
                }

                foreach (DatabasePool pool in named.Where(p => !toCheck.Contains(p)))
                {
                    if (checkable.Contains(pool.Status))
                    {
                        toCheck.Add(pool);
                    }
                    else
                    {
                        string reason = pool.Status == PoolStatus.Error
                            ? "status error is not checked without -IncludeError"
                            : $"status {Lower(pool.Status)} is not checked";
                        skipped.Add(service.Skip(pool, reason));
                    }
                }
            }

            // The platform checks the longest-unchecked pools first; with a throttle that order matters.
            toCheck = toCheck.OrderBy(p => p.LastHealthCheck ?? DateTimeOffset.MinValue).ToList();
            cmdlet.WriteObject(skipped, enumerateCollection: true);
            Run(cmdlet, service, toCheck, skipped.Count, platform.DisplayName);
        }

        private static void Run(InvokePoolHealthCheckCommand cmdlet, PoolHealthService service, List<DatabasePool> pools, int skippedBefore, string platformName)
        {
            var watch = Stopwatch.StartNew();
            var counts = new Dictionary<PoolCheckOutcome, int> { [PoolCheckOutcome.Succeeded] = 0, [PoolCheckOutcome.Failed] = 0, [PoolCheckOutcome.Skipped] = skippedBefore };
            var progress = new ProgressRecord(ProgressActivityId, "Checking pool health", $"0 of {pools.Count} pools checked");
            TimeSpan? lastProgress = null;
            int done = 0;
            IAsyncEnumerator<PoolProbe> probes = service.ProbeAsync(pools, TimeSpan.FromSeconds(cmdlet.Timeout), cmdlet.ThrottleLimit, cmdlet.CancellationToken).GetAsyncEnumerator(cmdlet.CancellationToken);
            try
            {
                while (cmdlet.AwaitOrTerminate(_ => probes.MoveNextAsync().AsTask()))
                {
                    PoolHealthCheckResult result = Record(cmdlet, service, probes.Current);
                    counts[result.Outcome]++;
                    done++;
                    cmdlet.WriteObject(result);
                    if (lastProgress is null || watch.Elapsed - lastProgress >= TimeSpan.FromMilliseconds(200) || done == pools.Count)
                    {
                        lastProgress = watch.Elapsed;
                        progress.StatusDescription = $"{done} of {pools.Count} pools checked";
                        progress.PercentComplete = pools.Count == 0 ? 100 : done * 100 / pools.Count;
                        cmdlet.WriteProgress(progress);
                    }
                }
            }
            finally
            {
                probes.DisposeAsync().AsTask().GetAwaiter().GetResult();
                progress.RecordType = ProgressRecordType.Completed;
                cmdlet.WriteProgress(progress);
            }

            cmdlet.WriteVerbose(string.Create(
                CultureInfo.InvariantCulture,
                $"{cmdlet.MyInvocation.MyCommand.Name}: {pools.Count} pool(s) checked in {watch.Elapsed.TotalSeconds:0.00} s ({counts[PoolCheckOutcome.Succeeded]} succeeded, {counts[PoolCheckOutcome.Failed]} failed, {counts[PoolCheckOutcome.Skipped]} skipped) on {platformName}; timeout {cmdlet.Timeout} s, throttle {cmdlet.ThrottleLimit}."));
        }

        private static PoolHealthCheckResult Record(InvokePoolHealthCheckCommand cmdlet, PoolHealthService service, PoolProbe probe)
        {
            if (probe.Outcome == PoolCheckOutcome.Skipped)
            {
                return service.Plan(probe);
            }

            if (cmdlet.NoUpdate)
            {
                return service.Plan(probe, "not updated: -NoUpdate");
            }

            PoolHealthCheckResult planned = service.Plan(probe);
            string action = string.Create(
                CultureInfo.InvariantCulture,
                $"Record a {(probe.Outcome == PoolCheckOutcome.Succeeded ? "successful" : "failed")} check: health {Lower(planned.PreviousHealthStatus)} -> {Lower(planned.HealthStatus)}, status {Lower(planned.PreviousStatus)} -> {Lower(planned.Status)}, failures {planned.PreviousFailures} -> {planned.Failures}");
            if (!cmdlet.ShouldProcess($"{probe.Pool.Name} (db_servers on {planned.PlatformServer})", action))
            {
                return service.Plan(probe, "not updated: -WhatIf, or the update was declined");
            }

            try
            {
                return cmdlet.Await(service.RecordAsync(probe, cmdlet.IncludeError, cmdlet.CancellationToken));
            }
            catch (OpsToolsException ex)
            {
                cmdlet.WriteEngineError(ex);
                return service.Plan(probe, "not updated: " + ex.Message);
            }
        }
    }
}
