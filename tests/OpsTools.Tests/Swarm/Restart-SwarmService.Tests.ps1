#Requires -Version 7.4
# Restart-SwarmService: parameter surface, then forced and hard restarts of real services.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $lab = Get-LabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Swarm.RestartSwarmServiceCommand'

    function Get-SpecState([string] $Name) {
        (Invoke-LabDocker -ArgumentList 'service', 'inspect', '--format', '{{.Version.Index}} {{json .Spec}}', $Name).StandardOutput.Trim()
    }

    function Get-RunningTaskId([string] $Name) {
        @((Invoke-LabDocker -ArgumentList 'service', 'ps', '--quiet', '--filter', 'desired-state=running', $Name).Output) | Sort-Object
    }
}

Describe 'Restart-SwarmService parameters' {
    It 'has exactly the parameters Name, Hard, Wait, Timeout and DockerHost, with -WhatIf and -Confirm' {
        $surface = Get-ParameterSurface -Command Restart-SwarmService

        $surface.Keys | Sort-Object | Should -Be @('DockerHost', 'Hard', 'Name', 'Timeout', 'Wait')
        $surface['Name'].ValueFromPipelineByPropertyName | Should -BeTrue
        $surface['Name'].SupportsWildcards | Should -BeTrue
        (Get-Command Restart-SwarmService).Parameters.Keys | Should -Contain 'WhatIf'
    }
}

Describe 'Restart-SwarmService against the lab swarm' -Skip:(-not $lab.IsAvailable) {
    BeforeAll {
        $savedDockerHost = $env:DOCKER_HOST
        $env:DOCKER_HOST = Get-LabSetting DOCKER_HOST
        $prefix = New-TestName
        $web = New-TestSwarmService -Name "$prefix-web" -Replicas 2 -NoWait
        $agent = New-TestSwarmService -Name "$prefix-agent" -Global -NoWait
        $web, $agent | Wait-TestSwarmService
    }

    AfterAll {
        Remove-TestSwarmService
        $env:DOCKER_HOST = $savedDockerHost
    }

    It 'replaces every task of a piped service with a forced update and waits until the new ones run' {
        $before = Get-RunningTaskId $web.Name

        $result = Get-SwarmService -Name $web.Name | Restart-SwarmService -Wait -Timeout 90 -Confirm:$false

        $result.Replicas | Should -Be '2/2'
        $after = Get-RunningTaskId $web.Name
        $after | Should -HaveCount 2
        $after | Where-Object { $_ -in $before } | Should -BeNullOrEmpty
    }

    It 'restarts hard: scales to 0, waits until the tasks stopped, scales back to the previous count' {
        $before = Get-RunningTaskId $web.Name

        $result = Restart-SwarmService -Name $web.Name -Hard -Wait -Timeout 90 -Confirm:$false

        $result.DesiredReplicas | Should -Be 2
        $result.RunningReplicas | Should -Be 2
        (Get-RunningTaskId $web.Name | Where-Object { $_ -in $before }) | Should -BeNullOrEmpty
        (Invoke-LabDocker -ArgumentList 'service', 'inspect', '--format', '{{.PreviousSpec.Mode.Replicated.Replicas}}', $web.Name).StandardOutput.Trim() | Should -Be '0'
    }

    It 'changes nothing with -WhatIf, forced or hard' {
        $before = Get-SpecState $web.Name

        Restart-SwarmService -Name $web.Name -WhatIf
        Restart-SwarmService -Name $web.Name -Hard -WhatIf

        Get-SpecState $web.Name | Should -Be $before
    }

    It 'refuses -Hard for a global service with SwarmServiceNotReplicated and leaves it unchanged' {
        $before = Get-SpecState $agent.Name

        $result = Restart-SwarmService -Name $agent.Name -Hard -Confirm:$false -ErrorVariable problems -ErrorAction SilentlyContinue

        $result | Should -BeNullOrEmpty
        $problems[0].FullyQualifiedErrorId | Should -Be "SwarmServiceNotReplicated,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        Get-SpecState $agent.Name | Should -Be $before
    }

    It 'writes SwarmServiceNotFound (ObjectNotFound) for an unknown name' {
        Restart-SwarmService -Name "$prefix-nosuch" -Confirm:$false -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "SwarmServiceNotFound,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}
