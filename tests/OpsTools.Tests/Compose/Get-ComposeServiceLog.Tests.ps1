#Requires -Version 7.4
# Get-ComposeServiceLog: parameter surface, then the logs of a project docker-compose started.

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

Describe 'Get-ComposeServiceLog parameters' {
    It 'has Project (mandatory), Service, Tail, Since, Timestamps, Follow, IncludeOneOff and DockerHost' {
        $surface = Get-ParameterSurface -Command Get-ComposeServiceLog
        $surface.Keys | Sort-Object | Should -Be @('DockerHost', 'Follow', 'IncludeOneOff', 'Project', 'Service', 'Since', 'Tail', 'Timestamps')
        $surface['Project'].Mandatory | Should -BeTrue
        $surface['Service'].Aliases | Should -Be @('Name')
        $surface['Service'].ValueFromPipelineByPropertyName | Should -BeTrue
    }
}

Describe 'Get-ComposeServiceLog on a project docker-compose started' -Skip:(-not $lab.IsAvailable) {
    BeforeAll {
        $project = New-TinyComposeProject -Suffix log
        $null = Wait-Until -Because 'both workers wrote five lines' -TimeoutSeconds 30 {
            @((Invoke-LabDocker -ArgumentList 'logs', "$($project.Name)_worker_2").Output).Count -ge 5
        }
    }

    AfterAll {
        Remove-ComposeTestProject -Project $project
    }

    It 'merges the lines of both worker containers in time order, standard error apart' {
        $records = Get-ComposeServiceLog $project.Name worker -Tail 6 -Timestamps
        $records.Count | Should -Be 12
        @($records.Container | Sort-Object -Unique) | Should -Be @("$($project.Name)_worker_1", "$($project.Name)_worker_2")
        $times = $records.Timestamp
        for ($i = 1; $i -lt $times.Count; $i++) { $times[$i] | Should -BeGreaterOrEqual $times[$i - 1] }
        ($records | Where-Object Stream -eq StdErr).Message | Should -Match '^warning \d+$'
        ($records | Where-Object Stream -eq StdOut).Message | Should -Match '^working \d+$'
        $records[0].Service | Should -Be 'worker'
        $records[0].Project | Should -Be $project.Name
    }

    It 'leaves Timestamp empty without -Timestamps and reads every service when -Service is omitted' {
        $records = Get-ComposeServiceLog $project.Name -Tail 1
        @($records.Service | Sort-Object -Unique) | Should -Be @('web', 'worker')
        $records.Timestamp | Where-Object { $_ } | Should -BeNullOrEmpty
    }

    It 'follows new lines and stops when the pipeline stops' {
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $records = Get-ComposeService worker -Project $project.Name | Get-ComposeServiceLog -Follow -Tail 0 | Select-Object -First 4
        $records.Count | Should -Be 4
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 20
    }

    It 'writes ComposeProjectNotFound for an unknown project' {
        Get-ComposeServiceLog opstools-cr-nosuch -ErrorVariable problems -ErrorAction SilentlyContinue
        $problems[0].FullyQualifiedErrorId | Should -Be 'ComposeProjectNotFound,OpsTools.Commands.Compose.GetComposeServiceLogCommand'
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].TargetObject | Should -Be 'opstools-cr-nosuch'
    }
}
