#Requires -Version 7.4
# Stop-, Start- and Restart-ComposeService share their parameters (ComposeServiceChangeCmdlet); this file
# checks Stop-ComposeService, and the round trip stop -> start -> restart on a project docker-compose started.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'ComposeProjects.psm1') -Force
    $lab = Get-ComposeLabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'ComposeProjects.psm1') -Force
    $null = Import-BuiltModule
    function Get-StateByName([string] $Project) {
        $states = @{}
        foreach ($line in (Invoke-LabDocker -ArgumentList 'ps', '-a', '--filter', "label=com.docker.compose.project=$Project", '--format', '{{.Names}} {{.State}} {{.ID}}').Output) {
            $name, $state, $id = $line -split ' '
            $states[$name] = "$state"
        }
        $states
    }
}

Describe '<Command> parameters' -ForEach @(@{ Command = 'Stop-ComposeService' }, @{ Command = 'Start-ComposeService' }, @{ Command = 'Restart-ComposeService' }) {
    It 'has the ByName set (Project, Name) and the InputObject set, with -WhatIf' {
        $info = Get-Command $Command
        $info.ParameterSets.Name | Sort-Object | Should -Be @('ByName', 'InputObject')
        $info.DefaultParameterSet | Should -Be 'ByName'
        $info.Parameters['Project'].Attributes.Where({ $_ -is [Parameter] }).Mandatory | Should -Be $true
        $info.Parameters['InputObject'].Attributes.Where({ $_ -is [Parameter] }).ValueFromPipeline | Should -Be $true
        $info.Parameters.ContainsKey('WhatIf') | Should -BeTrue
        $info.Parameters.ContainsKey('PassThru') | Should -BeTrue
        $info.Parameters.ContainsKey('Timeout') | Should -Be ($Command -ne 'Start-ComposeService')
    }
}

Describe 'Stop, start and restart of a project docker-compose started' -Skip:(-not $lab.IsAvailable) {
    BeforeAll {
        $project = New-TinyComposeProject -Suffix svc
        $worker1 = "$($project.Name)_worker_1"
        $worker2 = "$($project.Name)_worker_2"
        $web = "$($project.Name)_web_1"
    }

    AfterAll {
        Remove-ComposeTestProject -Project $project
    }

    It 'changes nothing with -WhatIf' {
        Stop-ComposeService $project.Name worker -WhatIf
        $states = Get-StateByName $project.Name
        $states[$worker1] | Should -Be 'running'
        $states[$worker2] | Should -Be 'running'
    }

    It 'stops both worker containers and leaves web running' {
        $result = Stop-ComposeService $project.Name worker -Timeout 2 -PassThru -Confirm:$false
        $result.Name | Should -Be 'worker'
        $result.Replicas | Should -Be '0/2'
        $states = Get-StateByName $project.Name
        $states[$worker1] | Should -Be 'exited'
        $states[$worker2] | Should -Be 'exited'
        $states[$web] | Should -Be 'running'
    }

    It 'starts them again from Get-ComposeService through the pipeline' {
        $result = Get-ComposeService worker -Project $project.Name | Start-ComposeService -PassThru
        $result.Replicas | Should -Be '2/2'
        (Get-StateByName $project.Name)[$worker1] | Should -Be 'running'
    }

    It 'restarts every container of a piped project' {
        $before = (Get-ComposeContainer $project.Name).CreatedAt
        $startedBefore = (Invoke-LabDocker -ArgumentList 'inspect', '--format', '{{.State.StartedAt}}', $web).Output
        $result = Get-ComposeProject $project.Name | Restart-ComposeService -Timeout 2 -PassThru -Confirm:$false
        @($result.Name) | Should -Be @('web', 'worker')
        (Invoke-LabDocker -ArgumentList 'inspect', '--format', '{{.State.StartedAt}}', $web).Output | Should -Not -Be $startedBefore
        (Get-ComposeContainer $project.Name).CreatedAt | Should -Be $before
    }

    It 'writes ComposeServiceNotFound for an unknown service and ComposeInputObjectInvalid for a foreign object' {
        Stop-ComposeService $project.Name nosuch -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems[0].FullyQualifiedErrorId | Should -Be 'ComposeServiceNotFound,OpsTools.Commands.Compose.StopComposeServiceCommand'
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].TargetObject | Should -Be 'nosuch'
        'worker' | Stop-ComposeService -ErrorVariable wrong -ErrorAction SilentlyContinue
        $wrong[0].FullyQualifiedErrorId | Should -Be 'ComposeInputObjectInvalid,OpsTools.Commands.Compose.StopComposeServiceCommand'
        $wrong[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
    }
}
