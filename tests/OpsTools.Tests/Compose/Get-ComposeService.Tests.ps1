#Requires -Version 7.4
# Get-ComposeService: parameter surface, then the proof against Debian's docker-compose 1.29: the shop
# project started with the prod and the dev override (two projects), seen exactly as docker-compose ps sees it.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'ComposeProjects.psm1') -Force
    $lab = Get-ComposeLabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'ComposeProjects.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Compose.GetComposeServiceCommand'
}

Describe 'Get-ComposeService parameters' {
    BeforeAll {
        $surface = Get-ParameterSurface -Command Get-ComposeService
    }

    It 'has exactly the parameters Name, Project, IncludeOneOff, Detailed and DockerHost' {
        $surface.Keys | Sort-Object | Should -Be @('Detailed', 'DockerHost', 'IncludeOneOff', 'Name', 'Project')
    }

    It 'takes -Name at position 0 with wildcards and -Project from the pipeline by property name' {
        $surface['Name'].Position | Should -Be 0
        $surface['Name'].SupportsWildcards | Should -BeTrue
        $surface['Name'].Aliases | Should -Be @('Service')
        $surface['Project'].ValueFromPipelineByPropertyName | Should -BeTrue
        (Get-Command Get-ComposeService).OutputType.Name | Should -Be 'OpsTools.Compose.ComposeServiceInfo'
    }
}

