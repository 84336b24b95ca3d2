#Requires -Version 7.4
# Get-RedisInfo: parameter surface, then INFO from the lab's real redis-server, witnessed by redis-cli.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'RedisTestSupport.psm1') -Force
    $redis = Get-RedisLabStatus -WarningAction SilentlyContinue
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'RedisTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Redis.GetRedisInfoCommand'
}

Describe 'Get-RedisInfo parameters' {
    It 'has exactly the parameters Server, Database, Timeout and Credential' {
        (Get-ParameterSurface -Command Get-RedisInfo).Keys | Sort-Object | Should -Be @('Credential', 'Database', 'Server', 'Timeout')
    }

    It 'declares RedisInfo as its output type' {
        (Get-Command Get-RedisInfo).OutputType.Name | Should -Contain 'OpsTools.Redis.RedisInfo'
    }
}

Describe 'Get-RedisInfo against the lab' -Skip:(-not $redis.IsAvailable) {
    BeforeAll {
        $redis = Get-RedisLabStatus
        $key = 'opstools-rq-info-' + [guid]::NewGuid().ToString('n')
        $null = Invoke-RedisCli -Server $redis.Server -Database 6 -ArgumentList 'set', $key, 'x'
    }

    AfterAll {
        $null = Invoke-RedisCli -Server $redis.Server -Database 6 -ArgumentList 'del', $key
    }

    It 'reports role, version, memory, AOF and the keys of a database as redis-cli sees them' {
        $info = Get-RedisInfo $redis.Server -Database 6

        $info | Should -BeOfType ([OpsTools.Redis.RedisInfo])
        $info.Role | Should -Be master
        $info.Version | Should -Be ((Invoke-RedisCli -Server $redis.Server -ArgumentList 'info', 'server' | Where-Object { $_ -like 'redis_version:*' }) -replace '^redis_version:')
        $info.AofEnabled | Should -BeTrue
        $info.MaxMemoryBytes | Should -Be 268435456
        $info.UsedMemoryBytes | Should -BeOfType ([long])
        $info.Keyspace.Database | Should -Be @(6)
        $info.Keys | Should -Be ([long](Invoke-RedisCli -Server $redis.Server -Database 6 -ArgumentList 'dbsize'))
    }

    It 'reads a password server with -Credential and exports meaningful CSV columns' {
        $info = Get-RedisInfo $redis.AuthServer -Credential $redis.Credential

        $info.AofEnabled | Should -BeFalse
        $csv = $info | ConvertTo-Csv | ConvertFrom-Csv
        $csv.Server | Should -Be $redis.AuthServer
        $csv.RdbLastSaveStatus | Should -Be ok
    }

    It 'writes RedisAuthenticationFailed (AuthenticationError) for a wrong password, without the password' {
        $wrong = [pscredential]::new('default', (ConvertTo-SecureString 'opstools-rq-not-it' -AsPlainText -Force))

        Get-RedisInfo $redis.AuthServer -Credential $wrong -ErrorVariable failed -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

        $failed[0].FullyQualifiedErrorId | Should -Be "RedisAuthenticationFailed,$commandId"
        $failed[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
        $failed[0].TargetObject | Should -Be $redis.AuthServer
        ($failed[0] | Out-String) + $failed[0].ErrorDetails.Message + $failed[0].Exception.ToString() | Should -Not -Match 'opstools-rq-not-it'
    }

    It 'writes RedisUnreachable (ConnectionError) for a refused port and still reads the other servers' {
        $refused = "127.0.0.1:$(Get-FreeLoopbackPort)"

        $results = Get-RedisInfo $refused, $redis.Server -ErrorVariable failed -ErrorAction SilentlyContinue

        @($results).Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -Be "RedisUnreachable,$commandId"
        $failed[0].CategoryInfo.Category | Should -Be 'ConnectionError'
        $failed[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
    }
}
