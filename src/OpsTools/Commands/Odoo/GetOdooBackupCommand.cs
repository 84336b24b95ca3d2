using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using OpsTools.Engine.Odoo;
using OpsTools.Infrastructure;
using OpsTools.Odoo;

namespace OpsTools.Commands.Odoo;

/// <summary>
/// <para type="synopsis">Lists the Odoo backups in a directory, of every format (the platform's layout included), newest first, with age and completeness.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "OdooBackup", DefaultParameterSetName = ParameterSets.Default)]
[OutputType(typeof(OdooBackup))]
public sealed class GetOdooBackupCommand : OpsToolsCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    /// <summary>Directories holding backups, or backup files and folders.</summary>
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

    /// <summary>Only backups with a missing, empty or wrongly sized part.</summary>
    [Parameter]
    public SwitchParameter Incomplete { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        WildcardPattern[]? patterns = Instance?.Select(i => WildcardPattern.Get(i, WildcardOptions.IgnoreCase)).ToArray();
        foreach (string path in Path)
        {
            string full = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
            IReadOnlyList<OdooBackup> backups;
            try
            {
                backups = EngineCalls.List(full);
            }
            catch (OpsToolsException ex)
            {
                WriteEngineError(ex);
                continue;
            }
            catch (Exception ex) when (ex is System.IO.IOException or UnauthorizedAccessException)
            {
                WriteError(ErrorRecords.Create("BackupPathUnreadable", ErrorCategory.ReadError, full, $"{full} cannot be read: {ex.Message}", "Check the path and the permissions on it."));
                continue;
            }

            foreach (OdooBackup backup in backups)
            {
                if (patterns is not null && !patterns.Any(p => p.IsMatch(backup.Database) || (backup.Instance is not null && p.IsMatch(backup.Instance))))
                {
                    continue;
                }

                if (Incomplete && backup.IsComplete)
                {
                    continue;
                }

                WriteObject(backup);
            }
        }
    }

    /// <summary>Engine calls in a nested type so the cmdlet class names no engine type in its members.</summary>
    private static class EngineCalls
    {
        public static IReadOnlyList<OdooBackup> List(string path) => OdooBackupCatalog.List(path);
    }
}
