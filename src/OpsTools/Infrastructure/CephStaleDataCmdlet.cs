using System.Collections.Generic;
using System.Management.Automation;
using OpsTools.Engine.Ceph;

namespace OpsTools.Infrastructure;

/// <summary>
/// Base of the cmdlets that find and remove stale CephFS data: -DockerHost and -ThrottleLimit,
/// and one question per command to Docker about the directories running Swarm services mount.
/// </summary>
public abstract class CephStaleDataCmdlet : CephFsCmdlet
{
    private bool _mountsRead;

    // The engine's mount list, typed object: a cmdlet holds no field of an engine type, so
    // reflecting over it (Get-Command, help) never loads the engine.
    private object? _serviceMounts;

    /// <summary>Docker endpoint asked which directories running Swarm services mount.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? DockerHost { get; set; }

    /// <summary>Directories read (or files removed) at once.</summary>
    [Parameter]
    [ValidateRange(1, 256)]
    public int ThrottleLimit { get; set; } = CephFileSystem.DefaultThrottleLimit;

    /// <summary>
    /// The running services' mounts, read once per command; null when Docker cannot tell, after
    /// <see cref="OnServiceMountsUnknown"/> was told why.
    /// </summary>
    private protected IReadOnlyList<SwarmServiceMount>? ServiceMounts()
    {
        if (!_mountsRead)
        {
            _mountsRead = true;
            try
            {
                _serviceMounts = SwarmMountLookup.TryGet(DockerHost, CancellationToken, out string? reason);
                if (reason is not null)
                {
                    OnServiceMountsUnknown(reason);
                }
            }
            catch (OpsToolsException ex)
            {
                ThrowTerminatingError(ErrorRecords.From(ex));
            }
        }

        return (IReadOnlyList<SwarmServiceMount>?)_serviceMounts;
    }

    /// <summary>Docker could not say which directories are mounted: warn, or stop the command.</summary>
    /// <param name="reason">Why Docker could not tell, as one sentence.</param>
    private protected abstract void OnServiceMountsUnknown(string reason);
}
