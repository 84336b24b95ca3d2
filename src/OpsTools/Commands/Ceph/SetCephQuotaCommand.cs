using System.Globalization;
using System.Management.Automation;
using OpsTools.Ceph;
using OpsTools.Engine.Ceph;
using OpsTools.Infrastructure;

namespace OpsTools.Commands.Ceph;

/// <summary>
/// <para type="synopsis">Sets the byte and file limits of CephFS directory quotas.</para>
/// </summary>
[Cmdlet(VerbsCommon.Set, "CephQuota", DefaultParameterSetName = ParameterSets.Path, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(CephQuota))]
public sealed class SetCephQuotaCommand : CephFsCmdlet
{
    private static class ParameterSets
    {
        public const string Path = "Path";
        public const string LiteralPath = "LiteralPath";
    }

    /// <summary>Directories; wildcards match directory names.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ParameterSets.Path, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Path { get; set; }

    /// <summary>Directories, taken literally (no wildcards).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.LiteralPath, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[]? LiteralPath { get; set; }

    /// <summary>Byte limit: 10GB, '10G', '512Mi', '1.5TiB' or a byte count (binary units); 0 removes the limit.</summary>
    [Parameter(Position = 1)]
    [Alias("Size")]
    public ByteSize MaxBytes { get; set; }

    /// <summary>Limit on files and directories below the directory, counted recursively; 0 removes the limit.</summary>
    [Parameter]
    public long MaxFiles { get; set; }

    /// <summary>Writes the quota as CephFS reports it after the change.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private bool HasMaxBytes => MyInvocation.BoundParameters.ContainsKey(nameof(MaxBytes));

    private bool HasMaxFiles => MyInvocation.BoundParameters.ContainsKey(nameof(MaxFiles));

    /// <inheritdoc/>
    protected override void BeginProcessing()
    {
        if (!HasMaxBytes && !HasMaxFiles)
        {
            ThrowTerminatingError(ErrorRecords.Create(
                "CephQuotaLimitMissing",
                ErrorCategory.InvalidArgument,
                null,
                "Give -MaxBytes, -MaxFiles or both: there is nothing to set.",
                "For example: Set-CephQuota -Path /mnt/cephfs/odoo_instances/odoo_data_x -MaxBytes 10G"));
        }

        if (HasMaxFiles && MaxFiles < 0)
        {
            ThrowTerminatingError(ErrorRecords.Create(
                "CephQuotaValueInvalid",
                ErrorCategory.InvalidArgument,
                MaxFiles,
                string.Create(CultureInfo.InvariantCulture, $"'{MaxFiles}' is not a file limit: it cannot be negative."),
                "Give a count of 0 or more; 0 removes the limit."));
        }
    }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        var fileSystem = new CephFileSystem(Timeout);
        long? maxBytes = HasMaxBytes ? MaxBytes.Bytes : null;
        long? maxFiles = HasMaxFiles ? MaxFiles : null;
        foreach (string directory in ResolvePaths(Path, LiteralPath))
        {
            CephQuota current;
            try
            {
                current = Await(fileSystem.GetQuotaAsync(directory, CancellationToken));
            }
            catch (OpsToolsException ex)
            {
                WriteEngineError(ex);
                continue;
            }

            string change = Describe(current, maxBytes, maxFiles);
            if (!ShouldProcess($"{directory} on {HostName}", $"Set CephFS quota: {change}"))
            {
                continue;
            }

            try
            {
                CephQuota updated = Await(fileSystem.SetQuotaAsync(directory, maxBytes, maxFiles, CancellationToken));
                WriteVerbose($"{directory}: {change}");
                if (PassThru)
                {
                    WriteObject(updated);
                }
            }
            catch (OpsToolsException ex)
            {
                WriteEngineError(ex);
            }
        }
    }

    /// <summary>The change as old -> new, per limit given: <c>max_bytes 10 GiB (10737418240) -> 20 GiB (21474836480)</c>.</summary>
    internal static string Describe(CephQuota current, long? maxBytes, long? maxFiles)
    {
        var parts = new System.Collections.Generic.List<string>();
        if (maxBytes is { } bytes)
        {
            parts.Add($"max_bytes {Bytes(current.MaxBytes)} -> {Bytes(bytes == 0 ? null : bytes)}");
        }

        if (maxFiles is { } files)
        {
            parts.Add($"max_files {Count(current.MaxFiles)} -> {Count(files == 0 ? null : files)}");
        }

        return string.Join("; ", parts);

        static string Bytes(long? value) => value is { } v ? string.Create(CultureInfo.InvariantCulture, $"{ByteSize.Format(v)} ({v})") : "none";

        static string Count(long? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "none";
    }
}
