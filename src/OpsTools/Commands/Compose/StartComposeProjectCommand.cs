using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using OpsTools.Compose;
using OpsTools.Infrastructure;

namespace OpsTools.Commands.Compose;

/// <summary>
/// <para type="synopsis">Starts a compose project without Swarm, as docker-compose up -d does: networks, volumes and containers labelled like docker-compose's, services in dependency order, only what changed recreated.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "ComposeProject", DefaultParameterSetName = ParameterSets.Default, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ComposeServiceChange))]
public sealed class StartComposeProjectCommand : DockerCmdlet
{
    private const int ProgressActivityId = 81;

    private readonly List<string> _paths = new();

    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    /// <summary>Compose files, merged in order: later files override earlier ones.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>Env files for interpolation; default <c>.env</c> beside the first file.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? EnvFile { get; set; }

    /// <summary>Variables that take precedence over the environment and the env files.</summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable? Variables { get; set; }

    /// <summary>Project name; default: the name of the first file's directory, as docker-compose derives it.</summary>
    [Parameter]
    [Alias("Project")]
    [ValidatePattern("^[a-z0-9][a-z0-9_-]*$")]
    public string? ProjectName { get; set; }

    /// <summary>Start only these services and the services they depend on.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Service { get; set; }

    /// <summary>Containers per service, e.g. @{ worker = 4 }; overrides <c>scale</c> in the files.</summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable? Scale { get; set; }

    /// <summary>Remove the containers of services that the files no longer have.</summary>
    [Parameter]
    public SwitchParameter RemoveOrphans { get; set; }

    /// <summary>Return only once every service runs and is healthy (one-shot services: exited 0), or write an error per service that is not.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    /// <summary>Longest wait for a dependency's condition and for -Wait: 2m, 90s, a TimeSpan. Default 5 minutes.</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <inheritdoc/>
    protected override void ProcessRecord() => _paths.AddRange(ComposeInput.Resolve(SessionState, Path));

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        Dictionary<string, string?> variables = ComposeInput.Variables(Variables);
        List<string> envFiles = ComposeInput.Resolve(SessionState, EnvFile);
        ComposeProject project = AwaitOrTerminate(ct => ComposeInput.LoadAsync(_paths, envFiles, variables, null, ct, forSwarm: false));
        foreach (string warning in project.Warnings)
        {
            WriteWarning(warning);
        }

        string name = ProjectName ?? DefaultProjectName(project.WorkingDirectory);
        if (name.Length == 0)
        {
            ThrowTerminatingError(ErrorRecords.Create("ComposeProjectNameInvalid", ErrorCategory.InvalidArgument, project.WorkingDirectory, $"No project name can be derived from the directory '{project.WorkingDirectory}'.", "Give one with -ProjectName (lowercase letters, digits, '-' and '_')."));
        }

