using System;
using System.Collections.Generic;
using System.IO;

namespace OpsTools.Engine.Tests.Lab;

/// <summary>
/// Finds the lab through the variables tests/lab/up.sh prints (or its .lab.env file). A missing
/// component fails the run under CI=true and skips the test otherwise, naming the script to run.
/// </summary>
internal static class LabEnvironment
{
    private static readonly Lazy<IReadOnlyDictionary<string, string>> FileValues = new(ReadEnvFile);

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string? Get(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value
        : FileValues.Value.TryGetValue(name, out string? fromFile) ? fromFile
        : null;

    /// <summary>Returns the setting, or skips (outside CI) / fails (CI) the calling test.</summary>
    public static string Require(string name, string component)
    {
        string? value = Get(name);
        if (value is not null)
        {
            return value;
        }

        string message = $"The lab's {component} is not configured ({name} is unset): run 'sudo bash tests/lab/up.sh' first.";
        if (IsCi)
        {
            Assert.Fail(message);
        }

        Skip.If(true, message);
        return string.Empty;
    }

    /// <summary>Called when a configured component does not answer.</summary>
    public static void Unreachable(string component, Exception exception)
    {
        string message = $"The lab's {component} does not answer ({exception.Message}): run 'sudo bash tests/lab/up.sh'.";
        if (IsCi)
        {
            Assert.Fail(message);
        }

        Skip.If(true, message);
    }

    private static IReadOnlyDictionary<string, string> ReadEnvFile()
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "lab", ".lab.env");
            if (!File.Exists(candidate))
            {
                continue;
            }

            foreach (string raw in File.ReadAllLines(candidate))
            {
                string line = raw.Trim();
                if (line.StartsWith("export ", StringComparison.Ordinal))
                {
                    line = line["export ".Length..];
                }

                int eq = line.IndexOf('=', StringComparison.Ordinal);
                if (line.Length == 0 || line[0] == '#' || eq <= 0)
                {
                    continue;
                }

                values[line[..eq]] = line[(eq + 1)..].Trim('"', '\'');
            }

            break;
        }

        return values;
    }
}
