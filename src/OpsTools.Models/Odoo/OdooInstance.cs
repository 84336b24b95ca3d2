using System;

namespace OpsTools.Odoo;

/// <summary>An Odoo instance of the platform: a row of <c>instances</c> joined with its pool in <c>db_servers</c>.</summary>
public sealed class OdooInstance
{
    /// <summary>Instance name.</summary>
    public required string Name { get; init; }
    /// <summary>Status (<c>running</c>, <c>stopped</c>...).</summary>
    public string? Status { get; init; }
    /// <summary>Odoo version (<c>17.0</c>).</summary>
    public string? OdooVersion { get; init; }
    /// <summary>Database name on its pool server.</summary>
    public required string DatabaseName { get; init; }
    /// <summary>Host of the database server.</summary>
    public string? DatabaseHost { get; init; }
    /// <summary>Port of the database server.</summary>
    public int? DatabasePort { get; init; }
    /// <summary>The database server as <c>host:port</c>, ready for <c>-Server</c>.</summary>
    public string? Server => DatabaseHost is null ? null : DatabaseHost + ":" + (DatabasePort ?? 5432).ToString(System.Globalization.CultureInfo.InvariantCulture);
    /// <summary>Role the instance connects as.</summary>
    public string? DatabaseUser { get; init; }
    /// <summary>Name of the pool server (<c>db_servers.name</c>).</summary>
    public string? Pool { get; init; }
    /// <summary>Swarm service that runs Odoo.</summary>
    public string? ServiceName { get; init; }
    /// <summary>The instance's Odoo data directory (<c>odoo_instances/odoo_data_{database}_{hex8}</c> under the instances root).</summary>
    public string? DataDirectory { get; init; }
    /// <summary>The database's filestore, <c>{DataDirectory}/filestore/{DatabaseName}</c>.</summary>
    public string? FilestorePath { get; init; }
    /// <summary>Storage limit of the plan (<c>10G</c>).</summary>
    public string? StorageLimit { get; init; }
    /// <summary>External URL.</summary>
    public string? ExternalUrl { get; init; }
    /// <summary>Instance id.</summary>
    public Guid Id { get; init; }
    /// <summary>Customer id.</summary>
    public Guid? CustomerId { get; init; }
    /// <summary>When the instance was created.</summary>
    public DateTimeOffset? CreatedAt { get; init; }
    /// <summary>Platform database the row was read from.</summary>
    public required string PlatformServer { get; init; }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
