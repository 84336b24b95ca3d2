#Requires -Version 7.4
# Get-OdooInstance: parameter surface, then the cmdlet against a platform database of its own.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../Postgres/PostgresTestSupport.psm1') -Force
    $pg = Get-PostgresLabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../Postgres/PostgresTestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'OdooTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Odoo.GetOdooInstanceCommand'
}

Describe 'Get-OdooInstance parameters' {
    BeforeAll {
        $command = Get-Command -Name Get-OdooInstance
        $surface = Get-ParameterSurface -Command Get-OdooInstance
    }

    It 'has exactly the parameters Name, Status, InstancesRoot, PlatformServer and PlatformCredential' {
        $surface.Keys | Sort-Object | Should -Be @('InstancesRoot', 'Name', 'PlatformCredential', 'PlatformServer', 'Status')
    }

    It 'takes names by position, from the pipeline and with wildcards' {
        $surface.Name.Type | Should -Be 'System.String[]'
        $surface.Name.Position | Should -Be 0
        $surface.Name.ValueFromPipeline | Should -BeTrue
        $surface.Name.ValueFromPipelineByPropertyName | Should -BeTrue
        $surface.Name.SupportsWildcards | Should -BeTrue
        $surface.Name.Aliases | Should -Be @('Instance', 'InstanceName')
    }

    It 'declares its output type as OpsTools.Odoo.OdooInstance' {
        $command.OutputType.Name | Should -Be 'OpsTools.Odoo.OdooInstance'
    }

    It 'stops with PlatformServerNotSet when no platform server is given or set' {
        $saved = $env:OPSTOOLS_PLATFORM_SERVER
        $env:OPSTOOLS_PLATFORM_SERVER = $null
        try {
            { Get-OdooInstance -ErrorAction Stop } | Should -Throw -ErrorId "PlatformServerNotSet,$commandId"
            $error[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        }
        finally {
            $env:OPSTOOLS_PLATFORM_SERVER = $saved
        }
    }
}

Describe 'Get-OdooInstance against the lab' -Skip:(-not $pg.IsAvailable) {
    BeforeAll {
        $pg = Get-PostgresLabStatus
        $platform = New-TestPlatformDatabase -Lab $pg
        $PSDefaultParameterValues['*:PlatformServer'] = $platform.Server
        $PSDefaultParameterValues['*:PlatformCredential'] = $pg.Credential
        $root = Join-Path ([System.IO.Path]::GetTempPath()) ('opsodoo-' + [guid]::NewGuid().ToString('n').Substring(0, 8))
        $acme = New-TestOdooInstance -Lab $pg -Root $root -Name 'acme' -Platform $platform
        $globex = New-TestOdooInstance -Lab $pg -Root $root -Name 'globex' -Platform $platform -Status stopped
    }

    AfterAll {
        $PSDefaultParameterValues.Remove('*:PlatformServer')
        $PSDefaultParameterValues.Remove('*:PlatformCredential')
        Remove-TestOdooInstance -Lab $pg -Instance $acme
        Remove-TestOdooInstance -Lab $pg -Instance $globex
        Remove-TestPlatformDatabase -Lab $pg -Platform $platform
        Remove-Item -LiteralPath $root -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'returns every instance as a typed object with its database, pool and service' {
        $instances = Get-OdooInstance -InstancesRoot $root

        $instances.Name | Should -Be @('acme', 'globex')
        $instances | Should -BeOfType ([OpsTools.Odoo.OdooInstance])
        $instances[0].DatabaseName | Should -Be $acme.Database
        $instances[0].Server | Should -Be $acme.Server
        $instances[0].Pool | Should -Be "lab-pool-$($acme.Port)"
        $instances[0].ServiceName | Should -Be $acme.ServiceName
        $instances[0].DatabaseUser | Should -Be "$($acme.Database)_user"
        $instances[0].PlatformServer | Should -Be "$($pg.Host):$($pg.Port)/$($platform.Name)"
    }

    It 'works out the data directory and filestore the platform gives the instance' {
        $instance = Get-OdooInstance acme -InstancesRoot $root

        $instance.DataDirectory | Should -Be $acme.DataDirectory
        $instance.FilestorePath | Should -Be $acme.FilestorePath
        Test-Path -LiteralPath $instance.FilestorePath | Should -BeTrue
    }

    It 'filters by status and wildcard name' {
        (Get-OdooInstance -Status stopped).Name | Should -Be 'globex'
        (Get-OdooInstance 'ac*').Name | Should -Be 'acme'
        Get-OdooInstance 'zz*' | Should -BeNullOrEmpty
    }

    It 'takes names from the pipeline' {
        ('globex', 'acme' | Get-OdooInstance).Name | Should -Be @('globex', 'acme')
    }

    It 'writes OdooInstanceNotFound for a name that matches nothing and goes on' {
        $found = Get-OdooInstance 'nope', 'acme' -ErrorVariable problems -ErrorAction SilentlyContinue

        $found.Name | Should -Be 'acme'
        $problems.Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -Be "OdooInstanceNotFound,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].TargetObject | Should -Be 'nope'
        $problems[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
    }

    It 'shows a table like a SELECT of the columns operators read, and exports to CSV' {
        $table = Get-OdooInstance | Format-Table | Out-String
        $table | Should -Match 'NAME\s+STATUS\s+VERSION\s+DATABASE\s+SERVER\s+POOL'
        $table | Should -Match "acme\s+running\s+17\.0\s+$($acme.Database)"
        $csv = Get-OdooInstance | ConvertTo-Csv | ConvertFrom-Csv
        $csv[1].Status | Should -Be 'stopped'
        (Get-OdooInstance | ConvertTo-Json) + (Get-OdooInstance -Verbose 4>&1 | Out-String) | Should -Not -Match ([regex]::Escape($pg.Password))
    }
}
