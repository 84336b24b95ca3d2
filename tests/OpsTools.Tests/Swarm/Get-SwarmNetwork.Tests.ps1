#Requires -Version 7.4
# Get-SwarmNetwork: parameter surface, then listing real overlay networks of the lab swarm, by
# name, by stack and from services and stacks piped in.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $lab = Get-LabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Swarm.GetSwarmNetworkCommand'
}

Describe 'Get-SwarmNetwork parameters' {
    BeforeAll {
        $command = Get-Command -Name Get-SwarmNetwork
        $surface = Get-ParameterSurface -Command Get-SwarmNetwork
    }

    It 'has exactly the parameters Name, Stack, Service, StackObject, IncludeLocal and DockerHost' {
        $surface.Keys | Sort-Object | Should -Be @('DockerHost', 'IncludeLocal', 'Name', 'Service', 'Stack', 'StackObject')
    }

    It 'takes names, services and stacks from the pipeline in three parameter sets' {
        $surface['Name'].Position | Should -Be 0
        $surface['Name'].ValueFromPipeline | Should -BeTrue
        $surface['Name'].SupportsWildcards | Should -BeTrue
        $surface['Service'].Type | Should -Be 'OpsTools.Swarm.SwarmService[]'
        $surface['Service'].ValueFromPipeline | Should -BeTrue
        $surface['StackObject'].Type | Should -Be 'OpsTools.Swarm.SwarmStack[]'
        $surface['StackObject'].ValueFromPipeline | Should -BeTrue
        $command.ParameterSets.Name | Sort-Object | Should -Be @('Default', 'Service', 'Stack')
        $command.DefaultParameterSet | Should -Be 'Default'
        $command.OutputType.Name | Should -Be 'OpsTools.Swarm.SwarmNetwork'
    }
}

Describe 'Get-SwarmNetwork against the lab swarm' -Skip:(-not $lab.IsAvailable) {
    BeforeAll {
        $savedDockerHost = $env:DOCKER_HOST
        $env:DOCKER_HOST = Get-LabSetting DOCKER_HOST
        $prefix = 'opssec-' + [guid]::NewGuid().ToString('n').Substring(0, 8)
        $octet = Get-Random -Minimum 100 -Maximum 250
        $stackName = "$prefix-stack"
        $backendId = (Invoke-LabDocker -ArgumentList 'network', 'create', '--driver', 'overlay', '--internal', '--subnet', "10.$octet.9.0/24", '--label', "com.docker.stack.namespace=$stackName", "$prefix-backend").Output | Select-Object -Last 1
        $sharedId = (Invoke-LabDocker -ArgumentList 'network', 'create', '--driver', 'overlay', '--attachable', "$prefix-shared").Output | Select-Object -Last 1
        $api = New-TestSwarmService -Name "$(New-TestName)-api" -Replicas 0 -NoWait -Label @{ 'com.docker.stack.namespace' = $stackName } -AdditionalArgument '--network', "$prefix-backend", '--network', "$prefix-shared"
        $proxy = New-TestSwarmService -Name "$(New-TestName)-proxy" -Replicas 0 -NoWait -AdditionalArgument '--network', "$prefix-shared"
    }

    AfterAll {
        Remove-TestSwarmService
        $null = Wait-Until -Because 'the test networks can be removed' -TimeoutSeconds 30 -Condition {
            (Invoke-LabDocker -ArgumentList 'network', 'rm', "$prefix-backend", "$prefix-shared" -AllowFailure).ExitCode -eq 0 -or
            -not ((Invoke-LabDocker -ArgumentList 'network', 'ls', '--format', '{{.Name}}').Output -like "$prefix-*")
        }
        $env:DOCKER_HOST = $savedDockerHost
    }

    It 'returns the networks matching a wildcard with their settings and attached services' {
        $networks = Get-SwarmNetwork -Name "$prefix-*"

        $networks.Name | Should -Be @("$prefix-backend", "$prefix-shared")
        $networks[0].Id | Should -Be $backendId
        $networks[0].Driver | Should -Be 'overlay'
        $networks[0].Scope | Should -Be 'swarm'
        $networks[0].Internal | Should -BeTrue
        $networks[0].Subnets | Should -Be "10.$octet.9.0/24"
        $networks[0].Stack | Should -Be $stackName
        $networks[0].Services | Should -Be @($api.Name)
        $networks[1].Attachable | Should -BeTrue
        $networks[1].ServiceCount | Should -Be 2
    }

    It 'gives the networks of services piped from Get-SwarmService, each once' {
        $networks = Get-SwarmService -Name $api.Name, $proxy.Name | Get-SwarmNetwork

        $networks.Id | Should -Be @($backendId, $sharedId)
    }

    It 'gives the networks a stack owns or its services use, from -Stack and from Get-SwarmStack' {
        (Get-SwarmNetwork -Stack $stackName).Id | Should -Be @($backendId, $sharedId)
        (Get-SwarmStack -Name $stackName | Get-SwarmNetwork).Id | Should -Be @($backendId, $sharedId)
    }

    It 'completes network names on Tab' {
        (TabExpansion2 -inputScript "Get-SwarmNetwork -Name $prefix-").CompletionMatches.CompletionText | Should -Be @("$prefix-backend", "$prefix-shared")
    }

    It 'lists the local bridge network only with -IncludeLocal' {
        (Get-SwarmNetwork).Scope | Should -Not -Contain 'local'
        (Get-SwarmNetwork -IncludeLocal -Name bridge).Scope | Should -Be 'local'
    }

    It 'reads like docker network ls in a table and exports scalar columns to CSV' {
        $networks = Get-SwarmNetwork -Name "$prefix-*"
        $table = $networks | Format-Table -AutoSize | Out-String -Width 300
        $csv = Join-Path $TestDrive 'networks.csv'
        $networks | Export-Csv -LiteralPath $csv

        $table | Should -BeLike '*NAME*DRIVER*SCOPE*ATTACHABLE*INTERNAL*SUBNETS*STACK*SERVICES*'
        $table | Should -BeLike "*$prefix-backend*overlay*swarm*10.$octet.9.0/24*$stackName*"
        (Import-Csv -LiteralPath $csv | Where-Object Name -eq "$prefix-shared").ServiceCount | Should -Be '2'
    }

    It 'writes SwarmNetworkNotFound (ObjectNotFound) for an unknown name and goes on with the others' {
        $result = Get-SwarmNetwork -Name "$prefix-nosuch", "$prefix-shared" -ErrorVariable problems -ErrorAction SilentlyContinue

        $result.Id | Should -Be $sharedId
        $problems | Should -HaveCount 1
        $problems[0].FullyQualifiedErrorId | Should -Be "SwarmNetworkNotFound,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].TargetObject | Should -Be "$prefix-nosuch"
        $problems[0].ErrorDetails.RecommendedAction | Should -BeLike '*-IncludeLocal*'
    }
}
