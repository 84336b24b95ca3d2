using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Threading;

namespace OpsTools.Infrastructure;

/// <summary>Shared logic of the Docker name completers: ask the daemon briefly, never throw.</summary>
public abstract class DockerNameCompleter : IArgumentCompleter
{
    /// <inheritdoc/>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string? dockerHost = fakeBoundParameters?["DockerHost"] as string;
        string prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
        IEnumerable<string> names;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            names = GetNames(dockerHost, timeout.Token);
        }
        catch (Exception ex) when (ex is OpsToolsException or OperationCanceledException)
        {
            // Completion must never break typing; an unreachable daemon just offers nothing.
            return Array.Empty<CompletionResult>();
        }

        var pattern = new WildcardPattern(prefix + "*", WildcardOptions.IgnoreCase);
        return names
            .Where(pattern.IsMatch)
            .Distinct(StringComparer.Ordinal)
            .OrderBy(n => n, StringComparer.Ordinal)
            .Select(n => new CompletionResult(Quote(n), n, CompletionResultType.ParameterValue, n))
            .ToList();
    }

    /// <summary>Names to offer.</summary>
    protected abstract IEnumerable<string> GetNames(string? dockerHost, CancellationToken cancellationToken);

    private static string Quote(string name) => name.IndexOfAny(new[] { ' ', '\'', '"', '$', '`' }) >= 0 ? "'" + name.Replace("'", "''", StringComparison.Ordinal) + "'" : name;
}

/// <summary>Completes Swarm service names.</summary>
public sealed class SwarmServiceNameCompleter : DockerNameCompleter
{
    /// <inheritdoc/>
    protected override IEnumerable<string> GetNames(string? dockerHost, CancellationToken cancellationToken) =>
        EngineCalls.ServiceNames(dockerHost, cancellationToken);
}

/// <summary>Completes Swarm stack names.</summary>
public sealed class SwarmStackNameCompleter : DockerNameCompleter
{
    /// <inheritdoc/>
    protected override IEnumerable<string> GetNames(string? dockerHost, CancellationToken cancellationToken) =>
        EngineCalls.StackNames(dockerHost, cancellationToken);
}

/// <summary>Completes Swarm node hostnames.</summary>
public sealed class SwarmNodeNameCompleter : DockerNameCompleter
{
    /// <inheritdoc/>
    protected override IEnumerable<string> GetNames(string? dockerHost, CancellationToken cancellationToken) =>
        EngineCalls.NodeNames(dockerHost, cancellationToken);
}

/// <summary>Completes Swarm secret names.</summary>
public sealed class SwarmSecretNameCompleter : DockerNameCompleter
{
    /// <inheritdoc/>
    protected override IEnumerable<string> GetNames(string? dockerHost, CancellationToken cancellationToken) =>
        EngineCalls.SecretNames(dockerHost, cancellationToken);
}

/// <summary>Completes Swarm config names.</summary>
public sealed class SwarmConfigNameCompleter : DockerNameCompleter
{
    /// <inheritdoc/>
    protected override IEnumerable<string> GetNames(string? dockerHost, CancellationToken cancellationToken) =>
        EngineCalls.ConfigNames(dockerHost, cancellationToken);
}

/// <summary>Completes secret names for the *-SwarmSecret cmdlets and config names for the *-SwarmConfig ones (shared parameters of a base class).</summary>
public sealed class SwarmSecretOrConfigNameCompleter : DockerNameCompleter, IArgumentCompleter
{
    private string _commandName = string.Empty;

    /// <inheritdoc/>
    public new IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        _commandName = commandName ?? string.Empty;
        return base.CompleteArgument(commandName ?? string.Empty, parameterName, wordToComplete, commandAst, fakeBoundParameters);
    }

    /// <inheritdoc/>
    protected override IEnumerable<string> GetNames(string? dockerHost, CancellationToken cancellationToken) =>
        _commandName.EndsWith("Config", StringComparison.OrdinalIgnoreCase)
            ? EngineCalls.ConfigNames(dockerHost, cancellationToken)
            : EngineCalls.SecretNames(dockerHost, cancellationToken);
}

/// <summary>Completes Swarm network names.</summary>
public sealed class SwarmNetworkNameCompleter : DockerNameCompleter
{
    /// <inheritdoc/>
    protected override IEnumerable<string> GetNames(string? dockerHost, CancellationToken cancellationToken) =>
        EngineCalls.NetworkNames(dockerHost, cancellationToken);
}

/// <summary>Completes Docker volume names.</summary>
public sealed class DockerVolumeNameCompleter : DockerNameCompleter
{
    /// <inheritdoc/>
    protected override IEnumerable<string> GetNames(string? dockerHost, CancellationToken cancellationToken) =>
        EngineCalls.VolumeNames(dockerHost, cancellationToken);
}

