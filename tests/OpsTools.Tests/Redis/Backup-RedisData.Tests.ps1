#Requires -Version 7.4
# Backup-RedisData: parameter surface, bad input, -WhatIf, then the proof: while a writer keeps
# writing, a fresh redis-server started on the backup files holds every key acknowledged before
# the snapshot was requested.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'RedisTestSupport.psm1') -Force
    $redis = Get-RedisLabStatus -WarningAction SilentlyContinue
    $docker = Get-LabStatus -WarningAction SilentlyContinue
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'RedisTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Redis.BackupRedisDataCommand'
    $root = Join-Path ([System.IO.Path]::GetTempPath()) ('opstools-rq-backup-' + [guid]::NewGuid().ToString('n').Substring(0, 8))
    $null = New-Item -ItemType Directory -Path $root
}

AfterAll {
    Stop-TestRedisServers
    Remove-Item -LiteralPath $root -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Backup-RedisData parameters' {
    BeforeAll {
        $command = Get-Command Backup-RedisData
        $surface = Get-ParameterSurface -Command Backup-RedisData
    }

    It 'has the parameters Server, Credential, Destination, Method, Container, DataDirectory, Timeout and DockerHost' {
        $surface.Keys | Sort-Object | Should -Be @('Container', 'Credential', 'DataDirectory', 'Destination', 'DockerHost', 'Method', 'Server', 'Timeout')
    }

    It 'supports -WhatIf, takes Server at 0 and Destination at 1, and offers Auto, Rdb and Aof' {
        $command.Parameters.ContainsKey('WhatIf') | Should -BeTrue
        $surface.Server.Position | Should -Be 0
        $surface.Destination.Position | Should -Be 1
        [enum]::GetNames([OpsTools.Redis.RedisBackupMethod]) | Should -Be @('Auto', 'Rdb', 'Aof')
    }

    It 'writes RedisServerInvalid (InvalidArgument) for a server text that is no server' {
        Backup-RedisData 'redis:port' -Destination $root -Confirm:$false -ErrorVariable failed -ErrorAction SilentlyContinue

        $failed[0].FullyQualifiedErrorId | Should -Be "RedisServerInvalid,$commandId"
        $failed[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
    }
}

Describe 'Backup-RedisData against the lab' -Skip:(-not $redis.IsAvailable) {
    BeforeAll {
        $redis = Get-RedisLabStatus
        $saves = {
            param([string] $Field)
            [long]((Invoke-RedisCli -Server $redis.Server -ArgumentList 'info', 'persistence' | Where-Object { $_ -like "${Field}:*" }) -replace '^[^:]+:')
        }
    }

    It 'changes nothing with -WhatIf: no snapshot, no directory' {
        $before = & $saves 'aof_rewrites'

        Backup-RedisData $redis.Server -Destination $root -WhatIf

        & $saves 'aof_rewrites' | Should -Be $before
        @(Get-ChildItem -LiteralPath $root -Force).Count | Should -Be 0
    }

    It 'keeps every key acknowledged before the AOF rewrite was requested, while a writer keeps writing' {
        $prefix = 'opstools-rq-proof-aof-' + [guid]::NewGuid().ToString('n').Substring(0, 6) + ':'
        $writer = Start-AckedWriter -Server $redis.Server -Prefix $prefix -Database 5
        try {
            $null = Wait-Until { $writer.State.Acked.Count -ge 100 } -Because 'the writer has 100 acknowledged keys' -TimeoutSeconds 20 -IntervalMilliseconds 50
            $backup = Backup-RedisData $redis.Server -Destination $root -Confirm:$false
            $null = Wait-Until { $writer.State.Acked.Count -gt 0 } -Because 'the writer still writes' -TimeoutSeconds 5
        }
        finally {
            $writer.State.Stop.Set()
            $writer.Job | Wait-Job -Timeout 10 | Remove-Job -Force
        }

        $backup.Method | Should -Be Aof
        $backup.Files.Name | Should -Contain 'appendonlydir/appendonly.aof.manifest'
        Test-Path -LiteralPath $backup.ManifestPath | Should -BeTrue
        $manifest = Get-Content -LiteralPath $backup.ManifestPath -Raw | ConvertFrom-Json
        foreach ($file in $manifest.files) {
            (Get-FileHash -LiteralPath (Join-Path $backup.Path $file.name) -Algorithm SHA256).Hash.ToLowerInvariant() | Should -Be $file.sha256
        }

        $acked = @($writer.State.Acked.ToArray())
        $before = @($acked | Where-Object { $_.AckedAt -lt $backup.SnapshotRequestedAt } | ForEach-Object Key)
        $before.Count | Should -BeGreaterOrEqual 100
        $copy = Join-Path $root 'restore-aof'
        Copy-Item -LiteralPath $backup.Path -Destination $copy -Recurse
        $restored = Start-TestRedisServer -DataDirectory $copy -Method Aof -ServerBin $redis.ServerBin
        $present = [System.Collections.Generic.HashSet[string]]::new([string[]](Invoke-RedisCli -Server $restored.Server -Database 5 -ArgumentList '--scan', '--pattern', "$prefix*"))
        @($before | Where-Object { -not $present.Contains($_) }) | Should -BeNullOrEmpty
        $null = Invoke-RedisCli -Server $redis.Server -Database 5 -ArgumentList 'eval', "for _, k in ipairs(redis.call('keys', ARGV[1])) do redis.call('del', k) end return 0", '0', "$prefix*"
    }

    It 'with -Method Rdb writes dump.rdb that a fresh server loads with every key acknowledged before BGSAVE' {
        $prefix = 'opstools-rq-proof-rdb-' + [guid]::NewGuid().ToString('n').Substring(0, 6) + ':'
        $writer = Start-AckedWriter -Server $redis.Server -Prefix $prefix -Database 5
        try {
            $null = Wait-Until { $writer.State.Acked.Count -ge 100 } -Because 'the writer has 100 acknowledged keys' -TimeoutSeconds 20 -IntervalMilliseconds 50
            $backup = Backup-RedisData $redis.Server $root -Method Rdb -Confirm:$false
        }
        finally {
            $writer.State.Stop.Set()
            $writer.Job | Wait-Job -Timeout 10 | Remove-Job -Force
        }

        $backup.Files.Name | Should -Be @('dump.rdb')
        ($backup | Format-Table | Out-String) | Should -Match 'Rdb\s+1'
        $before = @($writer.State.Acked.ToArray() | Where-Object { $_.AckedAt -lt $backup.SnapshotRequestedAt } | ForEach-Object Key)
        $copy = Join-Path $root 'restore-rdb'
        Copy-Item -LiteralPath $backup.Path -Destination $copy -Recurse
        $restored = Start-TestRedisServer -DataDirectory $copy -Method Rdb -ServerBin $redis.ServerBin
        $present = [System.Collections.Generic.HashSet[string]]::new([string[]](Invoke-RedisCli -Server $restored.Server -Database 5 -ArgumentList '--scan', '--pattern', "$prefix*"))
        $before.Count | Should -BeGreaterOrEqual 100
        @($before | Where-Object { -not $present.Contains($_) }) | Should -BeNullOrEmpty
        $null = Invoke-RedisCli -Server $redis.Server -Database 5 -ArgumentList 'eval', "for _, k in ipairs(redis.call('keys', ARGV[1])) do redis.call('del', k) end return 0", '0', "$prefix*"
    }

    It 'writes RedisAofDisabled (InvalidOperation) for -Method Aof on a server without AOF' {
        Backup-RedisData $redis.AuthServer $root -Credential $redis.Credential -Method Aof -Confirm:$false -ErrorVariable failed -ErrorAction SilentlyContinue

        $failed[0].FullyQualifiedErrorId | Should -Be "RedisAofDisabled,$commandId"
        $failed[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
    }

    It 'writes RedisAuthenticationFailed for a wrong password and RedisBackupDestinationNotFound for a missing directory' {
        $wrong = [pscredential]::new('default', (ConvertTo-SecureString 'opstools-rq-nope' -AsPlainText -Force))

        Backup-RedisData $redis.AuthServer $root -Credential $wrong -Confirm:$false -ErrorVariable authFailed -ErrorAction SilentlyContinue
        Backup-RedisData $redis.Server (Join-Path $root 'missing') -Confirm:$false -ErrorVariable notFound -ErrorAction SilentlyContinue

        $authFailed[0].FullyQualifiedErrorId | Should -Be "RedisAuthenticationFailed,$commandId"
        $authFailed[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
        ($authFailed[0] | Out-String) | Should -Not -Match 'opstools-rq-nope'
        $notFound[0].FullyQualifiedErrorId | Should -Be "RedisBackupDestinationNotFound,$commandId"
        $notFound[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'writes RedisUnreachable (ConnectionError) for a refused port' {
        Backup-RedisData "127.0.0.1:$(Get-FreeLoopbackPort)" $root -Timeout 2 -Confirm:$false -ErrorVariable failed -ErrorAction SilentlyContinue

        $failed[0].FullyQualifiedErrorId | Should -Be "RedisUnreachable,$commandId"
        $failed[0].CategoryInfo.Category | Should -Be 'ConnectionError'
    }
}

Describe 'Backup-RedisData -Container' -Skip:(-not ($redis.IsAvailable -and $docker.IsAvailable)) {
    BeforeAll {
        $redis = Get-RedisLabStatus
        $container = 'opstools-rq-backup-' + [guid]::NewGuid().ToString('n').Substring(0, 6)
        $port = Get-FreeLoopbackPort
        $null = Invoke-LabDocker -ArgumentList 'run', '--detach', '--name', $container, '--publish', "127.0.0.1:${port}:6379", (Get-LabSetting IMAGE_REDIS), 'redis-server', '--appendonly', 'yes'
        $server = "127.0.0.1:$port"
        $null = Wait-Until { (Invoke-RedisCli -Server $server -ArgumentList 'ping') -eq 'PONG' } -Because "redis in $container answers" -TimeoutSeconds 30 -IntervalMilliseconds 100
        foreach ($i in 1..20) { $null = Invoke-RedisCli -Server $server -ArgumentList 'set', "opstools-rq-ct:$i", "$i" }
    }

    AfterAll {
        $null = Invoke-LabDocker -ArgumentList 'rm', '--force', $container -AllowFailure
    }

    It 'copies the AOF files the manifest names out of the container, and a fresh server loads every key' {
        $backup = Backup-RedisData $server $root -Container $container -DockerHost (Get-LabSetting DOCKER_HOST) -Confirm:$false

        $backup.Method | Should -Be Aof
        $backup.Source | Should -Be "${container}:/data"
        $backup.Files.Name | Should -Contain 'appendonlydir/appendonly.aof.manifest'
        ($backup.Files.Name -match '\.base\.rdb$').Count | Should -Be 1
        $copy = Join-Path $root 'restore-container'
        Copy-Item -LiteralPath $backup.Path -Destination $copy -Recurse
        $restored = Start-TestRedisServer -DataDirectory $copy -Method Aof -ServerBin $redis.ServerBin
        Invoke-RedisCli -Server $restored.Server -ArgumentList 'dbsize' | Should -Be '20'
    }

    It 'copies dump.rdb out of the container with -Method Rdb' {
        $backup = Backup-RedisData $server $root -Container $container -DockerHost (Get-LabSetting DOCKER_HOST) -Method Rdb -Confirm:$false

        $backup.Files.Name | Should -Be @('dump.rdb')
        $backup.Files[0].Length | Should -BeGreaterThan 0
    }
}
