#Requires -Version 7.4
# Invoke-PoolCleanup: parameter surface, then the daily cleanup of failed pools, never-checked ones
# included, writing a status the schema allows.

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
    $commandId = 'OpsTools.Commands.Postgres.InvokePoolCleanupCommand'
}

Describe 'Invoke-PoolCleanup parameters' {
    BeforeAll {
        $command = Get-Command -Name Invoke-PoolCleanup
        $surface = Get-ParameterSurface -Command Invoke-PoolCleanup
    }

    It 'has exactly the parameters OlderThan, ArchiveDataDirectory, DockerHost, PlatformServer and PlatformCredential, plus WhatIf and Confirm' {
        $surface.Keys | Sort-Object | Should -Be @('ArchiveDataDirectory', 'DockerHost', 'OlderThan', 'PlatformCredential', 'PlatformServer')
        $command.Parameters.Keys | Should -Contain 'WhatIf'
    }

    It 'takes -OlderThan as a TimeSpan, 24 hours by default, and has a High impact' {
        $surface.OlderThan.Type | Should -Be 'System.TimeSpan'
        [OpsTools.Commands.Postgres.InvokePoolCleanupCommand]::new().OlderThan | Should -Be ([timespan]::FromHours(24))
        $command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact | Should -Be 'High'
    }

    It 'refuses a negative age with ParameterArgumentTransformationError' {
        { Invoke-PoolCleanup -OlderThan ([timespan]::FromHours(-1)) -PlatformServer localhost -Confirm:$false } | Should -Throw -ErrorId "ParameterArgumentTransformationError,$commandId"
        $error[0].CategoryInfo.Category | Should -Be 'InvalidData'
    }

    It 'reads 1d typed bare as a day, and a number as seconds' {
        (Get-Command Invoke-PoolCleanup).Parameters.OlderThan.Attributes | Where-Object { $_ -is [OpsTools.Infrastructure.DurationTransformationAttribute] } | Should -Not -BeNullOrEmpty
        $attribute = [OpsTools.Infrastructure.DurationTransformationAttribute]::new()
        $attribute.Transform($null, 1d) | Should -Be ([timespan]::FromDays(1))
        $attribute.Transform($null, 90) | Should -Be ([timespan]::FromSeconds(90))
        $attribute.Transform($null, '1d12h') | Should -Be ([timespan]::FromHours(36))
    }
}

Describe 'Invoke-PoolCleanup against the lab' -Skip:(-not ($pg.IsAvailable -and $lab.IsAvailable)) {
    BeforeAll {
        $pg = Get-PostgresLabStatus
        $platform = New-TestPlatformDatabase -Lab $pg
        $PSDefaultParameterValues['*:PlatformServer'] = $platform.Server
        $PSDefaultParameterValues['*:PlatformCredential'] = $pg.Credential
        $null = Add-TestPool -Lab $pg -Platform $platform -Name 'postgres-pool-1' -Port 5432 -Status error -Health unhealthy
        $null = Add-TestPool -Lab $pg -Platform $platform -Name 'postgres-pool-2' -Port 5432 -Status error -Health unhealthy -LastCheck "now() - interval '2 days'"
        $null = Add-TestPool -Lab $pg -Platform $platform -Name 'postgres-pool-3' -Port 5432 -Status error -Health unhealthy -LastCheck "now() - interval '1 hour'"
        $busy = Add-TestPool -Lab $pg -Platform $platform -Name 'postgres-pool-4' -Port 5432 -Status error -Health unhealthy -LastCheck "now() - interval '3 days'"
        $null = Add-TestPool -Lab $pg -Platform $platform -Name 'postgres-pool-5' -Port $pg.PoolPorts[0] -LastCheck "now() - interval '3 days'"
        $null = Invoke-LabPsql -Port $pg.Port -Database $platform.Name -Sql "INSERT INTO instances (customer_id, name, status, db_server_id) VALUES (gen_random_uuid(), 'busy', 'running', '$busy')"
        $statuses = { (Invoke-LabPsql -Port $pg.Port -Database $platform.Name -Sql "SELECT name || '=' || status FROM db_servers ORDER BY name").Output }
    }

    AfterAll {
        $PSDefaultParameterValues.Remove('*:PlatformServer')
        $PSDefaultParameterValues.Remove('*:PlatformCredential')
        Remove-TestPlatformDatabase -Lab $pg -Platform $platform
    }

    It 'changes nothing with -WhatIf' {
        $before = & $statuses

        Invoke-PoolCleanup -WhatIf

        & $statuses | Should -Be $before
    }

    It 'removes the failed pools without instances checked over 24 hours ago or never, and leaves the rest' {
        $removals = Invoke-PoolCleanup -Confirm:$false

        $removals.Name | Should -Be @('postgres-pool-1', 'postgres-pool-2')
        $removals | ForEach-Object { $_.Status | Should -Be Deprovisioning }
        & $statuses | Should -Be @('postgres-pool-1=deprovisioning', 'postgres-pool-2=deprovisioning', 'postgres-pool-3=error', 'postgres-pool-4=error', 'postgres-pool-5=active')
    }

    It 'takes a shorter age with -OlderThan' {
        (Invoke-PoolCleanup -OlderThan 30m -Confirm:$false).Name | Should -Be 'postgres-pool-3'
    }

    It 'renders what it removed' {
        $null = Invoke-LabPsql -Port $pg.Port -Database $platform.Name -Sql "UPDATE db_servers SET status = 'error' WHERE name = 'postgres-pool-1'"

        $table = Invoke-PoolCleanup -Confirm:$false | Format-Table | Out-String -Width 250

        $table | Should -Match 'NAME\s+WAS\s+STATUS\s+SERVICE REMOVED\s+ARCHIVED TO'
        $table | Should -Match 'postgres-pool-1\s+error\s+deprovisioning\s+False'
    }
}
