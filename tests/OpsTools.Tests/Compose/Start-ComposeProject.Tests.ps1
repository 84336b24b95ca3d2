#Requires -Version 7.4
# Start-ComposeProject: parameter surface, bad input refused before anything is created, then the
# lab's shop project started next to the same project started by Debian's docker-compose 1.29 and
# compared container by container; docker-compose ps lists ours and docker-compose down removes it.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Compose.StartComposeProjectCommand'
    $dockerHost = Get-LabSetting DOCKER_HOST
    $composeCli = Get-LabSetting DOCKER_COMPOSE
    $shopDir = Join-Path (Get-RepositoryRoot) 'tests/lab/compose/shop'
    $shopFiles = @((Join-Path $shopDir 'docker-compose.yml'), (Join-Path $shopDir 'docker-compose.prod.yml'))
    $suffix = [guid]::NewGuid().ToString('n').Substring(0, 6)

    function Get-FreePort {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Any, 0)
        $listener.Start()
        $port = $listener.LocalEndpoint.Port
        $listener.Stop()
        $port
    }

    function Get-ProjectContainer([string] $Project) {
        $ids = @(docker ps -aq --filter "label=com.docker.compose.project=$Project")
        if ($ids.Count -eq 0) { return @() }
        @(docker inspect @ids | ConvertFrom-Json -AsHashtable)
    }

    function Remove-TestProject([string] $Project) {
        $ids = @(docker ps -aq --filter "label=com.docker.compose.project=$Project")
        if ($ids.Count -gt 0) { $null = docker rm -f @ids 2>&1 }
        $networks = @(docker network ls -q --filter "label=com.docker.compose.project=$Project")
        if ($networks.Count -gt 0) { $null = docker network rm @networks 2>&1 }
        $volumes = @(docker volume ls -q --filter "label=com.docker.compose.project=$Project")
        if ($volumes.Count -gt 0) { $null = docker volume rm -f @volumes 2>&1 }
    }

    function Invoke-ComposeCli([string] $Project, [hashtable] $Environment, [string[]] $Arguments) {
        $saved = @{}
        foreach ($name in $Environment.Keys) { $saved[$name] = [Environment]::GetEnvironmentVariable($name); [Environment]::SetEnvironmentVariable($name, [string]$Environment[$name]) }
        try {
            $output = & $composeCli -p $Project -f $shopFiles[0] -f $shopFiles[1] @Arguments 2>&1
            [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = ($output | Out-String) }
        }
        finally {
            foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
        }
    }
}

Describe 'Start-ComposeProject parameters' {
    BeforeAll {
        $command = Get-Command -Name Start-ComposeProject
        $surface = Get-ParameterSurface -Command Start-ComposeProject
    }

    It 'has exactly the parameters of docker-compose up -d that it supports' {
        $surface.Keys | Sort-Object | Should -Be @('DockerHost', 'EnvFile', 'Path', 'ProjectName', 'RemoveOrphans', 'Scale', 'Service', 'Timeout', 'Variables', 'Wait')
    }

    It 'takes -Path first, from the pipeline, and -ProjectName also as -Project' {
        $surface['Path'].Mandatory | Should -BeTrue
        $surface['Path'].Position | Should -Be 0
        $surface['Path'].ValueFromPipelineByPropertyName | Should -BeTrue
        $surface['ProjectName'].Aliases | Should -Be @('Project')
        $surface['Scale'].Type | Should -Be 'System.Collections.Hashtable'
        $surface['Timeout'].Type | Should -Be 'System.TimeSpan'
    }

    It 'declares ComposeServiceChange as output, one parameter set and ShouldProcess' {
        $command.OutputType.Name | Should -Be 'OpsTools.Compose.ComposeServiceChange'
        $command.ParameterSets.Name | Should -Be 'Default'
        $command.Parameters.ContainsKey('WhatIf') | Should -BeTrue
    }
}

