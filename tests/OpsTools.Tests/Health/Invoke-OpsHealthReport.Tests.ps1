#Requires -Version 7.4
# Invoke-OpsHealthReport: parameters and configuration checking; then, on the real lab, a report
# scoped to this run's own objects (a Swarm service, the lab node, a private platform database with a
# pool on a lab server, a CephFS directory with a quota, a backup directory) is empty while they are
# healthy, and names exactly the one thing broken per layer once each layer is broken for real.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../Postgres/PostgresTestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../Ceph/CephTestSupport.psm1') -Force
    $lab = Get-LabStatus
    $pg = Get-PostgresLabStatus
    $ceph = Get-CephLabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../Postgres/PostgresTestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../Ceph/CephTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Health.InvokeOpsHealthReportCommand'
}

Describe 'Invoke-OpsHealthReport parameters and configuration' {
    BeforeAll {
        $surface = Get-ParameterSurface -Command Invoke-OpsHealthReport
        $work = Join-Path ([System.IO.Path]::GetTempPath()) ('opshr-' + [guid]::NewGuid().ToString('n').Substring(0, 8))
        $null = New-Item -ItemType Directory -Path $work
    }

    AfterAll {
        Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'has exactly ConfigPath, Configuration, Layer, MinimumSeverity, AsHtml and PlatformCredential, and returns findings' {
        $surface.Keys | Sort-Object | Should -Be @('AsHtml', 'ConfigPath', 'Configuration', 'Layer', 'MinimumSeverity', 'PlatformCredential')
        $surface['ConfigPath'].Position | Should -Be 0
        $surface['ConfigPath'].Aliases | Should -Be @('Config', 'Path')
        $surface['Layer'].Type | Should -Be 'OpsTools.Health.OpsHealthLayer[]'
        (Get-Command Invoke-OpsHealthReport).OutputType.Name | Should -Be 'OpsTools.Health.OpsHealthFinding'
    }

    It 'stops with <Id> (<Category>) for <Case>, naming <Target>' -ForEach @(
        @{ Case = 'a misspelt key'; Id = 'OpsHealthConfigurationInvalid'; Category = 'InvalidData'; Target = 'Swarm.FailedTaskWindw'; Config = @{ Swarm = @{ FailedTaskWindw = '1h' } } }
        @{ Case = 'a duration that is none'; Id = 'OpsHealthConfigurationInvalid'; Category = 'InvalidData'; Target = 'Swarm.FailedTaskWindow'; Config = @{ Swarm = @{ FailedTaskWindow = 'soon' } } }
        @{ Case = 'a section that is not a hashtable'; Id = 'OpsHealthConfigurationInvalid'; Category = 'InvalidData'; Target = 'Nodes'; Config = @{ Nodes = $true } }
        @{ Case = 'thresholds the wrong way round'; Id = 'OpsHealthConfigurationInvalid'; Category = 'InvalidData'; Target = 'Ceph.QuotaCriticalPercent'; Config = @{ Ceph = @{ QuotaWarningPercent = 90; QuotaCriticalPercent = 80 } } }
        @{ Case = 'pools without a platform server'; Id = 'OpsHealthConfigurationInvalid'; Category = 'InvalidData'; Target = 'Pools.PlatformServer'; Config = @{ Pools = @{} } }
        @{ Case = 'backups without paths'; Id = 'OpsHealthConfigurationInvalid'; Category = 'InvalidData'; Target = 'Backups.Paths'; Config = @{ Backups = @{ MaxAge = '1d' } } }
        @{ Case = 'no layer at all'; Id = 'OpsHealthReportNothingToCheck'; Category = 'InvalidArgument'; Target = '-Configuration'; Config = @{ DockerHost = 'unix:///var/run/docker.sock' } }
    ) {
        $problem = { Invoke-OpsHealthReport -Configuration $Config } | Should -Throw -PassThru

        $problem.FullyQualifiedErrorId | Should -Be "$Id,$commandId"
        $problem.CategoryInfo.Category | Should -Be $Category
        $problem.TargetObject | Should -Be $Target
        $problem.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
    }

    It 'parses the data file without running it' {
        $marker = Join-Path $work 'was-run'
        $file = Join-Path $work 'evil.psd1'
        Set-Content -LiteralPath $file -Value "@{ Swarm = @{ Services = `$(New-Item -ItemType File -Path '$marker') } }"

        $problem = { Invoke-OpsHealthReport $file } | Should -Throw -PassThru

        $problem.FullyQualifiedErrorId | Should -Be "OpsHealthConfigurationInvalid,$commandId"
        Test-Path -LiteralPath $marker | Should -BeFalse
    }

    It 'names the line of a syntax error, and a missing file as ObjectNotFound' {
        $file = Join-Path $work 'broken.psd1'
        Set-Content -LiteralPath $file -Value "@{`n  Swarm = @{ Services = 'a' `n"
        $syntax = { Invoke-OpsHealthReport $file } | Should -Throw -PassThru
        $syntax.Exception.Message | Should -Match 'line \d+'

        $missing = { Invoke-OpsHealthReport (Join-Path $work 'none.psd1') } | Should -Throw -PassThru
        $missing.FullyQualifiedErrorId | Should -Be "OpsHealthConfigurationNotFound,$commandId"
        $missing.CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'turns an unreachable Docker endpoint into one critical finding, not an error' {
        $port = Get-FreeLoopbackPort
        $findings = @(Invoke-OpsHealthReport -Configuration @{ Swarm = @{ DockerHost = "tcp://127.0.0.1:$port" }; Nodes = @{ DockerHost = "tcp://127.0.0.1:$port" } } -ErrorVariable problems)

        $problems | Should -BeNullOrEmpty
        $findings.Check | Sort-Object | Should -Be @('NodeUnreachable', 'SwarmUnreachable')
        $findings.Severity | Sort-Object -Unique | Should -Be 'Critical'
        $findings[0].Message | Should -Match "127\.0\.0\.1:$port"
    }
}

Describe 'Invoke-OpsHealthReport against the lab' -Skip:(-not ($lab.IsAvailable -and $pg.IsAvailable -and $ceph.IsAvailable)) {
    BeforeAll {
        $pg = Get-PostgresLabStatus
        $savedDockerHost = $env:DOCKER_HOST
        $env:DOCKER_HOST = Get-LabSetting DOCKER_HOST
        $run = New-TestName
        $nodeId = (Invoke-LabDocker -ArgumentList 'node', 'inspect', '--format', '{{.ID}}', 'self').StandardOutput.Trim()
        $hostname = (Invoke-LabDocker -ArgumentList 'node', 'inspect', '--format', '{{.Description.Hostname}}', 'self').StandardOutput.Trim()

        # Swarm: one healthy service of this run.
        $null = New-TestSwarmService "$run-ok"

        # Pools: a private platform database with one pool on a real lab server.
        $platform = New-TestPlatformDatabase -Lab $pg
        $null = Add-TestPool -Lab $pg -Platform $platform -Name "$run-pool-ok" -Port $pg.PoolPorts[0]

        # Ceph: an instance directory with a 8 MiB quota, 1 MiB used.
        $quotaRoot = New-CephTestDirectory 'instances'
        $instance = Join-Path $quotaRoot 'odoo_acme'
        $null = New-Item -ItemType Directory -Path $instance
        Set-CephAttribute -Path $instance -Name ceph.quota.max_bytes -Value (8MB)
        $written = Write-TestFile -Path $instance -Size { 1MB }
        Wait-CephStatistics -Path $instance -Bytes $written -Files 1

        # Backups: the platform's layout, one instance backed up an hour ago.
        $backups = Join-Path ([System.IO.Path]::GetTempPath()) "$run-backups"
        $null = New-Item -ItemType Directory -Path $backups
        function New-PlatformBackup([string] $Database, [datetime] $CreatedAt) {
            $name = '{0}_{1:yyyyMMdd_HHmmss}' -f $Database, $CreatedAt
            Set-Content -LiteralPath (Join-Path $backups "${name}_database.sql") -Value "-- dump of $Database" -NoNewline
            Set-Content -LiteralPath (Join-Path $backups "${name}_data.tar.gz") -Value 'not really a tarball' -NoNewline
            $databaseSize = (Get-Item (Join-Path $backups "${name}_database.sql")).Length
            $dataSize = (Get-Item (Join-Path $backups "${name}_data.tar.gz")).Length
            @{ backup_name = $name; instance_name = $Database; database_name = $Database; created_at = $CreatedAt.ToString('s'); database_size = $databaseSize; data_size = $dataSize; total_size = $databaseSize + $dataSize; status = 'completed' } |
                ConvertTo-Json | Set-Content -LiteralPath (Join-Path $backups "${name}_metadata.json")
        }
        New-PlatformBackup -Database 'odoo_acme' -CreatedAt ([datetime]::UtcNow.AddHours(-1))

        $config = @{
            Swarm   = @{ Services = "$run-*" }
            Nodes   = @{}
            Pools   = @{ PlatformServer = $platform.Server; Timeout = '3s' }
            Ceph    = @{ QuotaRoots = $quotaRoot; ConfigPath = (Get-LabSetting CEPH_CONF); Keyring = (Get-LabSetting CEPH_KEYRING); Id = (Get-LabSetting CEPH_ID) }
            Backups = @{ Paths = $backups; MaxAge = '26h' }
        }
        $reports = Join-Path ([System.IO.Path]::GetTempPath()) "$run-reports"
        $null = New-Item -ItemType Directory -Path $reports
        $html = Join-Path $reports 'report.html'
    }

    AfterAll {
        $null = Invoke-LabDocker -ArgumentList 'node', 'update', '--availability', 'active', $nodeId -AllowFailure
        Remove-TestSwarmService
        Remove-TestPlatformDatabase -Lab $pg -Platform $platform
        Remove-CephTestDirectory
        Remove-Item -LiteralPath $backups, $reports -Recurse -Force -ErrorAction SilentlyContinue
        $env:DOCKER_HOST = $savedDockerHost
    }

    It 'reports nothing while every layer is healthy' {
        $findings = @(Invoke-OpsHealthReport -Configuration $config -PlatformCredential $pg.Credential -ErrorVariable problems)

        $problems | Should -BeNullOrEmpty
        $findings | ForEach-Object { "$($_.Layer) $($_.Target): $($_.Message)" } | Should -BeNullOrEmpty
    }

    It 'names exactly the one thing broken in each layer, most severe first' {
        # Swarm: a service whose task exits at once; Pool: a pool on a port nothing listens on;
        # Ceph: the instance fills 7.75 of its 8 MiB (97%); Backup: a second instance backed up 3 days ago;
        # Node: the lab node paused (restored right after the report; a paused node keeps its tasks).
        $broken = New-TestSwarmService "$run-broken" -Script 'exit 3' -ExpectedRunning 0 -NoWait
        $null = Wait-Until -TimeoutSeconds 60 -Because 'the broken service has a failed task' -Condition {
            (Invoke-LabDocker -ArgumentList 'service', 'ps', '--format', '{{.CurrentState}}', $broken.Name).Output -match '^Failed'
        }
        $null = Add-TestPool -Lab $pg -Platform $platform -Name "$run-pool-down" -Port (Get-FreeLoopbackPort)
        $written += Write-TestFile -Path (Join-Path $instance 'more') -Size { 6.75MB }
        Wait-CephStatistics -Path $instance -Bytes $written -Files 2
        New-PlatformBackup -Database 'odoo_globex' -CreatedAt ([datetime]::UtcNow.AddDays(-3))
        try {
            $null = Invoke-LabDocker -ArgumentList 'node', 'update', '--availability', 'pause', $nodeId
            $findings = @(Invoke-OpsHealthReport -Configuration $config -PlatformCredential $pg.Credential -AsHtml $html -ErrorVariable problems)
        }
        finally {
            $null = Invoke-LabDocker -ArgumentList 'node', 'update', '--availability', 'active', $nodeId
        }

        $problems | Should -BeNullOrEmpty
        $seen = $findings | ForEach-Object { '{0} {1} {2} {3}' -f $_.Severity, $_.Layer, $_.Check, $_.Target }
        $seen | Should -Be @(
            "Critical Swarm SwarmServiceDegraded $run-broken"
            "Critical Pool PoolUnreachable $run-pool-down"
            "Critical Ceph CephQuotaNearlyFull $instance"
            "Warning Swarm SwarmTaskFailing $run-broken"
            "Warning Node SwarmNodeNotActive $hostname"
            "Warning Backup BackupTooOld odoo_globex"
        )
        $findings[0].Message | Should -Match '^0 of 1 replicas running; task .*-broken\.\d+ failed: .*\(exit code 3\)$'
        $findings[0].NextStep | Should -Be "Get-SwarmTask -Service '$run-broken' | Where-Object CurrentState -ne Running"
        $findings[2].Message | Should -Match '^9[0-9.]+% of its quota used'
        $findings[5].Message | Should -Match 'is 3 days old \(allowed 26 h\)'
        $findings | ForEach-Object { $_.CheckedAt | Should -BeOfType [DateTimeOffset] }
    }

    It 'writes the same findings as an HTML page, a table per layer, rows coloured by severity' {
        $page = Get-Content -Raw -LiteralPath $html

        foreach ($layer in 'Swarm', 'Node', 'Pool', 'Ceph', 'Backup') { $page | Should -Match "<h2>$layer</h2>" }
        $page | Should -Match "<tr class=`"critical`"><td class=`"severity`">Critical</td><td>$([regex]::Escape("$run-broken"))</td>"
        $page | Should -Match "<tr class=`"warning`"><td class=`"severity`">Warning</td><td>odoo_globex</td>"
        $page | Should -Match 'Where-Object CurrentState -ne Running'
        $page | Should -Not -Match '<script'
        Get-ChildItem -LiteralPath $reports -Filter 'report.html.tmp-*' | Should -BeNullOrEmpty
    }

    It 'keeps only the layers and severities asked for, and reads the same configuration from a data file' {
        $file = Join-Path $reports 'ops-health.psd1'
        Set-Content -LiteralPath $file -Value "@{ Swarm = @{ Services = '$run-*'; FailedTaskWindow = '1h' }; Backups = @{ Paths = '$backups' } }"

        $critical = @(Invoke-OpsHealthReport $file -MinimumSeverity Critical)
        $swarmOnly = @(Invoke-OpsHealthReport $file -Layer Swarm)

        $critical.Check | Should -Be @('SwarmServiceDegraded')
        $swarmOnly.Layer | Sort-Object -Unique | Should -Be 'Swarm'
        $swarmOnly.Check | Sort-Object | Should -Be @('SwarmServiceDegraded', 'SwarmTaskFailing')
    }

    It 'shows a table like the other views: severity, layer, target, message' {
        $table = Invoke-OpsHealthReport -Configuration @{ Swarm = @{ Services = "$run-*" } } | Format-Table | Out-String -Width 250

        $table | Should -Match 'SEVERITY\s+LAYER\s+TARGET\s+MESSAGE'
        $table | Should -Match "Critical\s+Swarm\s+$([regex]::Escape("$run-broken"))\s+0 of 1 replicas running"
    }
}

Describe 'Invoke-OpsHealthReport on compose projects, endpoints, Redis and queues' -Skip:(-not ($lab.IsAvailable -and $pg.IsAvailable)) {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot '../Redis/RedisTestSupport.psm1') -Force
        $pg = Get-PostgresLabStatus
        $redis = Get-RedisLabStatus
        $savedDockerHost = $env:DOCKER_HOST
        $env:DOCKER_HOST = Get-LabSetting DOCKER_HOST
        $run = New-TestName
        $busybox = Get-LabSetting IMAGE_BUSYBOX

        # Compose: a project of this run with one running service, its containers labelled as compose labels them.
        $composeProject = "$run-shop"
        function New-ComposeLabelledContainer([string] $Service, [string] $Script) {
            $null = Invoke-LabDocker -ArgumentList 'run', '--detach', '--name', "${composeProject}_${Service}_1",
                '--label', "com.docker.compose.project=$composeProject", '--label', "com.docker.compose.service=$Service",
                '--label', 'com.docker.compose.container-number=1', '--label', 'com.docker.compose.oneoff=False',
                $busybox, 'sh', '-c', $Script
        }
        New-ComposeLabelledContainer -Service web -Script 'while true; do sleep 1; done'

        # Queues: a Celery queue on the lab's Redis and a job table in a private database, both empty.
        $celeryQueue = "$run-celery"
        $platform = New-TestPlatformDatabase -Lab $pg
        $null = Invoke-LabPsql -Port $pg.Port -Database $platform.Name -Sql 'CREATE TABLE due_work (id serial PRIMARY KEY, status text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())'

        # Redis: a private server whose RDB file name is taken by a directory, so a save cannot be renamed into place.
        $redisDirectory = Join-Path ([System.IO.Path]::GetTempPath()) "$run-redis"
        $null = New-Item -ItemType Directory -Path $redisDirectory
        $redisPort = Get-FreeLoopbackPort
        $startInfo = [System.Diagnostics.ProcessStartInfo]::new($redis.ServerBin)
        foreach ($argument in '--port', "$redisPort", '--bind', '127.0.0.1', '--dir', $redisDirectory, '--save', '', '--appendonly', 'no', '--daemonize', 'no') { $startInfo.ArgumentList.Add($argument) }
        $startInfo.RedirectStandardOutput = $true
        $privateRedis = [System.Diagnostics.Process]::Start($startInfo)
        $null = Wait-Until -TimeoutSeconds 20 -Because "the private redis-server answers on $redisPort" -Condition { (Invoke-RedisCli -Server "127.0.0.1:$redisPort" -ArgumentList 'ping') -eq 'PONG' }

        $config = @{
            Compose   = @{ Projects = "$run-*" }
            Endpoints = @{ Targets = @(@{ Uri = 'http://127.0.0.1:5000/v2/'; ExpectStatus = 200 }); Timeout = '3s' }
            Redis     = @("127.0.0.1:$redisPort", @{ Server = $redis.Server })
            Queues    = @(
                @{ Celery = "redis://$($redis.Server)/0"; Queues = $celeryQueue; MaxLength = 5 }
                @{ PostgresServer = "host=$($pg.Host) port=$($pg.Port) user=$($pg.User)"; Database = $platform.Name; Table = 'due_work'; MaxLength = 100; MaxAge = '15m' }
            )
        }
    }

    AfterAll {
        $null = Invoke-LabDocker -ArgumentList 'rm', '--force', "${composeProject}_web_1", "${composeProject}_worker_1" -AllowFailure
        $null = Invoke-RedisCli -Server $redis.Server -ArgumentList 'del', $celeryQueue
        if ($privateRedis -and -not $privateRedis.HasExited) { $privateRedis.Kill(); $privateRedis.WaitForExit() }
        Remove-Item -LiteralPath $redisDirectory -Recurse -Force -ErrorAction SilentlyContinue
        Remove-TestPlatformDatabase -Lab $pg -Platform $platform
        $env:DOCKER_HOST = $savedDockerHost
    }

    It 'reports nothing while they are healthy' {
        $env:PGPASSWORD = $pg.Password
        try { $findings = @(Invoke-OpsHealthReport -Configuration $config -ErrorVariable problems) }
        finally { Remove-Item Env:PGPASSWORD }

        $problems | Should -BeNullOrEmpty
        $findings | ForEach-Object { "$($_.Layer) $($_.Target): $($_.Message)" } | Should -BeNullOrEmpty
    }

    It 'names exactly the one thing broken in each of them' {
        # Compose: a worker that exits 3; Endpoint: the registry that wants a login (401);
        # Redis: a save that fails; Queues: 8 Celery messages over a limit of 5, and a job pending for 40 minutes.
        New-ComposeLabelledContainer -Service worker -Script 'exit 3'
        $null = Wait-Until -TimeoutSeconds 30 -Because 'the worker exited' -Condition {
            (Invoke-LabDocker -ArgumentList 'inspect', '--format', '{{.State.Status}}', "${composeProject}_worker_1").StandardOutput.Trim() -eq 'exited'
        }
        $config.Endpoints.Targets += @{ Uri = 'http://127.0.0.1:5001/v2/'; ExpectStatus = 200 }
        $null = New-Item -ItemType Directory -Path (Join-Path $redisDirectory 'dump.rdb')
        $null = Invoke-RedisCli -Server "127.0.0.1:$redisPort" -ArgumentList 'set', 'k', 'v'
        $null = Invoke-RedisCli -Server "127.0.0.1:$redisPort" -ArgumentList 'bgsave'
        $null = Wait-Until -TimeoutSeconds 20 -Because 'the private Redis reports its failed save' -Condition {
            (Invoke-RedisCli -Server "127.0.0.1:$redisPort" -ArgumentList 'info', 'persistence') -contains 'rdb_last_bgsave_status:err'
        }
        $null = Invoke-RedisCli -Server $redis.Server -ArgumentList (@('lpush', $celeryQueue) + (1..8 | ForEach-Object { '{"body":"x"}' }))
        $null = Invoke-LabPsql -Port $pg.Port -Database $platform.Name -Sql "INSERT INTO due_work (status, created_at) VALUES ('pending', now() - interval '40 minutes'), ('done', now())"

        $env:PGPASSWORD = $pg.Password
        try { $findings = @(Invoke-OpsHealthReport -Configuration $config -ErrorVariable problems) }
        finally { Remove-Item Env:PGPASSWORD }

        $problems | Should -BeNullOrEmpty
        $seen = $findings | ForEach-Object { '{0} {1} {2} {3}' -f $_.Severity, $_.Layer, $_.Check, $_.Target }
        $seen | Should -Be @(
            "Critical Compose ComposeServiceDown $composeProject/worker"
            'Critical Endpoint EndpointUnhealthy http://127.0.0.1:5001/v2/'
            "Critical Redis RedisPersistenceFailing 127.0.0.1:$redisPort"
            "Warning Queue QueueStuck $($platform.Name).due_work"
            "Warning Queue QueueTooLong redis://$($redis.Server)/0 $celeryQueue"
        )
        $findings[0].Message | Should -Be "0 of 1 containers running; ${composeProject}_worker_1 exited with code 3"
        $findings[1].Message | Should -Match '401'
        $findings[3].Message | Should -Match '^The oldest pending job is 4[01] min old \(limit 15 min\)'
        $findings[4].Message | Should -Match '^8 messages waiting \(limit 5\)'
        $findings.Message -join ' ' | Should -Not -Match ([regex]::Escape($pg.Password))
    }

    It 'refuses a Redis password written into the file, and a queue that is neither kind' {
        $noVariable = { Invoke-OpsHealthReport -Configuration @{ Redis = @{ Server = $redis.Server; PasswordVariable = 'OPSTOOLS_TEST_UNSET_VARIABLE' } } } | Should -Throw -PassThru
        $neither = { Invoke-OpsHealthReport -Configuration @{ Queues = @{ Table = 'due_work' } } } | Should -Throw -PassThru

        $noVariable.TargetObject | Should -Be 'Redis[0].PasswordVariable'
        $neither.TargetObject | Should -Be 'Queues[0]'
        $neither.FullyQualifiedErrorId | Should -Be "OpsHealthConfigurationInvalid,$commandId"
    }
}
