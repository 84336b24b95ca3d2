using System;
using System.Management.Automation;

namespace OpsTools.Infrastructure;

/// <summary>Builds PowerShell error records from engine errors and from bad input.</summary>
internal static class ErrorRecords
{
    public static ErrorRecord From(OpsToolsException exception)
    {
        var record = new ErrorRecord(exception, exception.ErrorId, CategoryOf(exception.Kind), exception.Target);
        record.ErrorDetails = new ErrorDetails(exception.Message);
        if (!string.IsNullOrEmpty(exception.RecommendedAction))
        {
            record.ErrorDetails.RecommendedAction = exception.RecommendedAction;
        }

        return record;
    }

    public static ErrorRecord Create(string errorId, ErrorCategory category, object? target, string message, string? recommendedAction = null)
    {
        var record = new ErrorRecord(new OpsToolsException(errorId, OpsToolsErrorKind.NotSpecified, message, target, recommendedAction), errorId, category, target);
        record.ErrorDetails = new ErrorDetails(message);
        if (recommendedAction is not null)
        {
            record.ErrorDetails.RecommendedAction = recommendedAction;
        }

        return record;
    }

    /// <summary>The per-name error every Swarm cmdlet writes when a plain service name matches nothing.</summary>
    public static ErrorRecord SwarmServiceNotFound(string name, string? stack = null, string recommendedAction = "Run Get-SwarmService to list the services.") => Create(
        "SwarmServiceNotFound",
        ErrorCategory.ObjectNotFound,
        name,
        $"No Swarm service named '{name}' was found{(stack is null ? string.Empty : $" in stack '{stack}'")}.",
        recommendedAction);

    public static ErrorCategory CategoryOf(OpsToolsErrorKind kind) => kind switch
    {
        OpsToolsErrorKind.ConnectionError => ErrorCategory.ConnectionError,
        OpsToolsErrorKind.ObjectNotFound => ErrorCategory.ObjectNotFound,
        OpsToolsErrorKind.PermissionDenied => ErrorCategory.PermissionDenied,
        OpsToolsErrorKind.ResourceExists => ErrorCategory.ResourceExists,
        OpsToolsErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        OpsToolsErrorKind.InvalidOperation => ErrorCategory.InvalidOperation,
        OpsToolsErrorKind.NotImplemented => ErrorCategory.NotImplemented,
        OpsToolsErrorKind.OperationTimeout => ErrorCategory.OperationTimeout,
        OpsToolsErrorKind.InvalidData => ErrorCategory.InvalidData,
        OpsToolsErrorKind.AuthenticationError => ErrorCategory.AuthenticationError,
        OpsToolsErrorKind.ResourceUnavailable => ErrorCategory.ResourceUnavailable,
        _ => ErrorCategory.NotSpecified,
    };
}
