using System.Management.Automation;
using System.Net;

namespace OpsTools.Infrastructure;

/// <summary>
/// Base of the cmdlets that talk to Redis servers given by <c>-Server</c> (declared by each cmdlet).
/// Holds <c>-Credential</c>: its password is sent with AUTH, its user name too unless it is empty
/// or <c>default</c>. A password inside a <c>redis://</c> URI is used when no credential is given.
/// </summary>
public abstract class RedisCmdlet : OpsToolsCmdlet
{
    /// <summary>Password (and ACL user) to AUTH with; user 'default' or empty sends the password alone.</summary>
    [Parameter]
    [Credential]
    [ValidateNotNull]
    public PSCredential? Credential { get; set; }

    /// <summary>The credential as the engine takes it (a BCL type), or null.</summary>
    protected NetworkCredential? EngineCredential => RedisCredentials.ToEngine(Credential);
}

/// <summary>Credential conversion shared with Redis cmdlets that derive from another base (Backup-RedisData is a DockerCmdlet).</summary>
internal static class RedisCredentials
{
    public static NetworkCredential? ToEngine(PSCredential? credential) =>
        credential is null || credential == PSCredential.Empty ? null : credential.GetNetworkCredential();
}