Describe 'Start-ComposeProject refuses bad input before creating anything' {
    BeforeAll {
        $project = "opstools-cu-bad$suffix"
    }

    AfterAll {
        Remove-TestProject $project
    }

    It 'names the unknown service of a depends_on (ComposeDependencyUnknown, InvalidData)' {
        $path = Join-Path $TestDrive 'unknown.yml'
        Set-Content -LiteralPath $path -Value "services:`n  api:`n    image: lab/busybox:1`n    depends_on: [db]`n"

        $problem = { Start-ComposeProject -Path $path -ProjectName $project -DockerHost $dockerHost } | Should -Throw -PassThru

        $problem.FullyQualifiedErrorId | Should -Be "ComposeDependencyUnknown,$commandId"
        $problem.CategoryInfo.Category | Should -Be 'InvalidData'
        $problem.TargetObject | Should -Be 'db'
        $problem.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        Get-ProjectContainer $project | Should -BeNullOrEmpty
    }

    It 'names the dependency cycle (ComposeDependencyCycle, InvalidData)' {
        $path = Join-Path $TestDrive 'cycle.yml'
        Set-Content -LiteralPath $path -Value "services:`n  a:`n    image: lab/busybox:1`n    depends_on: [b]`n  b:`n    image: lab/busybox:1`n    depends_on:`n      c: {condition: service_healthy}`n  c:`n    image: lab/busybox:1`n    depends_on: [a]`n"

        $problem = { Start-ComposeProject -Path $path -ProjectName $project -DockerHost $dockerHost } | Should -Throw -PassThru

        $problem.FullyQualifiedErrorId | Should -Be "ComposeDependencyCycle,$commandId"
        $problem.CategoryInfo.Category | Should -Be 'InvalidData'
        $problem.Exception.Message | Should -Match 'a -> b -> c -> a'
        Get-ProjectContainer $project | Should -BeNullOrEmpty
    }

    It 'refuses a host port another process holds and creates no network, volume or container (ComposePortInUse)' {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Any, 0)
        $listener.Start()
        try {
            $taken = $listener.LocalEndpoint.Port
            $problem = { Start-ComposeProject -Path $shopFiles -ProjectName $project -Variables @{ API_PORT = $taken; FRONTEND_PORT = (Get-FreePort) } -DockerHost $dockerHost } | Should -Throw -PassThru
        }
        finally {
            $listener.Stop()
        }

        $problem.FullyQualifiedErrorId | Should -Be "ComposePortInUse,$commandId"
        $problem.CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        $problem.TargetObject | Should -Be $taken
        Get-ProjectContainer $project | Should -BeNullOrEmpty
        @(docker network ls -q --filter "label=com.docker.compose.project=$project") | Should -BeNullOrEmpty
        @(docker volume ls -q --filter "label=com.docker.compose.project=$project") | Should -BeNullOrEmpty
    }

    It 'names a -Service the files do not have (ComposeServiceUnknown, ObjectNotFound)' {
        $problem = { Start-ComposeProject -Path $shopFiles -ProjectName $project -Service nope -DockerHost $dockerHost } | Should -Throw -PassThru

        $problem.FullyQualifiedErrorId | Should -Be "ComposeServiceUnknown,$commandId"
        $problem.CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'fails -Wait within the timeout naming a service whose health check never passes' {
        $path = Join-Path $TestDrive 'sick.yml'
        Set-Content -LiteralPath $path -Value "services:`n  sick:`n    image: lab/busybox:1`n    init: true`n    command: [sleep, '600']`n    healthcheck: {test: [CMD, 'false'], interval: 500ms, timeout: 1s, retries: 2}`n  fine:`n    image: lab/busybox:1`n    init: true`n    command: [sleep, '600']`n"
        $watch = [System.Diagnostics.Stopwatch]::StartNew()

        $changes = Start-ComposeProject -Path $path -ProjectName $project -Wait -Timeout 30s -DockerHost $dockerHost -ErrorVariable problems -ErrorAction SilentlyContinue

        $watch.Elapsed.TotalSeconds | Should -BeLessThan 30
        $problems | Should -HaveCount 1
        $problems[0].FullyQualifiedErrorId | Should -Be "ComposeServiceUnhealthy,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidResult'
        $problems[0].TargetObject | Should -Be 'sick'
        $problems[0].Exception.Message | Should -Match "sick_1 is unhealthy; last health check: exit code"
        $changes.Service | Sort-Object | Should -Be @('fine', 'sick')
    }
}

