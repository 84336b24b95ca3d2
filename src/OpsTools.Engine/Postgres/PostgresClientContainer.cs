using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Docker.DotNet;
using Docker.DotNet.Models;
using OpsTools.Engine.Docker;

namespace OpsTools.Engine.Postgres;

/// <summary>
/// A running container whose own PostgreSQL client programs do the work: a database is dumped by the
/// container's pg_dump (Docker exec, output streamed back and demultiplexed), and an Odoo filestore
/// is read as a tar stream (Docker archive API). Nothing is buffered whole; the password reaches pg_dump through the
/// exec environment only.
/// </summary>
public sealed partial class PostgresClientContainer
{
    private const int StandardErrorLimit = 64 * 1024;

    private PostgresClientContainer(DockerConnection connection, string id, string displayName)
    {
        Connection = connection;
        Id = id;
        DisplayName = displayName;
    }

    /// <summary>The Docker connection.</summary>
    public DockerConnection Connection { get; }

    /// <summary>Container id.</summary>
    public string Id { get; }

    /// <summary>What the operator named (<c>container web-1</c>, <c>service pool-1 (task pool-1.1)</c>).</summary>
    public string DisplayName { get; }

    /// <summary>Finds a running container by name or id.</summary>
    /// <param name="connection">Docker connection.</param>
    /// <param name="container">Name or id.</param>
    /// <param name="errorPrefix">Prefix of the error ids (<c>Odoo</c>, <c>Postgres</c>): the command's own area.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The container.</returns>
    /// <exception cref="OpsToolsException"><c>{prefix}ContainerNotFound</c>, <c>{prefix}ContainerNotRunning</c>.</exception>
    public static async Task<PostgresClientContainer> FromContainerAsync(DockerConnection connection, string container, string errorPrefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrEmpty(container);
        ContainerInspectResponse inspect;
        try
        {
            inspect = await connection.RunAsync((client, ct) => client.Containers.InspectContainerAsync(container, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (OpsToolsException ex) when (ex.Kind == OpsToolsErrorKind.ObjectNotFound)
        {
            throw new OpsToolsException(
                errorPrefix + "ContainerNotFound",
                OpsToolsErrorKind.ObjectNotFound,
                $"No container {container} exists on {connection.Endpoint.DisplayName}.",
                container,
                "Check -Container (docker ps shows the names), or use -Service for a Swarm service.",
                ex);
        }

        if (inspect.State?.Running != true)
        {
            throw new OpsToolsException(
                errorPrefix + "ContainerNotRunning",
                OpsToolsErrorKind.ResourceUnavailable,
                $"The container {container} is not running ({inspect.State?.Status ?? "unknown"}); the dump runs inside it.",
                container,
                "Start the container, or back up from its server with -Server.");
        }

        return new PostgresClientContainer(connection, inspect.ID, "container " + container);
    }

    /// <summary>
    /// Finds the container of a running task of a Swarm service on the node the connection talks to
    /// (a task's <c>Status.ContainerStatus.ContainerID</c>); exec and archive calls reach only that node.
    /// </summary>
    /// <param name="connection">Docker connection of a node that runs a task of the service.</param>
    /// <param name="service">Service name or id.</param>
    /// <param name="errorPrefix">Prefix of the error ids (<c>Odoo</c>, <c>Postgres</c>): the command's own area.</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <returns>The container.</returns>
    /// <exception cref="OpsToolsException"><c>{prefix}ServiceNotFound</c>, <c>{prefix}ServiceNotRunning</c>, <c>{prefix}ServiceTaskOnOtherNode</c>.</exception>
    public static async Task<PostgresClientContainer> FromServiceAsync(DockerConnection connection, string service, string errorPrefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrEmpty(service);
        SwarmService found;
        try
        {
            found = await connection.RunAsync((client, ct) => client.Swarm.InspectServiceAsync(service, ct), cancellationToken).ConfigureAwait(false);
        }
        catch (OpsToolsException ex) when (ex.Kind == OpsToolsErrorKind.ObjectNotFound)
        {
            throw new OpsToolsException(
                errorPrefix + "ServiceNotFound",
                OpsToolsErrorKind.ObjectNotFound,
                $"No Swarm service {service} exists on {connection.Endpoint.DisplayName}.",
                service,
                "Check -Service (Get-SwarmService lists them), or use -Container for a plain container.",
                ex);
        }

        var parameters = new TasksListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["service"] = new Dictionary<string, bool> { [found.ID] = true },
                ["desired-state"] = new Dictionary<string, bool> { ["running"] = true },
            },
        };
        IList<TaskResponse> tasks = await connection.RunAsync((client, ct) => client.Tasks.ListAsync(parameters, ct), cancellationToken).ConfigureAwait(false);
        List<TaskResponse> running = tasks
            .Where(t => t.Status?.State == TaskState.Running && t.Status.ContainerStatus?.ContainerID is { Length: > 0 })
            .OrderBy(t => t.Slot ?? 0)
            .ToList();
        string serviceName = found.Spec?.Name ?? service;
        if (running.Count == 0)
        {
            throw new OpsToolsException(
                errorPrefix + "ServiceNotRunning",
                OpsToolsErrorKind.ResourceUnavailable,
                $"The service {serviceName} has no running task; the dump runs inside one.",
                serviceName,
                "Check the service (Get-SwarmService, docker service ps) and run the backup when a task runs.");
        }

        SystemInfoResponse system = await connection.RunAsync((client, ct) => client.System.GetSystemInfoAsync(ct), cancellationToken).ConfigureAwait(false);
        string? localNode = system.Swarm?.NodeID;
        TaskResponse? local = running.FirstOrDefault(t => string.Equals(t.NodeID, localNode, StringComparison.Ordinal));
        if (local is null)
        {
            string nodes = string.Join(", ", running.Select(t => t.NodeID).Distinct(StringComparer.Ordinal));
            throw new OpsToolsException(
                errorPrefix + "ServiceTaskOnOtherNode",
                OpsToolsErrorKind.ResourceUnavailable,
                $"The running task of {serviceName} is on node {nodes}, not on {system.Name ?? localNode} that {connection.Endpoint.DisplayName} talks to; Docker runs exec and archive calls only on a container's own node.",
                serviceName,
                $"Point -DockerHost at the node that runs the task (node {nodes}), or back up from the server with -Server.");
        }

        string task = serviceName + "." + (local.Slot is > 0 ? local.Slot.Value.ToString(CultureInfo.InvariantCulture) : local.NodeID);
        return new PostgresClientContainer(connection, local.Status!.ContainerStatus!.ContainerID, $"service {serviceName} (task {task})");
    }

    /// <summary>
    /// Runs a command in the container; its standard output is copied to <paramref name="output"/> as it
    /// arrives, its standard error kept (the last 64 KiB) for the error message. The exit code is read
    /// with exec inspect once the stream has ended.
    /// </summary>
    /// <param name="command">Program and arguments (nothing secret).</param>
    /// <param name="environment">Environment of the command (the password goes here).</param>
    /// <param name="output">Where standard output goes.</param>
    /// <param name="cancellationToken">Ends the stream (the daemon then ends the command's pipes).</param>
    /// <returns>Exit code and standard error.</returns>
    public async Task<(long ExitCode, string StandardError)> ExecAsync(IReadOnlyList<string> command, IReadOnlyDictionary<string, string> environment, Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(output);
        var create = new ContainerExecCreateParameters
        {
            AttachStdout = true,
            AttachStderr = true,
            AttachStdin = false,
            TTY = false,
            Cmd = command.ToList(),
            Env = environment.Select(v => v.Key + "=" + v.Value).ToList(),
        };
        ContainerExecCreateResponse exec = await Connection.RunAsync((client, ct) => client.Exec.CreateContainerExecAsync(Id, create, ct), cancellationToken).ConfigureAwait(false);
        var errors = new StringBuilder();
        using (MultiplexedStream stream = await Connection.RunAsync((client, ct) => client.Exec.StartContainerExecAsync(exec.ID, new ContainerExecStartParameters { Detach = false, TTY = false }, ct), cancellationToken).ConfigureAwait(false))
        {
            // Disposing the stream is what reliably unblocks a pending read on Ctrl+C.
            using CancellationTokenRegistration registration = cancellationToken.Register(static s => ((MultiplexedStream)s!).Dispose(), stream);
            byte[] buffer = new byte[1 << 16];
            try
            {
                while (true)
                {
                    MultiplexedStream.ReadResult read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false);
                    if (read.EOF || read.Count == 0)
                    {
                        break;
                    }

                    if (read.Target == MultiplexedStream.TargetStream.StandardError)
                    {
                        errors.Append(Encoding.UTF8.GetString(buffer, 0, read.Count));
                        if (errors.Length > StandardErrorLimit)
                        {
                            errors.Remove(0, errors.Length - StandardErrorLimit);
                        }
                    }
                    else
                    {
                        await output.WriteAsync(buffer.AsMemory(0, read.Count), cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is ObjectDisposedException or IOException)
            {
                throw new OperationCanceledException(cancellationToken);
            }
        }

        ContainerExecInspectResponse done = await Connection.RunAsync((client, ct) => client.Exec.InspectContainerExecAsync(exec.ID, ct), cancellationToken).ConfigureAwait(false);
        return (done.ExitCode ?? -1, errors.ToString());
    }

    /// <summary>Runs a short command and returns its standard output as text; a non-zero exit is an error naming its standard error.</summary>
    /// <param name="command">Program and arguments.</param>
    /// <param name="environment">Environment.</param>
    /// <param name="what">What it does, for the message.</param>
    /// <param name="cancellationToken">Cancels it.</param>
    /// <returns>Standard output.</returns>
    public async Task<string> RunTextAsync(IReadOnlyList<string> command, IReadOnlyDictionary<string, string> environment, string what, CancellationToken cancellationToken = default)
    {
        using var output = new MemoryStream();
        (long exitCode, string errors) = await ExecAsync(command, environment, output, cancellationToken).ConfigureAwait(false);
        if (exitCode != 0)
        {
            throw Failed(command[0], what, exitCode, errors);
        }

        return Encoding.UTF8.GetString(output.ToArray());
    }

    /// <summary>The error for a command that failed in the container, with its standard error.</summary>
    /// <param name="program">Program name.</param>
    /// <param name="what">What it was doing.</param>
    /// <param name="exitCode">Exit code.</param>
    /// <param name="errors">Standard error.</param>
    /// <returns>The error.</returns>
    public OpsToolsException Failed(string program, string what, long exitCode, string errors)
    {
        string detail = string.Join(" ", errors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        bool notFound = exitCode is 126 or 127 && (detail.Length == 0 || detail.Contains("not found", StringComparison.OrdinalIgnoreCase) || detail.Contains("executable file", StringComparison.OrdinalIgnoreCase));
        return notFound
            ? new OpsToolsException(
                "PostgresClientNotFound",
                OpsToolsErrorKind.ObjectNotFound,
                $"{program} was not found in {DisplayName} (exit code {exitCode}) {detail}".TrimEnd(),
                DisplayName,
                $"Run the backup against the database's own PostgreSQL container (its image has {program}), or use -Server with a local client.")
            : new OpsToolsException(
                "PostgresClientFailed",
                OpsToolsErrorKind.InvalidOperation,
                $"{program} failed in {DisplayName} while {what} (exit code {exitCode}): {(detail.Length == 0 ? "no message" : detail)}",
                DisplayName,
                $"Read the {program} message; fix its cause (database name, role, password) and run the command again. Nothing was kept under a final name.");
    }

    /// <summary>The version of a PostgreSQL client program in the container (<c>pg_dump --version</c>).</summary>
    /// <param name="program">Program name, found on the container's PATH.</param>
    /// <param name="cancellationToken">Cancels it.</param>
    /// <returns>The program.</returns>
    public async Task<PostgresClientProgram> ProbeClientAsync(string program, CancellationToken cancellationToken = default)
    {
        string text = await RunTextAsync(new[] { program, "--version" }, new Dictionary<string, string>(), "reporting its version", cancellationToken).ConfigureAwait(false);
        Match match = VersionPattern().Match(text);
        if (!match.Success)
        {
            throw new OpsToolsException(
                "PostgresClientInvalid",
                OpsToolsErrorKind.InvalidData,
                $"{program} --version in {DisplayName} did not report a PostgreSQL version: {text.Trim()}",
                DisplayName,
                "Check the PostgreSQL client in the container's image.");
        }

        return new PostgresClientProgram($"{program} in {DisplayName}", match.Groups[1].Value, int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// The environment that points a client in the container at the endpoint (as seen from inside the
    /// container), the password included; host paths (certificates) are left out.
    /// </summary>
    /// <param name="endpoint">Server as seen from the container, database, role, password.</param>
    /// <returns>The variables.</returns>
    public static IReadOnlyDictionary<string, string> ClientEnvironment(PostgresEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var keep = new HashSet<string>(StringComparer.Ordinal) { "PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGPASSWORD", "PGCONNECT_TIMEOUT", "PGAPPNAME", "PGSSLMODE" };
        var environment = endpoint.ClientEnvironment().Where(v => keep.Contains(v.Key)).ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
        environment["PGPASSFILE"] = "/dev/null";
        return environment;
    }

    /// <summary>
    /// Opens a directory of the container as a tar stream (<c>GET /containers/{id}/archive</c>); entries
    /// are named under the directory's own name.
    /// </summary>
    /// <param name="path">Absolute path in the container.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stream; the caller disposes it.</returns>
    /// <exception cref="OpsToolsException"><c>FilestoreNotFound</c>.</exception>
    public async Task<Stream> OpenArchiveAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            ContainerArchiveResponse response = await Connection.RunAsync(
                (client, ct) => client.Containers.GetArchiveFromContainerAsync(Id, new ContainerPathStatParameters { Path = path }, false, ct),
                cancellationToken).ConfigureAwait(false);
            Stream stream = response.Stream ?? throw FilestoreNotFound(path, "gave no archive");

            // Go's os.ModeDir is the top bit of the mode the daemon reports.
            if (response.Stat is { } stat && (stat.Mode & 0x8000_0000u) == 0)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
                throw FilestoreNotFound(path, "is not a directory");
            }

            return stream;
        }
        catch (OpsToolsException ex) when (ex.Kind == OpsToolsErrorKind.ObjectNotFound && ex.ErrorId != "FilestoreNotFound")
        {
            throw FilestoreNotFound(path, "does not exist", ex);
        }
    }

    private OpsToolsException FilestoreNotFound(string path, string reason, Exception? inner = null) => new(
        "FilestoreNotFound",
        OpsToolsErrorKind.ObjectNotFound,
        $"The filestore directory {path} {reason} in {DisplayName}.",
        path,
        "Give -ContainerFilestorePath as the database's filestore inside the container (<data_dir>/filestore/<database>), or -NoFilestore for a database-only backup.",
        inner);

    [GeneratedRegex(@"\(PostgreSQL\)\s+((\d+)(?:\.\d+)*)", RegexOptions.CultureInvariant)]
    private static partial Regex VersionPattern();
}
