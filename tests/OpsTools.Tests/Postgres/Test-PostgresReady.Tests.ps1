#Requires -Version 7.4
# Test-PostgresReady: parameter surface, then pg_isready's answers from real servers.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'PostgresTestSupport.psm1') -Force
    $pg = Get-PostgresLabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'PostgresTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Postgres.TestPostgresReadyCommand'
}

Describe 'Test-PostgresReady parameters' {
    BeforeAll {
        $command = Get-Command -Name Test-PostgresReady
        $surface = Get-ParameterSurface -Command Test-PostgresReady
    }

    It 'has exactly the parameters Server, Timeout, Quiet and Credential' {
        $surface.Keys | Sort-Object | Should -Be @('Credential', 'Quiet', 'Server', 'Timeout')
    }

    It 'takes servers at position 0, by value and by property name' {
        $surface.Server.Type | Should -Be 'System.String[]'
        $surface.Server.Position | Should -Be 0
        $surface.Server.ValueFromPipeline | Should -BeTrue
        $surface.Server.ValueFromPipelineByPropertyName | Should -BeTrue
        $surface.Credential.Type | Should -Be 'System.Management.Automation.PSCredential'
    }

    It 'returns readiness objects by default and booleans with -Quiet' {
        $command.DefaultParameterSet | Should -Be 'Default'
        ($command.OutputType | Where-Object { $_.Name -eq 'OpsTools.Postgres.PostgresReadiness' }) | Should -Not -BeNullOrEmpty
        ($command.OutputType | Where-Object { $_.Name -eq 'System.Boolean' }) | Should -Not -BeNullOrEmpty
    }

    It 'refuses a timeout of 0 with ParameterArgumentValidationError' {
        { Test-PostgresReady localhost -Timeout 0 } | Should -Throw -ErrorId "ParameterArgumentValidationError,$commandId"
        $error[0].CategoryInfo.Category | Should -Be 'InvalidData'
    }

    It 'reports a server text it cannot read as NoAttempt, exit code 3' {
        $result = Test-PostgresReady 'db1:notaport'

        $result.Status | Should -Be NoAttempt
        $result.ExitCode | Should -Be 3
        $result.Message | Should -Be 'no attempt'
    }
}

Describe 'Test-PostgresReady against the lab' -Skip:(-not $pg.IsAvailable) {
    BeforeAll {
        $pg = Get-PostgresLabStatus
        $refused = Get-FreeLoopbackPort
        $dropped = Add-LoopbackDrop
    }

    AfterAll {
        Remove-LoopbackDrop
    }

    It 'says accepting connections for a running server, without needing a password' {
        $result = Test-PostgresReady "$($pg.Host):$($pg.PoolPorts[0])"

        $result | Should -BeOfType ([OpsTools.Postgres.PostgresReadiness])
        $result.Status | Should -Be Accepting
        $result.ExitCode | Should -Be 0
        $result.Server | Should -Be "$($pg.Host):$($pg.PoolPorts[0])"
        $result.LatencyMilliseconds | Should -BeGreaterThan 0
        $result.ToString() | Should -Be "$($pg.Host):$($pg.PoolPorts[0]) - accepting connections"
    }

    It 'reads the server version when it may log in' {
        (Test-PostgresReady "$($pg.Host):$($pg.Port)" -Credential $pg.Credential).ServerVersion | Should -Match '^15\.\d+$'
    }

    It 'probes several servers at once, so silent ones cost one timeout together' {
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $results = Test-PostgresReady "$($pg.Host):$($pg.PoolPorts[0])", "$($pg.Host):$refused", "$($pg.Host):$dropped", "$($pg.Host):$dropped" -Timeout 1
        $watch.Stop()

        $results.Status | Should -Be @('Accepting', 'NoResponse', 'NoResponse', 'NoResponse')
        $results[1].Detail | Should -BeLike '*connection refused*'
        $results[2].Detail | Should -BeLike '*did not answer within 1 s*'
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 1.9
    }

    It 'answers $true or $false with -Quiet, one per server from the pipeline' {
        "$($pg.Host):$($pg.PoolPorts[0])", "$($pg.Host):$refused" | Test-PostgresReady -Quiet | Should -Be @($true, $false)
    }

    It 'takes the server from PGHOST and PGPORT when none is given' {
        $saved = $env:PGHOST, $env:PGPORT
        $env:PGHOST, $env:PGPORT = $pg.Host, "$($pg.PoolPorts[0])"
        try {
            (Test-PostgresReady).Server | Should -Be "$($pg.Host):$($pg.PoolPorts[0])"
        }
        finally {
            $env:PGHOST, $env:PGPORT = $saved
        }
    }

    It 'renders like pg_isready, and never shows the password' {
        $all = Test-PostgresReady "$($pg.Host):$($pg.Port)" -Credential $pg.Credential -Verbose *>&1 | Out-String
        $table = Test-PostgresReady "$($pg.Host):$refused" | Format-Table | Out-String -Width 250

        $all | Should -Match "$([regex]::Escape("$($pg.Host):$($pg.Port)")) - accepting connections"
        $all | Should -Not -Match ([regex]::Escape($pg.Password))
        $table | Should -Match 'SERVER\s+STATUS\s+LATENCY\s+VERSION\s+MESSAGE'
        $table | Should -Match 'NoResponse\s+no response'
    }
}
