using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading;
using Docker.DotNet;

namespace OpsTools.Engine.Docker;

/// <summary>Turns Docker.DotNet and transport exceptions into <see cref="OpsToolsException"/>s with a category and advice.</summary>
internal static class DockerErrorMapper
{
    /// <summary>Maps an exception; returns null for ones that must pass through (our own, or cancellation by the caller).</summary>
    public static OpsToolsException? Map(Exception exception, DockerEndpoint endpoint, CancellationToken cancellationToken)
    {
        switch (exception)
        {
            case OpsToolsException:
                return null;
            case AggregateException aggregate when aggregate.InnerExceptions.Count == 1:
                return Map(aggregate.InnerExceptions[0], endpoint, cancellationToken) ?? Unreachable(endpoint, aggregate.InnerExceptions[0]);
            case OperationCanceledException when cancellationToken.IsCancellationRequested:
                return null;
            case OperationCanceledException or TimeoutException:
                return new OpsToolsException(
                    "DockerTimeout",
                    OpsToolsErrorKind.OperationTimeout,
                    $"The Docker daemon at {endpoint.DisplayName} did not answer in time.",
                    endpoint.DisplayName,
                    "Check that the daemon is responsive ('docker info') and that the network path to it is open.",
                    exception);
            case DockerSwarmNodeNotParticipatingException notManager:
                return NotSwarmManager(endpoint, ExtractMessage(notManager.ResponseBody) ?? "this node is not part of a swarm", exception);
            case DockerApiException api:
                return FromApi(api, endpoint);
            case UnauthorizedAccessException:
                return new OpsToolsException(
                    "DockerAccessDenied",
                    OpsToolsErrorKind.PermissionDenied,
                    $"Access to the Docker daemon at {endpoint.DisplayName} was denied: {exception.Message}",
                    endpoint.DisplayName,
                    "Run as root or as a member of the 'docker' group, or point -DockerHost at an endpoint you may use.",
                    exception);
            case System.Security.Authentication.AuthenticationException:
                return new OpsToolsException(
                    "DockerTlsFailed",
                    OpsToolsErrorKind.ConnectionError,
                    $"The TLS handshake with the Docker daemon at {endpoint.DisplayName} failed: {exception.Message}",
                    endpoint.DisplayName,
                    "Check that DOCKER_CERT_PATH holds the CA (ca.pem) that signed the daemon's certificate and a client certificate (cert.pem, key.pem) the daemon trusts.",
                    exception);
            case HttpRequestException or SocketException or IOException or AggregateException:
                return Unreachable(endpoint, exception);
            default:
                return null;
        }
    }

    private static OpsToolsException Unreachable(DockerEndpoint endpoint, Exception exception)
    {
        Exception root = exception;
        while (root.InnerException is not null)
        {
            root = root.InnerException;
        }

        if (root is System.Security.Authentication.AuthenticationException && !ReferenceEquals(root, exception))
        {
            return Map(root, endpoint, CancellationToken.None)!;
        }

        if (root is SocketException { SocketErrorCode: SocketError.AccessDenied } or UnauthorizedAccessException)
        {
            return new OpsToolsException(
                "DockerAccessDenied",
                OpsToolsErrorKind.PermissionDenied,
                $"Access to the Docker daemon at {endpoint.DisplayName} was denied: {root.Message}",
                endpoint.DisplayName,
                "Run as root or as a member of the 'docker' group, or point -DockerHost at an endpoint you may use.",
                exception);
        }

        string source = endpoint.Source switch
        {
            DockerEndpointSource.Parameter => "from -DockerHost",
            DockerEndpointSource.Environment => "from DOCKER_HOST",
            DockerEndpointSource.Context => "from the current docker context",
            _ => "the default endpoint",
        };
        return new OpsToolsException(
            "DockerUnreachable",
            OpsToolsErrorKind.ConnectionError,
            $"Cannot reach the Docker daemon at {endpoint.DisplayName} ({source}): {root.Message}",
            endpoint.DisplayName,
            "Check that dockerd is running on that host ('docker info'), that the socket or port is reachable, or pass -DockerHost / set DOCKER_HOST.",
            exception);
    }

    private static OpsToolsException FromApi(DockerApiException api, DockerEndpoint endpoint)
    {
        string message = ExtractMessage(api.ResponseBody) ?? api.Message;
        if (api.StatusCode == HttpStatusCode.BadRequest && message.Contains("HTTP request to an HTTPS server", StringComparison.OrdinalIgnoreCase))
        {
            return new OpsToolsException(
                "DockerTlsRequired",
                OpsToolsErrorKind.ConnectionError,
                $"The Docker daemon at {endpoint.DisplayName} requires TLS: {message}",
                endpoint.DisplayName,
                "Set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH to the directory holding ca.pem, cert.pem and key.pem for this daemon.",
                api);
        }

        if (api.StatusCode == HttpStatusCode.ServiceUnavailable
            && (message.Contains("swarm", StringComparison.OrdinalIgnoreCase) || message.Contains("manager", StringComparison.OrdinalIgnoreCase)))
        {
            return NotSwarmManager(endpoint, message, api);
        }

        (string id, OpsToolsErrorKind kind, string advice) = api.StatusCode switch
        {
            HttpStatusCode.NotFound => ("DockerObjectNotFound", OpsToolsErrorKind.ObjectNotFound, "Check the name or id."),
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => ("DockerAccessDenied", OpsToolsErrorKind.PermissionDenied, "Check the credentials or the daemon's authorization plugin."),
            HttpStatusCode.Conflict => ("DockerConflict", OpsToolsErrorKind.ResourceExists, "The object exists or is being changed; retry after reading its current state."),
            HttpStatusCode.BadRequest => ("DockerBadRequest", OpsToolsErrorKind.InvalidArgument, "Check the values passed."),
            HttpStatusCode.NotAcceptable => ("DockerNotAcceptable", OpsToolsErrorKind.InvalidOperation, "The object is not in a state that allows this."),
            _ => ("DockerApiError", OpsToolsErrorKind.NotSpecified, "See the daemon log for details."),
        };
        return new OpsToolsException(id, kind, $"Docker daemon at {endpoint.DisplayName}: {message}", endpoint.DisplayName, advice, api);
    }

    private static OpsToolsException NotSwarmManager(DockerEndpoint endpoint, string message, Exception inner) => new(
        "SwarmNotManager",
        OpsToolsErrorKind.InvalidOperation,
        $"The Docker daemon at {endpoint.DisplayName} is not a swarm manager: {message}",
        endpoint.DisplayName,
        "Point -DockerHost at a manager node ('docker node ls' works there), or run 'docker swarm init' to create a swarm.",
        inner);

    private static string? ExtractMessage(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("message", out JsonElement message)
                && message.ValueKind == JsonValueKind.String)
            {
                return message.GetString();
            }
        }
        catch (JsonException)
        {
            // Not JSON: the body itself is the message.
        }

        return body.Trim();
    }
}
