#Requires -Version 7.4
# Invoke-PoolHealthCheck: parameter surface, then the platform's state machine against real pools:
# a Swarm service of the lab's PostgreSQL image (stopped and started again by scaling it) and plain
# lab servers on loopback ports.

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
    $commandId = 'OpsTools.Commands.Postgres.InvokePoolHealthCheckCommand'
}

Describe 'Invoke-PoolHealthCheck parameters' {
    BeforeAll {
        $command = Get-Command -Name Invoke-PoolHealthCheck
        $surface = Get-ParameterSurface -Command Invoke-PoolHealthCheck
    }

    It 'has exactly the parameters Name, ThrottleLimit, Timeout, NoUpdate, IncludeError, PlatformServer and PlatformCredential, plus WhatIf and Confirm' {
        $surface.Keys | Sort-Object | Should -Be @('IncludeError', 'Name', 'NoUpdate', 'PlatformCredential', 'PlatformServer', 'ThrottleLimit', 'Timeout')
        $command.Parameters.Keys | Should -Contain 'WhatIf'
        $command.Parameters.Keys | Should -Contain 'Confirm'
    }

    It 'declares -<Name> as <Type>' -ForEach @(
        @{ Name = 'Name'; Type = 'System.String[]'; Position = 0; ByValue = $true; ByPropertyName = $true; Wildcards = $true; Aliases = 'PoolName' }
        @{ Name = 'ThrottleLimit'; Type = 'System.Int32'; Position = $null; ByValue = $false; ByPropertyName = $false; Wildcards = $false; Aliases = '' }
        @{ Name = 'Timeout'; Type = 'System.Int32'; Position = $null; ByValue = $false; ByPropertyName = $false; Wildcards = $false; Aliases = '' }
        @{ Name = 'NoUpdate'; Type = 'System.Management.Automation.SwitchParameter'; Position = $null; ByValue = $false; ByPropertyName = $false; Wildcards = $false; Aliases = '' }
        @{ Name = 'IncludeError'; Type = 'System.Management.Automation.SwitchParameter'; Position = $null; ByValue = $false; ByPropertyName = $false; Wildcards = $false; Aliases = '' }
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

    It 'defaults to the platform''s 5 s timeout, 16 checks at once, and a Low impact' {
        $instance = [OpsTools.Commands.Postgres.InvokePoolHealthCheckCommand]::new()
        $instance.Timeout | Should -Be 5
        $instance.ThrottleLimit | Should -Be 16
        $attribute = $command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]
        $attribute.SupportsShouldProcess | Should -BeTrue
        $attribute.ConfirmImpact | Should -Be 'Low'
    }

    It 'refuses a timeout of 0 with ParameterArgumentValidationError' {
        { Invoke-PoolHealthCheck -Timeout 0 -PlatformServer 'localhost' } | Should -Throw -ErrorId "ParameterArgumentValidationError,$commandId"
        $error[0].CategoryInfo.Category | Should -Be 'InvalidData'
    }
}

