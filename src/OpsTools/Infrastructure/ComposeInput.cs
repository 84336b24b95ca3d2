using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using OpsTools.Compose;

namespace OpsTools.Infrastructure;

/// <summary>
/// The loader parameters Get-ComposeConfig, Deploy-SwarmStack and Start-ComposeProject share (-Path, -EnvFile,
/// -Variables), turned into one engine load: the cmdlets read compose files the same way.
/// </summary>
internal static class ComposeInput
{
    /// <summary>-Variables as a map; values converted to strings, $null kept as null.</summary>
    public static Dictionary<string, string?> Variables(Hashtable? table)
    {
        var variables = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in table ?? new Hashtable())
        {
            variables[Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty] = entry.Value is null ? null : LanguagePrimitives.ConvertTo<string>(entry.Value);
        }

        return variables;
    }

    /// <summary>Provider paths of -Path / -EnvFile items, relative to the current location.</summary>
    public static List<string> Resolve(SessionState sessionState, IEnumerable<string>? paths)
    {
        var result = new List<string>();
        foreach (string path in paths ?? Array.Empty<string>())
        {
            result.Add(sessionState.Path.GetUnresolvedProviderPathFromPSPath(path));
        }

        return result;
    }

    /// <summary>Loads and merges the files (engine call; in its own type so the cmdlets load without the engine).</summary>
    public static Task<ComposeProject> LoadAsync(IReadOnlyList<string> paths, IReadOnlyList<string> envFiles, IReadOnlyDictionary<string, string?> variables, string? stackName, CancellationToken cancellationToken, bool forSwarm = true) =>
        OpsTools.Engine.Compose.ComposeLoader.LoadAsync(
            new OpsTools.Engine.Compose.ComposeLoadOptions { Paths = paths, EnvFiles = envFiles, Variables = variables, StackName = stackName, ForSwarm = forSwarm },
            cancellationToken);
}
