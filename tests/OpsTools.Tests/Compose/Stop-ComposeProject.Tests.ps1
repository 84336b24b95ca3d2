#Requires -Version 7.4
# Stop-ComposeProject: parameter surface, then docker compose stop on a project docker-compose started.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'ComposeProjects.psm1') -Force
    $lab = Get-ComposeLabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'ComposeProjects.psm1') -Force
    $null = Import-BuiltModule
}

Describe 'Stop-ComposeProject parameters' {
    It 'has Name (mandatory, alias Project), Timeout, PassThru and DockerHost' {
        $surface = Get-ParameterSurface -Command Stop-ComposeProject
        @($surface.Keys | Where-Object { $_ -notin 'WhatIf', 'Confirm' } | Sort-Object) | Should -Be @('DockerHost', 'Name', 'PassThru', 'Timeout')
        $surface['Name'].Mandatory | Should -BeTrue
        $surface['Name'].Aliases | Should -Be @('Project')
    }
}

Describe 'Stop-ComposeProject on a project docker-compose started' -Skip:(-not $lab.IsAvailable) {
    BeforeAll {
        $project = New-TinyComposeProject -Suffix stp
    }

    AfterAll {
        Remove-ComposeTestProject -Project $project
    }

    It 'changes nothing with -WhatIf' {
        Stop-ComposeProject $project.Name -WhatIf
        (Invoke-LabDocker -ArgumentList 'ps', '--filter', "label=com.docker.compose.project=$($project.Name)", '-q').Output.Count | Should -Be 3
    }

    It 'stops every container and keeps them, as docker-compose ps then shows' {
        $result = Get-ComposeProject $project.Name | Stop-ComposeProject -Timeout 2 -PassThru
        $result.Status | Should -Be 'exited(3)'
        $states = Get-DockerComposePs -Project $project.Name -Directory $project.Directory -File $project.File -Environment $project.Environment
        $states.Count | Should -Be 3
        $states.State | Should -Match '^Exit \d+$'
    }

    It 'writes ComposeProjectNotFound with the name as target for an unknown project' {
        Stop-ComposeProject opstools-cr-nosuch -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems[0].FullyQualifiedErrorId | Should -Be 'ComposeProjectNotFound,OpsTools.Commands.Compose.StopComposeProjectCommand'
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].TargetObject | Should -Be 'opstools-cr-nosuch'
    }
}
