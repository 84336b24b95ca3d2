#Requires -Version 7.4
# Set-ComposeService: parameter surface, then scaling a real project 1 -> 4 -> 2 with compose's numbering.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Compose.SetComposeServiceCommand'
    $dockerHost = Get-LabSetting DOCKER_HOST
    $project = 'opstools-cu-scale' + [guid]::NewGuid().ToString('n').Substring(0, 6)

    function Get-WorkerName {
        @(docker ps -a --filter "label=com.docker.compose.project=$project" --filter 'label=com.docker.compose.service=worker' --format '{{.Names}}' | Sort-Object)
    }
}

AfterAll {
    $ids = @(docker ps -aq --filter "label=com.docker.compose.project=$project")
    if ($ids.Count -gt 0) { $null = docker rm -f @ids 2>&1 }
    $networks = @(docker network ls -q --filter "label=com.docker.compose.project=$project")
    if ($networks.Count -gt 0) { $null = docker network rm @networks 2>&1 }
}

Describe 'Set-ComposeService parameters' {
    BeforeAll {
        $surface = Get-ParameterSurface -Command Set-ComposeService
    }

    It 'binds -Project and -Name from the pipeline by property name' {
        $surface.Keys | Sort-Object | Should -Be @('DockerHost', 'Name', 'Project', 'Replicas', 'Timeout', 'Wait')
        $surface['Project'].ValueFromPipelineByPropertyName | Should -BeTrue
        $surface['Project'].Aliases | Should -Be @('ProjectName')
        $surface['Name'].ValueFromPipelineByPropertyName | Should -BeTrue
        $surface['Name'].Aliases | Should -Be @('Service')
        $surface['Replicas'].Mandatory | Should -BeTrue
        (Get-Command Set-ComposeService).OutputType.Name | Should -Be 'OpsTools.Compose.ComposeServiceChange'
    }
}

Describe 'Set-ComposeService on a running project' {
    BeforeAll {
        $path = Join-Path $TestDrive 'scale.yml'
        Set-Content -LiteralPath $path -Value "services:`n  worker:`n    image: lab/busybox:1`n    init: true`n    command: [sleep, '600']`n    environment: {ROLE: worker}`n    healthcheck: {test: [CMD, 'true'], interval: 1s, timeout: 10s, retries: 3}`n"
        $null = Start-ComposeProject -Path $path -ProjectName $project -DockerHost $dockerHost
    }

    It 'scales 1 -> 4 with the next numbers, cloning the configuration' {
        $change = [pscustomobject]@{ Project = $project; Service = 'worker' } | Set-ComposeService -Replicas 4 -Wait -Timeout 30s -DockerHost $dockerHost

        $change.Action | Should -Be 'ScaleUp'
        Get-WorkerName | Should -Be @(1..4 | ForEach-Object { "${project}_worker_$_" })
        $clone = docker inspect "${project}_worker_4" | ConvertFrom-Json
        $clone.Config.Env | Should -Contain 'ROLE=worker'
        $clone.Config.Labels.'com.docker.compose.container-number' | Should -Be '4'
        $clone.Config.Labels.'com.docker.compose.config-hash' | Should -Be (docker inspect "${project}_worker_1" | ConvertFrom-Json).Config.Labels.'com.docker.compose.config-hash'
        $clone.NetworkSettings.Networks."${project}_default".Aliases | Should -Contain 'worker'
    }

    It 'with -WhatIf removes nothing' {
        $null = Set-ComposeService -Project $project -Name worker -Replicas 1 -DockerHost $dockerHost -WhatIf

        Get-WorkerName | Should -HaveCount 4
    }

    It 'scales 4 -> 2 removing the highest numbers first' {
        $change = Set-ComposeService -Project $project -Name worker -Replicas 2 -DockerHost $dockerHost

        $change.Action | Should -Be 'ScaleDown'
        Get-WorkerName | Should -Be @("${project}_worker_1", "${project}_worker_2")
    }

    It 'writes ComposeServiceNotFound (ObjectNotFound) for a service without containers and goes on' {
        $results = @(
            [pscustomobject]@{ Project = $project; Name = 'nope' }
            [pscustomobject]@{ Project = $project; Name = 'worker' }
        ) | Set-ComposeService -Replicas 2 -DockerHost $dockerHost -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems | Should -HaveCount 1
        $problems[0].FullyQualifiedErrorId | Should -Be "ComposeServiceNotFound,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].TargetObject | Should -Be 'nope'
        $results.Action | Should -Be 'Unchanged'
    }
}
