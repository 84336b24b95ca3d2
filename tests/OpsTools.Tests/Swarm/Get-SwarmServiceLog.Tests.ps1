#Requires -Version 7.4
# Get-SwarmServiceLog: parameter surface, then the cmdlet as users run it against the lab swarm.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $lab = Get-LabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Swarm.GetSwarmServiceLogCommand'
}

Describe 'Get-SwarmServiceLog parameters' {
    BeforeAll {
        $command = Get-Command -Name Get-SwarmServiceLog
        $surface = Get-ParameterSurface -Command Get-SwarmServiceLog
    }

    It 'has exactly the parameters Service, Tail, Since, Timestamps, Follow and DockerHost' {
        $surface.Keys | Sort-Object | Should -Be @('DockerHost', 'Follow', 'Service', 'Since', 'Tail', 'Timestamps')
    }

    It 'declares -<Name> as <Type>' -ForEach @(
        @{ Name = 'Service'; Type = 'System.String[]'; Mandatory = $true; Position = 0; ByValue = $true; ByPropertyName = $true; Wildcards = $true; Aliases = 'ServiceName' }
        @{ Name = 'Tail'; Type = 'System.Nullable`1[System.Int32]'; Mandatory = $false; Position = $null; ByValue = $false; ByPropertyName = $false; Wildcards = $false; Aliases = '' }
        @{ Name = 'Since'; Type = 'System.Nullable`1[System.DateTimeOffset]'; Mandatory = $false; Position = $null; ByValue = $false; ByPropertyName = $false; Wildcards = $false; Aliases = '' }
        @{ Name = 'Timestamps'; Type = 'System.Management.Automation.SwitchParameter'; Mandatory = $false; Position = $null; ByValue = $false; ByPropertyName = $false; Wildcards = $false; Aliases = '' }
        @{ Name = 'Follow'; Type = 'System.Management.Automation.SwitchParameter'; Mandatory = $false; Position = $null; ByValue = $false; ByPropertyName = $false; Wildcards = $false; Aliases = '' }
        @{ Name = 'DockerHost'; Type = 'System.String'; Mandatory = $false; Position = $null; ByValue = $false; ByPropertyName = $false; Wildcards = $false; Aliases = 'H,Host' }
    ) {
        $parameter = $surface[$Name]
        $parameter.Type | Should -Be $Type
        $parameter.Mandatory | Should -Be $Mandatory
        $parameter.Position | Should -Be $Position
        $parameter.ValueFromPipeline | Should -Be $ByValue
        $parameter.ValueFromPipelineByPropertyName | Should -Be $ByPropertyName
        $parameter.SupportsWildcards | Should -Be $Wildcards
        $parameter.Aliases -join ',' | Should -Be $Aliases
    }

    It 'declares its output type as OpsTools.Swarm.SwarmLogRecord' {
        $command.OutputType.Name | Should -Be 'OpsTools.Swarm.SwarmLogRecord'
    }

    It 'has one parameter set, Default' {
        $command.DefaultParameterSet | Should -Be 'Default'
        $command.ParameterSets.Name | Should -Be 'Default'
    }

    It 'refuses a negative -Tail at parameter binding' {
        $problem = { Get-SwarmServiceLog -Service 'any' -Tail -1 } | Should -Throw -PassThru

        $problem.FullyQualifiedErrorId | Should -Be "ParameterArgumentValidationError,$commandId"
        $problem.CategoryInfo.Category | Should -Be 'InvalidData'
    }

    It 'refuses a -Since that is not a time at parameter binding, saying what it takes' {
        $problem = { Get-SwarmServiceLog -Service 'any' -Since 'a while ago' } | Should -Throw -PassThru

        $problem.FullyQualifiedErrorId | Should -Be "ParameterArgumentTransformationError,$commandId"
        $problem.CategoryInfo.Category | Should -Be 'InvalidData'
        $problem.ToString() | Should -BeLike '*10m*'
    }
}

