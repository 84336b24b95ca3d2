using System.Management.Automation;
using System.Net;

namespace OpsTools.Infrastructure;

/// <summary>
/// Base of the cmdlets that talk to one PostgreSQL server given by <c>-Server</c> (declared by each
/// cmdlet, since some take several servers or pipeline strings). Holds <c>-Credential</c>; the PG*
/// environment variables and the password file fill in what neither gives, as for psql.
/// </summary>
public abstract class PostgresCmdlet : OpsToolsCmdlet
{
    /// <summary>User and password to connect with. Without it: the user and password of the server text, PGUSER/PGPASSWORD, the password file (~/.pgpass), the OS user.</summary>
    [Parameter]
    [Credential]
    [ValidateNotNull]
    public PSCredential? Credential { get; set; }

    /// <summary>The credential as the engine takes it (a BCL type), or null.</summary>
    protected NetworkCredential? EngineCredential => Credential is null || Credential == PSCredential.Empty ? null : Credential.GetNetworkCredential();
}
