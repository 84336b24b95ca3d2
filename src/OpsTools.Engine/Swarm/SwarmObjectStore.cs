using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Docker.DotNet.Models;
using OpsTools.Engine.Docker;
using OpsTools.Swarm;
using ApiService = Docker.DotNet.Models.SwarmService;

namespace OpsTools.Engine.Swarm;

/// <summary>
/// Lists, creates and removes Swarm secrets and configs, with the services that use each. The
/// data of a secret is only ever sent, never read back, logged or put in a message.
/// </summary>
public sealed partial class SwarmObjectStore
{
    /// <summary>Longest name the daemon accepts for a secret or config.</summary>
    public const int MaxNameLength = 64;

    /// <summary>Largest secret the daemon accepts (swarmkit's <c>MaxSecretSize</c>).</summary>
    public const int MaxSecretBytes = 500 * 1024;

    /// <summary>Largest config the daemon accepts (swarmkit's <c>MaxConfigSize</c>).</summary>
    public const int MaxConfigBytes = 1000 * 1024;

    private readonly DockerConnection _connection;

    /// <summary>Creates a store for one endpoint.</summary>
    /// <param name="connection">The Docker connection.</param>
    public SwarmObjectStore(DockerConnection connection)
    {
        _connection = connection ?? throw new ArgumentNullException(nameof(connection));
    }

