#Requires -Version 7.4
# New-DatabasePool: parameter surface, then a real pool provisioned as a Swarm service of the lab's
# PostgreSQL image, published on a loopback port so the test can reach it.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'PostgresTestSupport.psm1') -Force
    $pg = Get-PostgresLabStatus
    $lab = Get-LabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'PostgresTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Postgres.NewDatabasePoolCommand'
}

Describe 'New-DatabasePool parameters' {
    BeforeAll {
        $command = Get-Command -Name New-DatabasePool
        $surface = Get-ParameterSurface -Command New-DatabasePool
    }

    It 'has the platform''s provisioning settings as parameters, plus the connections' {
        $surface.Keys | Sort-Object | Should -Be @('CpuLimit', 'DockerHost', 'HostName', 'Image', 'MaxInstances', 'MemoryLimit', 'Network', 'NoWait',
            'Placement', 'PlatformCredential', 'PlatformServer', 'PostgresVersion', 'Priority', 'PublishedPort', 'StorageRoot', 'WaitTimeout')
        $command.Parameters.Keys | Should -Contain 'WhatIf'
        $surface.DockerHost.Aliases -join ',' | Should -Be 'H'
    }

    It 'defaults to the platform''s image, network, storage root, placement and limits' {
        $instance = [OpsTools.Commands.Postgres.NewDatabasePoolCommand]::new()
        $instance.Image | Should -Be 'postgres:18-alpine'
        $instance.Network | Should -Be 'saasodoo-network'
        $instance.StorageRoot | Should -Be '/mnt/cephfs/postgres_pools'
        $instance.Placement | Should -Be 'node.labels.role==database'
        $instance.CpuLimit | Should -Be 2
        $instance.MemoryLimit | Should -Be '4G'
        $instance.MaxInstances | Should -Be 50
    }

    It 'takes no pipeline input and has a Medium impact' {
        $surface.Values | Where-Object { $_.ValueFromPipeline -or $_.ValueFromPipelineByPropertyName } | Should -BeNullOrEmpty
        $command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact | Should -Be 'Medium'
    }

    It 'stops with PoolMemoryLimitInvalid for a memory limit that is no size' {
        { New-DatabasePool -MemoryLimit 'lots' -PlatformServer localhost -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId "PoolMemoryLimitInvalid,$commandId"
        $error[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
    }
}

Describe 'New-DatabasePool against the lab' -Skip:(-not ($pg.IsAvailable -and $lab.IsAvailable)) {
    BeforeAll {
        $pg = Get-PostgresLabStatus
        $platform = New-TestPlatformDatabase -Lab $pg
        $PSDefaultParameterValues['*:PlatformServer'] = $platform.Server
        $PSDefaultParameterValues['*:PlatformCredential'] = $pg.Credential
        $network = New-TestName
        $null = Invoke-LabDocker -ArgumentList 'network', 'create', '--driver', 'overlay', '--attachable', $network
        $storage = Join-Path $TestDrive 'postgres_pools'
        $null = Add-TestPool -Lab $pg -Platform $platform -Name 'postgres-pool-1' -Port $pg.PoolPorts[0]
        $port = Get-FreeLoopbackPort
        $options = @{
            Image = Get-LabSetting IMAGE_POSTGRES; StorageRoot = $storage; Network = $network; Placement = ''
            CpuLimit = 0.25; MemoryLimit = '256M'; HostName = $pg.Host; PublishedPort = $port; MaxInstances = 30
        }
        $created = [System.Collections.Generic.List[string]]::new()
    }

    AfterAll {
        $PSDefaultParameterValues.Remove('*:PlatformServer')
        $PSDefaultParameterValues.Remove('*:PlatformCredential')
        if ($created.Count -gt 0) { Remove-TestSwarmService -Name $created }
        $null = Wait-Until -TimeoutSeconds 30 -Because "network $network can be removed" -Condition { (Invoke-LabDocker -ArgumentList 'network', 'rm', $network -AllowFailure).ExitCode -eq 0 }
        Remove-TestPlatformDatabase -Lab $pg -Platform $platform
    }

    It 'creates nothing with -WhatIf' {
        New-DatabasePool @options -WhatIf

        Invoke-LabPsql -Port $pg.Port -Database $platform.Name -Sql 'SELECT count(*) FROM db_servers' | ForEach-Object Output | Should -Be '1'
        (Invoke-LabDocker -ArgumentList 'service', 'ls', '--quiet', '--filter', 'name=postgres-pool-2').Output | Should -BeNullOrEmpty
        Test-Path (Join-Path $storage 'pool-2') | Should -BeFalse
    }

    It 'provisions postgres-pool-2 as the platform does and returns it active and healthy once it answers' {
        $pool = New-DatabasePool @options -Confirm:$false
        $created.Add($pool.Name)

        $pool | Should -BeOfType ([OpsTools.Postgres.DatabasePool])
        $pool.Name | Should -Be 'postgres-pool-2'
        $pool.Status | Should -Be Active
        $pool.HealthStatus | Should -Be Healthy
        $pool.Host | Should -Be $pg.Host
        $pool.Port | Should -Be $port
        $pool.MaxInstances | Should -Be 30
        $pool.PostgresVersion | Should -Be '15'
        $pool.CpuLimit | Should -Be '0.25'
        $pool.MemoryLimit | Should -Be '256M'
        $pool.StoragePath | Should -Be (Join-Path $storage 'pool-2')
        $pool.HasAdminPassword | Should -BeTrue

        $service = Get-SwarmService -Name postgres-pool-2
        $service.Labels['saasodoo.service.type'] | Should -Be 'database-pool'
        $service.Labels['saasodoo.pool.name'] | Should -Be 'postgres-pool-2'
        $service.Labels['saasodoo.pool.max_instances'] | Should -Be '30'
        $service.PublishedPorts.PublishMode | Should -Be 'host'
        (& stat -c '%u %a' $pool.StoragePath) | Should -Be '999 700'
    }

    It 'makes a pool that the health check reaches with the password only db_servers knows' {
        (Invoke-PoolHealthCheck postgres-pool-2).Outcome | Should -Be Succeeded
    }

    It 'skips numbers whose data directory is left over, and can return without waiting' {
        $null = New-Item -ItemType Directory -Path (Join-Path $storage 'pool-3')

        $pool = New-DatabasePool @options -PublishedPort (Get-FreeLoopbackPort) -NoWait -Confirm:$false
        $created.Add($pool.Name)

        $pool.Name | Should -Be 'postgres-pool-4'
        $pool.Status | Should -Be Initializing
    }

    It 'stops with PoolNetworkNotFound before creating anything when the network does not exist' {
        { New-DatabasePool @options -Network 'opstools-no-such-network' -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId "PoolNetworkNotFound,$commandId"
        $error[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        Get-TestPoolRow -Lab $pg -Platform $platform -Name 'postgres-pool-5' | Should -BeNullOrEmpty
        Test-Path (Join-Path $storage 'pool-5') | Should -BeFalse
    }

    It 'records a pool whose service the daemon refuses as error/unhealthy, and stops with the daemon''s error' {
        { New-DatabasePool @options -Placement 'not-a-constraint' -PublishedPort (Get-FreeLoopbackPort) -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId "DockerApiError,$commandId"
        $error[0].Exception.Message | Should -BeLike '*constraint*'
        (Get-TestPoolRow -Lab $pg -Platform $platform -Name 'postgres-pool-5').Status | Should -Be 'error'
        (Get-TestPoolRow -Lab $pg -Platform $platform -Name 'postgres-pool-5').Health | Should -Be 'unhealthy'
    }
}
