using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Docker.DotNet.Models;
using OpsTools.Engine.Docker;
using ApiService = Docker.DotNet.Models.SwarmService;

namespace OpsTools.Engine.Swarm;

/// <summary>Filters for <see cref="SwarmNetworkInspector.GetNetworksAsync"/>.</summary>
public sealed class SwarmNetworkQuery
{
    /// <summary>Also list the networks of the node the endpoint is (scope <c>local</c>: bridge, host, none...).</summary>
    public bool IncludeLocal { get; init; }

    /// <summary>Only networks of these stacks: labelled with the stack, or attached to a service of the stack.</summary>
    public IReadOnlyCollection<string>? Stacks { get; init; }

    /// <summary>Only networks attached to these services (ids).</summary>
    public IReadOnlyCollection<string>? ServiceIds { get; init; }
}

/// <summary>Lists Docker networks with the Swarm services attached to each.</summary>
public sealed class SwarmNetworkInspector
{
    private readonly DockerConnection _connection;

    /// <summary>Creates an inspector for one endpoint.</summary>
    /// <param name="connection">The Docker connection.</param>
    public SwarmNetworkInspector(DockerConnection connection)
    {
        _connection = connection ?? throw new ArgumentNullException(nameof(connection));
    }

    /// <summary>
    /// Lists the networks of the swarm (scope <c>swarm</c>; with <see cref="SwarmNetworkQuery.IncludeLocal"/>
    /// also the node's own) with the services attached to each: two API calls.
    /// </summary>
    /// <param name="query">Filters, or null for every swarm network.</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <returns>Networks sorted by name.</returns>
    public async Task<IReadOnlyList<OpsTools.Swarm.SwarmNetwork>> GetNetworksAsync(SwarmNetworkQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new SwarmNetworkQuery();
        var parameters = new NetworksListParameters
        {
            Filters = query.IncludeLocal ? null : new Dictionary<string, IDictionary<string, bool>> { ["scope"] = new Dictionary<string, bool> { ["swarm"] = true } },
        };
        Task<IList<NetworkResponse>> networksCall = _connection.RunAsync((client, ct) => client.Networks.ListNetworksAsync(parameters, ct), cancellationToken);
        Task<IList<ApiService>> servicesCall = _connection.RunAsync((client, ct) => client.Swarm.ListServicesAsync(new ServiceListParameters(), ct), cancellationToken);
        await Task.WhenAll(networksCall, servicesCall).ConfigureAwait(false);

        IList<NetworkResponse> networks = networksCall.Result;
        List<ApiService> services = servicesCall.Result.ToList();
        var stacks = query.Stacks is null ? null : new HashSet<string>(query.Stacks, StringComparer.Ordinal);
        var serviceIds = query.ServiceIds is null ? null : new HashSet<string>(query.ServiceIds, StringComparer.Ordinal);
        var result = new List<OpsTools.Swarm.SwarmNetwork>();
        foreach (NetworkResponse network in networks)
        {
            List<ApiService> attached = services.Where(s => IsAttached(s, network)).ToList();
            IDictionary<string, string> labels = network.Labels ?? new Dictionary<string, string>();
            labels.TryGetValue(SwarmInspector.StackNamespaceLabel, out string? stack);
            if (stacks is not null
                && !(stack is not null && stacks.Contains(stack))
                && !attached.Any(s => StackOf(s) is { } serviceStack && stacks.Contains(serviceStack)))
            {
                continue;
            }

            if (serviceIds is not null && !attached.Any(s => serviceIds.Contains(s.ID)))
            {
                continue;
            }

            IList<IPAMConfig> ipam = network.IPAM?.Config ?? new List<IPAMConfig>();
            result.Add(new OpsTools.Swarm.SwarmNetwork
            {
                DockerHost = _connection.Endpoint.DisplayName,
                Id = network.ID,
                Name = network.Name ?? network.ID,
                Stack = stack,
                Driver = network.Driver,
                Scope = network.Scope,
                Attachable = network.Attachable,
                Internal = network.Internal,
                Ingress = network.Ingress,
                EnableIPv6 = network.EnableIPv6,
                CreatedAt = network.Created == default ? null : SwarmInspector.ToOffset(network.Created),
                SubnetList = ipam.Select(c => c.Subnet).Where(s => !string.IsNullOrEmpty(s)).ToList(),
                Gateways = ipam.Select(c => c.Gateway).Where(g => !string.IsNullOrEmpty(g)).ToList(),
                Options = new Dictionary<string, string>(network.Options ?? new Dictionary<string, string>(), StringComparer.Ordinal),
                Labels = new Dictionary<string, string>(labels, StringComparer.Ordinal),
                Services = attached.Select(s => s.Spec?.Name ?? s.ID).OrderBy(n => n, StringComparer.Ordinal).ToList(),
            });
        }

        return result.OrderBy(n => n.Name, StringComparer.Ordinal).ThenBy(n => n.Id, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Whether a service is attached to a network: named in its task template (by id or name, as the
    /// API accepts both), or given a virtual IP on it (the ingress network of published ports).
    /// </summary>
    private static bool IsAttached(ApiService service, NetworkResponse network)
    {
        bool Matches(string? target) => !string.IsNullOrEmpty(target)
            && (string.Equals(target, network.ID, StringComparison.Ordinal) || string.Equals(target, network.Name, StringComparison.Ordinal));

        return (service.Spec?.TaskTemplate?.Networks ?? new List<NetworkAttachmentConfig>()).Any(n => Matches(n.Target))
            || (service.Endpoint?.VirtualIPs ?? new List<EndpointVirtualIP>()).Any(v => Matches(v.NetworkID));
    }

    private static string? StackOf(ApiService service) =>
        service.Spec?.Labels is { } labels && labels.TryGetValue(SwarmInspector.StackNamespaceLabel, out string? stack) ? stack : null;
}