    /// <summary>Lists the secrets with the services that use them (two API calls).</summary>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <returns>Secrets sorted by name.</returns>
    public async Task<IReadOnlyList<OpsTools.Swarm.SwarmSecret>> GetSecretsAsync(CancellationToken cancellationToken = default)
    {
        Task<IList<Secret>> secretsCall = _connection.RunAsync((client, ct) => client.Secrets.ListAsync(ct), cancellationToken);
        Task<IList<ApiService>> servicesCall = ListServicesAsync(cancellationToken);
        await Task.WhenAll(secretsCall, servicesCall).ConfigureAwait(false);
        Dictionary<string, List<string>> usage = UsageOf(SwarmObjectKind.Secret, servicesCall.Result);
        return secretsCall.Result.Select(s => ToSecret(s, usage)).OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>Lists the configs with the services that use them (two API calls).</summary>
    /// <param name="includeData">Fill <see cref="OpsTools.Swarm.SwarmConfig.Data"/> with the config's data as UTF-8 text.</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <returns>Configs sorted by name.</returns>
    public async Task<IReadOnlyList<OpsTools.Swarm.SwarmConfig>> GetConfigsAsync(bool includeData = false, CancellationToken cancellationToken = default)
    {
        Task<IList<global::Docker.DotNet.Models.SwarmConfig>> configsCall = _connection.RunAsync((client, ct) => client.Configs.ListConfigsAsync(ct), cancellationToken);
        Task<IList<ApiService>> servicesCall = ListServicesAsync(cancellationToken);
        await Task.WhenAll(configsCall, servicesCall).ConfigureAwait(false);
        Dictionary<string, List<string>> usage = UsageOf(SwarmObjectKind.Config, servicesCall.Result);
        return configsCall.Result.Select(c => ToConfig(c, usage, includeData)).OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>Creates a secret.</summary>
    /// <param name="name">Name of the secret.</param>
    /// <param name="data">The secret's data; sent once, never kept.</param>
    /// <param name="labels">Labels, or null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The secret as read back after creation.</returns>
    /// <exception cref="OpsToolsException">Invalid name or data, or a secret of that name exists (SwarmSecretExists).</exception>
    public async Task<OpsTools.Swarm.SwarmSecret> CreateSecretAsync(string name, byte[] data, IReadOnlyDictionary<string, string>? labels = null, CancellationToken cancellationToken = default)
    {
        string id = await CreateAsync(SwarmObjectKind.Secret, name, data, labels, templating: null, cancellationToken).ConfigureAwait(false);
        return (await GetSecretsAsync(cancellationToken).ConfigureAwait(false)).First(s => s.Id == id);
    }

    /// <summary>Creates a config.</summary>
    /// <param name="name">Name of the config.</param>
    /// <param name="data">The config's data.</param>
    /// <param name="labels">Labels, or null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The config as read back after creation.</returns>
    /// <exception cref="OpsToolsException">Invalid name or data, or a config of that name exists (SwarmConfigExists).</exception>
    public async Task<OpsTools.Swarm.SwarmConfig> CreateConfigAsync(string name, byte[] data, IReadOnlyDictionary<string, string>? labels = null, CancellationToken cancellationToken = default)
    {
        string id = await CreateAsync(SwarmObjectKind.Config, name, data, labels, templating: null, cancellationToken).ConfigureAwait(false);
        return (await GetConfigsAsync(false, cancellationToken).ConfigureAwait(false)).First(c => c.Id == id);
    }

    /// <summary>
    /// Removes a secret or config that no service uses. One that services still reference is
    /// refused (Swarm&lt;Kind&gt;InUse, InvalidOperation) with their names.
    /// </summary>
    /// <param name="kind">Secret or config.</param>
    /// <param name="idOrName">Name, id or unique id prefix.</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <returns>The name and id of the removed object.</returns>
    /// <exception cref="OpsToolsException">Not found (Swarm&lt;Kind&gt;NotFound) or in use (Swarm&lt;Kind&gt;InUse).</exception>
    public async Task<(string Name, string Id)> RemoveAsync(SwarmObjectKind kind, string idOrName, CancellationToken cancellationToken = default)
    {
        (string id, string name) = await InspectAsync(kind, idOrName, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<string> users = await GetServicesUsingAsync(kind, id, cancellationToken).ConfigureAwait(false);
        if (users.Count > 0)
        {
            throw InUse(kind, name, users, null);
        }

        try
        {
            await _connection.RunAsync(
                async (client, ct) =>
                {
                    if (kind == SwarmObjectKind.Secret)
                    {
                        await client.Secrets.DeleteAsync(id, ct).ConfigureAwait(false);
                    }
                    else
                    {
                        await client.Configs.RemoveConfigAsync(id, ct).ConfigureAwait(false);
                    }

                    return true;
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (OpsToolsException ex) when (ex.Message.Contains("in use", StringComparison.OrdinalIgnoreCase))
        {
            // A service started using it between the check and the removal.
            throw InUse(kind, name, await GetServicesUsingAsync(kind, id, cancellationToken).ConfigureAwait(false), ex);
        }

        return (name, id);
    }

    /// <summary>Names of the services whose spec references a secret or config (one API call).</summary>
    /// <param name="kind">Secret or config.</param>
    /// <param name="id">Full id of the object.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Service names, sorted.</returns>
    public async Task<IReadOnlyList<string>> GetServicesUsingAsync(SwarmObjectKind kind, string id, CancellationToken cancellationToken = default)
    {
        IList<ApiService> services = await ListServicesAsync(cancellationToken).ConfigureAwait(false);
        return UsageOf(kind, services).TryGetValue(id, out List<string>? users) ? users : new List<string>();
    }

    /// <summary>Checks a name against the daemon's rules before anything is sent.</summary>
    /// <param name="kind">Secret or config.</param>
    /// <param name="name">The name.</param>
    /// <exception cref="OpsToolsException">Swarm&lt;Kind&gt;NameInvalid (InvalidArgument).</exception>
    public static void ValidateName(SwarmObjectKind kind, string name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength || !NamePattern().IsMatch(name))
        {
            throw new OpsToolsException(
                $"Swarm{kind}NameInvalid",
                OpsToolsErrorKind.InvalidArgument,
                $"'{name}' is not a valid {Noun(kind)} name: up to {MaxNameLength} letters, digits, '-', '_' or '.', starting and ending with a letter or digit.",
                name,
                $"Choose a name such as 'odoo_db_password' or 'odoo.conf.v2'.");
        }
    }

    /// <summary>Checks the size of the data against the daemon's limits before anything is sent.</summary>
    /// <param name="kind">Secret or config.</param>
    /// <param name="name">Name of the object, for the message.</param>
    /// <param name="length">Length of the data in bytes.</param>
    /// <exception cref="OpsToolsException">Swarm&lt;Kind&gt;DataEmpty or Swarm&lt;Kind&gt;DataTooLarge (InvalidArgument).</exception>
    public static void ValidateData(SwarmObjectKind kind, string name, long length)
    {
        int limit = kind == SwarmObjectKind.Secret ? MaxSecretBytes : MaxConfigBytes;
        if (length == 0)
        {
            throw new OpsToolsException(
                $"Swarm{kind}DataEmpty",
                OpsToolsErrorKind.InvalidArgument,
                $"The data given for {Noun(kind)} '{name}' is empty; Swarm refuses an empty {Noun(kind)}.",
                name,
                "Give the value with -Value, -Path or the pipeline.");
        }

        if (length > limit)
        {
            throw new OpsToolsException(
                $"Swarm{kind}DataTooLarge",
                OpsToolsErrorKind.InvalidArgument,
                $"The data given for {Noun(kind)} '{name}' is {length} bytes; Swarm takes at most {limit} bytes.",
                name,
                "Put large files on a volume or in the image instead.");
        }
    }

    /// <summary>Reads the id and name of a secret or config.</summary>
    internal async Task<(string Id, string Name)> InspectAsync(SwarmObjectKind kind, string idOrName, CancellationToken cancellationToken)
    {
        (string Id, string Name, IDictionary<string, string>? Labels, SwarmDriver? Templating, SwarmDriver? Driver) found = await InspectFullAsync(kind, idOrName, cancellationToken).ConfigureAwait(false);
        return (found.Id, found.Name);
    }

    /// <summary>Reads a secret or config with its labels and drivers.</summary>
    internal async Task<(string Id, string Name, IDictionary<string, string>? Labels, SwarmDriver? Templating, SwarmDriver? Driver)> InspectFullAsync(SwarmObjectKind kind, string idOrName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(idOrName);
        try
        {
            if (kind == SwarmObjectKind.Secret)
            {
                Secret secret = await _connection.RunAsync((client, ct) => client.Secrets.InspectAsync(idOrName, ct), cancellationToken).ConfigureAwait(false);
                return (secret.ID, secret.Spec?.Name ?? secret.ID, secret.Spec?.Labels, secret.Spec?.Templating, secret.Spec?.Driver);
            }

            global::Docker.DotNet.Models.SwarmConfig config = await _connection.RunAsync((client, ct) => client.Configs.InspectConfigAsync(idOrName, ct), cancellationToken).ConfigureAwait(false);
            return (config.ID, config.Spec?.Name ?? config.ID, config.Spec?.Labels, config.Spec?.Templating, null);
        }
        catch (OpsToolsException ex) when (ex.Kind == OpsToolsErrorKind.ObjectNotFound)
        {
            throw NotFound(kind, idOrName, _connection.Endpoint.DisplayName, ex);
        }
    }

    /// <summary>Names of all secrets or configs (one API call).</summary>
    internal async Task<IReadOnlyList<string>> ListNamesAsync(SwarmObjectKind kind, CancellationToken cancellationToken)
    {
        if (kind == SwarmObjectKind.Secret)
        {
            IList<Secret> secrets = await _connection.RunAsync((client, ct) => client.Secrets.ListAsync(ct), cancellationToken).ConfigureAwait(false);
            return secrets.Select(s => s.Spec?.Name ?? s.ID).ToList();
        }

        IList<global::Docker.DotNet.Models.SwarmConfig> configs = await _connection.RunAsync((client, ct) => client.Configs.ListConfigsAsync(ct), cancellationToken).ConfigureAwait(false);
        return configs.Select(c => c.Spec?.Name ?? c.ID).ToList();
    }

    /// <summary>Creates a secret or config and returns its id.</summary>
    internal async Task<string> CreateAsync(SwarmObjectKind kind, string name, byte[] data, IReadOnlyDictionary<string, string>? labels, SwarmDriver? templating, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        ValidateName(kind, name);
        ValidateData(kind, name, data.LongLength);
        var labelMap = new Dictionary<string, string>(labels ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        try
        {
            if (kind == SwarmObjectKind.Secret)
            {
                var spec = new SwarmSecretSpec { Name = name, Data = data, Labels = labelMap, Templating = templating };
                SecretCreateResponse created = await _connection.RunAsync((client, ct) => client.Secrets.CreateAsync(spec, ct), cancellationToken).ConfigureAwait(false);
                return created.ID;
            }

            var parameters = new SwarmCreateConfigParameters { Config = new SwarmConfigSpec { Name = name, Data = data, Labels = labelMap, Templating = templating } };
            SwarmCreateConfigResponse response = await _connection.RunAsync((client, ct) => client.Configs.CreateConfigAsync(parameters, ct), cancellationToken).ConfigureAwait(false);
            return response.ID;
        }
        catch (OpsToolsException ex) when (ex.Kind == OpsToolsErrorKind.ResourceExists)
        {
            throw new OpsToolsException(
                $"Swarm{kind}Exists",
                OpsToolsErrorKind.ResourceExists,
                $"A {Noun(kind)} named '{name}' already exists on {_connection.Endpoint.DisplayName}; {Noun(kind)}s cannot be changed in place.",
                name,
                $"Use Update-Swarm{kind} to create a new version and repoint its services, or choose another name.",
                ex);
        }
    }

    /// <summary>The error for a secret or config that does not exist.</summary>
    internal static OpsToolsException NotFound(SwarmObjectKind kind, string idOrName, string host, Exception? inner = null) => new(
        $"Swarm{kind}NotFound",
        OpsToolsErrorKind.ObjectNotFound,
        $"No Swarm {Noun(kind)} named '{idOrName}' was found on {host}.",
        idOrName,
        $"Run Get-Swarm{kind} to list the {Noun(kind)}s.",
        inner);

    /// <summary>Lower-case noun of a kind, for messages.</summary>
    internal static string Noun(SwarmObjectKind kind) => kind == SwarmObjectKind.Secret ? "secret" : "config";

    /// <summary>Maps the id of each secret or config to the names of the services whose spec references it.</summary>
    internal static Dictionary<string, List<string>> UsageOf(SwarmObjectKind kind, IEnumerable<ApiService> services)
    {
        var usage = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (ApiService service in services)
        {
            ContainerSpec? container = service.Spec?.TaskTemplate?.ContainerSpec;
            IEnumerable<string?> ids = kind == SwarmObjectKind.Secret
                ? (container?.Secrets ?? new List<SecretReference>()).Select(r => r.SecretID)
                : (container?.Configs ?? new List<SwarmConfigReference>()).Select(r => r.ConfigID);
            foreach (string id in ids.OfType<string>().Distinct(StringComparer.Ordinal))
            {
                if (!usage.TryGetValue(id, out List<string>? names))
                {
                    usage[id] = names = new List<string>();
                }

                names.Add(service.Spec?.Name ?? service.ID);
            }
        }

        foreach (List<string> names in usage.Values)
        {
            names.Sort(StringComparer.Ordinal);
        }

        return usage;
    }

    /// <summary>All services (one API call).</summary>
    internal Task<IList<ApiService>> ListServicesAsync(CancellationToken cancellationToken) =>
        _connection.RunAsync((client, ct) => client.Swarm.ListServicesAsync(new ServiceListParameters(), ct), cancellationToken);

    private static OpsToolsException InUse(SwarmObjectKind kind, string name, IReadOnlyList<string> services, Exception? inner) => new(
        $"Swarm{kind}InUse",
        OpsToolsErrorKind.InvalidOperation,
        $"The {Noun(kind)} '{name}' is used by {services.Count} service(s): {string.Join(", ", services)}; it was not removed.",
        name,
        $"Repoint those services first (Update-Swarm{kind} creates a new version and does it), or remove them.",
        inner);

    private OpsTools.Swarm.SwarmSecret ToSecret(Secret secret, Dictionary<string, List<string>> usage)
    {
        IDictionary<string, string> labels = secret.Spec?.Labels ?? new Dictionary<string, string>();
        labels.TryGetValue(SwarmInspector.StackNamespaceLabel, out string? stack);
        return new OpsTools.Swarm.SwarmSecret
        {
            DockerHost = _connection.Endpoint.DisplayName,
            Id = secret.ID,
            Name = secret.Spec?.Name ?? secret.ID,
            Stack = stack,
            CreatedAt = SwarmInspector.ToOffset(secret.CreatedAt),
            UpdatedAt = SwarmInspector.ToOffset(secret.UpdatedAt),
            Version = secret.Version?.Index ?? 0,
            Driver = string.IsNullOrEmpty(secret.Spec?.Driver?.Name) ? null : secret.Spec.Driver.Name,
            Labels = new Dictionary<string, string>(labels, StringComparer.Ordinal),
            Services = usage.TryGetValue(secret.ID, out List<string>? users) ? users : new List<string>(),
        };
    }

    private OpsTools.Swarm.SwarmConfig ToConfig(global::Docker.DotNet.Models.SwarmConfig config, Dictionary<string, List<string>> usage, bool includeData)
    {
        IDictionary<string, string> labels = config.Spec?.Labels ?? new Dictionary<string, string>();
        labels.TryGetValue(SwarmInspector.StackNamespaceLabel, out string? stack);
        byte[] data = config.Spec?.Data ?? Array.Empty<byte>();
        return new OpsTools.Swarm.SwarmConfig
        {
            DockerHost = _connection.Endpoint.DisplayName,
            Id = config.ID,
            Name = config.Spec?.Name ?? config.ID,
            Stack = stack,
            Size = data.LongLength,
            CreatedAt = SwarmInspector.ToOffset(config.CreatedAt),
            UpdatedAt = SwarmInspector.ToOffset(config.UpdatedAt),
            Version = config.Version?.Index ?? 0,
            Data = includeData ? Encoding.UTF8.GetString(data) : null,
            Labels = new Dictionary<string, string>(labels, StringComparer.Ordinal),
            Services = usage.TryGetValue(config.ID, out List<string>? users) ? users : new List<string>(),
        };
    }

    [GeneratedRegex("^[a-zA-Z0-9]+(?:[a-zA-Z0-9-_.]*[a-zA-Z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
