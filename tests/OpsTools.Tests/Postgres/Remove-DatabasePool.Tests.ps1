#Requires -Version 7.4
# Remove-DatabasePool: parameter surface, then removing failed pools whose services are real Swarm
# services, archiving their data directory.

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
    $commandId = 'OpsTools.Commands.Postgres.RemoveDatabasePoolCommand'
}

Describe 'Remove-DatabasePool parameters' {
    BeforeAll {
        $command = Get-Command -Name Remove-DatabasePool
        $surface = Get-ParameterSurface -Command Remove-DatabasePool
    }

    It 'has exactly the parameters Name, ArchiveDataDirectory, Force, PassThru, DockerHost, PlatformServer and PlatformCredential, plus WhatIf and Confirm' {
        $surface.Keys | Sort-Object | Should -Be @('ArchiveDataDirectory', 'DockerHost', 'Force', 'Name', 'PassThru', 'PlatformCredential', 'PlatformServer')
        $command.Parameters.Keys | Should -Contain 'WhatIf'
        $command.Parameters.Keys | Should -Contain 'Confirm'
    }

    It 'requires names, at position 0, from the pipeline by value or by Name, with wildcards' {
        $surface.Name.Mandatory | Should -BeTrue
        $surface.Name.Position | Should -Be 0
        $surface.Name.ValueFromPipeline | Should -BeTrue
        $surface.Name.ValueFromPipelineByPropertyName | Should -BeTrue
        $surface.Name.SupportsWildcards | Should -BeTrue
    }

    It 'has a High impact' {
        $command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact | Should -Be 'High'
    }
}

Describe 'Remove-DatabasePool against the lab' -Skip:(-not ($pg.IsAvailable -and $lab.IsAvailable)) {
    BeforeAll {
        $pg = Get-PostgresLabStatus
        $platform = New-TestPlatformDatabase -Lab $pg
        $PSDefaultParameterValues['*:PlatformServer'] = $platform.Server
        $PSDefaultParameterValues['*:PlatformCredential'] = $pg.Credential
        $storage = Join-Path $TestDrive 'postgres_pools'
        $dataDirectory = Join-Path $storage 'pool-7'
        $null = New-Item -ItemType Directory -Path $dataDirectory
        Set-Content -LiteralPath (Join-Path $dataDirectory 'PG_VERSION') -Value '15'
        $service = New-TestSwarmService -Name (New-TestName)
        $null = Add-TestPool -Lab $pg -Platform $platform -Name 'postgres-pool-7' -Port 5432 -HostName $service.Name -Status error -Health unhealthy -Failures 3 -ServiceName $service.Name -StoragePath $dataDirectory
        $null = Add-TestPool -Lab $pg -Platform $platform -Name 'postgres-pool-8' -Port 5432 -Status error -Health unhealthy -Failures 3
        $null = Add-TestPool -Lab $pg -Platform $platform -Name 'postgres-pool-9' -Port $pg.PoolPorts[0]
    }

    AfterAll {
        $PSDefaultParameterValues.Remove('*:PlatformServer')
        $PSDefaultParameterValues.Remove('*:PlatformCredential')
        Remove-TestSwarmService
        Remove-TestPlatformDatabase -Lab $pg -Platform $platform
    }

    It 'refuses a pool that is not in error without -Force, and changes nothing' {
        Remove-DatabasePool postgres-pool-9 -Confirm:$false -ErrorVariable refused -ErrorAction SilentlyContinue

        $refused[0].FullyQualifiedErrorId | Should -Be "PoolNotRemovable,$commandId"
        $refused[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        $refused[0].Exception.Message | Should -BeLike '*status is active*-Force*'
        (Get-TestPoolRow -Lab $pg -Platform $platform -Name 'postgres-pool-9').Status | Should -Be 'active'
    }

    It 'changes nothing with -WhatIf' {
        Remove-DatabasePool postgres-pool-7 -ArchiveDataDirectory -WhatIf

        (Get-TestPoolRow -Lab $pg -Platform $platform -Name 'postgres-pool-7').Status | Should -Be 'error'
        (Invoke-LabDocker -ArgumentList 'service', 'ls', '--quiet', '--filter', "name=$($service.Name)").Output | Should -Not -BeNullOrEmpty
        Test-Path -LiteralPath $dataDirectory | Should -BeTrue
    }

    It 'removes the service, archives the data directory and marks the row deprovisioning' {
        $removal = Remove-DatabasePool postgres-pool-7 -ArchiveDataDirectory -PassThru -Confirm:$false

        $removal | Should -BeOfType ([OpsTools.Postgres.DatabasePoolRemoval])
        $removal.PreviousStatus | Should -Be Error
        $removal.Status | Should -Be Deprovisioning
        $removal.ServiceRemoved | Should -BeTrue
        $removal.ArchivedTo | Should -BeLike (Join-Path $storage 'archive/pool-7-*')
        Test-Path -LiteralPath $dataDirectory | Should -BeFalse
        Get-Content -LiteralPath (Join-Path $removal.ArchivedTo 'PG_VERSION') | Should -Be '15'
        (Invoke-LabDocker -ArgumentList 'service', 'ls', '--quiet', '--filter', "name=$($service.Name)").Output | Should -BeNullOrEmpty
        $row = Get-TestPoolRow -Lab $pg -Platform $platform -Name 'postgres-pool-7'
        $row.Status | Should -Be 'deprovisioning'
        $row.StoragePath | Should -Be $removal.ArchivedTo
    }

    It 'takes failed pools from Get-DatabasePool by pipeline, also when their service is already gone' {
        $removals = Get-DatabasePool -Status Error | Remove-DatabasePool -PassThru -Confirm:$false

        $removals.Name | Should -Be 'postgres-pool-8'
        $removals.ServiceRemoved | Should -BeFalse
        (Get-TestPoolRow -Lab $pg -Platform $platform -Name 'postgres-pool-8').Status | Should -Be 'deprovisioning'
    }

    It 'writes PoolNotFound for a name that matches no pool' {
        Remove-DatabasePool postgres-pool-404 -Confirm:$false -ErrorVariable missing -ErrorAction SilentlyContinue

        $missing[0].FullyQualifiedErrorId | Should -Be "PoolNotFound,$commandId"
        $missing[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}
