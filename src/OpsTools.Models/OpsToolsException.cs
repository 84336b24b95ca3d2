using System;

namespace OpsTools;

/// <summary>
/// The kind of failure an engine operation reports. Cmdlets map it to a PowerShell
/// <c>ErrorCategory</c>; the engine itself knows nothing of PowerShell.
/// </summary>
public enum OpsToolsErrorKind
{
    /// <summary>Anything not covered below.</summary>
    NotSpecified,
    /// <summary>The remote component cannot be reached.</summary>
    ConnectionError,
    /// <summary>The named object does not exist.</summary>
    ObjectNotFound,
    /// <summary>The caller lacks the rights for the operation.</summary>
    PermissionDenied,
    /// <summary>The object already exists.</summary>
    ResourceExists,
    /// <summary>An argument has a value the operation cannot use.</summary>
    InvalidArgument,
    /// <summary>The target is in a state that does not allow the operation.</summary>
    InvalidOperation,
    /// <summary>The remote side does not support the operation.</summary>
    NotImplemented,
    /// <summary>The operation did not finish in time.</summary>
    OperationTimeout,
    /// <summary>Data read from a remote component is not what was expected.</summary>
    InvalidData,
    /// <summary>The remote side rejected the credentials.</summary>
    AuthenticationError,
    /// <summary>The remote side is out of a resource it needs (connection slots, disk).</summary>
    ResourceUnavailable,
}

/// <summary>
/// An error raised by the OpsTools engine, carrying what a cmdlet needs to build a full
/// PowerShell error record: a stable id, a kind, the offending target and what to do next.
/// Lives in the shared models assembly so both load contexts see the same type.
/// </summary>
public sealed class OpsToolsException : Exception
{
    /// <summary>Creates an engine error.</summary>
    /// <param name="errorId">Stable identifier, e.g. <c>DockerUnreachable</c>.</param>
    /// <param name="kind">What kind of failure this is.</param>
    /// <param name="message">What went wrong, for an operator.</param>
    /// <param name="target">The object the operation was about (a name, a path, an endpoint).</param>
    /// <param name="recommendedAction">What the operator should check or do next.</param>
    /// <param name="innerException">The library exception behind this one, if any.</param>
    public OpsToolsException(string errorId, OpsToolsErrorKind kind, string message, object? target = null, string? recommendedAction = null, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorId = errorId;
        Kind = kind;
        Target = target;
        RecommendedAction = recommendedAction;
    }

    /// <summary>Stable identifier of the error, used as the PowerShell FullyQualifiedErrorId prefix.</summary>
    public string ErrorId { get; }

    /// <summary>What kind of failure this is.</summary>
    public OpsToolsErrorKind Kind { get; }

    /// <summary>The object the failed operation was about.</summary>
    public object? Target { get; }

    /// <summary>What the operator should do next.</summary>
    public string? RecommendedAction { get; }
}
