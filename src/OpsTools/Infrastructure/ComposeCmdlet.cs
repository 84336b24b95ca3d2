using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using OpsTools.Compose;
using OpsTools.Engine.Compose;
using OpsTools.Engine.Docker;

namespace OpsTools.Infrastructure;

/// <summary>
/// Base of the cmdlets that see and drive compose projects (found from their containers' labels):
/// the connection, the one-call container listing, the not-found errors, and running one change on
/// many containers concurrently with a throttled progress bar.
/// </summary>
public abstract class ComposeCmdlet : DockerCmdlet
{
    private readonly Dictionary<string, DockerConnection> _connections = new(StringComparer.Ordinal);
    private IReadOnlyList<ComposeContainer>? _listed;

    /// <summary>Connection to the daemon named by -DockerHost (or the docker CLI defaults).</summary>
    private protected DockerConnection Connection => ConnectionFor(null);

    /// <summary>
    /// Connection for an object that came down the pipeline: its own DockerHost unless -DockerHost was given,
    /// so objects read from a remote engine are changed on that engine.
    /// </summary>
    /// <param name="objectHost">DockerHost of the piped object, or null.</param>
    /// <returns>The connection.</returns>
    private protected DockerConnection ConnectionFor(string? objectHost)
    {
        string? host = MyInvocation.BoundParameters.ContainsKey(nameof(DockerHost)) || objectHost is null ? DockerHost : objectHost;
        string key = host ?? string.Empty;
        if (!_connections.TryGetValue(key, out DockerConnection? connection))
        {
            connection = AwaitOrTerminate(_ => Task.FromResult(DockerConnection.Get(host)));
            _connections[key] = connection;
        }

        return connection;
    }

    /// <summary>Lists the compose containers of one project or all, terminating when the daemon cannot be reached.</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="project">Exact project name, or null for all.</param>
    /// <param name="includeOneOff">Include containers of <c>docker compose run</c>.</param>
    /// <param name="detailed">Inspect each container for its restart count.</param>
    /// <returns>The containers.</returns>
    private protected IReadOnlyList<ComposeContainer> ListContainers(DockerConnection connection, string? project, bool includeOneOff, bool detailed)
    {
        long before = connection.ApiCallCount;
        IReadOnlyList<ComposeContainer> containers = AwaitOrTerminate(ct => new ComposeInventory(connection).GetContainersAsync(project, includeOneOff, detailed, ct));
        WriteApiCallSummary(connection.Endpoint.DisplayName, connection.ApiVersion, before, connection.ApiCallCount);
        return containers;
    }

    /// <summary>
    /// The containers of the projects named (wildcards; all when none), from one listing per command
    /// (narrowed to the project when exactly one plain name is given and nothing is piped); writes
    /// ComposeProjectNotFound for each name that matches no container.
    /// </summary>
    /// <param name="projects">Project names or patterns, or null.</param>
    /// <param name="includeOneOff">Include containers of <c>docker compose run</c>.</param>
    /// <param name="detailed">Inspect each container for its restart count.</param>
    /// <param name="exactProject">The one plain project name, or null.</param>
    /// <param name="missingProjects">How many names matched no project.</param>
    /// <returns>The containers of the matching projects.</returns>
    private protected IReadOnlyList<ComposeContainer> SelectProjectContainers(string[]? projects, bool includeOneOff, bool detailed, out string? exactProject, out int missingProjects)
    {
        DockerConnection connection = Connection;
        exactProject = !MyInvocation.ExpectingInput && projects is [var only] && !WildcardPattern.ContainsWildcardCharacters(only) ? only : null;
        _listed ??= ListContainers(connection, exactProject, includeOneOff, detailed);
        IReadOnlyList<ComposeContainer> selected = new NameFilter(projects).Select(_listed, c => c.Project, null, out IReadOnlyList<string> missing);
        foreach (string name in missing)
        {
            WriteError(ProjectNotFound(name, connection.Endpoint.DisplayName));
        }

        missingProjects = missing.Count;
        return selected;
    }

    /// <summary>The error for a project name that matches no container.</summary>
    /// <param name="name">The name.</param>
    /// <param name="host">Endpoint display name.</param>
    /// <returns>The record.</returns>
    private protected static ErrorRecord ProjectNotFound(string name, string host) => ErrorRecords.Create(
        "ComposeProjectNotFound",
        ErrorCategory.ObjectNotFound,
        name,
        $"No compose project named '{name}' has containers on {host}.",
        "Run Get-ComposeProject to list the projects (a project whose containers were all removed is gone for Docker too).");

    /// <summary>The error for a service name that matches no container of its project.</summary>
    /// <param name="name">The name.</param>
    /// <param name="project">Project name, or null when several projects were searched.</param>
    /// <returns>The record.</returns>
    internal static ErrorRecord ServiceNotFound(string name, string? project) => ErrorRecords.Create(
        "ComposeServiceNotFound",
        ErrorCategory.ObjectNotFound,
        name,
        $"No compose service named '{name}' has containers{(project is null ? string.Empty : $" in project '{project}'")}.",
        "Run Get-ComposeService to list the services and their projects.");

    /// <summary>
    /// Runs one change on many containers at once (as docker compose does), asking ShouldProcess for each
    /// first; writes one error per failed container and a progress bar while any change is running.
    /// </summary>
    /// <param name="connection">The connection.</param>
    /// <param name="containers">The containers.</param>
    /// <param name="action">ShouldProcess action, e.g. <c>Stop container</c>.</param>
    /// <param name="activityId">Progress activity id of the cmdlet.</param>
    /// <param name="change">The engine call for one container.</param>
    /// <returns>The containers changed without error.</returns>
    private protected IReadOnlyList<ComposeContainer> ChangeContainers(DockerConnection connection, IEnumerable<ComposeContainer> containers, string action, int activityId, Func<ComposeContainer, CancellationToken, Task> change)
    {
        var approved = containers.Where(c => ShouldProcess($"{c.Name} (service {c.Service} of project {c.Project}) on {connection.Endpoint.DisplayName}", action)).ToList();
        if (approved.Count == 0)
        {
            return approved;
        }

        var running = approved.ToDictionary(c => change(c, CancellationToken), c => c);
        var done = new List<ComposeContainer>();
        var progress = new ThrottledProgress(this, new ProgressRecord(activityId, $"{MyInvocation.MyCommand.Name}: {action.ToLowerInvariant()}", "Starting"));
        try
        {
            while (running.Count > 0)
            {
                Task[] pending = running.Keys.ToArray();
                int finished = Task.WaitAny(pending, TimeSpan.FromMilliseconds(200));
                if (finished >= 0)
                {
                    Task task = pending[finished];
                    ComposeContainer container = running[task];
                    running.Remove(task);
                    try
                    {
                        Await(Completed(task));
                        WriteVerbose($"{action}: {container.Name}.");
                        done.Add(container);
                    }
                    catch (OpsToolsException ex)
                    {
                        WriteEngineError(ex);
                    }
                }

                if (CancellationToken.IsCancellationRequested)
                {
                    throw new PipelineStoppedException();
                }

                progress.Record.StatusDescription = string.Create(CultureInfo.InvariantCulture, $"{approved.Count - running.Count} of {approved.Count} container(s) done");
                progress.Record.PercentComplete = (approved.Count - running.Count) * 100 / approved.Count;
                progress.Changed();
                progress.Tick();
            }
        }
        finally
        {
            progress.Complete();
        }

        return done;
    }

    private static async Task<bool> Completed(Task task)
    {
        await task.ConfigureAwait(false);
        return true;
    }
}
