using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using OpsTools.Compose;

namespace OpsTools.Engine.Compose;

/// <summary>
/// Loads compose files the way <c>docker stack deploy</c> reads them, plus what it leaves out:
/// env files, <c>extends</c> and override files merged by the compose rules.
/// </summary>
public static class ComposeLoader
{
    /// <summary>Loads, interpolates, normalises and merges the files.</summary>
    /// <param name="options">Files, env files and variables.</param>
    /// <param name="cancellationToken">Cancels between files.</param>
    /// <returns>The merged project.</returns>
    /// <exception cref="OpsToolsException">A file is missing or invalid, or a required variable is unset.</exception>
    public static async Task<ComposeProject> LoadAsync(ComposeLoadOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Paths.Count == 0)
        {
            throw new OpsToolsException("ComposeFileMissing", OpsToolsErrorKind.InvalidArgument, "No compose file was given.", null, "Pass at least one file with -Path.");
        }

        string[] files = options.Paths.Select(p => Path.GetFullPath(p)).ToArray();
        string projectDirectory = Path.GetDirectoryName(files[0]) ?? Directory.GetCurrentDirectory();

        var envFiles = new List<string>();
        var envValues = new Dictionary<string, string>(StringComparer.Ordinal);
        IEnumerable<string> envPaths = options.EnvFiles.Count > 0
            ? options.EnvFiles.Select(p => Path.GetFullPath(p))
            : new[] { Path.Combine(projectDirectory, ".env") }.Where(File.Exists);
        foreach (string envPath in envPaths)
        {
            foreach (KeyValuePair<string, string> pair in DotEnvParser.ReadFile(envPath))
            {
                envValues[pair.Key] = pair.Value;
            }

            envFiles.Add(envPath);
        }

        string? Lookup(string name) =>
            options.Variables.TryGetValue(name, out string? given) && given is not null ? given
            : options.EnvironmentLookup(name) is { } fromProcess ? fromProcess
            : envValues.TryGetValue(name, out string? fromFile) ? fromFile
            : null;

        var session = new ComposeFileSet(projectDirectory, Lookup, options.ForSwarm);
        YMapping? merged = null;
        foreach (string file in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!File.Exists(file))
            {
                throw ComposeErrors.FileNotFound(file);
            }

            YMapping root = await session.LoadAsync(file, projectDirectory, cancellationToken).ConfigureAwait(false);
            merged = merged is null ? root : ComposeMerger.MergeRoots(merged, root);
        }

        return new ComposeModelBuilder(Lookup, session.Warnings).Build(merged!, options.StackName, projectDirectory, files, envFiles);
    }
}
