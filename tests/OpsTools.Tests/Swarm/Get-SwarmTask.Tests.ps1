#Requires -Version 7.4
# Get-SwarmTask: parameter surface, then the cmdlet as users run it against the lab swarm.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $lab = Get-LabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Swarm.GetSwarmTaskCommand'
}

Describe 'Get-SwarmTask parameters' {
    BeforeAll {
        $command = Get-Command -Name Get-SwarmTask
        $surface = Get-ParameterSurface -Command Get-SwarmTask
    }

    It 'has exactly the parameters Service, DesiredState, Node and DockerHost' {
        $surface.Keys | Sort-Object | Should -Be @('DesiredState', 'DockerHost', 'Node', 'Service')
    }

    It 'declares -<Name> as <Type>' -ForEach @(
        @{ Name = 'Service'; Type = 'System.String[]'; Mandatory = $false; Position = 0; ByValue = $true; ByPropertyName = $true; Wildcards = $true; Aliases = 'ServiceName' }
        @{ Name = 'DesiredState'; Type = 'System.Nullable`1[OpsTools.Swarm.SwarmTaskState]'; Mandatory = $false; Position = $null; ByValue = $false; ByPropertyName = $false; Wildcards = $false; Aliases = '' }
        @{ Name = 'Node'; Type = 'System.String[]'; Mandatory = $false; Position = $null; ByValue = $false; ByPropertyName = $false; Wildcards = $true; Aliases = '' }
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

    It 'declares its output type as OpsTools.Swarm.SwarmTask' {
        $command.OutputType.Name | Should -Be 'OpsTools.Swarm.SwarmTask'
    }

    It 'has one parameter set, Default' {
        $command.DefaultParameterSet | Should -Be 'Default'
        $command.ParameterSets.Name | Should -Be 'Default'
    }
}

Describe 'Get-SwarmTask against the lab swarm' -Skip:(-not $lab.IsAvailable) {
    BeforeAll {
        $dockerHost = Get-LabSetting DOCKER_HOST
        $image = Get-LabSetting IMAGE_BUSYBOX
        $savedDockerHost = $env:DOCKER_HOST
        $env:DOCKER_HOST = $dockerHost
        $hostname = (Invoke-LabDocker -ArgumentList 'node', 'inspect', 'self', '--format', '{{.Description.Hostname}}').Output[0]
        $nodeId = (Invoke-LabDocker -ArgumentList 'node', 'inspect', 'self', '--format', '{{.ID}}').Output[0]

        $prefix = New-TestName
        # app: two replicas, then a forced update so that each slot also has a shut-down task.
        $app = New-TestSwarmService -Name "$prefix-app" -Replicas 2 -NoWait -AdditionalArgument '--update-parallelism', '2'
        $stuck = New-TestSwarmService -Name "$prefix-stuck" -ExpectedRunning 0 -NoWait -Constraint 'node.labels.nope==1'
        $app, $stuck | Wait-TestSwarmService
        $null = Invoke-LabDocker -ArgumentList 'service', 'update', '--force', '--detach', '--quiet', $app.Name
        $null = Wait-Until -TimeoutSeconds 60 -Because "the forced update of $($app.Name) completes" -Condition {
            $running = (Invoke-LabDocker -ArgumentList 'service', 'ps', '--filter', 'desired-state=running', '--format', '{{.CurrentState}}', $app.Name).Output
            $shutdown = (Invoke-LabDocker -ArgumentList 'service', 'ps', '--filter', 'desired-state=shutdown', '--format', '{{.CurrentState}}', $app.Name).Output
            @($running -like 'Running*').Count -eq 2 -and @($shutdown).Count -eq 2 -and @($shutdown -like 'Shutdown*').Count -eq 2
        }
    }

    AfterAll {
        Remove-TestSwarmService
        $env:DOCKER_HOST = $savedDockerHost
    }

    Context 'selecting tasks' {
        It 'lists the current and past tasks of a service piped from Get-SwarmService' {
            $tasks = Get-SwarmService -Name $app.Name | Get-SwarmTask

            $tasks | Should -HaveCount 4
            $tasks | Should -BeOfType ([OpsTools.Swarm.SwarmTask])
            $tasks.ServiceName | Sort-Object -Unique | Should -Be $app.Name
            $tasks.ServiceId | Sort-Object -Unique | Should -Be $app.Id
            $tasks.Name | Sort-Object | Should -Be @("$($app.Name).1", "$($app.Name).1", "$($app.Name).2", "$($app.Name).2")
        }

        It 'agrees with docker service ps on the task ids' {
            $expected = (Invoke-LabDocker -ArgumentList 'service', 'ps', '--no-trunc', '--quiet', $app.Name).Output | Sort-Object

            (Get-SwarmTask -Service $app.Name).Id | Sort-Object | Should -Be $expected
        }

        It 'orders the tasks by slot, newest first within a slot, as docker service ps does' {
            $tasks = Get-SwarmTask -Service $app.Name

            $tasks.Slot | Should -Be @(1, 1, 2, 2)
            $tasks[0].CreatedAt | Should -BeGreaterThan $tasks[1].CreatedAt
            $tasks[2].CreatedAt | Should -BeGreaterThan $tasks[3].CreatedAt
            $tasks[0].DesiredState | Should -Be ([OpsTools.Swarm.SwarmTaskState]::Running)
        }

        It 'keeps to the running tasks, one per slot, with -DesiredState Running' {
            $tasks = Get-SwarmTask -Service $app.Name -DesiredState Running

            $tasks.Name | Should -Be @("$($app.Name).1", "$($app.Name).2")
            $tasks.CurrentState | Should -Be @('Running', 'Running')
            $tasks.Node | Should -Be @($hostname, $hostname)
            $tasks.NodeId | Should -Be @($nodeId, $nodeId)
            $tasks.Image | Should -Be @($image, $image)
            $tasks.ContainerId | ForEach-Object { $_ | Should -Match '^[0-9a-f]{64}$' }
            $tasks.ExitCode | Should -Be @($null, $null)
            $tasks.State | ForEach-Object { $_ | Should -Match '^Running \d+ (seconds|minutes) ago$' }
        }

        It 'keeps to the replaced tasks with -DesiredState Shutdown' {
            $tasks = Get-SwarmTask -Service $app.Name -DesiredState Shutdown

            $tasks | Should -HaveCount 2
            $tasks.DesiredState | Should -Be @('Shutdown', 'Shutdown')
            $tasks.CurrentState | Should -Be @('Shutdown', 'Shutdown')
            $tasks.ExitCode | ForEach-Object { $_ | Should -Not -BeNullOrEmpty }
        }

        It 'shows a task no node can take as pending, without a node, with the scheduler''s reason' {
            $task = Get-SwarmTask -Service $stuck.Name

            $task | Should -HaveCount 1
            $task.Name | Should -Be "$($stuck.Name).1"
            $task.CurrentState | Should -Be ([OpsTools.Swarm.SwarmTaskState]::Pending)
            $task.Node | Should -BeNullOrEmpty
            $task.NodeId | Should -BeNullOrEmpty
            "$($task.Error) $($task.Message)" | Should -BeLike '*no suitable node*'
        }

        It 'matches services with wildcards' {
            (Get-SwarmTask -Service "$prefix-*" -DesiredState Running).Name | Should -Be @("$($app.Name).1", "$($app.Name).2", "$($stuck.Name).1")
        }

        It 'takes several service names from the pipeline' {
            ($app.Name, $stuck.Name | Get-SwarmTask -DesiredState Running) | Should -HaveCount 3
        }

        It 'keeps to the tasks on the nodes given by hostname or wildcard with -Node, leaving out unplaced tasks' {
            (Get-SwarmTask -Service "$prefix-*" -Node $hostname).Name | Sort-Object -Unique | Should -Be @("$($app.Name).1", "$($app.Name).2")
            (Get-SwarmTask -Service "$prefix-*" -Node "$($hostname.Substring(0, 1))*") | Should -HaveCount 4
            Get-SwarmTask -Service "$prefix-*" -Node 'opstools-no-such-node' | Should -BeNullOrEmpty
        }

        It 'keeps to the tasks on the node given by its id with -Node' {
            (Get-SwarmTask -Service "$prefix-*" -Node $nodeId) | Should -HaveCount 4
        }

        It 'lists the tasks of every service without -Service' {
            $all = Get-SwarmTask

            @($all | Where-Object ServiceName -Like "$prefix-*") | Should -HaveCount 5
            $all.ServiceName | Should -Contain $app.Name
            $all.ServiceName | Should -Contain $stuck.Name
        }
    }

    Context 'output' {
        It 'exports to CSV with the scalar properties first, and they read back as they were' {
            $path = Join-Path $TestDrive 'tasks.csv'
            $task = Get-SwarmTask -Service $app.Name -DesiredState Running | Select-Object -First 1
            $task | Export-Csv -LiteralPath $path
            $row = Import-Csv -LiteralPath $path

            $columns = (Get-Content -LiteralPath $path -TotalCount 1) -replace '"', '' -split ','
            $columns[0..7] | Should -Be @('DockerHost', 'Id', 'Name', 'ServiceId', 'ServiceName', 'Slot', 'NodeId', 'Node')
            $row.Id | Should -Be $task.Id
            $row.Name | Should -Be "$($app.Name).1"
            $row.ServiceName | Should -Be $app.Name
            $row.Slot | Should -Be '1'
            $row.Node | Should -Be $hostname
            $row.DesiredState | Should -Be 'Running'
            $row.CurrentState | Should -Be 'Running'
        }

        It 'round-trips through ConvertTo-Json and ConvertFrom-Json' {
            $task = Get-SwarmTask -Service $app.Name -DesiredState Running | Select-Object -First 1
            $back = $task | ConvertTo-Json -EnumsAsStrings | ConvertFrom-Json -DateKind Offset

            $back.Id | Should -Be $task.Id
            $back.Name | Should -Be $task.Name
            $back.DesiredState | Should -Be 'Running'
            $back.CurrentState | Should -Be 'Running'
            $back.Slot | Should -Be 1
            $back.StateSince | Should -Be $task.StateSince
        }

        It 'formats as a table like docker service ps by default' {
            $table = (Get-SwarmTask -Service $app.Name, $stuck.Name | Format-Table | Out-String -Width 300) -replace '\e\[[0-9;]*m', ''
            $lines = $table -split '\r?\n'
            $running = Get-SwarmTask -Service $app.Name -DesiredState Running | Select-Object -First 1

            $lines | Where-Object { $_ -match '\S' } | Select-Object -First 1 | Should -Match '^ID\s+NAME\s+IMAGE\s+NODE\s+DESIRED STATE\s+CURRENT STATE\s+ERROR\s*$'
            $lines -match "^$($running.Id.Substring(0, 12)) +$([regex]::Escape($running.Name)) +$([regex]::Escape($image)) +$([regex]::Escape($hostname)) +Running +Running \d+ \w+ ago *$" | Should -HaveCount 1
            $lines -match "^\w{12} +$([regex]::Escape($stuck.Name)).1 +$([regex]::Escape($image)) +Running +Pending \d+ \w+ ago +no suitable node" | Should -HaveCount 1
        }
    }

    Context 'errors' {
        It 'writes a non-terminating ObjectNotFound error for an unknown service and still lists the others' {
            $tasks = Get-SwarmTask -Service 'opstools-test-nosuch', $stuck.Name -ErrorVariable notFound -ErrorAction SilentlyContinue

            $tasks.Name | Should -Be "$($stuck.Name).1"
            $notFound | Should -HaveCount 1
            $notFound[0].FullyQualifiedErrorId | Should -Be "SwarmServiceNotFound,$commandId"
            $notFound[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $notFound[0].TargetObject | Should -Be 'opstools-test-nosuch'
        }

        It 'lists no task at all, rather than every task, when the only service named is unknown' {
            Get-SwarmTask -Service 'opstools-test-nosuch' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }

        It 'refuses a desired state that is not a task state at parameter binding' {
            $problem = { Get-SwarmTask -DesiredState Sleeping } | Should -Throw -PassThru

            $problem.FullyQualifiedErrorId | Should -Be "CannotConvertArgumentNoMessage,$commandId"
            $problem.CategoryInfo.Category | Should -Be 'InvalidArgument'
        }
    }
}

Describe 'Get-SwarmTask when Docker cannot be used' {
    It 'stops with a ConnectionError naming the endpoint when the socket does not exist' {
        $problem = { Get-SwarmTask -DockerHost 'unix:///tmp/opstools-nonexistent.sock' -ErrorAction SilentlyContinue } | Should -Throw -PassThru

        $problem.FullyQualifiedErrorId | Should -Be "DockerUnreachable,$commandId"
        $problem.CategoryInfo.Category | Should -Be 'ConnectionError'
        $problem.ToString() | Should -BeLike '*unix:///tmp/opstools-nonexistent.sock*'
    }

    It 'stops with InvalidArgument for a -DockerHost that is not a Docker endpoint' {
        $problem = { Get-SwarmTask -H 'ftp://docker.example' } | Should -Throw -PassThru

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
            $problem = { Get-SwarmTask -DockerHost $daemon.DockerHost -ErrorAction SilentlyContinue } | Should -Throw -PassThru

            $problem.FullyQualifiedErrorId | Should -Be "SwarmNotManager,$commandId"
            $problem.CategoryInfo.Category | Should -Be 'InvalidOperation'
            $problem.ToString() | Should -BeLike "*$($daemon.DockerHost) is not a swarm manager*"
        }
    }
}
