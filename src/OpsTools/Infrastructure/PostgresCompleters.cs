using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Net;
using System.Threading;

namespace OpsTools.Infrastructure;

/// <summary>
/// Completes pool names from db_servers. The platform server comes from a -PlatformServer already
/// typed on the line, else OPSTOOLS_PLATFORM_SERVER; the password from a -PlatformCredential
/// variable on the line, else PGPASSWORD or the password file. Gives up after three seconds and
/// never throws.
/// </summary>
public sealed class DatabasePoolNameCompleter : IArgumentCompleter
{
    /// <inheritdoc/>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string? server = fakeBoundParameters?["PlatformServer"] as string ?? Environment.GetEnvironmentVariable(PlatformCmdlet.PlatformServerVariable);
        if (string.IsNullOrWhiteSpace(server))
        {
            return Array.Empty<CompletionResult>();
        }

        NetworkCredential? credential = (fakeBoundParameters?["PlatformCredential"] is PSObject { BaseObject: PSCredential wrapped } ? wrapped : fakeBoundParameters?["PlatformCredential"] as PSCredential)?.GetNetworkCredential();
        IEnumerable<string> names;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            names = PoolNames.Get(server, credential, timeout.Token);
        }
        catch (Exception ex) when (ex is OpsToolsException or OperationCanceledException)
        {
            return Array.Empty<CompletionResult>();
        }

        string prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
        var pattern = new WildcardPattern(prefix + "*", WildcardOptions.IgnoreCase);
        return names.Where(pattern.IsMatch)
            .Select(n => new CompletionResult(n, n, CompletionResultType.ParameterValue, n))
            .ToList();
    }

    /// <summary>Engine calls in their own type so loading the completer does not load the engine.</summary>
    private static class PoolNames
    {
        public static IEnumerable<string> Get(string server, NetworkCredential? credential, CancellationToken cancellationToken)
        {
            OpsTools.Engine.Postgres.PostgresEndpoint endpoint = PostgresConnections.ResolvePlatform(server, credential).WithTimeout(TimeSpan.FromSeconds(3));
            using OpsTools.Engine.Postgres.PlatformDatabase platform = OpsTools.Engine.Postgres.PlatformDatabase.OpenAsync(endpoint, cancellationToken).GetAwaiter().GetResult();
            return platform.GetPoolsAsync(cancellationToken).GetAwaiter().GetResult().Select(p => p.Name).ToList();
        }
    }
}
