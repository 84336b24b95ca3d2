using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using OpsTools.Engine.Odoo;
using OpsTools.Engine.Postgres;
using OpsTools.Engine.Tests.Postgres;
using OpsTools.Odoo;

namespace OpsTools.Engine.Tests.Odoo;

[Collection(PostgresCollection.Name)]
public sealed class OdooInstanceCatalogTests
{
    private readonly PostgresFixture _lab;

    public OdooInstanceCatalogTests(PostgresFixture lab) => _lab = lab;

    [Fact]
    public void The_data_directory_comes_from_the_service_names_suffix()
    {
        Assert.Equal("/mnt/cephfs/odoo_instances/odoo_data_odoo_acme_3f9a1c2e", OdooInstanceCatalog.DataDirectoryOf("/mnt/cephfs/odoo_instances", "odoo_acme", "odoo-odoo_acme-3f9a1c2e"));
        Assert.Null(OdooInstanceCatalog.DataDirectoryOf("/mnt/cephfs/odoo_instances", "odoo_acme", "odoo-odoo_other-3f9a1c2e"));
        Assert.Null(OdooInstanceCatalog.DataDirectoryOf("/mnt/cephfs/odoo_instances", "odoo_acme", "acme-web"));
        Assert.Null(OdooInstanceCatalog.DataDirectoryOf("/mnt/cephfs/odoo_instances", "odoo_acme", null));
    }

    [SkippableFact]
    public async Task Instances_come_with_their_pools_host_when_their_row_has_none()
    {
        _lab.RequireLab();
        Guid pool = await _lab.AddPoolAsync("odoo-catalog-pool-" + Guid.NewGuid().ToString("N")[..4], 55436, host: "pool-host");
        string suffix = Guid.NewGuid().ToString("N")[..6];
        await _lab.ExecuteAsync(_lab.PlatformPort, _lab.PlatformDatabase, $"""
            INSERT INTO instances (customer_id, name, status, database_name, db_name, service_name, db_server_id, db_host, db_port)
            VALUES (gen_random_uuid(), 'cat-a-{suffix}', 'running', 'odoo_a', NULL, 'odoo-odoo_a-0123abcd', '{pool}', NULL, NULL),
                   (gen_random_uuid(), 'cat-b-{suffix}', 'stopped', 'odoo_b', 'odoo_b_real', 'odoo-odoo_b-89abcdef', NULL, 'direct-host', 6543)
            """);

        using PlatformDatabase platform = await PlatformDatabase.OpenAsync(_lab.PlatformEndpoint());
        IReadOnlyList<OdooInstance> all = await OdooInstanceCatalog.GetInstancesAsync(platform, "/srv/instances");

        OdooInstance a = all.Single(i => i.Name == "cat-a-" + suffix);
        OdooInstance b = all.Single(i => i.Name == "cat-b-" + suffix);
        Assert.Equal("pool-host:55436", a.Server);
        Assert.Equal(Path.Combine("/srv/instances", "odoo_data_odoo_a_0123abcd", "filestore", "odoo_a"), a.FilestorePath);
        Assert.Equal("odoo_b_real", b.DatabaseName);
        Assert.Equal("direct-host:6543", b.Server);
        Assert.Null(b.Pool);
    }
}