        Start(project, name, ScaleMap());
    }

    /// <summary>docker-compose's default: the directory name, lowercased, without characters outside [-_a-z0-9].</summary>
    private static string DefaultProjectName(string directory) =>
        Regex.Replace(System.IO.Path.GetFileName(directory.TrimEnd('/', '\\')).ToLowerInvariant(), "[^-_a-z0-9]", string.Empty);

    private Dictionary<string, int> ScaleMap()
    {
        var scale = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Scale ?? new Hashtable())
        {
            string service = Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty;
            if (!LanguagePrimitives.TryConvertTo(entry.Value, CultureInfo.InvariantCulture, out int replicas) || replicas < 0)
            {
                ThrowTerminatingError(ErrorRecords.Create("ComposeScaleInvalid", ErrorCategory.InvalidArgument, entry.Value, $"-Scale {service}={entry.Value} is not a number of containers (0 or more).", "Write it like -Scale @{ worker = 4 }."));
            }

            scale[service] = replicas;
        }

        return scale;
    }

    private void Start(ComposeProject project, string name, Dictionary<string, int> scale)
    {
        var connection = OpsTools.Engine.Docker.DockerConnection.Get(DockerHost);
        long callsBefore = connection.ApiCallCount;
        var starter = new OpsTools.Engine.Compose.ComposeProjectStarter(connection);
        var options = new OpsTools.Engine.Compose.ComposeUpOptions { ProjectName = name, Services = Service ?? Array.Empty<string>(), Scale = scale, RemoveOrphans = RemoveOrphans, Timeout = Timeout };
        OpsTools.Engine.Compose.ComposeUpPlan plan = AwaitOrTerminate(ct => starter.PlanAsync(project, options, ct));
        foreach (string warning in plan.Warnings)
        {
            WriteWarning(warning);
        }

        var approved = new HashSet<string>(StringComparer.Ordinal);
        var declined = new List<ComposeServiceChange>();
        bool resourcesApproved = plan.NetworksToCreate.Count + plan.VolumesToCreate.Count == 0
            || ShouldProcess($"project {name} on {plan.DockerHost}", $"Create {Describe("network", plan.NetworksToCreate)}{(plan.NetworksToCreate.Count > 0 && plan.VolumesToCreate.Count > 0 ? " and " : string.Empty)}{Describe("volume", plan.VolumesToCreate)}");
        foreach (ComposeServiceChange change in plan.Changes.Where(c => c.Action != ComposeServiceAction.Unchanged))
        {
            if (resourcesApproved && ShouldProcess($"service {change.Service} of project {name} on {plan.DockerHost}", $"{change.Action} ({change.Reason})"))
            {
                approved.Add(change.Service);
            }
            else
            {
                declined.Add(change);
            }
        }

        if (approved.Count == 0)
        {
            WriteObject(plan.Changes.Select(c => declined.Contains(c) ? Planned(c) : c), enumerateCollection: true);
            return;
        }

        var queue = new MessageQueue<string>();
        var progress = new ThrottledProgress(this, new ProgressRecord(ProgressActivityId, $"Start-ComposeProject: starting project {name}", "Planning"));
        IReadOnlyList<ComposeServiceChange> applied;
        try
        {
            Task<IReadOnlyList<ComposeServiceChange>> apply = starter.ApplyAsync(plan, approved, queue, CancellationToken);
            queue.DrainUntil(apply, message => Report(progress, message), progress.Tick);
            applied = AwaitEngine(apply);
            if (Wait)
            {
                var services = applied.Where(c => c.Action != ComposeServiceAction.RemoveOrphan).Select(c => c.Service).ToList();
                Task<IReadOnlyList<OpsTools.Engine.Compose.ComposeServiceProblem>> wait = starter.WaitAsync(name, services, Timeout, queue, CancellationToken);
                queue.DrainUntil(wait, message => Report(progress, message), progress.Tick);
                foreach (OpsTools.Engine.Compose.ComposeServiceProblem problem in AwaitEngine(wait))
                {
                    WriteError(ErrorRecords.Create(
                        problem.ErrorId,
                        problem.ErrorId == "ComposeWaitTimeout" ? ErrorCategory.OperationTimeout : ErrorCategory.InvalidResult,
                        problem.Service,
                        $"Service '{problem.Service}' of project {name} is not ready: {problem.Reason}.",
                        $"Look at its logs (docker logs {applied.First(c => c.Service == problem.Service).Containers.FirstOrDefault()}), fix it and run Start-ComposeProject again; give a longer -Timeout if it is only slow."));
                }
            }
        }
        finally
        {
            progress.Complete();
        }

        WriteApiCallSummary(connection.Endpoint.DisplayName, connection.ApiVersion, callsBefore, connection.ApiCallCount);
        WriteObject(applied.Concat(declined.Select(Planned)), enumerateCollection: true);
    }

    private T AwaitEngine<T>(Task<T> task)
    {
        try
        {
            return Await(task);
        }
        catch (OpsToolsException ex)
        {
            ThrowTerminatingError(ErrorRecords.From(ex));
            throw; // unreachable: ThrowTerminatingError always throws
        }
    }

    private void Report(ThrottledProgress progress, string message)
    {
        WriteVerbose(message);
        progress.Record.StatusDescription = message;
        progress.Changed();
    }

    private static string Describe(string kind, IEnumerable<string> names)
    {
        var list = names.ToList();
        return list.Count == 0 ? string.Empty : $"{kind}{(list.Count > 1 ? "s" : string.Empty)} {string.Join(", ", list)}";
    }

    private static ComposeServiceChange Planned(ComposeServiceChange change) => new()
    {
        DockerHost = change.DockerHost,
        Project = change.Project,
        Service = change.Service,
        Action = change.Action,
        Reason = change.Reason,
        Replicas = change.Replicas,
        Containers = change.Containers,
        ConfigHash = change.ConfigHash,
        WhatIf = true,
    };
}