Describe 'Get-SwarmServiceLog against the lab swarm' -Skip:(-not $lab.IsAvailable) {
    BeforeAll {
        $dockerHost = Get-LabSetting DOCKER_HOST
        $savedDockerHost = $env:DOCKER_HOST
        $env:DOCKER_HOST = $dockerHost
        $hostname = (Invoke-LabDocker -ArgumentList 'node', 'inspect', 'self', '--format', '{{.Description.Hostname}}').Output[0]

        # Each task says which slot it is on stdout and on stderr, then ticks once a second.
        $script = 'echo "out-start $SLOT"; echo "err-start $SLOT" >&2; i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 1; done'
        $prefix = New-TestName
        $chatty = New-TestSwarmService -Name "$prefix-chatty" -Replicas 2 -Script $script -Environment @{ SLOT = '{{.Task.Slot}}' } -NoWait
        $other = New-TestSwarmService -Name "$prefix-other" -Replicas 1 -Script $script -Environment @{ SLOT = '{{.Task.Slot}}' } -NoWait
        $chatty, $other | Wait-TestSwarmService
        $createdAt = [datetimeoffset]::FromUnixTimeSeconds((Invoke-LabDocker -ArgumentList 'service', 'inspect', '--format', '{{.CreatedAt.Unix}}', $chatty.Name).Output[0])

        # Three ticks per task: the start lines are then at least two seconds old.
        $null = Wait-Until -TimeoutSeconds 30 -Because 'every task has logged its third tick' -Condition {
            @((Invoke-LabDocker -ArgumentList 'service', 'logs', '--raw', $chatty.Name).Output -match '^tick 3$').Count -ge 2 -and
            @((Invoke-LabDocker -ArgumentList 'service', 'logs', '--raw', $other.Name).Output -match '^tick 3$').Count -ge 1
        }
        $records = @(Get-SwarmServiceLog -Service $chatty.Name)
    }

    AfterAll {
        Remove-TestSwarmService
        $env:DOCKER_HOST = $savedDockerHost
    }

    Context 'reading logs' {
        It 'reads the lines of every task of the service' {
            $records | Should -BeOfType ([OpsTools.Swarm.SwarmLogRecord])
            $records.Service | Sort-Object -Unique | Should -Be $chatty.Name
            ($records | Where-Object Message -Like 'out-start *').Message | Sort-Object | Should -Be @('out-start 1', 'out-start 2')
            @($records | Where-Object Message -Like 'tick *').Count | Should -BeGreaterOrEqual 6
        }

        It 'tells standard output from standard error' {
            ($records | Where-Object Message -Like 'out-start *').Stream | Should -Be @('StdOut', 'StdOut')
            ($records | Where-Object Message -Like 'err-start *').Stream | Should -Be @('StdErr', 'StdErr')
            ($records | Where-Object Message -Like 'tick *').Stream | Sort-Object -Unique | Should -Be 'StdOut'
        }

        It 'names the task of each line as service.slot, the slot the task printed' {
            foreach ($record in $records | Where-Object Message -Like '*-start *') {
                $slot = ($record.Message -split ' ')[1]
                $record.Task | Should -Be "$($chatty.Name).$slot"
            }
        }

        It 'gives the id of the task of each line, as docker service ps has it' {
            $expected = (Invoke-LabDocker -ArgumentList 'service', 'ps', '--no-trunc', '--format', '{{.Name}} {{.ID}}', $chatty.Name).Output | Sort-Object

            $records | ForEach-Object { "$($_.Task) $($_.TaskId)" } | Sort-Object -Unique | Should -Be $expected
        }

        It 'names the node of each line by its hostname' {
            $records.Node | Sort-Object -Unique | Should -Be $hostname
        }

        It 'leaves Timestamp empty without -Timestamps' {
            $records.Timestamp | Where-Object { $null -ne $_ } | Should -BeNullOrEmpty
        }

        It 'fills Timestamp with -Timestamps, keeping the time out of the message' {
            $stamped = Get-SwarmServiceLog -Service $chatty.Name -Timestamps

            $stamped.Count | Should -BeGreaterOrEqual $records.Count
            $stamped | ForEach-Object {
                $_.Timestamp | Should -BeOfType ([datetimeoffset])
                $_.Timestamp | Should -BeGreaterThan $createdAt.AddSeconds(-5)
                $_.Timestamp | Should -BeLessThan ([datetimeoffset]::Now.AddSeconds(5))
            }
            ($stamped | Where-Object Message -Like 'out-start *').Message | Sort-Object | Should -Be @('out-start 1', 'out-start 2')
        }

        It 'gives the last N lines of each task with -Tail N' {
            $last = Get-SwarmServiceLog -Service $chatty.Name -Tail 1

            $last | Should -HaveCount 2
            $last.Task | Sort-Object | Should -Be @("$($chatty.Name).1", "$($chatty.Name).2")
            $last.Message | ForEach-Object { $_ | Should -Match '^tick \d+$' }
            Get-SwarmServiceLog -Service $chatty.Name -Tail 3 | Should -HaveCount 6
        }

        It 'leaves out the lines written before -Since' {
            $since = [datetimeoffset]::Now
            $null = Wait-Until -TimeoutSeconds 10 -Because 'a tick is logged after -Since' -Condition {
                Get-SwarmServiceLog -Service $chatty.Name -Tail 1 -Timestamps | Where-Object Timestamp -GT $since.AddSeconds(1)
            }
            $recent = Get-SwarmServiceLog -Service $chatty.Name -Since $since

            $recent | Should -Not -BeNullOrEmpty
            $recent.Message | ForEach-Object { $_ | Should -Match '^tick \d+$' }
        }

        It 'takes -Since as a docker-style duration or a TimeSpan' {
            (Get-SwarmServiceLog -Service $chatty.Name -Since 10m | Where-Object Message -Like '*-start *') | Should -HaveCount 4
            (Get-SwarmServiceLog -Service $chatty.Name -Since ([timespan]::FromMinutes(10)) | Where-Object Message -Like '*-start *') | Should -HaveCount 4
        }

        It 'reads services piped from Get-SwarmService' {
            Get-SwarmService -Name $chatty.Name | Get-SwarmServiceLog -Tail 1 | Should -HaveCount 2
        }

        It 'reads the service of tasks piped from Get-SwarmTask once' {
            $tasks = Get-SwarmTask -Service $chatty.Name -DesiredState Running

            $tasks | Should -HaveCount 2
            $tasks | Get-SwarmServiceLog -Tail 1 | Should -HaveCount 2
        }

        It 'reads every service a wildcard matches, one after the other' {
            $lines = Get-SwarmServiceLog -Service "$prefix-*" -Tail 1

            $lines | Should -HaveCount 3
            $lines.Service | Select-Object -Unique | Should -Be @($chatty.Name, $other.Name)
        }
    }

    Context 'following logs' {
        It 'returns promptly when Select-Object -First has the lines it wants' {
            $clock = [System.Diagnostics.Stopwatch]::StartNew()
            $lines = Get-SwarmServiceLog -Service $chatty.Name -Follow -Tail 0 | Select-Object -First 3
            $clock.Stop()

            $lines | Should -HaveCount 3
            $lines.Message | ForEach-Object { $_ | Should -Match '^tick \d+$' }
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 10
        }

        It 'stops within seconds when the pipeline is stopped, as Ctrl+C does, following <Label>' -ForEach @(
            @{ Label = 'one service'; Pattern = 'chatty' }
            @{ Label = 'several services'; Pattern = '*' }
        ) {
            $shell = [powershell]::Create()
            $output = [System.Management.Automation.PSDataCollection[psobject]]::new()
            try {
                $null = $shell.AddScript({
                        param($ModulePath, $Service, $DockerHost)
                        Import-Module -Name $ModulePath
                        Get-SwarmServiceLog -Service $Service -DockerHost $DockerHost -Follow -Tail 0
                    }).AddArgument((Get-BuiltModulePath)).AddArgument("$prefix-$Pattern").AddArgument($dockerHost)
                $running = $shell.BeginInvoke([System.Management.Automation.PSDataCollection[psobject]]::new(), $output)
                $null = Wait-Until -TimeoutSeconds 20 -Because 'the followed log yields a line' -Condition { $output.Count -ge 1 -or $running.IsCompleted }
                # Index the streams: enumerating an open PSDataCollection blocks until it is closed.
                $shell.Streams.Error.Count | Should -Be 0 -Because $(if ($shell.Streams.Error.Count) { $shell.Streams.Error[0].ToString() })
                $shell.InvocationStateInfo.State | Should -Be 'Running'

                $clock = [System.Diagnostics.Stopwatch]::StartNew()
                $shell.Stop()
                $clock.Stop()

                $clock.Elapsed.TotalSeconds | Should -BeLessThan 5
                $shell.InvocationStateInfo.State | Should -Be 'Stopped'
                $output.Count | Should -BeGreaterThan 0
                $output[0].Message | Should -Match '^tick \d+$'
            }
            finally {
                $shell.Dispose()
            }
        }
    }

    Context 'output' {
        It 'exports to CSV with the time, task and node before the message' {
            $path = Join-Path $TestDrive 'log.csv'
            Get-SwarmServiceLog -Service $chatty.Name -Timestamps | Where-Object Message -Like 'err-start *' | Export-Csv -LiteralPath $path
            $rows = Import-Csv -LiteralPath $path

            (Get-Content -LiteralPath $path -TotalCount 1) -replace '"', '' -split ',' |
                Should -Be @('Timestamp', 'Service', 'Task', 'TaskId', 'Node', 'Stream', 'Message')
            $rows | Should -HaveCount 2
            $rows.Stream | Should -Be @('StdErr', 'StdErr')
            $rows.Node | Should -Be @($hostname, $hostname)
            $rows | ForEach-Object { [datetimeoffset]::Parse($_.Timestamp, [cultureinfo]::CurrentCulture) | Should -BeGreaterThan $createdAt.AddSeconds(-5) }
        }

        It 'round-trips through ConvertTo-Json and ConvertFrom-Json' {
            $record = Get-SwarmServiceLog -Service $chatty.Name -Timestamps | Where-Object Message -EQ 'err-start 1'
            $back = $record | ConvertTo-Json -EnumsAsStrings | ConvertFrom-Json -DateKind Offset

            $back.Message | Should -Be 'err-start 1'
            $back.Stream | Should -Be 'StdErr'
            $back.Task | Should -Be "$($chatty.Name).1"
            $back.Timestamp | Should -Be $record.Timestamp
        }

        It 'formats as a table with the time, task, node, stream and message by default' {
            $table = (Get-SwarmServiceLog -Service $chatty.Name -Timestamps | Where-Object Message -Like '*-start 2' | Format-Table | Out-String -Width 300) -replace '\e\[[0-9;]*m', ''
            $lines = $table -split '\r?\n'

            $lines | Where-Object { $_ -match '\S' } | Select-Object -First 1 | Should -Match '^TIMESTAMP\s+TASK\s+NODE\s+STREAM\s+MESSAGE\s*$'
            $task = [regex]::Escape("$($chatty.Name).2")
            $lines -match "^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\S+ +$task +$([regex]::Escape($hostname)) +StdErr +err-start 2 *$" | Should -HaveCount 1
            $lines -match "^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\S+ +$task +$([regex]::Escape($hostname)) +StdOut +out-start 2 *$" | Should -HaveCount 1
        }
    }

    Context 'errors' {
        It 'writes a non-terminating ObjectNotFound error for an unknown service and still reads the others' {
            $lines = Get-SwarmServiceLog -Service 'opstools-test-nosuch', $chatty.Name -Tail 1 -ErrorVariable notFound -ErrorAction SilentlyContinue

            $lines | Should -HaveCount 2
            $notFound | Should -HaveCount 1
            $notFound[0].FullyQualifiedErrorId | Should -Be "SwarmServiceNotFound,$commandId"
            $notFound[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $notFound[0].TargetObject | Should -Be 'opstools-test-nosuch'
        }

        It 'reads nothing when the only service named is unknown' {
            Get-SwarmServiceLog -Service 'opstools-test-nosuch' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }
    }
}

Describe 'Get-SwarmServiceLog when Docker cannot be used' {
    It 'stops with a ConnectionError naming the endpoint when the socket does not exist' {
        $problem = { Get-SwarmServiceLog -Service 'any' -DockerHost 'unix:///tmp/opstools-nonexistent.sock' -ErrorAction SilentlyContinue } | Should -Throw -PassThru

        $problem.FullyQualifiedErrorId | Should -Be "DockerUnreachable,$commandId"
        $problem.CategoryInfo.Category | Should -Be 'ConnectionError'
        $problem.ToString() | Should -BeLike '*unix:///tmp/opstools-nonexistent.sock*'
    }

    It 'stops with InvalidArgument for a -DockerHost that is not a Docker endpoint' {
        $problem = { Get-SwarmServiceLog -Service 'any' -H 'ftp://docker.example' } | Should -Throw -PassThru

        $problem.FullyQualifiedErrorId | Should -Be "DockerHostInvalid,$commandId"
        $problem.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    Context 'on a daemon that is not a swarm manager' {
        BeforeAll {
            $daemon = Start-TestDockerDaemon
        }

        AfterAll {
            $daemon | Stop-TestDockerDaemon
        }

        It 'stops with SwarmNotManager (InvalidOperation) naming the endpoint' {
            if ($daemon.SkipReason) { Set-ItResult -Skipped -Because $daemon.SkipReason }
            $problem = { Get-SwarmServiceLog -Service 'any' -DockerHost $daemon.DockerHost -ErrorAction SilentlyContinue } | Should -Throw -PassThru

            $problem.FullyQualifiedErrorId | Should -Be "SwarmNotManager,$commandId"
            $problem.CategoryInfo.Category | Should -Be 'InvalidOperation'
            $problem.ToString() | Should -BeLike "*$($daemon.DockerHost) is not a swarm manager*"
        }
    }
}
