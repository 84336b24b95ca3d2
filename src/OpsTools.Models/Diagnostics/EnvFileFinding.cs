namespace OpsTools.Diagnostics;

/// <summary>What Test-EnvFile found about one key (or about the file).</summary>
public enum EnvFileFindingKind
{
    /// <summary>A key of the template is not in the env file.</summary>
    MissingKey,
    /// <summary>A key of the env file is not in the template.</summary>
    ExtraKey,
    /// <summary>A key has an empty value.</summary>
    EmptyValue,
    /// <summary>A value is a placeholder left in (changeme, &lt;...&gt;, xxx, TODO, your-..., or the template's own value of a secret).</summary>
    Placeholder,
    /// <summary>An unquoted value that compose interpolation would change (<c>$NAME</c>, <c>${...}</c>, <c>$$</c>) or refuse.</summary>
    Interpolation,
    /// <summary>The env file is tracked by git: its secrets are committed.</summary>
    TrackedByGit,
    /// <summary>Whether the env file is tracked by git could not be checked (git is not installed).</summary>
    GitStatusUnknown,
}

/// <summary>How serious a finding is.</summary>
public enum FindingSeverity
{
    /// <summary>Worth knowing; nothing is wrong.</summary>
    Information,
    /// <summary>Probably a mistake.</summary>
    Warning,
    /// <summary>Must be fixed before deploying.</summary>
    Error,
}

/// <summary>One finding of Test-EnvFile. Never carries a value of the file: only keys, lines and what is wrong.</summary>
public sealed class EnvFileFinding
{
    /// <summary>Full path of the env file.</summary>
    public required string Path { get; init; }
    /// <summary>What was found.</summary>
    public EnvFileFindingKind Kind { get; init; }
    /// <summary>How serious it is.</summary>
    public FindingSeverity Severity { get; init; }
    /// <summary>The key concerned; null for findings about the whole file.</summary>
    public string? Key { get; init; }
    /// <summary>Line of the key in the env file (in the template for a missing key); null for findings about the whole file.</summary>
    public int? Line { get; init; }
    /// <summary>What is wrong and what to do, without the value.</summary>
    public required string Message { get; init; }

    /// <inheritdoc/>
    public override string ToString() => Key is null ? $"{Kind}: {Message}" : $"{Kind} {Key}: {Message}";
}
