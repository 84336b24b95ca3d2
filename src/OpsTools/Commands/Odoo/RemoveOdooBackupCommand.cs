using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using OpsTools.Engine.Odoo;
using OpsTools.Infrastructure;
using OpsTools.Odoo;

namespace OpsTools.Commands.Odoo;

/// <summary>
/// <para type="synopsis">Removes old Odoo backups by retention rules (-KeepLast, -OlderThan, grandfather-father-son -KeepDaily/-KeepWeekly/-KeepMonthly); never the only complete backup of an instance.</para>
/// </summary>
[Cmdlet(VerbsCommon.Remove, "OdooBackup", DefaultParameterSetName = ParameterSets.Default, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(OdooBackup))]
public sealed class RemoveOdooBackupCommand : OpsToolsCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    private readonly List<string> _paths = new();

    /// <summary>Directories holding backups.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>Only backups of these instances or databases; wildcards allowed.</summary>
    [Parameter]
    [Alias("Database")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Instance { get; set; }

    /// <summary>Keep the newest N complete backups of each instance.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? KeepLast { get; set; }

    /// <summary>Only backups older than this are removed: 30d, 12h, a TimeSpan.</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan? OlderThan { get; set; }

    /// <summary>Keep the newest complete backup of each of the last N days that have one.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? KeepDaily { get; set; }

    /// <summary>Keep the newest complete backup of each of the last N ISO weeks that have one.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? KeepWeekly { get; set; }

    /// <summary>Keep the newest complete backup of each of the last N months that have one.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? KeepMonthly { get; set; }

    /// <summary>Write each removed backup.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc/>
    protected override void BeginProcessing()
    {
        if (KeepLast is null && OlderThan is null && KeepDaily is null && KeepWeekly is null && KeepMonthly is null)
        {
            ThrowTerminatingError(ErrorRecords.Create(
                "RetentionPolicyMissing",
                ErrorCategory.InvalidArgument,
                null,
                "Remove-OdooBackup needs a retention rule: none of -KeepLast, -OlderThan, -KeepDaily, -KeepWeekly, -KeepMonthly is given.",
                "Say what to keep, for example -KeepLast 7, -OlderThan 30d, or -KeepDaily 7 -KeepWeekly 4 -KeepMonthly 12."));
        }
    }

    /// <inheritdoc/>
    protected override void ProcessRecord() => _paths.AddRange(Path.Select(p => SessionState.Path.GetUnresolvedProviderPathFromPSPath(p)));

    /// <inheritdoc/>
    protected override void EndProcessing() => EngineCalls.Run(this);

    /// <summary>Engine calls in a nested type so the cmdlet class names no engine type in its members.</summary>
    private static class EngineCalls
    {
        public static void Run(RemoveOdooBackupCommand cmdlet)
        {
            WildcardPattern[]? patterns = cmdlet.Instance?.Select(i => WildcardPattern.Get(i, WildcardOptions.IgnoreCase)).ToArray();
            var backups = new List<OdooBackup>();
            foreach (string path in cmdlet._paths)
            {
                try
                {
                    backups.AddRange(OdooBackupCatalog.List(path).Where(b => patterns is null || patterns.Any(p => p.IsMatch(b.Database) || (b.Instance is not null && p.IsMatch(b.Instance)))));
                }
                catch (OpsToolsException ex)
                {
                    cmdlet.WriteEngineError(ex);
                }
            }

            var policy = new OdooRetentionPolicy { KeepLast = cmdlet.KeepLast, OlderThan = cmdlet.OlderThan, KeepDaily = cmdlet.KeepDaily, KeepWeekly = cmdlet.KeepWeekly, KeepMonthly = cmdlet.KeepMonthly };
            long freed = 0;
            int removed = 0;
            foreach (OdooRetentionDecision decision in OdooBackupRetention.Plan(backups, policy, DateTimeOffset.UtcNow))
            {
                OdooBackup backup = decision.Backup;
                if (decision.Keep)
                {
                    cmdlet.WriteVerbose($"{backup.Name} ({backup.Format}): {decision.Reason}");
                    continue;
                }

                string target = $"{backup.Name} ({backup.Format}, {backup.Parts.Count(p => p.Exists)} file(s), {new ByteSize(backup.SizeBytes)}, taken {backup.CreatedAt:yyyy-MM-dd HH:mm} UTC{(backup.IsComplete ? string.Empty : ", incomplete")})";
                if (!cmdlet.ShouldProcess(target, $"Remove backup ({decision.Reason})"))
                {
                    continue;
                }

                try
                {
                    freed += OdooBackupRetention.Delete(backup);
                    removed++;
                    if (cmdlet.PassThru)
                    {
                        cmdlet.WriteObject(backup);
                    }
                }
                catch (OpsToolsException ex)
                {
                    cmdlet.WriteEngineError(ex);
                }
            }

            cmdlet.WriteVerbose(string.Create(CultureInfo.InvariantCulture, $"{cmdlet.MyInvocation.MyCommand.Name}: {removed} backup(s) removed, {new ByteSize(freed)} freed, {backups.Count - removed} kept."));
        }
    }
}
