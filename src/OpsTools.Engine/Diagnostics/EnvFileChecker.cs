using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using OpsTools.Diagnostics;
using OpsTools.Engine.Compose;

namespace OpsTools.Engine.Diagnostics;

/// <summary>
/// Checks a <c>.env</c> file against its template (<c>.env.example</c>), as a deploy runbook does by
/// eye: missing and extra keys, empty values, placeholders left in, unquoted values that compose
/// interpolation would change, and whether git tracks the file (its secrets are then committed).
/// Both files are read by the compose engine's own parser and interpolator. No finding ever
/// carries a value: only keys, lines and what is wrong.
/// </summary>
public static partial class EnvFileChecker
{
    private static readonly TimeSpan GitTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Checks an env file.</summary>
    /// <param name="path">The env file.</param>
    /// <param name="templatePath">Its template; null checks the file alone (no missing or extra keys).</param>
    /// <param name="cancellationToken">Cancels the git call.</param>
    /// <returns>The findings, in file order within each kind.</returns>
    /// <exception cref="OpsToolsException"><c>EnvFileNotFound</c>, <c>ComposeEnvFileInvalid</c>.</exception>
    public static async Task<IReadOnlyList<EnvFileFinding>> CheckAsync(string path, string? templatePath, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string file = Path.GetFullPath(path);
        IReadOnlyList<DotEnvEntry> entries = Read(file, "-Path");
        IReadOnlyList<DotEnvEntry> template = templatePath is null ? Array.Empty<DotEnvEntry>() : Read(Path.GetFullPath(templatePath), "-Template");
        var templateValues = new Dictionary<string, DotEnvEntry>(StringComparer.Ordinal);
        foreach (DotEnvEntry entry in template)
        {
            templateValues[entry.Name] = entry;
        }

        var present = entries.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        var findings = new List<EnvFileFinding>();
        EnvFileFinding Finding(EnvFileFindingKind kind, FindingSeverity severity, DotEnvEntry? entry, string message) =>
            new() { Path = file, Kind = kind, Severity = severity, Key = entry?.Name, Line = entry?.Line, Message = message };

        if (templatePath is not null)
        {
            foreach (DotEnvEntry missing in template.Where(t => !present.Contains(t.Name)).DistinctBy(t => t.Name))
            {
                findings.Add(Finding(EnvFileFindingKind.MissingKey, FindingSeverity.Error, missing, $"{missing.Name} is in the template (line {missing.Line}) but not in the env file."));
            }

            foreach (DotEnvEntry extra in entries.Where(e => !templateValues.ContainsKey(e.Name)))
            {
                findings.Add(Finding(EnvFileFindingKind.ExtraKey, FindingSeverity.Warning, extra, $"{extra.Name} is not in the template: a typo, or the template lacks it."));
            }
        }

        foreach (DotEnvEntry entry in entries.Where(e => string.IsNullOrEmpty(e.Value)))
        {
            findings.Add(Finding(EnvFileFindingKind.EmptyValue, FindingSeverity.Warning, entry, $"{entry.Name} is empty."));
        }

        foreach (DotEnvEntry entry in entries.Where(e => !string.IsNullOrEmpty(e.Value)))
        {
            if (PlaceholderReason(entry, templateValues) is { } reason)
            {
                findings.Add(Finding(EnvFileFindingKind.Placeholder, FindingSeverity.Error, entry, $"{entry.Name} still holds a placeholder ({reason}); set the real value."));
            }
        }

        foreach (DotEnvEntry entry in entries.Where(e => e.Quote is null && !string.IsNullOrEmpty(e.Value)))
        {
            if (InterpolationProblem(entry, file) is { } problem)
            {
                findings.Add(Finding(EnvFileFindingKind.Interpolation, FindingSeverity.Warning, entry, $"{entry.Name} {problem}; quote it in single quotes to keep it literal."));
            }
        }

        bool? tracked = await IsTrackedByGitAsync(file, cancellationToken).ConfigureAwait(false);
        if (tracked is null)
        {
            findings.Add(Finding(EnvFileFindingKind.GitStatusUnknown, FindingSeverity.Information, null, "git is not installed: whether the file is committed is unknown."));
        }
        else if (tracked.Value)
        {
            findings.Add(Finding(EnvFileFindingKind.TrackedByGit, FindingSeverity.Error, null, "The env file is tracked by git: its secrets are committed. Remove it from the index (git rm --cached), add it to .gitignore and rotate the secrets."));
        }

        return findings;
    }

    /// <summary>Whether git tracks the file: null when git is not installed, false outside a repository.</summary>
    /// <param name="file">Full path.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The answer.</returns>
    internal static async Task<bool?> IsTrackedByGitAsync(string file, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("git")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(file)!,
        };
        foreach (string argument in new[] { "ls-files", "--error-unmatch", "--", Path.GetFileName(file) })
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new Win32Exception();
        }
        catch (Win32Exception)
        {
            return null;
        }

        using (process)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(GitTimeout);
            Task<string> output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            Task<string> errors = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
                await Task.WhenAll(output, errors).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                return null;
            }

            // 0: tracked; 1: not tracked; 128: not inside a repository.
            return process.ExitCode == 0;
        }
    }

    private static IReadOnlyList<DotEnvEntry> Read(string file, string parameter)
    {
        if (!File.Exists(file))
        {
            throw new OpsToolsException(
                "EnvFileNotFound",
                OpsToolsErrorKind.ObjectNotFound,
                $"The env file {file} does not exist.",
                file,
                $"Check {parameter}; relative paths resolve against the current directory.");
        }

        return DotEnvParser.ParseEntries(File.ReadAllText(file), file);
    }

    private static string? PlaceholderReason(DotEnvEntry entry, Dictionary<string, DotEnvEntry> template)
    {
        string value = entry.Value!.Trim();
        if (PlaceholderPattern().IsMatch(value))
        {
            return "a value such as changeme, <...>, xxx, TODO or your-...";
        }

        if (template.TryGetValue(entry.Name, out DotEnvEntry example) && !string.IsNullOrEmpty(example.Value)
            && string.Equals(example.Value.Trim(), value, StringComparison.Ordinal)
            && (PlaceholderPattern().IsMatch(example.Value.Trim()) || SecretName().IsMatch(entry.Name)))
        {
            return "the template's example value of a secret";
        }

        return null;
    }

    private static string? InterpolationProblem(DotEnvEntry entry, string file)
    {
        string value = entry.Value!;
        if (!value.Contains('$', StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            string interpolated = Interpolator.Interpolate(value, _ => null, new SourceMark(file, entry.Line, 1));
            return string.Equals(interpolated, value, StringComparison.Ordinal) ? null : "is unquoted and holds $ that compose interpolation would replace";
        }
        catch (OpsToolsException)
        {
            // The interpolator's message would quote the value: say only what happens.
            return "is unquoted and holds $ that compose interpolation refuses";
        }
    }

    [GeneratedRegex(@"^(?:.*change[-_ ]?me.*|<[^>]*>|x{3,}|.*\btodo\b.*|your[-_].*|.*[-_]here)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PlaceholderPattern();

    [GeneratedRegex(@"PASSWORD|PASSWD|SECRET|TOKEN|KEY|CREDENTIAL|PRIVATE", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretName();
}
