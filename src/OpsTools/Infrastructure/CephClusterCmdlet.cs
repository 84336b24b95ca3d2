using System;
using System.Collections.Generic;
using System.Management.Automation;
using OpsTools.Engine.Ceph;

namespace OpsTools.Infrastructure;

/// <summary>Base of the cmdlets that ask a Ceph cluster through the ceph CLI: the CLI's connection options.</summary>
public abstract class CephClusterCmdlet : OpsToolsCmdlet
{
    /// <summary>Cluster name, as the ceph CLI's <c>--cluster</c>: it picks <c>/etc/ceph/&lt;name&gt;.conf</c>.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(CephClusterNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Cluster { get; set; }

    /// <summary>Configuration file, as the ceph CLI's <c>-c</c>.</summary>
    [Parameter]
    [Alias("Conf")]
    [ValidateNotNullOrEmpty]
    public string? ConfigPath { get; set; }

    /// <summary>Keyring holding the client's key, as the ceph CLI's <c>-k</c>.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Keyring { get; set; }

    /// <summary>Client id without <c>client.</c>, as the ceph CLI's <c>--id</c> (default <c>admin</c>).</summary>
    [Parameter]
    [Alias("User")]
    [ValidateNotNullOrEmpty]
    public string? Id { get; set; }

    /// <summary>How long to wait for the monitors (<c>--connect-timeout</c>, whole seconds); each ceph process gets 5 s more.</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Cluster name for messages.</summary>
    protected string ClusterName => string.IsNullOrEmpty(Cluster) ? "ceph" : Cluster;

    /// <summary>The cluster these parameters name; relative paths resolve against the PowerShell location.</summary>
    /// <returns>The engine's view of the cluster.</returns>
    private protected CephCluster Connect() => new(new CephClusterOptions
    {
        Cluster = Cluster,
        ConfigPath = FullPath(ConfigPath),
        Keyring = FullPath(Keyring),
        Id = Id,
        Timeout = Timeout,
    });

    /// <summary>
    /// The file system to work on: the one named, or the cluster's only one. Stops the command
    /// when the cluster has none, or several and none is named.
    /// </summary>
    /// <param name="cluster">The cluster.</param>
    /// <param name="fileSystem">The name given, or null.</param>
    /// <returns>The file system name.</returns>
    private protected string ResolveFileSystem(CephCluster cluster, string? fileSystem)
    {
        if (!string.IsNullOrEmpty(fileSystem))
        {
            return fileSystem;
        }

        IReadOnlyList<string> names = AwaitOrTerminate(cluster.GetFileSystemNamesAsync);
        if (names.Count != 1)
        {
            ThrowTerminatingError(ErrorRecords.Create(
                "CephFileSystemAmbiguous",
                names.Count == 0 ? ErrorCategory.ObjectNotFound : ErrorCategory.InvalidArgument,
                ClusterName,
                names.Count == 0
                    ? $"Cluster '{ClusterName}' has no CephFS file system."
                    : $"Cluster '{ClusterName}' has {names.Count} file systems ({string.Join(", ", names)}): say which with -FileSystem.",
                "Run 'ceph fs ls' to list the file systems."));
        }

        return names[0];
    }

    /// <summary>A path given relative to the current PowerShell location, made absolute for the ceph process.</summary>
    /// <param name="path">The path, or null.</param>
    /// <returns>The full path, or null.</returns>
    protected string? FullPath(string? path) =>
        string.IsNullOrEmpty(path) ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
}
