#Requires -Version 7.4
# Get-SwarmNode: parameter surface, then the cmdlet as users run it against the lab swarm.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $lab = Get-LabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Swarm.GetSwarmNodeCommand'
}

Describe 'Get-SwarmNode parameters' {
    BeforeAll {
        $command = Get-Command -Name Get-SwarmNode
        $surface = Get-ParameterSurface -Command Get-SwarmNode
    }

    It 'has exactly the parameters Name, Task, Role, Availability and DockerHost' {
        $surface.Keys | Sort-Object | Should -Be @('Availability', 'DockerHost', 'Name', 'Role', 'Task')
    }

    It 'declares -<Name> as <Type>' -ForEach @(
        @{ Name = 'Name'; Type = 'System.String[]'; Mandatory = $false; Position = 0; ByValue = $true; ByPropertyName = $true; Wildcards = $true; Aliases = 'Hostname,Node' }
        @{ Name = 'Task'; Type = 'OpsTools.Swarm.SwarmTask[]'; Mandatory = $true; Position = $null; ByValue = $true; ByPropertyName = $false; Wildcards = $false; Aliases = '' }
        @{ Name = 'Role'; Type = 'System.Nullable`1[OpsTools.Swarm.SwarmNodeRole]'; Mandatory = $false; Position = $null; ByValue = $false; ByPropertyName = $false; Wildcards = $false; Aliases = '' }
        @{ Name = 'Availability'; Type = 'System.Nullable`1[OpsTools.Swarm.SwarmNodeAvailability]'; Mandatory = $false; Position = $null; ByValue = $false; ByPropertyName = $false; Wildcards = $false; Aliases = '' }
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

    It 'declares its output type as OpsTools.Swarm.SwarmNode' {
        $command.OutputType.Name | Should -Be 'OpsTools.Swarm.SwarmNode'
    }

    It 'has the parameter sets Default (names) and Task (tasks piped from Get-SwarmTask)' {
        $command.DefaultParameterSet | Should -Be 'Default'
        $command.ParameterSets.Name | Sort-Object | Should -Be @('Default', 'Task')
    }
}

Describe 'Get-SwarmNode against the lab swarm' -Skip:(-not $lab.IsAvailable) {
    BeforeAll {
        $dockerHost = Get-LabSetting DOCKER_HOST
        $savedDockerHost = $env:DOCKER_HOST
        $env:DOCKER_HOST = $dockerHost

        $self = (Invoke-LabDocker -ArgumentList 'node', 'inspect', 'self', '--format', '{{json .}}').StandardOutput | ConvertFrom-Json
        $hostname = $self.Description.Hostname
        $engineVersion = $self.Description.Engine.EngineVersion

        # A node label of this run only, removed again in AfterAll.
        $labelKey = "opstools.test.$((New-TestName).Substring('opstools-test-'.Length))"
        $null = Invoke-LabDocker -ArgumentList 'node', 'update', '--label-add', "$labelKey=yes", $self.ID
    }

    AfterAll {
        $null = Invoke-LabDocker -ArgumentList 'node', 'update', '--label-rm', $labelKey, $self.ID -AllowFailure
        $env:DOCKER_HOST = $savedDockerHost
    }

    Context 'selecting nodes' {
        It 'lists the nodes of the swarm as docker node ls does' {
            $expected = (Invoke-LabDocker -ArgumentList 'node', 'ls', '--format', '{{.ID}} {{.Hostname}} {{.Status}} {{.Availability}} {{.ManagerStatus}}').Output |
                ForEach-Object { $_.Trim() } | Sort-Object

            Get-SwarmNode | ForEach-Object { "$($_.Id) $($_.Hostname) $($_.Status) $($_.Availability) $($_.ManagerStatus)".Trim() } | Sort-Object |
                Should -Be $expected
        }

        It 'describes the lab node as the ready, active leader, with its engine, platform and resources' {
            $node = Get-SwarmNode -Name $hostname

            $node | Should -HaveCount 1
            $node | Should -BeOfType ([OpsTools.Swarm.SwarmNode])
            $node.Id | Should -Be $self.ID
            $node.Role | Should -Be ([OpsTools.Swarm.SwarmNodeRole]::Manager)
            $node.Status | Should -Be ([OpsTools.Swarm.SwarmNodeStatus]::Ready)
            $node.Availability | Should -Be ([OpsTools.Swarm.SwarmNodeAvailability]::Active)
            $node.IsLeader | Should -BeTrue
            $node.ManagerStatus | Should -Be 'Leader'
            $node.EngineVersion | Should -Be $engineVersion
            $node.Address | Should -Be $self.Status.Addr
            $node.Platform | Should -Be "$($self.Description.Platform.OS)/$($self.Description.Platform.Architecture)"
            $node.Cpus | Should -Be ($self.Description.Resources.NanoCPUs / 1e9)
            $node.MemoryBytes | Should -Be $self.Description.Resources.MemoryBytes
            $node.DockerHost | Should -Be $dockerHost
        }

        It 'carries the labels operators set on the node' {
            (Get-SwarmNode -Name $hostname).Labels[$labelKey] | Should -Be 'yes'
        }

        It 'finds a node by id, by a unique id prefix and by a hostname wildcard' {
            (Get-SwarmNode -Name $self.ID).Hostname | Should -Be $hostname
            (Get-SwarmNode -Name $self.ID.Substring(0, 8)).Hostname | Should -Be $hostname
            (Get-SwarmNode -Name "$($hostname.Substring(0, 1))*").Hostname | Should -Contain $hostname
        }

        It 'keeps to managers with -Role Manager and to workers with -Role Worker' {
            $managers = (Invoke-LabDocker -ArgumentList 'node', 'ls', '--filter', 'role=manager', '--format', '{{.Hostname}}').Output | Sort-Object
            $workers = (Invoke-LabDocker -ArgumentList 'node', 'ls', '--filter', 'role=worker', '--format', '{{.Hostname}}').Output | Sort-Object

            (Get-SwarmNode -Role Manager).Hostname | Sort-Object | Should -Be $managers
            (Get-SwarmNode -Role Worker).Hostname | Sort-Object | Should -Be $workers
        }

        It 'keeps to the nodes of one availability with -Availability' {
            $listed = (Invoke-LabDocker -ArgumentList 'node', 'ls', '--format', '{{.Hostname}} {{.Availability}}').Output

            foreach ($availability in 'Active', 'Pause', 'Drain') {
                $expected = $listed | Where-Object { $_ -like "* $availability" } | ForEach-Object { ($_ -split ' ')[0] } | Sort-Object
                (Get-SwarmNode -Availability $availability).Hostname -join ',' | Should -Be ($expected -join ',') -Because "-Availability $availability"
            }
        }

        It 'takes hostnames from the pipeline, and nodes piped from Get-SwarmNode' {
            ($hostname | Get-SwarmNode).Id | Should -Be $self.ID
            (Get-SwarmNode -Name $hostname | Get-SwarmNode).Id | Should -Be $self.ID
            ([pscustomobject]@{ Node = $hostname } | Get-SwarmNode).Id | Should -Be $self.ID
        }

        It 'gets the node of each task piped from Get-SwarmTask' {
            $task = Get-SwarmTask -DesiredState Running | Where-Object Node | Select-Object -First 1
            ($task | Get-SwarmNode -ErrorAction Stop).Hostname | Should -Be $task.Node
        }

        It 'completes hostnames on Tab' {
            (TabExpansion2 -inputScript "Get-SwarmNode -Name $($hostname.Substring(0, 1))").CompletionMatches.CompletionText | Should -Contain $hostname
        }
    }

    Context 'output' {
        It 'exports to CSV with the scalar properties first, and they read back as they were' {
            $path = Join-Path $TestDrive 'nodes.csv'
            Get-SwarmNode -Name $hostname | Export-Csv -LiteralPath $path
            $row = Import-Csv -LiteralPath $path

            $columns = (Get-Content -LiteralPath $path -TotalCount 1) -replace '"', '' -split ','
            $columns[0..6] | Should -Be @('DockerHost', 'Id', 'Hostname', 'Role', 'Availability', 'Status', 'IsLeader')
            $columns | Should -Contain 'ManagerStatus'
            $row.Id | Should -Be $self.ID
            $row.Hostname | Should -Be $hostname
            $row.Role | Should -Be 'Manager'
            $row.Status | Should -Be 'Ready'
            $row.IsLeader | Should -Be 'True'
            $row.MemoryBytes | Should -Be "$($self.Description.Resources.MemoryBytes)"
        }

        It 'round-trips through ConvertTo-Json and ConvertFrom-Json' {
            $node = Get-SwarmNode -Name $hostname
            $back = $node | ConvertTo-Json -EnumsAsStrings | ConvertFrom-Json -DateKind Offset

            $back.Id | Should -Be $self.ID
            $back.Role | Should -Be 'Manager'
            $back.Availability | Should -Be 'Active'
            $back.Labels.$labelKey | Should -Be 'yes'
            $back.CreatedAt | Should -Be $node.CreatedAt
        }

        It 'formats as a table like docker node ls by default' {
            $table = (Get-SwarmNode -Name $hostname | Format-Table | Out-String -Width 300) -replace '\e\[[0-9;]*m', ''
            $lines = $table -split '\r?\n'

            $lines | Where-Object { $_ -match '\S' } | Select-Object -First 1 | Should -Match '^ID\s+HOSTNAME\s+STATUS\s+AVAILABILITY\s+MANAGER STATUS\s+ENGINE VERSION\s*$'
            $lines -match "^$($self.ID) +$([regex]::Escape($hostname)) +Ready +Active +Leader +$([regex]::Escape($engineVersion)) *$" | Should -HaveCount 1
        }
    }

    Context 'errors' {
        It 'writes a non-terminating ObjectNotFound error for an unknown hostname and still returns the others' {
            $nodes = Get-SwarmNode -Name 'opstools-no-such-node', $hostname -ErrorVariable notFound -ErrorAction SilentlyContinue

            $nodes.Hostname | Should -Be $hostname
            $notFound | Should -HaveCount 1
            $notFound[0].FullyQualifiedErrorId | Should -Be "SwarmNodeNotFound,$commandId"
            $notFound[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $notFound[0].TargetObject | Should -Be 'opstools-no-such-node'
            $notFound[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        }

        It 'refuses a role that does not exist at parameter binding' {
            $problem = { Get-SwarmNode -Role Boss } | Should -Throw -PassThru

            $problem.FullyQualifiedErrorId | Should -Be "CannotConvertArgumentNoMessage,$commandId"
            $problem.CategoryInfo.Category | Should -Be 'InvalidArgument'
        }
    }
}

Describe 'Get-SwarmNode when Docker cannot be used' {
    It 'stops with a ConnectionError naming the endpoint when the socket does not exist' {
        $problem = { Get-SwarmNode -DockerHost 'unix:///tmp/opstools-nonexistent.sock' -ErrorAction SilentlyContinue } | Should -Throw -PassThru

        $problem.FullyQualifiedErrorId | Should -Be "DockerUnreachable,$commandId"
        $problem.CategoryInfo.Category | Should -Be 'ConnectionError'
        $problem.ToString() | Should -BeLike '*unix:///tmp/opstools-nonexistent.sock*'
    }

    It 'stops with InvalidArgument for a -DockerHost that is not a Docker endpoint' {
        $problem = { Get-SwarmNode -Host 'ftp://docker.example' } | Should -Throw -PassThru

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
            $problem = { Get-SwarmNode -DockerHost $daemon.DockerHost -ErrorAction SilentlyContinue } | Should -Throw -PassThru

            $problem.FullyQualifiedErrorId | Should -Be "SwarmNotManager,$commandId"
            $problem.CategoryInfo.Category | Should -Be 'InvalidOperation'
            $problem.ToString() | Should -BeLike "*$($daemon.DockerHost) is not a swarm manager*"
        }
    }
}
