using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using OpsTools.Compose;
using OpsTools.Infrastructure;
using OpsTools.Swarm;

namespace OpsTools.Commands.Swarm;

/// <summary>
/// <para type="synopsis">Deploys compose files as a Swarm stack, as docker stack deploy does, with env files, extends, a plan for -WhatIf, and a wait until every service converged.</para>
/// </summary>
[Cmdlet("Deploy", "SwarmStack", DefaultParameterSetName = ParameterSets.Default, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(SwarmService))]
public sealed class DeploySwarmStackCommand : SwarmChangeCmdlet
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(200);

    private readonly List<string> _paths = new();

    /// <summary>Creates the cmdlet; -Wait is on unless -Wait:$false is given.</summary>
    public DeploySwarmStackCommand()
    {
        Wait = true;
    }

    private static class ParameterSets
    {
        public const string Default = "Default";
    }

    /// <summary>Stack name: prefix of every object and value of com.docker.stack.namespace.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [Alias("Stack")]
    [ArgumentCompleter(typeof(SwarmStackNameCompleter))]
    [ValidatePattern("^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")]
    public string Name { get; set; } = string.Empty;

    /// <summary>Compose files, merged in order: later files override earlier ones.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
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

    /// <summary>Remove services of the stack that the files no longer have.</summary>
    [Parameter]
    public SwitchParameter Prune { get; set; }

    /// <summary>When to ask the registry for image digests.</summary>
    [Parameter]
    public SwarmResolveImage ResolveImage { get; set; } = SwarmResolveImage.Always;

    /// <summary>Send the registry credentials of the docker CLI's config file to the nodes.</summary>
    [Parameter]
    public SwitchParameter WithRegistryAuth { get; set; }

    private protected override int ProgressActivityId => 45;

    private protected override bool HealthyIsStable => true;

    /// <inheritdoc/>
    protected override void ProcessRecord() => _paths.AddRange(ComposeInput.Resolve(SessionState, Path));

    /// <inheritdoc/>
    protected override void EndProcessing()
    {
        Dictionary<string, string?> variables = ComposeInput.Variables(Variables);
        List<string> envFiles = ComposeInput.Resolve(SessionState, EnvFile);
        ComposeProject project = AwaitOrTerminate(ct => ComposeInput.LoadAsync(_paths, envFiles, variables, Name, ct));
        foreach (string warning in project.Warnings)
        {
            WriteWarning(warning);
        }

        WriteVerbose($"Deploy-SwarmStack: loaded {string.Join(", ", project.Files)}; env files: {(project.EnvFiles.Count == 0 ? "none" : string.Join(", ", project.EnvFiles))}.");
        Deploy(project);
    }

    private void Deploy(ComposeProject project)
    {
        var connection = OpsTools.Engine.Docker.DockerConnection.Get(DockerHost);
        long callsBefore = connection.ApiCallCount;
        var deployer = new OpsTools.Engine.Swarm.SwarmStackDeployer(connection);
        var options = new OpsTools.Engine.Swarm.SwarmStackDeployOptions { Prune = Prune, ResolveImage = ResolveImage, WithRegistryAuth = WithRegistryAuth };
        OpsTools.Engine.Swarm.SwarmStackPlan plan = AwaitOrTerminate(ct => deployer.PlanDeployAsync(project, Name, options, ct));
        foreach (string warning in plan.Warnings)
        {
            WriteWarning(warning);
        }

        var changed = new List<ChangedService>();
        var output = new List<string>();
        var steps = plan.Steps.ToList();
        var progress = new ProgressRecord(ProgressActivityId, $"Deploy-SwarmStack: deploying stack {Name}", "Applying");
        DateTime lastWrite = DateTime.MinValue;
        bool wrote = false;
        try
        {
            for (int i = 0; i < steps.Count; i++)
            {
                OpsTools.Engine.Swarm.SwarmStackStep step = steps[i];
                string kind = step.Kind.ToString().ToLowerInvariant();
                if (!step.IsChange)
                {
                    WriteVerbose($"{kind} {step.Name}: unchanged.");
                    if (step.Kind == OpsTools.Engine.Swarm.SwarmStackObjectKind.Service && step.Id is not null)
                    {
                        output.Add(step.Id);
                    }

                    continue;
                }

                string action = step.Action switch
                {
                    OpsTools.Engine.Swarm.SwarmStackStepAction.Create => $"Create {kind}",
                    OpsTools.Engine.Swarm.SwarmStackStepAction.Remove => $"Remove {kind}",
                    _ => $"Update {kind}",
                };
                if (!ShouldProcess($"{step.Name} of stack {Name} on {plan.DockerHost}", step.Summary.Length > 0 ? $"{action} ({step.Summary})" : action))
                {
                    continue;
                }

                if (DateTime.UtcNow - lastWrite >= ProgressInterval)
                {
                    progress.StatusDescription = $"{action} {step.Name}";
                    progress.PercentComplete = i * 100 / steps.Count;
                    WriteProgress(progress);
                    wrote = true;
                    lastWrite = DateTime.UtcNow;
                }

                IReadOnlyList<string> warnings = AwaitOrTerminate(ct => deployer.ApplyAsync(plan, step, ct));
                foreach (string warning in warnings)
                {
                    WriteWarning($"{step.Name}: {warning}");
                }

                WriteVerbose($"{action} {step.Name}: done{(step.Summary.Length > 0 ? " (" + step.Summary + ")" : string.Empty)}.");
                if (step.Kind == OpsTools.Engine.Swarm.SwarmStackObjectKind.Service && step.Action != OpsTools.Engine.Swarm.SwarmStackStepAction.Remove && step.Id is not null)
                {
                    changed.Add(new ChangedService(step.Id, step.Name, step.StaleUpdateStartedAt, IsRollback: false));
                    output.Add(step.Id);
                }
            }
        }
        finally
        {
            if (wrote)
            {
                progress.RecordType = ProgressRecordType.Completed;
                try
                {
                    WriteProgress(progress);
                }
                catch (PipelineStoppedException)
                {
                    // Stopping: the host clears the bar itself.
                }
            }
        }

        if (plan.Revision > 0 && changed.Count > 0)
        {
            WriteVerbose(string.Create(CultureInfo.InvariantCulture, $"The previous definition of stack {Name} was kept as revision {plan.Revision}; Undo-SwarmStackDeploy -Name {Name} restores it."));
        }

        if (Wait)
        {
            WatchConvergence(changed, $"Deploy-SwarmStack: waiting for stack {Name} to converge");
        }

        WriteApiCallSummary(connection.Endpoint.DisplayName, connection.ApiVersion, callsBefore, connection.ApiCallCount);
        WriteObject(ReadServices(output), enumerateCollection: true);
    }
}
