#Requires -Version 7.4
# Get-PoolDatabase: parameter surface, then the databases of a real pool against instances rows.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'PostgresTestSupport.psm1') -Force
    $pg = Get-PostgresLabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'PostgresTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Postgres.GetPoolDatabaseCommand'
}

Describe 'Get-PoolDatabase parameters' {
    BeforeAll {
        $surface = Get-ParameterSurface -Command Get-PoolDatabase
    }

    It 'has exactly the parameters Pool, Orphaned, Timeout, PlatformServer and PlatformCredential' {
        $surface.Keys | Sort-Object | Should -Be @('Orphaned', 'PlatformCredential', 'PlatformServer', 'Pool', 'Timeout')
    }

    It 'takes pools at position 0, from the pipeline by value or by Name, with wildcards' {
        $surface.Pool.Type | Should -Be 'System.String[]'
        $surface.Pool.Position | Should -Be 0
        $surface.Pool.ValueFromPipeline | Should -BeTrue
        $surface.Pool.ValueFromPipelineByPropertyName | Should -BeTrue
        $surface.Pool.SupportsWildcards | Should -BeTrue
        $surface.Pool.Aliases -join ',' | Should -Be 'Name,PoolName'
    }

    It 'declares its output type as OpsTools.Postgres.PoolDatabase' {
        (Get-Command Get-PoolDatabase).OutputType.Name | Should -Be 'OpsTools.Postgres.PoolDatabase'
    }
}

Describe 'Get-PoolDatabase against the lab' -Skip:(-not $pg.IsAvailable) {
    BeforeAll {
        $pg = Get-PostgresLabStatus
        $platform = New-TestPlatformDatabase -Lab $pg
        $PSDefaultParameterValues['*:PlatformServer'] = $platform.Server
        $PSDefaultParameterValues['*:PlatformCredential'] = $pg.Credential
        $port = $pg.PoolPorts[1]
        $prefix = 'odoo_p' + [guid]::NewGuid().ToString('n').Substring(0, 6)
        $databases = "${prefix}_used", "${prefix}_orphan"
        foreach ($database in $databases) { $null = Invoke-LabPsql -Port $port -Database postgres -Sql "CREATE DATABASE $database" }
        $poolId = Add-TestPool -Lab $pg -Platform $platform -Name 'postgres-pool-1' -Port $port
        $null = Add-TestPool -Lab $pg -Platform $platform -Name 'postgres-pool-2' -Port $port -NoPassword
        $null = Invoke-LabPsql -Port $pg.Port -Database $platform.Name -Sql (
            "INSERT INTO instances (customer_id, name, status, database_name, db_name, db_server_id) VALUES " +
            "(gen_random_uuid(), 'acme', 'running', '${prefix}_used', '${prefix}_used', '$poolId'), " +
            "(gen_random_uuid(), 'lost', 'stopped', '${prefix}_gone', '${prefix}_gone', '$poolId')")
    }

    AfterAll {
        $PSDefaultParameterValues.Remove('*:PlatformServer')
        $PSDefaultParameterValues.Remove('*:PlatformCredential')
        foreach ($database in $databases) { $null = Invoke-LabPsql -Port $port -Database postgres -Sql "DROP DATABASE IF EXISTS $database WITH (FORCE)" -AllowFailure }
        Remove-TestPlatformDatabase -Lab $pg -Platform $platform
    }

    It 'lists the pool''s databases with owner, size and the instance that uses each' {
        $result = Get-PoolDatabase postgres-pool-1 | Where-Object Name -Like "$prefix*"

        $used = $result | Where-Object Name -EQ "${prefix}_used"
        $used | Should -BeOfType ([OpsTools.Postgres.PoolDatabase])
        $used.State | Should -Be InUse
        $used.InstanceName | Should -Be 'acme'
        $used.Owner | Should -Be 'postgres'
        $used.SizeBytes | Should -BeGreaterThan 1MB
        ($result | Where-Object Name -EQ "${prefix}_orphan").State | Should -Be Unreferenced
        ($result | Where-Object Name -EQ "${prefix}_gone").State | Should -Be Missing
    }

    It 'keeps to orphans and missing databases with -Orphaned' {
        $orphans = Get-PoolDatabase postgres-pool-1 -Orphaned | Where-Object Name -Like "$prefix*"

        $orphans.Name | Sort-Object | Should -Be @("${prefix}_gone", "${prefix}_orphan")
        ($orphans | Where-Object State -EQ Missing).Exists | Should -BeFalse
    }

    It 'takes pools from Get-DatabasePool by pipeline and reports one without credentials as an error, going on' {
        $result = Get-DatabasePool | Get-PoolDatabase -ErrorVariable failed -ErrorAction SilentlyContinue

        ($result.Pool | Select-Object -Unique) | Should -Be 'postgres-pool-1'
        $failed | Should -HaveCount 1
        $failed[0].FullyQualifiedErrorId | Should -Be "PoolCredentialsMissing,$commandId"
        $failed[0].CategoryInfo.Category | Should -Be 'InvalidData'
    }

    It 'writes PoolNotFound for a name that matches no pool' {
        $null = Get-PoolDatabase postgres-pool-404 -ErrorVariable missing -ErrorAction SilentlyContinue

        $missing[0].FullyQualifiedErrorId | Should -Be "PoolNotFound,$commandId"
        $missing[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'shows sizes with units in its table' {
        $table = Get-PoolDatabase postgres-pool-1 | Where-Object Name -EQ "${prefix}_used" | Format-Table | Out-String -Width 250

        $table | Should -Match 'POOL\s+DATABASE\s+STATE\s+OWNER\s+SIZE'
        $table | Should -Match '\d+\.\d MB'
    }
}
