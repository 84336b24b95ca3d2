using System.Management.Automation;

namespace OpsTools.Infrastructure;

/// <summary>Base of every cmdlet that talks to a Docker daemon.</summary>
public abstract class DockerCmdlet : OpsToolsCmdlet
{
    /// <summary>
    /// Docker endpoint (<c>unix:///var/run/docker.sock</c>, <c>tcp://host:2376</c>). Defaults like the
    /// docker CLI: DOCKER_HOST, then the current docker context, then the local socket.
    /// </summary>
    [Parameter]
    [Alias("Host", "H")]
    [ValidateNotNullOrEmpty]
    public string? DockerHost { get; set; }

    /// <summary>Writes how many API calls the command made, for diagnosing slow scripts.</summary>
    /// <param name="endpoint">Endpoint display name.</param>
    /// <param name="apiVersion">Negotiated API version.</param>
    /// <param name="callsBefore">Call count when the command started.</param>
    /// <param name="callsAfter">Call count now.</param>
    protected void WriteApiCallSummary(string endpoint, System.Version? apiVersion, long callsBefore, long callsAfter) =>
        WriteVerbose($"{MyInvocation.MyCommand.Name}: {callsAfter - callsBefore} Docker API call(s) to {endpoint} (API {apiVersion}).");
}
