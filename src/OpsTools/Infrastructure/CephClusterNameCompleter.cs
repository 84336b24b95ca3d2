using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace OpsTools.Infrastructure;

/// <summary>Completes Ceph cluster names from the configuration files in /etc/ceph (<c>&lt;cluster&gt;.conf</c>).</summary>
public sealed class CephClusterNameCompleter : IArgumentCompleter
{
    private const string ConfigDirectory = "/etc/ceph";

    /// <inheritdoc/>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
        IEnumerable<string> names;
        try
        {
            names = Directory.Exists(ConfigDirectory)
                ? Directory.EnumerateFiles(ConfigDirectory, "*.conf").Select(f => Path.GetFileNameWithoutExtension(f)!)
                : Enumerable.Empty<string>();
            names = names.ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Array.Empty<CompletionResult>();
        }

        var pattern = new WildcardPattern(prefix + "*", WildcardOptions.IgnoreCase);
        return names
            .Where(pattern.IsMatch)
            .OrderBy(n => n, StringComparer.Ordinal)
            .Select(n => new CompletionResult(n, n, CompletionResultType.ParameterValue, n))
            .ToList();
    }
}
