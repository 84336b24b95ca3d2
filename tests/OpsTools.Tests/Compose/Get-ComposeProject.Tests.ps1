#Requires -Version 7.4
# Get-ComposeProject and Get-ComposeContainer: parameter surfaces, then a project docker-compose started.

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

Describe 'Get-ComposeProject parameters' {
    It 'has Name (position 0, wildcards, alias Project), IncludeOneOff and DockerHost' {
        $surface = Get-ParameterSurface -Command Get-ComposeProject
        $surface.Keys | Sort-Object | Should -Be @('DockerHost', 'IncludeOneOff', 'Name')
        $surface['Name'].Position | Should -Be 0
        $surface['Name'].SupportsWildcards | Should -BeTrue
        $surface['Name'].Aliases | Should -Be @('Project')
        (Get-Command Get-ComposeProject).OutputType.Name | Should -Be 'OpsTools.Compose.ComposeProjectInfo'
    }
}

Describe 'Get-ComposeProject on a project docker-compose started' -Skip:(-not $lab.IsAvailable) {
    BeforeAll {
        $project = New-TinyComposeProject -Suffix prj
    }

    AfterAll {
        Remove-ComposeTestProject -Project $project
    }

    It 'finds the project with its services, working directory and config files from the labels' {
        $found = Get-ComposeProject $project.Name
        $found.Name | Should -Be $project.Name
        $found.Status | Should -Be 'running(3)'
        $found.Running | Should -Be 3
        $found.WorkingDirectory | Should -Be $project.Directory
        $found.ConfigFiles | Should -Be 'docker-compose.yml'
        @($found.Services.Name) | Should -Be @('web', 'worker')
        $found.Services[1].Replicas | Should -Be '2/2'
    }

    It 'matches wildcards, and reads like docker compose ls' {
        $pattern = $project.Name.Substring(0, $project.Name.Length - 3) + '*'
        (Get-ComposeProject $pattern).Name | Should -Contain $project.Name
        Get-ComposeProject $project.Name | Format-Table | Out-String -Width 200 | Should -Match "NAME\s+STATUS\s+CONFIG FILES[\s\S]*$([regex]::Escape($project.Name))\s+running\(3\)\s+docker-compose.yml"
    }

    It 'lists the containers with their numbers with Get-ComposeContainer' {
        $containers = Get-ComposeContainer $project.Name -Service worker
        @($containers.Number) | Should -Be @(1, 2)
        @($containers.Name) | Should -Be @("$($project.Name)_worker_1", "$($project.Name)_worker_2")
        $containers[0].State | Should -Be 'Running'
        $containers[0].OneOff | Should -BeFalse
        $containers[0].ConfigHash | Should -Match '^[0-9a-f]{64}$'
        (Get-ComposeContainer $project.Name -Service web).Ports | Should -Match ([regex]::Escape("0.0.0.0:$($project.Environment.WEB_PORT)->8080/tcp"))
    }

    It 'writes ComposeProjectNotFound with the name as target for an unknown project' {
        Get-ComposeProject opstools-cr-nosuch -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems[0].FullyQualifiedErrorId | Should -Be 'ComposeProjectNotFound,OpsTools.Commands.Compose.GetComposeProjectCommand'
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].TargetObject | Should -Be 'opstools-cr-nosuch'
        Get-ComposeContainer opstools-cr-nosuch -ErrorVariable missing -ErrorAction SilentlyContinue
        $missing[0].FullyQualifiedErrorId | Should -Be 'ComposeProjectNotFound,OpsTools.Commands.Compose.GetComposeContainerCommand'
    }
}
