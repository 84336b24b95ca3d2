#Requires -Version 7.4
# Undo-SwarmServiceUpdate: parameter surface, then rollbacks of real services.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $lab = Get-LabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Swarm.UndoSwarmServiceUpdateCommand'

    function Get-SpecState([string] $Name) {
        (Invoke-LabDocker -ArgumentList 'service', 'inspect', '--format', '{{.Version.Index}} {{json .Spec}}', $Name).StandardOutput.Trim()
    }
}

Describe 'Undo-SwarmServiceUpdate parameters' {
    It 'has exactly the parameters Name, Wait, Timeout and DockerHost, and asks first (ConfirmImpact High)' {
        $surface = Get-ParameterSurface -Command Undo-SwarmServiceUpdate
        $command = Get-Command Undo-SwarmServiceUpdate

        $surface.Keys | Sort-Object | Should -Be @('DockerHost', 'Name', 'Timeout', 'Wait')
        $surface['Name'].ValueFromPipelineByPropertyName | Should -BeTrue
        $command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false).ConfirmImpact | Should -Be 'High'
    }
}

Describe 'Undo-SwarmServiceUpdate against the lab swarm' -Skip:(-not $lab.IsAvailable) {
    BeforeAll {
        $savedDockerHost = $env:DOCKER_HOST
        $env:DOCKER_HOST = Get-LabSetting DOCKER_HOST
        $prefix = New-TestName
        $web = New-TestSwarmService -Name "$prefix-web" -Environment @{ RELEASE = '1' } -NoWait
        $fresh = New-TestSwarmService -Name "$prefix-fresh" -Replicas 0 -NoWait
        $web | Wait-TestSwarmService
        $null = Invoke-LabDocker -ArgumentList 'service', 'update', '--detach', '--quiet', '--env-add', 'RELEASE=2', $web.Name
    }

    AfterAll {
        Remove-TestSwarmService
        $env:DOCKER_HOST = $savedDockerHost
    }

    It 'changes nothing with -WhatIf' {
        $before = Get-SpecState $web.Name

        Get-SwarmService -Name $web.Name | Undo-SwarmServiceUpdate -WhatIf

        Get-SpecState $web.Name | Should -Be $before
    }

    It 'rolls a piped service back to its previous spec and waits until it converged' {
        $result = Get-SwarmService -Name $web.Name | Undo-SwarmServiceUpdate -Wait -Timeout 90 -Confirm:$false

        $result.Name | Should -Be $web.Name
        $result.Replicas | Should -Be '1/1'
        (Invoke-LabDocker -ArgumentList 'service', 'inspect', '--format', '{{json .Spec.TaskTemplate.ContainerSpec.Env}}', $web.Name).StandardOutput | ConvertFrom-Json | Should -Be 'RELEASE=1'
    }

    It 'writes SwarmServiceNoPreviousSpec (InvalidOperation) for a service never updated, and changes nothing' {
        $before = Get-SpecState $fresh.Name

        $result = Undo-SwarmServiceUpdate -Name $fresh.Name -Confirm:$false -ErrorVariable problems -ErrorAction SilentlyContinue

        $result | Should -BeNullOrEmpty
        $problems[0].FullyQualifiedErrorId | Should -Be "SwarmServiceNoPreviousSpec,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        $problems[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        Get-SpecState $fresh.Name | Should -Be $before
    }
}
