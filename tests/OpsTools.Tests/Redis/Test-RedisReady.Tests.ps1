#Requires -Version 7.4
# Test-RedisReady: parameter surface, then readiness answers from the lab's real redis-server.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'RedisTestSupport.psm1') -Force
    $redis = Get-RedisLabStatus -WarningAction SilentlyContinue
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'RedisTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Redis.TestRedisReadyCommand'
}

Describe 'Test-RedisReady parameters' {
    BeforeAll {
        $surface = Get-ParameterSurface -Command Test-RedisReady
    }

    It 'has exactly the parameters Server, Timeout, Quiet and Credential' {
        $surface.Keys | Sort-Object | Should -Be @('Credential', 'Quiet', 'Server', 'Timeout')
    }

    It 'takes servers at position 0, by value and by property name' {
        $surface.Server.Type | Should -Be 'System.String[]'
        $surface.Server.Position | Should -Be 0
        $surface.Server.ValueFromPipeline | Should -BeTrue
        $surface.Server.ValueFromPipelineByPropertyName | Should -BeTrue
    }

    It 'writes RedisServerInvalid (InvalidArgument) for a server text with a bad port' {
        Test-RedisReady 'cache:notaport' -ErrorVariable failed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failed[0].FullyQualifiedErrorId | Should -Be "RedisServerInvalid,$commandId"
        $failed[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $failed[0].TargetObject | Should -Be 'cache:notaport'
    }
}

Describe 'Test-RedisReady against the lab' -Skip:(-not $redis.IsAvailable) {
    BeforeAll {
        $redis = Get-RedisLabStatus
        $refused = "127.0.0.1:$(Get-FreeLoopbackPort)"
    }

    It 'says Ready with a latency for a running server, and Format-Table reads like a probe' {
        $result = Test-RedisReady $redis.Server

        $result | Should -BeOfType ([OpsTools.Redis.RedisReadiness])
        $result.Status | Should -Be Ready
        $result.LatencyMilliseconds | Should -BeGreaterThan 0
        ($result | Format-Table | Out-String) | Should -Match "$([regex]::Escape($redis.Server))\s+Ready\s+[\d.]+ ms"
    }

    It 'tells AuthFailed without a password, Ready with it, and never shows a wrong one' {
        $wrong = [pscredential]::new('default', (ConvertTo-SecureString 'opstools-rq-wrong-pass' -AsPlainText -Force))

        (Test-RedisReady $redis.AuthServer).Status | Should -Be AuthFailed
        (Test-RedisReady $redis.AuthServer -Credential $redis.Credential).Status | Should -Be Ready
        $failed = Test-RedisReady $redis.AuthServer -Credential $wrong -Verbose 4>&1
        ($failed | Where-Object { $_ -is [OpsTools.Redis.RedisReadiness] }).Status | Should -Be AuthFailed
        ($failed | Out-String) + ($failed | ConvertTo-Json -Depth 3) | Should -Not -Match 'opstools-rq-wrong-pass'
    }

    It 'probes several servers from the pipeline, a refused one as NoResponse' {
        $results = $redis.Server, $refused | Test-RedisReady -Timeout 2

        $results.Status | Should -Be @('Ready', 'NoResponse')
        $results[1].Detail | Should -Be 'connection refused'
    }

    It 'returns only booleans with -Quiet' {
        Test-RedisReady $redis.Server, $refused -Quiet | Should -Be @($true, $false)
    }
}