Describe 'Invoke-PoolHealthCheck against real pools' -Skip:(-not ($pg.IsAvailable -and $lab.IsAvailable)) {
    BeforeAll {
        $pg = Get-PostgresLabStatus
        $platform = New-TestPlatformDatabase -Lab $pg
        $PSDefaultParameterValues['*:PlatformServer'] = $platform.Server
        $PSDefaultParameterValues['*:PlatformCredential'] = $pg.Credential

        # A pool that is a Swarm service of the lab's image, reached on a host-mode port.
        $swarmPort = Get-FreeLoopbackPort
        $swarmService = New-TestName
        $null = Invoke-LabDocker -ArgumentList @('service', 'create', '--detach', '--quiet', '--name', $swarmService,
            '--publish', "mode=host,target=5432,published=$swarmPort", '--env', "POSTGRES_PASSWORD=$($pg.Password)",
            '--stop-grace-period', '5s', (Get-LabSetting IMAGE_POSTGRES))
        $null = Wait-Until -TimeoutSeconds 60 -Because "the Swarm pool $swarmService accepts connections" -Condition { Test-LabServerReady -Lab $pg -Port $swarmPort }

        $stable = $pg.PoolPorts[0]
        $null = Add-TestPool -Lab $pg -Platform $platform -Name 'postgres-pool-1' -Port $stable -Health healthy
        $null = Add-TestPool -Lab $pg -Platform $platform -Name 'postgres-pool-2' -Port $swarmPort -Health healthy -ServiceName $swarmService
        $null = Add-TestPool -Lab $pg -Platform $platform -Name 'postgres-pool-3' -Port $stable -Status initializing
        $null = Add-TestPool -Lab $pg -Platform $platform -Name 'postgres-pool-4' -Port $stable -Password 'not-the-password'
        $null = Add-TestPool -Lab $pg -Platform $platform -Name 'postgres-pool-5' -Port $stable -NoPassword
        $null = Add-TestPool -Lab $pg -Platform $platform -Name 'postgres-pool-6' -Port $stable -Status maintenance
    }

    AfterAll {
        $PSDefaultParameterValues.Remove('*:PlatformServer')
        $PSDefaultParameterValues.Remove('*:PlatformCredential')
        Remove-TestSwarmService -Name $swarmService
        Remove-LoopbackDrop
        Remove-TestPlatformDatabase -Lab $pg -Platform $platform
    }

    It 'leaves every row unchanged with -WhatIf and says what it would write' {
        $before = 1..6 | ForEach-Object { Get-TestPoolRow -Lab $pg -Platform $platform -Name "postgres-pool-$_" }

        $output = Invoke-PoolHealthCheck -WhatIf 6>&1
        $results = $output | Where-Object { $_ -is [OpsTools.Postgres.PoolHealthCheckResult] }

        $after = 1..6 | ForEach-Object { Get-TestPoolRow -Lab $pg -Platform $platform -Name "postgres-pool-$_" }
        ($after | ConvertTo-Json) | Should -Be ($before | ConvertTo-Json)
        $results | Where-Object Updated | Should -BeNullOrEmpty
        ($results | Where-Object Name -EQ 'postgres-pool-3').Status | Should -Be Active
    }

    It 'checks the platform''s pools, applies its transitions and says what changed' {
        $results = Invoke-PoolHealthCheck -Timeout 3

        $results.Name | Sort-Object | Should -Be @('postgres-pool-1', 'postgres-pool-2', 'postgres-pool-3', 'postgres-pool-4', 'postgres-pool-5')
        $byName = @{}; $results | ForEach-Object { $byName[$_.Name] = $_ }

        $byName['postgres-pool-1'].Outcome | Should -Be Succeeded
        $byName['postgres-pool-1'].Changed | Should -BeFalse
        $byName['postgres-pool-2'].Outcome | Should -Be Succeeded
        $byName['postgres-pool-2'].ServerVersion | Should -Match '^15\.'

        $byName['postgres-pool-3'].PreviousStatus | Should -Be Initializing
        $byName['postgres-pool-3'].Status | Should -Be Active
        (Get-TestPoolRow -Lab $pg -Platform $platform -Name 'postgres-pool-3').Status | Should -Be 'active'

        $byName['postgres-pool-4'].Outcome | Should -Be Failed
        $byName['postgres-pool-4'].Error | Should -Be 'password authentication failed for user "postgres"'
        $byName['postgres-pool-4'].ErrorCode | Should -Be '28P01'
        $byName['postgres-pool-4'].HealthStatus | Should -Be Degraded

        $byName['postgres-pool-5'].Outcome | Should -Be Skipped
        $byName['postgres-pool-5'].SkipReason | Should -BeLike 'no admin credentials*'
        (Get-TestPoolRow -Lab $pg -Platform $platform -Name 'postgres-pool-5').LastCheck | Should -BeNullOrEmpty
    }

    It 'skips a named pool whose status is not checked, and names the reason' {
        $result = Invoke-PoolHealthCheck postgres-pool-6

        $result.Outcome | Should -Be Skipped
        $result.SkipReason | Should -Be 'status maintenance is not checked'
    }

    It 'takes degraded pools from Get-DatabasePool by pipeline' {
        $results = Get-DatabasePool | Where-Object HealthStatus -ne healthy | Invoke-PoolHealthCheck

        $results.Name | Sort-Object | Should -Be 'postgres-pool-4', 'postgres-pool-5', 'postgres-pool-6'
        ($results | Where-Object Name -EQ 'postgres-pool-4').Outcome | Should -Be Failed
        ($results | Where-Object Name -EQ 'postgres-pool-6').SkipReason | Should -Be 'status maintenance is not checked'
    }

    It 'reports with -NoUpdate without writing' {
        $before = Get-TestPoolRow -Lab $pg -Platform $platform -Name 'postgres-pool-4'

        $result = Invoke-PoolHealthCheck postgres-pool-4 -NoUpdate

        $result.Failures | Should -Be ($before.Failures + 1)
        $result.Updated | Should -BeFalse
        (Get-TestPoolRow -Lab $pg -Platform $platform -Name 'postgres-pool-4') | ConvertTo-Json | Should -Be ($before | ConvertTo-Json)
    }

    It 'takes a stopped pool from healthy to degraded, degraded, then unhealthy and error over three runs, and recovers it with -IncludeError' {
        $null = Invoke-LabDocker -ArgumentList 'service', 'update', '--detach', '--quiet', '--replicas', '0', $swarmService
        $null = Wait-Until -TimeoutSeconds 60 -Because 'the Swarm pool stops answering' -Condition { -not (Test-LabServerReady -Lab $pg -Port $swarmPort) }

        $runs = 1..3 | ForEach-Object { Invoke-PoolHealthCheck postgres-pool-2 -Timeout 2 }

        $runs | ForEach-Object { "$($_.HealthStatus)/$($_.Status)/$($_.Failures)" } | Should -Be @('Degraded/Active/1', 'Degraded/Active/2', 'Unhealthy/Error/3')
        $runs[0].PreviousHealthStatus | Should -Be Healthy
        $runs | ForEach-Object { $_.Outcome | Should -Be Failed }
        (Get-TestPoolRow -Lab $pg -Platform $platform -Name 'postgres-pool-2').Status | Should -Be 'error'
        (Invoke-PoolHealthCheck).Name | Should -Not -Contain 'postgres-pool-2'

        $null = Invoke-LabDocker -ArgumentList 'service', 'update', '--detach', '--quiet', '--replicas', '1', $swarmService
        $null = Wait-Until -TimeoutSeconds 60 -Because 'the Swarm pool answers again' -Condition { Test-LabServerReady -Lab $pg -Port $swarmPort }

        $recovered = Invoke-PoolHealthCheck -IncludeError | Where-Object Name -EQ 'postgres-pool-2'

        $recovered.PreviousStatus | Should -Be Error
        $recovered.Status | Should -Be Active
        $recovered.HealthStatus | Should -Be Healthy
        $recovered.Failures | Should -Be 0
        $recovered.Changed | Should -BeTrue
        (Get-TestPoolRow -Lab $pg -Platform $platform -Name 'postgres-pool-2').Status | Should -Be 'active'
    }

    It 'spends about one timeout on pools whose packets are dropped, however many there are' {
        $silent = 1..3 | ForEach-Object {
            $name = "postgres-pool-silent-$_"
            $null = Add-TestPool -Lab $pg -Platform $platform -Name $name -Port (Add-LoopbackDrop)
            $name
        }

        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $results = Invoke-PoolHealthCheck (@($silent) + 'postgres-pool-1') -Timeout 2
        $watch.Stop()

        ($results | Where-Object ErrorCode -EQ 'PostgresTimeout').Name | Sort-Object | Should -Be $silent
        ($results | Where-Object Name -EQ 'postgres-pool-1').Outcome | Should -Be Succeeded
        # One after another the three would need at least 6 s.
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 4
    }

    It 'never writes a pool password to output, verbose, warnings or errors' {
        $all = Invoke-PoolHealthCheck -IncludeError -Timeout 1 -Verbose *>&1 | Out-String

        $all | Should -Match 'pool\(s\) checked in'
        $all | Should -Not -Match ([regex]::Escape($pg.Password))
    }

    It 'renders the outcome table with previous and new states' {
        $table = Invoke-PoolHealthCheck postgres-pool-1, postgres-pool-4 -IncludeError -NoUpdate | Format-Table | Out-String -Width 250

        $table | Should -Match 'NAME\s+OUTCOME\s+HEALTH\s+STATUS\s+FAILURES\s+LATENCY\s+UPDATED'
        $table | Should -Match 'postgres-pool-1\s+Succeeded\s+healthy\s+active\s+0\s+\d+ ms\s+False'
        $table | Should -Match 'postgres-pool-4\s+Failed\s+unhealthy\s+error\s+\d+'
    }

    It 'writes PoolNotFound for a name that matches no pool' {
        $null = Invoke-PoolHealthCheck postgres-pool-404 -ErrorVariable missing -ErrorAction SilentlyContinue

        $missing[0].FullyQualifiedErrorId | Should -Be "PoolNotFound,$commandId"
        $missing[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}
