#Requires -Version 7.4
# Get-DatabasePool: parameter surface, then the cmdlet against a platform database of its own.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'PostgresTestSupport.psm1') -Force
    $pg = Get-PostgresLabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'PostgresTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Postgres.GetDatabasePoolCommand'
}

Describe 'Get-DatabasePool parameters' {
    BeforeAll {
        $command = Get-Command -Name Get-DatabasePool
        $surface = Get-ParameterSurface -Command Get-DatabasePool
    }

    It 'has exactly the parameters Name, Status, HealthStatus, ServerType, PlatformServer and PlatformCredential' {
        $surface.Keys | Sort-Object | Should -Be @('HealthStatus', 'Name', 'PlatformCredential', 'PlatformServer', 'ServerType', 'Status')
    }

    It 'declares -<Name> as <Type>' -ForEach @(
        @{ Name = 'Name'; Type = 'System.String[]'; Position = 0; ByValue = $true; ByPropertyName = $true; Wildcards = $true; Aliases = 'PoolName' }
        @{ Name = 'Status'; Type = 'OpsTools.Postgres.PoolStatus[]'; Position = $null; ByValue = $false; ByPropertyName = $false; Wildcards = $false; Aliases = '' }
        @{ Name = 'HealthStatus'; Type = 'OpsTools.Postgres.PoolHealthStatus[]'; Position = $null; ByValue = $false; ByPropertyName = $false; Wildcards = $false; Aliases = '' }
        @{ Name = 'ServerType'; Type = 'OpsTools.Postgres.PoolServerType[]'; Position = $null; ByValue = $false; ByPropertyName = $false; Wildcards = $false; Aliases = '' }
        @{ Name = 'PlatformServer'; Type = 'System.String'; Position = $null; ByValue = $false; ByPropertyName = $false; Wildcards = $false; Aliases = '' }
        @{ Name = 'PlatformCredential'; Type = 'System.Management.Automation.PSCredential'; Position = $null; ByValue = $false; ByPropertyName = $false; Wildcards = $false; Aliases = '' }
    ) {
        $parameter = $surface[$Name]
        $parameter.Type | Should -Be $Type
        $parameter.Mandatory | Should -BeFalse
        $parameter.Position | Should -Be $Position
        $parameter.ValueFromPipeline | Should -Be $ByValue
        $parameter.ValueFromPipelineByPropertyName | Should -Be $ByPropertyName
        $parameter.SupportsWildcards | Should -Be $Wildcards
        $parameter.Aliases -join ',' | Should -Be $Aliases
    }

    It 'declares its output type as OpsTools.Postgres.DatabasePool' {
        $command.OutputType.Name | Should -Be 'OpsTools.Postgres.DatabasePool'
    }

    It 'stops with PlatformServerNotSet when no platform server is given or set' {
        $saved = $env:OPSTOOLS_PLATFORM_SERVER
        $env:OPSTOOLS_PLATFORM_SERVER = $null
        try {
            { Get-DatabasePool -ErrorAction Stop } | Should -Throw -ErrorId "PlatformServerNotSet,$commandId"
            $error[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $error[0].ErrorDetails.RecommendedAction | Should -BeLike "*PSDefaultParameterValues*"
        }
        finally {
            $env:OPSTOOLS_PLATFORM_SERVER = $saved
        }
    }
}

Describe 'Get-DatabasePool against the lab' -Skip:(-not $pg.IsAvailable) {
    BeforeAll {
        $pg = Get-PostgresLabStatus
        $platform = New-TestPlatformDatabase -Lab $pg
        $PSDefaultParameterValues['*:PlatformServer'] = $platform.Server
        $PSDefaultParameterValues['*:PlatformCredential'] = $pg.Credential
        $stable = $pg.PoolPorts[0]
        $null = Add-TestPool -Lab $pg -Platform $platform -Name 'postgres-pool-1' -Port $stable -Health healthy -LastCheck "now() - interval '90 seconds'"
        $null = Add-TestPool -Lab $pg -Platform $platform -Name 'postgres-pool-2' -Port $stable -Status full -Health degraded -Failures 1
        $null = Add-TestPool -Lab $pg -Platform $platform -Name 'postgres-pool-10' -Port $stable -Status error -Health unhealthy -Failures 3 -NoPassword
        $null = Invoke-LabPsql -Port $pg.Port -Database $platform.Name -Sql "UPDATE db_servers SET current_instances = 20, max_instances = 80 WHERE name = 'postgres-pool-1'"
    }

    AfterAll {
        $PSDefaultParameterValues.Remove('*:PlatformServer')
        $PSDefaultParameterValues.Remove('*:PlatformCredential')
        Remove-TestPlatformDatabase -Lab $pg -Platform $platform
    }

    It 'returns every row of db_servers as typed objects, in natural name order' {
        $pools = Get-DatabasePool

        $pools.Name | Should -Be @('postgres-pool-1', 'postgres-pool-2', 'postgres-pool-10')
        $pools | Should -BeOfType ([OpsTools.Postgres.DatabasePool])
        $pools[1].Status | Should -Be ([OpsTools.Postgres.PoolStatus]::Full)
        $pools[1].HealthStatus | Should -Be Degraded
        $pools[0].ServerType | Should -Be Shared
        $pools[0].PlatformServer | Should -Be "$($pg.Host):$($pg.Port)/$($platform.Name)"
    }

    It 'works out capacity, free slots and the age of the last check' {
        $pool = Get-DatabasePool postgres-pool-1

        $pool.FreeSlots | Should -Be 60
        $pool.CapacityPercent | Should -Be 25
        $pool.LastCheckAge.TotalSeconds | Should -BeGreaterOrEqual 90
        $pool.LastCheckAge.TotalSeconds | Should -BeLessThan 150
        (Get-DatabasePool postgres-pool-2).LastCheckAge | Should -BeNullOrEmpty
    }

    It 'says whether a row has an admin password and never carries the password' {
        $pools = Get-DatabasePool
        ($pools | Where-Object Name -EQ 'postgres-pool-1').HasAdminPassword | Should -BeTrue
        ($pools | Where-Object Name -EQ 'postgres-pool-10').HasAdminPassword | Should -BeFalse

        $everything = ($pools | ConvertTo-Json -Depth 3) + ($pools | Format-List * | Out-String) + (Get-DatabasePool -Verbose 4>&1 | Out-String)
        $everything | Should -Not -Match ([regex]::Escape($pg.Password))
        $pools[0].PSObject.Properties.Name | Should -Not -Contain 'AdminPassword'
    }

    It 'filters by status, health, server type and wildcard name' {
        (Get-DatabasePool -Status Full, Error).Name | Should -Be @('postgres-pool-2', 'postgres-pool-10')
        (Get-DatabasePool -HealthStatus Healthy).Name | Should -Be 'postgres-pool-1'
        (Get-DatabasePool -ServerType Dedicated) | Should -BeNullOrEmpty
        (Get-DatabasePool 'postgres-pool-1*').Name | Should -Be @('postgres-pool-1', 'postgres-pool-10')
    }

    It 'takes names, and objects with a PoolName, from the pipeline' {
        ('postgres-pool-2', 'postgres-pool-10' | Get-DatabasePool).Name | Should -Be @('postgres-pool-2', 'postgres-pool-10')
        ([pscustomobject]@{ PoolName = 'postgres-pool-1' } | Get-DatabasePool).Name | Should -Be 'postgres-pool-1'
    }

    It 'writes PoolNotFound for a name that matches nothing and goes on' {
        $pools = Get-DatabasePool 'postgres-pool-404', 'postgres-pool-1' -ErrorVariable missing -ErrorAction SilentlyContinue

        $pools.Name | Should -Be 'postgres-pool-1'
        $missing | Should -HaveCount 1
        $missing[0].FullyQualifiedErrorId | Should -Be "PoolNotFound,$commandId"
        $missing[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $missing[0].TargetObject | Should -Be 'postgres-pool-404'
    }

    It 'reads the platform server from OPSTOOLS_PLATFORM_SERVER when no parameter or default gives it' {
        $PSDefaultParameterValues.Remove('*:PlatformServer')
        $saved = $env:OPSTOOLS_PLATFORM_SERVER
        $env:OPSTOOLS_PLATFORM_SERVER = $platform.Server
        try {
            (Get-DatabasePool).Count | Should -Be 3
        }
        finally {
            $env:OPSTOOLS_PLATFORM_SERVER = $saved
            $PSDefaultParameterValues['*:PlatformServer'] = $platform.Server
        }
    }

    It 'uses database instance by default, so a server without the schema there is PlatformSchemaInvalid' {
        { Get-DatabasePool -PlatformServer "$($pg.Host):$($pg.Port)" -ErrorAction Stop } | Should -Throw -ErrorId "PlatformSchemaInvalid,$commandId"
        $error[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $error[0].Exception.Message | Should -BeLike "*:$($pg.Port)/instance*db_servers*"
    }

    It 'stops with PostgresAuthenticationFailed when the platform password is wrong, without showing it' {
        $wrong = [pscredential]::new($pg.User, (ConvertTo-SecureString 'Wrong-Platform-Secret' -AsPlainText -Force))

        { Get-DatabasePool -PlatformCredential $wrong -ErrorAction Stop } | Should -Throw -ErrorId "PostgresAuthenticationFailed,$commandId"
        $error[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
        ($error[0] | Out-String) | Should -Not -Match 'Wrong-Platform-Secret'
    }

    It 'completes pool names on Tab from the platform server typed on the line' {
        $saved = $env:PGPASSWORD, $env:PGUSER
        $env:PGPASSWORD, $env:PGUSER = $pg.Password, $pg.User
        try {
            $completions = (TabExpansion2 -inputScript "Get-DatabasePool -PlatformServer '$($platform.Server)' -Name postgres-pool-1").CompletionMatches.CompletionText
        }
        finally {
            $env:PGPASSWORD, $env:PGUSER = $saved
        }

        $completions | Should -Be @('postgres-pool-1', 'postgres-pool-10')
    }

    It 'renders a table like a SELECT of the columns operators read, and exports to CSV' {
        $table = Get-DatabasePool | Format-Table | Out-String -Width 250
        $table | Should -Match 'NAME\s+STATUS\s+HEALTH\s+FAILURES\s+INSTANCES'
        $table | Should -Match 'postgres-pool-1\s+active\s+healthy\s+0\s+20/80\s+25%'

        $path = Join-Path $TestDrive 'pools.csv'
        Get-DatabasePool | Export-Csv -LiteralPath $path
        (Import-Csv -LiteralPath $path | Where-Object Name -EQ 'postgres-pool-2').Status | Should -Be 'Full'
    }
}
