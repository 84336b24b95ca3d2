using System.Management.Automation;
using OpsTools.Ceph;
using OpsTools.Engine.Ceph;
using OpsTools.Infrastructure;

namespace OpsTools.Commands.Ceph;

/// <summary>
/// <para type="synopsis">Tests that a path is on a mounted, responsive CephFS whose client can read statistics and set quotas.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "CephMount", DefaultParameterSetName = ParameterSets.Default)]
[OutputType(typeof(CephMountTest), typeof(bool))]
public sealed class TestCephMountCommand : CephFsCmdlet
{
    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    /// <summary>Creates the cmdlet; a mount check waits 5 s by default.</summary>
    public TestCephMountCommand()
    {
        Timeout = System.TimeSpan.FromSeconds(5);
    }

    /// <summary>Directories to test (no wildcards: expanding them would itself touch the mount).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "MountPoint")]
    [ValidateNotNullOrEmpty]
    public string[]? Path { get; set; }

    /// <summary>Writes only $true or $false: whether every check passed.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        var fileSystem = new CephFileSystem(Timeout);
        foreach (string path in Path ?? System.Array.Empty<string>())
        {
            if (ToFileSystemPath(path) is not { } full)
            {
                continue;
            }

            CephMountTest result = Await(fileSystem.TestMountAsync(full, CancellationToken));
            WriteVerbose($"{full}: {result.Reason}");
            WriteObject(Quiet ? result.Passed : result);
        }
    }
}