Describe 'Start-ComposeProject on the shop project, next to docker-compose 1.29' {
    BeforeAll {
        $ours = "opstools-cu-ours$suffix"
        $theirs = "opstools-cu-cli$suffix"
        $ourPorts = @{ API_PORT = (Get-FreePort); FRONTEND_PORT = (Get-FreePort) }
        $theirPorts = @{ API_PORT = (Get-FreePort); FRONTEND_PORT = (Get-FreePort) }
        # docker-compose starts its copy in the background while ours starts: the comparison costs no extra wait.
        $cliJob = Start-ThreadJob -ScriptBlock {
            param($cli, $project, $files, $ports)
            foreach ($name in $ports.Keys) { [Environment]::SetEnvironmentVariable($name, [string]$ports[$name]) }
            & $cli -p $project -f $files[0] -f $files[1] up -d 2>&1 | Out-String
            $LASTEXITCODE
        } -ArgumentList $composeCli, $theirs, $shopFiles, $theirPorts
        try {
            $started = Start-ComposeProject -Path $shopFiles -ProjectName $ours -Variables $ourPorts -Wait -Timeout 240s -DockerHost $dockerHost
        }
        finally {
            $cliResult = $cliJob | Wait-Job -Timeout 240 | Receive-Job
            $cliJob | Remove-Job -Force
        }
    }

    AfterAll {
        Remove-TestProject $ours
        Remove-TestProject $theirs
    }

    It 'creates every service in dependency order with the numbers compose gives' {
        $started.Service | Should -Be @('postgres', 'migrate', 'redis', 'api', 'frontend', 'scheduler', 'worker')
        $started.Action | Select-Object -Unique | Should -Be 'Create'
        ($started | Where-Object Service -eq worker).Containers | Should -Be @("${ours}_worker_1", "${ours}_worker_2")
        ($started | Format-Table | Out-String -Width 200) | Should -Match 'PROJECT\s+SERVICE\s+ACTION\s+REPLICAS\s+REASON\s+CONTAINERS'
    }

    It 'is listed by docker-compose ps exactly as the project docker-compose started' {
        $cliResult[-1] | Should -Be 0
        $ps = Invoke-ComposeCli $ours $ourPorts @('ps')
        $ps.ExitCode | Should -Be 0
        foreach ($name in 'postgres_1', 'redis_1', 'migrate_1', 'api_1', 'scheduler_1', 'worker_1', 'worker_2', 'frontend_1') {
            $ps.Output | Should -Match ([regex]::Escape("${ours}_$name"))
        }
        $ps.Output | Should -Match "${ours}_api_1\s.*Up \(healthy\)"
    }

    It 'gives each service the container configuration docker-compose gives it, field by field' {
        $differences = foreach ($service in 'postgres', 'redis', 'migrate', 'api', 'scheduler', 'worker', 'frontend') {
            $pair = foreach ($project in $ours, $theirs) {
                $inspect = @(docker inspect "${project}_${service}_1" | ConvertFrom-Json -AsHashtable)[0]
                $shortId = $inspect.Id.Substring(0, 12)
                $config = $inspect.Config
                $config.Remove('Hostname')
                foreach ($label in 'com.docker.compose.config-hash', 'com.docker.compose.project.config_files') { $config.Labels.Remove($label) }
                $networks = [ordered]@{}
                foreach ($network in $inspect.NetworkSettings.Networks.Keys | Sort-Object) {
                    $networks[$network] = @($inspect.NetworkSettings.Networks[$network].Aliases | Where-Object { $_ -ne $shortId } | Sort-Object)
                }
                $text = [ordered]@{ Config = $config; HostConfig = $inspect.HostConfig; Networks = $networks } | ConvertTo-Json -Depth 10 -Compress
                $text.Replace($project, '<project>').Replace([string]$ourPorts.API_PORT, '<api-port>').Replace([string]$theirPorts.API_PORT, '<api-port>').Replace([string]$ourPorts.FRONTEND_PORT, '<frontend-port>').Replace([string]$theirPorts.FRONTEND_PORT, '<frontend-port>') | ConvertFrom-Json -AsHashtable
            }
            foreach ($section in 'Config', 'HostConfig', 'Networks') {
                foreach ($key in @($pair[0][$section].Keys) + @($pair[1][$section].Keys) | Sort-Object -Unique) {
                    $mine = $pair[0][$section][$key] | ConvertTo-Json -Depth 10 -Compress
                    $cli = $pair[1][$section][$key] | ConvertTo-Json -Depth 10 -Compress
                    if ($mine -ne $cli) { "$service $section.$key ours=$mine docker-compose=$cli" }
                }
            }
        }

        $differences | Should -BeNullOrEmpty
    }

    It 'with -WhatIf on a changed variable lists the recreation and changes nothing' {
        $before = @(Get-ProjectContainer $ours | ForEach-Object Id | Sort-Object)

        $planned = Start-ComposeProject -Path $shopFiles -ProjectName $ours -Variables ($ourPorts + @{ LOG_LEVEL = 'error' }) -DockerHost $dockerHost -WhatIf

        ($planned | Where-Object Service -eq api).Action | Should -Be 'Recreate'
        ($planned | Where-Object Service -eq api).WhatIf | Should -BeTrue
        @($planned | Where-Object Action -eq 'Recreate').Service | Should -Be @('api')
        @(Get-ProjectContainer $ours | ForEach-Object Id | Sort-Object) | Should -Be $before
    }

    It 'recreates only the service a changed variable affects; the others keep their container ids' {
        $before = @{}
        Get-ProjectContainer $ours | ForEach-Object { $before[$_.Name] = $_.Id }

        $changes = Start-ComposeProject -Path $shopFiles -ProjectName $ours -Variables ($ourPorts + @{ LOG_LEVEL = 'error' }) -Wait -Timeout 120s -DockerHost $dockerHost

        ($changes | Where-Object Service -eq api).Action | Should -Be 'Recreate'
        $after = @{}
        Get-ProjectContainer $ours | ForEach-Object { $after[$_.Name] = $_.Id }
        $after.Keys | Sort-Object | Should -Be ($before.Keys | Sort-Object)
        foreach ($name in $before.Keys) {
            if ($name -eq "/${ours}_api_1") { $after[$name] | Should -Not -Be $before[$name] }
            else { $after[$name] | Should -Be $before[$name] -Because "$name is not affected by LOG_LEVEL" }
        }
        (docker inspect "${ours}_api_1" | ConvertFrom-Json).Config.Env | Should -Contain 'LOG_LEVEL=error'
    }

    It 'is removed, networks and volumes included, by docker-compose down -v' {
        $down = Invoke-ComposeCli $ours $ourPorts @('down', '-v', '-t', '2')

        $down.ExitCode | Should -Be 0 -Because $down.Output
        Get-ProjectContainer $ours | Should -BeNullOrEmpty
        @(docker network ls -q --filter "label=com.docker.compose.project=$ours") | Should -BeNullOrEmpty
        @(docker volume ls -q --filter "label=com.docker.compose.project=$ours") | Should -BeNullOrEmpty
    }
}