Describe 'Get-ComposeService on the shop project started by docker-compose' -Skip:(-not $lab.IsAvailable) {
    BeforeAll {
        $shop = Join-Path (Get-RepositoryRoot) 'tests/lab/compose/shop'
        $suffix = [guid]::NewGuid().ToString('n').Substring(0, 6)
        $projects = @(
            [pscustomobject]@{ Kind = 'prod'; Name = "opstools-cr-prod-$suffix"; Directory = $shop; File = @('docker-compose.yml', 'docker-compose.prod.yml'); Environment = @{ API_PORT = Get-FreeTcpPort; FRONTEND_PORT = Get-FreeTcpPort } }
            [pscustomobject]@{ Kind = 'dev'; Name = "opstools-cr-dev-$suffix"; Directory = $shop; File = @('docker-compose.yml', 'docker-compose.dev.yml'); Environment = @{ API_PORT = Get-FreeTcpPort; FRONTEND_PORT = Get-FreeTcpPort; DEV_DB_PORT = Get-FreeTcpPort } }
        )
        # The dev copy runs only the services without PostgreSQL (worker, scheduler and their redis): the
        # dev override's scale and a second project are what it proves, and one PostgreSQL is enough load.
        $jobs = @(
            Start-ComposeTestJob -Project $projects[0].Name -Directory $shop -File $projects[0].File -Environment $projects[0].Environment
            Start-ComposeTestJob -Project $projects[1].Name -Directory $shop -File $projects[1].File -Environment $projects[1].Environment -Service worker, scheduler
        )
        $null = $jobs | Wait-Job -Timeout 300 | Receive-Job -ErrorAction Stop
        $jobs | Remove-Job -Force
        foreach ($project in $projects) {
            # Compared once every health check has settled, so both tools read the same states.
            $null = Wait-Until -Because "the services of $($project.Name) are healthy" -TimeoutSeconds 180 -IntervalMilliseconds 500 {
                $states = (Invoke-LabDocker -ArgumentList 'ps', '--filter', "label=com.docker.compose.project=$($project.Name)", '--format', '{{.Status}}').Output
                $states.Count -ge 3 -and -not ($states | Where-Object { $_ -match 'starting|unhealthy' })
            }
        }
        $oneOff = @(Invoke-DockerCompose -Project $projects[0].Name -Directory $shop -File $projects[0].File -Environment $projects[0].Environment -ArgumentList 'run', '-d', '--no-deps', 'scheduler', 'sleep', '600')[-1].Trim()
    }

    AfterAll {
        $jobs = $projects | ForEach-Object {
            $project = $_
            Start-ThreadJob -ScriptBlock {
                Import-Module $using:PSScriptRoot/../TestSupport.psm1 -Force
                Import-Module $using:PSScriptRoot/ComposeProjects.psm1 -Force
                Remove-ComposeTestProject -Project $using:project
            }
        }
        $null = $jobs | Wait-Job -Timeout 120 | Receive-Job -ErrorAction SilentlyContinue
        $jobs | Remove-Job -Force
        foreach ($project in $projects) {
            foreach ($name in Get-ProjectObject -Project $project.Name -Kind container) { $null = Invoke-LabDocker -ArgumentList 'rm', '-f', $name -AllowFailure }
        }
    }

    It 'lists the containers docker-compose ps -q lists (<Kind>)' -ForEach @(@{ Index = 0; Kind = 'prod' }, @{ Index = 1; Kind = 'dev' }) {
        $project = $projects[$Index]
        $expected = Invoke-DockerCompose -Project $project.Name -Directory $project.Directory -File $project.File -Environment $project.Environment -ArgumentList 'ps', '-q'
        # docker-compose 1.29 ps lists the running containers of docker-compose run as well: compared with -IncludeOneOff.
        $services = Get-ComposeService -Project $project.Name -IncludeOneOff
        @($services.Containers.Id | Sort-Object) | Should -Be @($expected | Sort-Object)
    }

    It 'shows each container with the state, health and published ports of docker-compose ps (<Kind>)' -ForEach @(@{ Index = 0; Kind = 'prod' }, @{ Index = 1; Kind = 'dev' }) {
        $project = $projects[$Index]
        $expected = Get-DockerComposePs -Project $project.Name -Directory $project.Directory -File $project.File -Environment $project.Environment
        $containers = (Get-ComposeService -Project $project.Name -IncludeOneOff).Containers
        $actual = $containers | ForEach-Object {
            $ports = $_.PublishedPorts | ForEach-Object { if ($_.PublishedPort) { "$($_.PublishedPort)->$($_.TargetPort)/$($_.Protocol)" } else { "$($_.TargetPort)/$($_.Protocol)" } }
            '{0} {1} [{2}]' -f $_.Name, ($_ | ConvertTo-DockerComposeState), (@($ports | Sort-Object -Unique) -join ',')
        }
        $wanted = $expected | ForEach-Object { '{0} {1} [{2}]' -f $_.Name, $_.State, ($_.Ports -join ',') }
        @($actual | Sort-Object) | Should -Be @($wanted | Sort-Object)
    }

    It 'counts running and total containers per service: two workers in prod, one in dev, migrate exited' {
        $prod = Get-ComposeService -Project $projects[0].Name
        $dev = Get-ComposeService -Project $projects[1].Name
        ($prod | Where-Object Name -eq worker).Replicas | Should -Be '2/2'
        ($dev | Where-Object Name -eq worker).Replicas | Should -Be '1/1'
        $migrate = $prod | Where-Object Name -eq migrate
        $migrate.Replicas | Should -Be '0/1'
        $migrate.Status | Should -Be 'exited(1)'
        $migrate.Containers[0].ExitCode | Should -Be 0
        ($prod | Where-Object Name -eq worker).Health | Should -Be 'Healthy'
        ($prod | Where-Object Name -eq scheduler).Health | Should -Be 'None'
        ($prod | Where-Object Name -eq api).Ports | Should -Match ([regex]::Escape(":$($projects[0].Environment.API_PORT)->8000/tcp"))
        @($dev.Name) | Should -Be @('redis', 'scheduler', 'worker')
    }

    It 'leaves the docker-compose run container out unless -IncludeOneOff is given' {
        (Get-ComposeService scheduler -Project $projects[0].Name).Total | Should -Be 1
        $withOneOff = Get-ComposeService scheduler -Project $projects[0].Name -IncludeOneOff
        $withOneOff.Total | Should -Be 2
        ($withOneOff.Containers | Where-Object OneOff).Name | Should -Be $oneOff
    }

    It 'fills RestartCount only with -Detailed' {
        (Get-ComposeService worker -Project $projects[0].Name).RestartCount | Should -BeNullOrEmpty
        (Get-ComposeService worker -Project $projects[0].Name -Detailed).RestartCount | Should -Be 0
    }

    It 'reads like docker compose ps in a table and exports to CSV' {
        $table = Get-ComposeService -Project $projects[0].Name | Format-Table | Out-String -Width 200
        $table | Should -Match 'SERVICE\s+REPLICAS\s+HEALTH\s+STATUS\s+IMAGE\s+PORTS'
        $table | Should -Match 'worker\s+2/2\s+healthy\s+running\(2\)'
        $csv = Get-ComposeService -Project $projects[0].Name | ConvertTo-Csv | ConvertFrom-Csv
        ($csv | Where-Object Name -eq api).Running | Should -Be '1'
    }

    It 'writes ComposeServiceNotFound with the name as target for an unknown service' {
        $null = Get-ComposeService nosuch -Project $projects[0].Name -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems[0].FullyQualifiedErrorId | Should -Be "ComposeServiceNotFound,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].TargetObject | Should -Be 'nosuch'
    }

    It 'writes ComposeProjectNotFound with the name as target for an unknown project' {
        $null = Get-ComposeService -Project opstools-cr-nosuch -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems[0].FullyQualifiedErrorId | Should -Be "ComposeProjectNotFound,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].TargetObject | Should -Be 'opstools-cr-nosuch'
        $problems[0].ErrorDetails.RecommendedAction | Should -Match 'Get-ComposeProject'
    }
}
