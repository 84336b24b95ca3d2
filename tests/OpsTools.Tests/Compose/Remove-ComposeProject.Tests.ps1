#Requires -Version 7.4
# Remove-ComposeProject: parameter surface, then docker compose down on a project docker-compose started.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'ComposeProjects.psm1') -Force
    $lab = Get-ComposeLabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'ComposeProjects.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Compose.RemoveComposeProjectCommand'
}

Describe 'Remove-ComposeProject parameters' {
    It 'has Name, Volumes, Timeout, PassThru and DockerHost, and ConfirmImpact High' {
        $surface = Get-ParameterSurface -Command Remove-ComposeProject
        @($surface.Keys | Where-Object { $_ -notin 'WhatIf', 'Confirm' } | Sort-Object) | Should -Be @('DockerHost', 'Name', 'PassThru', 'Timeout', 'Volumes')
        $surface['Name'].Mandatory | Should -BeTrue
        $surface['Name'].ValueFromPipelineByPropertyName | Should -BeTrue
        $type = [OpsTools.Commands.Compose.RemoveComposeProjectCommand]
        $type.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact | Should -Be 'High'
    }
}

Describe 'Remove-ComposeProject on a project docker-compose started' -Skip:(-not $lab.IsAvailable) {
    BeforeAll {
        $project = New-TinyComposeProject -Suffix rm
        $containers = Get-ProjectObject -Project $project.Name -Kind container
        $networks = Get-ProjectObject -Project $project.Name -Kind network
        $volumes = Get-ProjectObject -Project $project.Name -Kind volume
    }

    AfterAll {
        Remove-ComposeTestProject -Project $project
    }

    It 'removes nothing with -Volumes -WhatIf' {
        Remove-ComposeProject $project.Name -Volumes -WhatIf
        Get-ProjectObject -Project $project.Name -Kind container | Should -Be $containers
        Get-ProjectObject -Project $project.Name -Kind network | Should -Be $networks
        Get-ProjectObject -Project $project.Name -Kind volume | Should -Be $volumes
        $containers.Count | Should -Be 3
        $volumes | Should -Be "$($project.Name)_data"
    }

    It 'removes the containers and networks and keeps the volumes without -Volumes, so docker-compose ps is empty' {
        $removed = Remove-ComposeProject $project.Name -Timeout 2 -PassThru -Confirm:$false
        @($removed.Name) | Should -Be @($networks)
        Invoke-DockerCompose -Project $project.Name -Directory $project.Directory -File $project.File -Environment $project.Environment -ArgumentList 'ps', '-q' | Should -BeNullOrEmpty
        Get-ProjectObject -Project $project.Name -Kind container | Should -BeNullOrEmpty
        Get-ProjectObject -Project $project.Name -Kind network | Should -BeNullOrEmpty
        Get-ProjectObject -Project $project.Name -Kind volume | Should -Be $volumes
    }

    It 'removes the volumes left with -Volumes, and returns each with its size' {
        $removed = Remove-ComposeProject $project.Name -Volumes -PassThru -Confirm:$false
        $removed.Kind | Should -Be 'volume'
        $removed.Name | Should -Be "$($project.Name)_data"
        $removed.Size | Should -BeGreaterOrEqual 0
        Get-ProjectObject -Project $project.Name -Kind volume | Should -BeNullOrEmpty
    }

    It 'writes ComposeProjectNotFound with the name as target once nothing of the project is left' {
        Remove-ComposeProject $project.Name -Confirm:$false -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems[0].FullyQualifiedErrorId | Should -Be "ComposeProjectNotFound,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].TargetObject | Should -Be $project.Name
    }
}