/// <summary>Engine calls of the completers, in their own type so loading a completer does not load the engine.</summary>
internal static class EngineCalls
{
    public static IEnumerable<string> ServiceNames(string? dockerHost, CancellationToken cancellationToken) =>
        new OpsTools.Engine.Swarm.SwarmInspector(OpsTools.Engine.Docker.DockerConnection.Get(dockerHost))
            .GetServicesAsync(null, cancellationToken).GetAwaiter().GetResult().Select(s => s.Name).ToList();

    public static IEnumerable<string> StackNames(string? dockerHost, CancellationToken cancellationToken) =>
        new OpsTools.Engine.Swarm.SwarmInspector(OpsTools.Engine.Docker.DockerConnection.Get(dockerHost))
            .GetStacksAsync(cancellationToken).GetAwaiter().GetResult().Select(s => s.Name).ToList();

    public static IEnumerable<string> NodeNames(string? dockerHost, CancellationToken cancellationToken) =>
        new OpsTools.Engine.Swarm.SwarmInspector(OpsTools.Engine.Docker.DockerConnection.Get(dockerHost))
            .GetNodesAsync(cancellationToken).GetAwaiter().GetResult().Select(n => n.Hostname).ToList();

    public static IEnumerable<string> SecretNames(string? dockerHost, CancellationToken cancellationToken) =>
        new OpsTools.Engine.Swarm.SwarmObjectStore(OpsTools.Engine.Docker.DockerConnection.Get(dockerHost))
            .GetSecretsAsync(cancellationToken).GetAwaiter().GetResult().Select(s => s.Name).ToList();

    public static IEnumerable<string> ConfigNames(string? dockerHost, CancellationToken cancellationToken) =>
        new OpsTools.Engine.Swarm.SwarmObjectStore(OpsTools.Engine.Docker.DockerConnection.Get(dockerHost))
            .GetConfigsAsync(false, cancellationToken).GetAwaiter().GetResult().Select(c => c.Name).ToList();

    public static IEnumerable<string> VolumeNames(string? dockerHost, CancellationToken cancellationToken) =>
        new OpsTools.Engine.Docker.DockerVolumeInspector(OpsTools.Engine.Docker.DockerConnection.Get(dockerHost))
            .ListAsync(false, cancellationToken).GetAwaiter().GetResult().Select(v => v.Name).ToList();

    public static IEnumerable<string> NetworkNames(string? dockerHost, CancellationToken cancellationToken) =>
        new OpsTools.Engine.Swarm.SwarmNetworkInspector(OpsTools.Engine.Docker.DockerConnection.Get(dockerHost))
            .GetNetworksAsync(null, cancellationToken).GetAwaiter().GetResult().Select(n => n.Name).ToList();
}

/// <summary>Completes the names of compose projects that have containers.</summary>
public sealed class ComposeProjectNameCompleter : DockerNameCompleter
{
    /// <inheritdoc/>
    protected override IEnumerable<string> GetNames(string? dockerHost, CancellationToken cancellationToken) =>
        ComposeEngineCalls.ProjectNames(dockerHost, cancellationToken);
}

/// <summary>Completes compose service names, of the project already typed (-Project) or of every project.</summary>
public sealed class ComposeServiceNameCompleter : DockerNameCompleter, IArgumentCompleter
{
    private string? _project;

    /// <inheritdoc/>
    public new IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        _project = fakeBoundParameters?["Project"] as string;
        return base.CompleteArgument(commandName, parameterName, wordToComplete, commandAst, fakeBoundParameters!);
    }

    /// <inheritdoc/>
    protected override IEnumerable<string> GetNames(string? dockerHost, CancellationToken cancellationToken) =>
        ComposeEngineCalls.ServiceNames(dockerHost, _project, cancellationToken);
}

/// <summary>Engine calls of the compose completers, in their own type so loading a completer does not load the engine.</summary>
internal static class ComposeEngineCalls
{
    public static IEnumerable<string> ProjectNames(string? dockerHost, CancellationToken cancellationToken) =>
        new OpsTools.Engine.Compose.ComposeInventory(OpsTools.Engine.Docker.DockerConnection.Get(dockerHost))
            .GetContainersAsync(null, false, false, cancellationToken).GetAwaiter().GetResult().Select(c => c.Project).ToList();

    public static IEnumerable<string> ServiceNames(string? dockerHost, string? project, CancellationToken cancellationToken) =>
        new OpsTools.Engine.Compose.ComposeInventory(OpsTools.Engine.Docker.DockerConnection.Get(dockerHost))
            .GetContainersAsync(project, false, false, cancellationToken).GetAwaiter().GetResult().Select(c => c.Service).ToList();
}
