using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using OpsTools.Engine.Health;
using OpsTools.Health;
using OpsTools.Infrastructure;

namespace OpsTools.Commands.Health;

/// <summary>
/// <para type="synopsis">Runs the operator's morning checklist across every layer and returns one finding per thing wrong.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "OpsHealthReport", DefaultParameterSetName = ParameterSets.File)]
[OutputType(typeof(OpsHealthFinding))]
public sealed class InvokeOpsHealthReportCommand : OpsToolsCmdlet
{
    private static class ParameterSets
    {
        public const string File = "File";
        public const string Hashtable = "Hashtable";
    }

    /// <summary>The report configuration, a PowerShell data file (<c>ops-health.psd1</c>); parsed, never run.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ParameterSets.File)]
    [Alias("Config", "Path")]
    [ValidateNotNullOrEmpty]
    public string ConfigPath { get; set; } = string.Empty;

    /// <summary>The report configuration as a hashtable, with the same keys as the data file.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.Hashtable)]
    [ValidateNotNull]
    public Hashtable Configuration { get; set; } = new();

    /// <summary>Only these of the configured layers.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public OpsHealthLayer[]? Layer { get; set; }

    /// <summary>Leaves out findings below this severity.</summary>
    [Parameter]
    public OpsHealthSeverity MinimumSeverity { get; set; } = OpsHealthSeverity.Info;

    /// <summary>Also writes the report as an HTML page to this file (a table per layer, rows coloured by severity).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? AsHtml { get; set; }

    /// <summary>User and password for the platform database (pools, backups); without it PG variables and .pgpass are used.</summary>
    [Parameter]
    [Credential]
    [ValidateNotNull]
    public PSCredential? PlatformCredential { get; set; }

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        string source = ParameterSetName == ParameterSets.File ? SessionState.Path.GetUnresolvedProviderPathFromPSPath(ConfigPath) : "-Configuration";
        string? htmlPath = AsHtml is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(AsHtml);
        if (htmlPath is not null && !Directory.Exists(Path.GetDirectoryName(htmlPath)))
        {
            ThrowTerminatingError(ErrorRecords.Create(
                "OpsHealthReportHtmlPathInvalid", ErrorCategory.InvalidArgument, AsHtml, $"The directory of {htmlPath} does not exist.", "Create the directory first, or give -AsHtml a path in an existing directory."));
        }

        EngineCalls.Run(this, source, htmlPath);
    }

    private static class EngineCalls
    {
        public static void Run(InvokeOpsHealthReportCommand cmdlet, string source, string? htmlPath)
        {
            OpsHealthReportOptions options = ReadOptions(cmdlet, source);
            var reporter = new OpsHealthReporter(options);
            if (reporter.Layers.Count == 0)
            {
                cmdlet.ThrowTerminatingError(ErrorRecords.Create(
                    "OpsHealthReportNothingToCheck",
                    ErrorCategory.InvalidArgument,
                    source,
                    cmdlet.Layer is null ? $"{source} configures no layer." : $"{source} configures none of the layers asked for ({string.Join(", ", cmdlet.Layer)}).",
                    "Add a section per layer to check (Swarm, Nodes, Compose, Pools, Ceph, Backups, Endpoints, Redis, Queues); see Get-Help Invoke-OpsHealthReport -Examples."));
            }

            cmdlet.WriteVerbose($"Checking {string.Join(", ", reporter.Layers)} (configuration: {source}).");
            DateTimeOffset started = DateTimeOffset.UtcNow;
            IReadOnlyList<OpsHealthFinding> findings = Wait(cmdlet, reporter);
            cmdlet.WriteVerbose($"{findings.Count} finding(s) in {(DateTimeOffset.UtcNow - started).TotalSeconds:0.0} s.");
            List<OpsHealthFinding> shown = findings.Where(f => f.Severity >= cmdlet.MinimumSeverity).ToList();
            if (htmlPath is not null)
            {
                try
                {
                    OpsHealthHtmlWriter.Write(htmlPath, reporter.Layers, shown, started, $"Platform health report {started:yyyy-MM-dd HH:mm} UTC");
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    cmdlet.WriteError(ErrorRecords.Create("OpsHealthReportHtmlNotWritten", ErrorCategory.WriteError, htmlPath, $"The HTML report could not be written to {htmlPath}: {ex.Message}", "Check the path and its permissions; the findings are still written to the pipeline."));
                }
            }

            cmdlet.WriteObject(shown, enumerateCollection: true);
        }

        private static OpsHealthReportOptions ReadOptions(InvokeOpsHealthReportCommand cmdlet, string source)
        {
            NetworkCredential? credential = cmdlet.PlatformCredential is null || cmdlet.PlatformCredential == PSCredential.Empty ? null : cmdlet.PlatformCredential.GetNetworkCredential();
            HashSet<string>? layers = cmdlet.Layer?.Select(l => l.ToString()).ToHashSet(StringComparer.Ordinal);
            try
            {
                Hashtable configuration = cmdlet.ParameterSetName == ParameterSets.File ? OpsHealthConfiguration.ReadDataFile(source) : cmdlet.Configuration;
                return OpsHealthConfiguration.ToOptions(configuration, credential, layers);
            }
            catch (FileNotFoundException ex)
            {
                cmdlet.ThrowTerminatingError(ErrorRecords.Create("OpsHealthConfigurationNotFound", ErrorCategory.ObjectNotFound, source, ex.Message, "Give -ConfigPath the path of your ops-health.psd1; Get-Help Invoke-OpsHealthReport -Examples shows one."));
            }
            catch (OpsHealthConfigurationException ex)
            {
                cmdlet.ThrowTerminatingError(ErrorRecords.Create("OpsHealthConfigurationInvalid", ErrorCategory.InvalidData, ex.Key, $"{source}: {ex.Message}", "Fix the configuration; Get-Help Invoke-OpsHealthReport -Full lists every key."));
            }

            return null!; // unreachable: ThrowTerminatingError always throws
        }

        private static IReadOnlyList<OpsHealthFinding> Wait(InvokeOpsHealthReportCommand cmdlet, OpsHealthReporter reporter)
        {
            const string Activity = "Platform health report";
            int done = 0;
            var progress = new ThrottledProgress(cmdlet, new ProgressRecord(1, Activity, $"Checking {string.Join(", ", reporter.Layers)}"));
            var layerDone = new Progress<OpsHealthLayerDone>(d => Interlocked.Exchange(ref done, d.Done));
            Task<IReadOnlyList<OpsHealthFinding>> run = reporter.RunAsync(layerDone, cmdlet.CancellationToken);
            try
            {
                while (!run.Wait(100))
                {
                    int finished = Volatile.Read(ref done);
                    progress.Record.PercentComplete = finished * 100 / reporter.Layers.Count;
                    progress.Record.StatusDescription = $"{finished} of {reporter.Layers.Count} layers checked";
                    progress.Changed();
                    progress.Tick();
                }
            }
            catch (AggregateException)
            {
                // The awaited call below rethrows the real exception.
            }
            finally
            {
                progress.Complete();
            }

            return cmdlet.Await(run);
        }
    }
}
