#Requires -Version 7.4
# Get-SwarmStack: parameter surface, then the cmdlet as users run it against the lab swarm.
# A stack is the set of services carrying one com.docker.stack.namespace label, which is all
# `docker stack deploy` adds; the tests set that label on services they create.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $lab = Get-LabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Swarm.GetSwarmStackCommand'
}

Describe 'Get-SwarmStack parameters' {
    BeforeAll {
        $command = Get-Command -Name Get-SwarmStack
        $surface = Get-ParameterSurface -Command Get-SwarmStack
    }

    It 'has exactly the parameters Name, Service and DockerHost' {
        $surface.Keys | Sort-Object | Should -Be @('DockerHost', 'Name', 'Service')
    }

    It 'declares -<Name> as <Type>' -ForEach @(
        @{ Name = 'Name'; Type = 'System.String[]'; Mandatory = $false; Position = 0; ByValue = $true; ByPropertyName = $true; Wildcards = $true; Aliases = 'Stack' }
        @{ Name = 'Service'; Type = 'OpsTools.Swarm.SwarmService[]'; Mandatory = $true; Position = $null; ByValue = $true; ByPropertyName = $false; Wildcards = $false; Aliases = '' }
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

    It 'declares its output type as OpsTools.Swarm.SwarmStack' {
        $command.OutputType.Name | Should -Be 'OpsTools.Swarm.SwarmStack'
    }

    It 'has the parameter sets Default (names) and Service (services piped from Get-SwarmService)' {
        $command.DefaultParameterSet | Should -Be 'Default'
        $command.ParameterSets.Name | Sort-Object | Should -Be @('Default', 'Service')
    }
}

Describe 'Get-SwarmStack against the lab swarm' -Skip:(-not $lab.IsAvailable) {
    BeforeAll {
        $dockerHost = Get-LabSetting DOCKER_HOST
        $savedDockerHost = $env:DOCKER_HOST
        $env:DOCKER_HOST = $dockerHost

        $prefix = New-TestName
        $shop = "$prefix-shop"
        $blog = "$prefix-blog"
        # shop: one service running, one that no node can take (degraded); blog: fully running.
        $shopWeb = New-TestSwarmService -Name "$shop-web" -NoWait -Label @{ 'com.docker.stack.namespace' = $shop }
        $shopDb = New-TestSwarmService -Name "$shop-db" -ExpectedRunning 0 -NoWait -Constraint 'node.labels.nope==1' -Label @{ 'com.docker.stack.namespace' = $shop }
        $blogWeb = New-TestSwarmService -Name "$blog-web" -Replicas 2 -NoWait -Label @{ 'com.docker.stack.namespace' = $blog }
        $loose = New-TestSwarmService -Name "$prefix-loose" -NoWait
        $shopWeb, $shopDb, $blogWeb, $loose | Wait-TestSwarmService
    }

    AfterAll {
        Remove-TestSwarmService
        $env:DOCKER_HOST = $savedDockerHost
    }

    Context 'selecting stacks' {
        It 'counts the services of a stack and how many of them are fully running' {
            $stack = Get-SwarmStack -Name $shop

            $stack | Should -HaveCount 1
            $stack | Should -BeOfType ([OpsTools.Swarm.SwarmStack])
            $stack.Services | Should -Be 2
            $stack.RunningServices | Should -Be 1
            $stack.DegradedServices | Should -Be 1
            $stack.Orchestrator | Should -Be 'Swarm'
            $stack.DockerHost | Should -Be $dockerHost
        }

        It 'counts a service with all its replicas running as running' {
            $stack = Get-SwarmStack -Name $blog

            $stack.Services | Should -Be 1
            $stack.RunningServices | Should -Be 1
            $stack.DegradedServices | Should -Be 0
        }

        It 'matches names with wildcards, sorted by name, and makes no stack of a service without the label' {
            (Get-SwarmStack -Name "$prefix-*").Name | Should -Be @($blog, $shop)
        }

        It 'lets a user find the degraded stacks with Where-Object' {
            $degraded = Get-SwarmStack -Name "$prefix-*" | Where-Object DegradedServices -GT 0

            $degraded.Name | Should -Be $shop
        }

        It 'leads to the services that are short of replicas' {
            $short = Get-SwarmStack -Name $shop | ForEach-Object { Get-SwarmService -Stack $_.Name } | Where-Object { $_.RunningReplicas -lt $_.DesiredReplicas }

            $short.Name | Should -Be $shopDb.Name
        }

        It 'agrees with docker stack ls on the stacks and their service counts' {
            $expected = (Invoke-LabDocker -ArgumentList 'stack', 'ls', '--format', '{{.Name}} {{.Services}}').Output | Where-Object { $_ -like "$prefix-*" } | Sort-Object

            Get-SwarmStack -Name "$prefix-*" | ForEach-Object { "$($_.Name) $($_.Services)" } | Sort-Object | Should -Be $expected
        }

        It 'takes stack names from the pipeline and from a Stack property' {
            ($shop, $blog | Get-SwarmStack).Name | Should -Be @($shop, $blog)
            ([pscustomobject]@{ Stack = $blog } | Get-SwarmStack).Name | Should -Be $blog
        }

        It 'gets the stack of each service piped from Get-SwarmService' {
            (Get-SwarmService -Name $blogWeb.Name | Get-SwarmStack -ErrorAction Stop).Name | Should -Be $blog
        }

        It 'completes stack names on Tab' {
            (TabExpansion2 -inputScript "Get-SwarmStack -Name $prefix-").CompletionMatches.CompletionText | Should -Be @($blog, $shop)
        }
    }

    Context 'output' {
        It 'exports to CSV with the counts as columns, and they read back as they were' {
            $path = Join-Path $TestDrive 'stacks.csv'
            Get-SwarmStack -Name $shop | Export-Csv -LiteralPath $path
            $row = Import-Csv -LiteralPath $path

            (Get-Content -LiteralPath $path -TotalCount 1) -replace '"', '' -split ',' |
                Should -Be @('DockerHost', 'Name', 'Services', 'RunningServices', 'DegradedServices', 'Orchestrator')
            $row.DockerHost | Should -Be $dockerHost
            $row.Name | Should -Be $shop
            $row.Services | Should -Be '2'
            $row.RunningServices | Should -Be '1'
            $row.DegradedServices | Should -Be '1'
            $row.Orchestrator | Should -Be 'Swarm'
        }

        It 'round-trips through ConvertTo-Json and ConvertFrom-Json' {
            $back = Get-SwarmStack -Name "$prefix-*" | ConvertTo-Json | ConvertFrom-Json

            $back.Name | Should -Be @($blog, $shop)
            $back.Services | Should -Be @(1, 2)
            $back.RunningServices | Should -Be @(1, 1)
            $back.DegradedServices | Should -Be @(0, 1)
        }

        It 'formats as a table like docker stack ls by default' {
            $table = (Get-SwarmStack -Name "$prefix-*" | Format-Table | Out-String -Width 300) -replace '\e\[[0-9;]*m', ''
            $lines = $table -split '\r?\n'

            $lines | Where-Object { $_ -match '\S' } | Select-Object -First 1 | Should -Match '^NAME\s+SERVICES\s+RUNNING\s+ORCHESTRATOR\s*$'
            $lines -match "^$([regex]::Escape($shop)) +2 +1 +Swarm *$" | Should -HaveCount 1
            $lines -match "^$([regex]::Escape($blog)) +1 +1 +Swarm *$" | Should -HaveCount 1
        }
    }

    Context 'errors' {
        It 'writes a non-terminating ObjectNotFound error for an unknown stack and still returns the others' {
            $stacks = Get-SwarmStack -Name 'opstools-test-nosuch', $blog -ErrorVariable notFound -ErrorAction SilentlyContinue

            $stacks.Name | Should -Be $blog
            $notFound | Should -HaveCount 1
            $notFound[0].FullyQualifiedErrorId | Should -Be "SwarmStackNotFound,$commandId"
            $notFound[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $notFound[0].TargetObject | Should -Be 'opstools-test-nosuch'
            $notFound[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        }

        It 'treats the name of a service outside any stack as an unknown stack' {
            $null = Get-SwarmStack -Name $loose.Name -ErrorVariable notFound -ErrorAction SilentlyContinue

            $notFound[0].FullyQualifiedErrorId | Should -Be "SwarmStackNotFound,$commandId"
        }
    }
}

Describe 'Get-SwarmStack when Docker cannot be used' {
    It 'stops with a ConnectionError naming the endpoint when the socket does not exist' {
        $problem = { Get-SwarmStack -DockerHost 'unix:///tmp/opstools-nonexistent.sock' -ErrorAction SilentlyContinue } | Should -Throw -PassThru

        $problem.FullyQualifiedErrorId | Should -Be "DockerUnreachable,$commandId"
        $problem.CategoryInfo.Category | Should -Be 'ConnectionError'
        $problem.ToString() | Should -BeLike '*unix:///tmp/opstools-nonexistent.sock*'
    }

    It 'stops with InvalidArgument for a -DockerHost that is not a Docker endpoint' {
        $problem = { Get-SwarmStack -H 'ftp://docker.example' } | Should -Throw -PassThru

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
            $problem = { Get-SwarmStack -DockerHost $daemon.DockerHost -ErrorAction SilentlyContinue } | Should -Throw -PassThru

            $problem.FullyQualifiedErrorId | Should -Be "SwarmNotManager,$commandId"
            $problem.CategoryInfo.Category | Should -Be 'InvalidOperation'
            $problem.ToString() | Should -BeLike "*$($daemon.DockerHost) is not a swarm manager*"
        }
    }
}
