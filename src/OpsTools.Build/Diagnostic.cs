using System.Globalization;

namespace OpsTools.Build;

/// <summary>
/// One build error, printed in MSBuild's canonical form so Exec surfaces it in build output and
/// IDEs can jump to the file: <c>path(line,col): error CODE: message</c>.
/// </summary>
internal sealed record Diagnostic(string Code, string Message, SourceLocation Location)
{
    public override string ToString()
    {
        string origin = Location.Line > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{Location.Path}({Location.Line},{Location.Column})")
            : Location.Path;
        return $"{origin}: error {Code}: {Message}";
    }
}

/// <summary>A place in a file; line and column are 1-based, 0 when only the file is known.</summary>
internal readonly record struct SourceLocation(string Path, int Line = 0, int Column = 0);

/// <summary>The stable error codes. Numbers are never reused for a different meaning.</summary>
internal static class ErrorCodes
{
    public const string MissingPage = "OPSHELP001";
    public const string UnknownCmdletPage = "OPSHELP002";
    public const string UnknownParameter = "OPSHELP003";
    public const string UndocumentedParameter = "OPSHELP004";
    public const string NoExample = "OPSHELP005";
    public const string EmptySynopsis = "OPSHELP006";
    public const string EmptyDescription = "OPSHELP007";
    public const string UnapprovedVerb = "OPSHELP008";
    public const string CmdletNotExported = "OPSHELP009";
    public const string ExportedCmdletMissing = "OPSHELP010";
    public const string MalformedPage = "OPSHELP011";
    public const string MalformedManifest = "OPSHELP012";
    public const string UnreadableAssembly = "OPSHELP013";
    public const string InvalidInvocation = "OPSHELP014";
}
