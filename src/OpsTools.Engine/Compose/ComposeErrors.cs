using System;
using System.Globalization;

namespace OpsTools.Engine.Compose;

/// <summary>A position in a compose or env file, for error messages.</summary>
internal readonly record struct SourceMark(string File, int Line, int Column)
{
    public override string ToString() => Line > 0
        ? string.Create(CultureInfo.InvariantCulture, $"{File}:{Line}:{Column}")
        : File;
}

/// <summary>The errors the compose loader raises, with stable ids.</summary>
internal static class ComposeErrors
{
    public static OpsToolsException FileNotFound(string path, string? referencedFrom = null) => new(
        "ComposeFileNotFound",
        OpsToolsErrorKind.ObjectNotFound,
        referencedFrom is null ? $"Compose file '{path}' was not found." : $"File '{path}' was not found (referenced at {referencedFrom}).",
        path,
        "Check the path; relative paths resolve against the current directory (or, inside a compose file, against the project directory).");

    public static OpsToolsException EnvFileNotFound(string path, string? referencedFrom = null) => new(
        "ComposeEnvFileNotFound",
        OpsToolsErrorKind.ObjectNotFound,
        referencedFrom is null ? $"Environment file '{path}' was not found." : $"Environment file '{path}' was not found (env_file at {referencedFrom}).",
        path,
        "Check the path of the env file, or remove it from -EnvFile / env_file.");

    public static OpsToolsException YamlInvalid(SourceMark at, string problem, Exception? inner = null) => new(
        "ComposeYamlInvalid",
        OpsToolsErrorKind.InvalidData,
        $"{at}: invalid YAML: {problem}",
        at.File,
        "Fix the YAML at the line and column given (indentation, quotes, a missing colon).",
        inner);

    public static OpsToolsException VariableMissing(SourceMark at, string variable, string? message) => new(
        "ComposeVariableMissing",
        OpsToolsErrorKind.InvalidData,
        $"{at}: required variable '{variable}' is missing a value" + (string.IsNullOrEmpty(message) ? "." : $": {message}"),
        variable,
        $"Set {variable} with -Variables @{{ {variable} = '...' }}, in the environment, or in the env file.");

    public static OpsToolsException InterpolationInvalid(SourceMark at, string text) => new(
        "ComposeInterpolationInvalid",
        OpsToolsErrorKind.InvalidData,
        $"{at}: invalid interpolation format in '{text}'.",
        at.File,
        "Write variables as ${NAME}, $NAME or ${NAME:-default}; write a literal dollar sign as $$.");

    public static OpsToolsException KeyUnknown(SourceMark at, string key, string where) => new(
        "ComposeKeyUnknown",
        OpsToolsErrorKind.InvalidData,
        $"{at}: unknown key '{key}' in {where}.",
        at.File,
        "Check the spelling against the compose file reference (version 3.x); extension keys must start with 'x-'.");

    public static OpsToolsException ValueInvalid(SourceMark at, string message) => new(
        "ComposeValueInvalid",
        OpsToolsErrorKind.InvalidData,
        $"{at}: {message}",
        at.File,
        "Fix the value at the line given; see the compose file reference for its format.");

    public static OpsToolsException EnvFileInvalid(SourceMark at, string message) => new(
        "ComposeEnvFileInvalid",
        OpsToolsErrorKind.InvalidData,
        $"{at}: {message}",
        at.File,
        "Env files hold lines of NAME=value, optionally quoted, with # comments and an optional 'export' prefix.");
}
