#Requires -Version 7.4
# Get-DockerVolume: parameter surface, then volumes created here (opstools-df-*) on the lab's shared daemon.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $lab = Get-LabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'VolumeTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Docker.GetDockerVolumeCommand'
}

Describe 'Get-DockerVolume parameters' {
    It 'has exactly the parameters Name, IncludeSize and DockerHost' {
        $surface = Get-ParameterSurface -Command Get-DockerVolume

        $surface.Keys | Sort-Object | Should -Be @('DockerHost', 'IncludeSize', 'Name')
        $surface['Name'].Type | Should -Be 'System.String[]'
        $surface['Name'].Position | Should -Be 0
        $surface['Name'].SupportsWildcards | Should -BeTrue
        $surface['Name'].ValueFromPipelineByPropertyName | Should -BeTrue
        (Get-Command Get-DockerVolume).OutputType.Name | Should -Be 'OpsTools.Docker.DockerVolume'
    }
}

Describe 'Get-DockerVolume against the lab daemon' -Skip:(-not $lab.IsAvailable) {
    BeforeAll {
        $savedDockerHost = $env:DOCKER_HOST
        $env:DOCKER_HOST = Get-LabSetting DOCKER_HOST
        $prefix = New-TestVolumeName
        $used = "$prefix-used"
        $unused = "$prefix-unused"
        $null = Invoke-LabDocker -ArgumentList 'volume', 'create', '--label', 'com.docker.compose.project=opstools-df-proj', $used
        $null = Invoke-LabDocker -ArgumentList 'volume', 'create', $unused
        $null = Invoke-LabDocker -ArgumentList 'run', '--rm', '--network', 'none', '-v', "${used}:/v", (Get-LabSetting IMAGE_BUSYBOX), 'sh', '-c', 'dd if=/dev/zero of=/v/data bs=1024 count=64 2>/dev/null'
        $user = "$prefix-user"
        $null = Invoke-LabDocker -ArgumentList 'create', '--name', $user, '-v', "${used}:/data", (Get-LabSetting IMAGE_BUSYBOX), 'true'
    }

    AfterAll {
        Remove-TestVolume -Name $used, $unused
        $env:DOCKER_HOST = $savedDockerHost
    }

    It 'returns the compose project and the containers, stopped ones included, that mount a volume' {
        $volume = Get-DockerVolume -Name $used

        $volume.Name | Should -Be $used
        $volume.Driver | Should -Be 'local'
        $volume.Project | Should -Be 'opstools-df-proj'
        $volume.Users | Should -Be @($user)
        $volume.UserCount | Should -Be 1
        $volume.Mountpoint | Should -Not -BeNullOrEmpty
        $volume.Size | Should -BeNullOrEmpty
    }

    It 'matches names with wildcards and reads sizes only with -IncludeSize' {
        $volumes = Get-DockerVolume -Name "$prefix-*" -IncludeSize

        $volumes.Name | Should -Be @($unused, $used)
        ($volumes | Where-Object Name -eq $used).Size | Should -BeGreaterOrEqual 65536
        ($volumes | Where-Object Name -eq $unused).UserCount | Should -Be 0
    }

    It 'shows a docker volume ls table with the project and users' {
        $table = Get-DockerVolume -Name $used | Format-Table | Out-String -Width 300

        $table | Should -Match 'DRIVER\s+VOLUME NAME\s+PROJECT\s+SIZE\s+USERS'
        $table | Should -Match "local\s+$used\s+opstools-df-proj\s+$user"
    }

    It 'writes DockerVolumeNotFound (ObjectNotFound) for a plain name that matches nothing and goes on' {
        $result = Get-DockerVolume -Name "$prefix-missing", $used -ErrorVariable problems -ErrorAction SilentlyContinue

        $result.Name | Should -Be $used
        $problems | Should -HaveCount 1
        $problems[0].FullyQualifiedErrorId | Should -Be "DockerVolumeNotFound,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].TargetObject | Should -Be "$prefix-missing"
    }
}
