using System;
using System.Collections.Generic;

namespace OpsTools.Http;

/// <summary>Why an endpoint check failed.</summary>
public enum EndpointFailureReason
{
    /// <summary>The check passed.</summary>
    None,
    /// <summary>No complete answer within the timeout (including a server that accepts and never replies).</summary>
    Timeout,
    /// <summary>The connection was refused or reset.</summary>
    Refused,
    /// <summary>The host name did not resolve.</summary>
    Dns,
    /// <summary>The TLS handshake failed (untrusted or mismatched certificate, protocol).</summary>
    Tls,
    /// <summary>The status code was not the expected one.</summary>
    Status,
    /// <summary>The body was not JSON, or did not hold the expected values.</summary>
    JsonMismatch,
    /// <summary>Any other transport failure.</summary>
    Error,
}

/// <summary>The result of one HTTP(S) health check by <c>Test-ServiceEndpoint</c>.</summary>
public sealed class ServiceEndpointCheck
{
    /// <summary>The URI checked.</summary>
    public required Uri Uri { get; init; }
    /// <summary>True when the endpoint answered in time and met every expectation.</summary>
    public bool Healthy { get; init; }
    /// <summary>HTTP status code; null without an answer.</summary>
    public int? StatusCode { get; init; }
    /// <summary>Time until the response (headers and body) was read, or until the failure.</summary>
    public TimeSpan Latency { get; init; }
    /// <summary>Why the check failed; None when healthy.</summary>
    public EndpointFailureReason Reason { get; init; }
    /// <summary>True when the status and every JSON expectation held (false without an answer).</summary>
    public bool ExpectationsMet { get; init; }
    /// <summary>The expectations that did not hold, each as one sentence.</summary>
    public required IReadOnlyList<string> FailedExpectations { get; init; }
    /// <summary>What went wrong, for an operator; null when healthy.</summary>
    public string? Detail { get; init; }
    /// <summary>The Swarm service the URI was built from, with <c>-Service</c>.</summary>
    public string? Service { get; init; }
    /// <summary>When the check finished.</summary>
    public DateTimeOffset CheckedAt { get; init; }

    /// <inheritdoc/>
    public override string ToString() => $"{Uri} {(Healthy ? "healthy" : Reason.ToString())}";
}
