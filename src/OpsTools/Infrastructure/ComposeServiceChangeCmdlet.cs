using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using OpsTools.Compose;
using OpsTools.Engine.Compose;
using OpsTools.Engine.Docker;

namespace OpsTools.Infrastructure;

/// <summary>
/// Shared shape of Start-, Stop- and Restart-ComposeService: services named by project and name, or
/// piped from Get-ComposeService, Get-ComposeProject (all its services) or Get-ComposeContainer (that
/// container); each container changed after its own ShouldProcess, concurrently within a batch.
/// </summary>
public abstract class ComposeServiceChangeCmdlet : ComposeCmdlet
{
    /// <summary>Parameter set names of the service cmdlets.</summary>
    protected static class ParameterSets
    {
        /// <summary>-Project and -Name.</summary>
        public const string ByName = "ByName";

        /// <summary>Objects of Get-ComposeService, Get-ComposeProject or Get-ComposeContainer.</summary>
        public const string InputObject = "InputObject";
    }

    private readonly Dictionary<DockerConnection, List<ComposeContainer>> _batch = new();
    private readonly Dictionary<(DockerConnection, string), IReadOnlyList<ComposeContainer>> _projects = new();
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    /// <summary>Project of the services.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ParameterSets.ByName)]
    [ArgumentCompleter(typeof(ComposeProjectNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Project { get; set; } = string.Empty;

    /// <summary>Service names (wildcards allowed); every service of the project when omitted.</summary>
    [Parameter(Position = 1, ParameterSetName = ParameterSets.ByName)]
    [Alias("Service")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ComposeServiceNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>Services (Get-ComposeService), projects (Get-ComposeProject) or containers (Get-ComposeContainer).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ParameterSets.InputObject)]
    [ValidateNotNull]
    public PSObject[] InputObject { get; set; } = Array.Empty<PSObject>();

    /// <summary>Return the services as they are after the change.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>ShouldProcess action, e.g. <c>Stop container</c>.</summary>
    private protected abstract string Action { get; }

    /// <summary>Progress activity id of the cmdlet.</summary>
    private protected abstract int ProgressActivityId { get; }

    /// <summary>
    /// True to change every selected container at once in EndProcessing (stop); false to change each
    /// service as it comes, in the order given (start, restart: the user's order stands for dependencies).
    /// </summary>
    private protected abstract bool Batched { get; }

    /// <summary>Which of a service's containers the change applies to.</summary>
    /// <param name="container">A container of the service.</param>
    /// <returns>True to change it.</returns>
    private protected abstract bool Applies(ComposeContainer container);

    /// <summary>The engine call for one container.</summary>
    /// <param name="control">The controller.</param>
    /// <param name="container">The container.</param>
    /// <param name="cancellationToken">Ctrl+C.</param>
    /// <returns>A task.</returns>
    private protected abstract Task ChangeAsync(ComposeContainerControl control, ComposeContainer container, CancellationToken cancellationToken);

    /// <inheritdoc/>
    protected override void ProcessRecord()
    {
        foreach ((DockerConnection connection, List<ComposeContainer> containers) in Select())
        {
            List<ComposeContainer> targets = containers.Where(c => _seen.Add(c.Id) && Applies(c)).ToList();
            if (Batched)
            {
                if (!_batch.TryGetValue(connection, out List<ComposeContainer>? batch))
                {
                    _batch[connection] = batch = new List<ComposeContainer>();
                }

                batch.AddRange(targets);
            }
            else
            {
                Change(connection, targets);
            }
        }
    }

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        foreach ((DockerConnection connection, List<ComposeContainer> containers) in _batch)
        {
            Change(connection, containers);
        }
    }

    private void Change(DockerConnection connection, List<ComposeContainer> containers)
    {
        var control = new ComposeContainerControl(connection);
        IReadOnlyList<ComposeContainer> changed = ChangeContainers(connection, containers, Action, ProgressActivityId, (c, ct) => ChangeAsync(control, c, ct));
        if (!PassThru || changed.Count == 0)
        {
            return;
        }

        var keys = changed.Select(c => (c.Project, c.Service)).ToHashSet();
        IEnumerable<ComposeContainer> fresh = ListContainers(connection, null, includeOneOff: true, detailed: false).Where(c => keys.Contains((c.Project, c.Service)) && (!c.OneOff || changed.Any(x => x.Id == c.Id)));
        WriteObject(ComposeInventory.GroupServices(fresh), enumerateCollection: true);
    }

    private IEnumerable<(DockerConnection Connection, List<ComposeContainer> Containers)> Select()
    {
        if (ParameterSetName == ParameterSets.ByName)
        {
            DockerConnection connection = Connection;
            IReadOnlyList<ComposeContainer> inProject = ProjectContainers(connection, Project);
            if (inProject.Count == 0)
            {
                WriteError(ProjectNotFound(Project, connection.Endpoint.DisplayName));
                yield break;
            }

            IReadOnlyList<ComposeContainer> selected = new NameFilter(Name).Select(inProject, c => c.Service, null, out IReadOnlyList<string> unmatched);
            foreach (string missing in unmatched)
            {
                WriteError(ServiceNotFound(missing, Project));
            }

            yield return (connection, selected.ToList());
            yield break;
        }

        foreach (PSObject input in InputObject)
        {
            switch (input.BaseObject)
            {
                case ComposeServiceInfo service:
                {
                    DockerConnection connection = ConnectionFor(service.DockerHost);
                    List<ComposeContainer> containers = ProjectContainers(connection, service.Project).Where(c => c.Service == service.Name).ToList();
                    if (containers.Count == 0)
                    {
                        WriteError(ServiceNotFound(service.Name, service.Project));
                        continue;
                    }

                    yield return (connection, containers);
                    break;
                }

                case ComposeProjectInfo project:
                {
                    DockerConnection connection = ConnectionFor(project.DockerHost);
                    List<ComposeContainer> containers = ProjectContainers(connection, project.Name).ToList();
                    if (containers.Count == 0)
                    {
                        WriteError(ProjectNotFound(project.Name, connection.Endpoint.DisplayName));
                        continue;
                    }

                    yield return (connection, containers);
                    break;
                }

                case ComposeContainer container:
                {
                    DockerConnection connection = ConnectionFor(container.DockerHost);
                    List<ComposeContainer> containers = ProjectContainers(connection, container.Project, includeOneOff: true).Where(c => c.Id == container.Id).ToList();
                    if (containers.Count == 0)
                    {
                        WriteError(ErrorRecords.Create(
                            "ComposeContainerNotFound",
                            ErrorCategory.ObjectNotFound,
                            container.Name,
                            $"Container '{container.Name}' of project '{container.Project}' no longer exists.",
                            "Run Get-ComposeContainer again to see the project's current containers."));
                        continue;
                    }

                    yield return (connection, containers);
                    break;
                }

                default:
                    WriteError(ErrorRecords.Create(
                        "ComposeInputObjectInvalid",
                        ErrorCategory.InvalidArgument,
                        input.BaseObject,
                        $"{MyInvocation.MyCommand.Name} takes objects of Get-ComposeService, Get-ComposeProject or Get-ComposeContainer, not {input.BaseObject?.GetType().FullName}.",
                        "Pipe Get-ComposeService, or name the services with -Project and -Name."));
                    break;
            }
        }
    }

    private IReadOnlyList<ComposeContainer> ProjectContainers(DockerConnection connection, string project, bool includeOneOff = false)
    {
        // Listed once per project with the one-offs, which only a piped container can name.
        if (!_projects.TryGetValue((connection, project), out IReadOnlyList<ComposeContainer>? containers))
        {
            containers = ListContainers(connection, project, includeOneOff: true, detailed: false);
            _projects[(connection, project)] = containers;
        }

        return includeOneOff ? containers : containers.Where(c => !c.OneOff).ToList();
    }
}
