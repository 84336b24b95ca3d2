#Requires -Version 7.4
# Backup-DockerVolume: parameter surface, then backups of volumes created here (opstools-df-*)
# on the lab's shared daemon; archives go to TestDrive.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $lab = Get-LabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'VolumeTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Docker.BackupDockerVolumeCommand'
}

Describe 'Backup-DockerVolume parameters' {
    It 'has exactly the parameters Name, Destination, StopContainers, HelperImage and DockerHost' {
        $surface = Get-ParameterSurface -Command Backup-DockerVolume

        $surface.Keys | Sort-Object | Should -Be @('Destination', 'DockerHost', 'HelperImage', 'Name', 'StopContainers')
        $surface['Name'].Mandatory | Should -BeTrue
        $surface['Name'].ValueFromPipelineByPropertyName | Should -BeTrue
        $surface['Destination'].Position | Should -Be 1
    }

    It 'supports -WhatIf and returns DockerVolumeArchive objects' {
        $command = Get-Command Backup-DockerVolume
        $command.Parameters.Keys | Should -Contain 'WhatIf'
        $command.OutputType.Name | Should -Be 'OpsTools.Docker.DockerVolumeArchive'
    }
}

Describe 'Backup-DockerVolume against the lab daemon' -Skip:(-not $lab.IsAvailable) {
    BeforeAll {
        $savedDockerHost = $env:DOCKER_HOST
        $env:DOCKER_HOST = Get-LabSetting DOCKER_HOST
        $volume = New-TestVolumeName
        New-TestVolume -Name $volume
        $writer = "$volume-writer"
        $null = Invoke-LabDocker -ArgumentList 'run', '--detach', '--init', '--name', $writer, '--network', 'none', '-v', "${volume}:/data", (Get-LabSetting IMAGE_BUSYBOX), 'sleep', '600'
        function Get-StartedAt { (Invoke-LabDocker -ArgumentList 'inspect', '--format', '{{.State.Running}} {{.State.StartedAt}}', $writer).Output }
        function Get-Helpers { @((Invoke-LabDocker -ArgumentList 'ps', '-aq', '--filter', 'label=org.opstools.helper', '--filter', "volume=$volume").Output) }
    }

    AfterAll {
        Remove-TestVolume -Name $volume
        $env:DOCKER_HOST = $savedDockerHost
    }

    It 'writes a tar.gz of the volume and a sha256sum file that checks, and removes its helper container' {
        $archive = Join-Path $TestDrive 'plain.tar.gz'

        $result = Backup-DockerVolume -Name $volume -Destination $archive -WarningVariable warnings -WarningAction SilentlyContinue

        $result.Operation | Should -Be 'Backup'
        $result.Path | Should -Be $archive
        $result.Compressed | Should -BeTrue
        $result.Size | Should -Be (Get-Item $archive).Length
        $result.Sha256 | Should -Be (Get-FileHash $archive -Algorithm SHA256).Hash.ToLowerInvariant()
        Push-Location $TestDrive
        try { sha256sum -c 'plain.tar.gz.sha256' | Should -Be 'plain.tar.gz: OK' } finally { Pop-Location }
        $entries = tar -tzf $archive
        $entries | Should -Contain './sub/deeper/large'
        $entries | Should -Contain './empty/'
        $entries | Should -Contain './link'
        $warnings | Should -HaveCount 1
        "$($warnings[0])" | Should -BeLike "*$writer*-StopContainers*"
        Get-Helpers | Should -BeNullOrEmpty
        Get-ChildItem $TestDrive -Force -Filter '.opstools-*' | Should -BeNullOrEmpty
    }

    It 'stops the running container for the copy with -StopContainers and starts it again' {
        $before = Get-StartedAt

        $result = Backup-DockerVolume -Name $volume -Destination (Join-Path $TestDrive 'stopped.tar') -StopContainers -ErrorVariable problems

        $problems | Should -BeNullOrEmpty
        $result.StoppedContainers | Should -Be @($writer)
        $result.Compressed | Should -BeFalse
        $after = Get-StartedAt
        $after | Should -BeLike 'true *'
        $after | Should -Not -Be $before
    }

    It 'writes an archive named after the volume when -Destination is a directory, from the pipeline' {
        $directory = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'dir')

        $result = Get-DockerVolume -Name $volume | Backup-DockerVolume -Destination $directory.FullName -WarningAction SilentlyContinue

        Split-Path $result.Path -Parent | Should -Be $directory.FullName
        Split-Path $result.Path -Leaf | Should -BeLike "$volume-*Z.tar.gz"
        Test-Path -LiteralPath $result.Path | Should -BeTrue
    }

    It 'changes nothing with -WhatIf: no file, the container keeps running' {
        $before = Get-StartedAt
        $archive = Join-Path $TestDrive 'whatif.tar'

        Backup-DockerVolume -Name $volume -Destination $archive -StopContainers -WhatIf

        Test-Path -LiteralPath $archive | Should -BeFalse
        Get-StartedAt | Should -Be $before
    }

    It 'writes BackupExists (ResourceExists) and keeps the file when the destination exists' {
        $archive = Join-Path $TestDrive 'exists.tar'
        Set-Content -LiteralPath $archive -Value 'keep'

        Backup-DockerVolume -Name $volume -Destination $archive -ErrorVariable problems -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "BackupExists,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        Get-Content -LiteralPath $archive | Should -Be 'keep'
    }

    It 'writes DockerVolumeNotFound (ObjectNotFound) for a volume that does not exist' {
        Backup-DockerVolume -Name "$volume-missing" -Destination (Join-Path $TestDrive 'missing.tar') -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "DockerVolumeNotFound,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].TargetObject | Should -Be "$volume-missing"
    }

    It 'writes DockerVolumeHelperImageNotFound (ObjectNotFound) for a helper image that is not on the host' {
        Backup-DockerVolume -Name $volume -Destination (Join-Path $TestDrive 'noimage.tar') -HelperImage 'opstools-df/none:1' -ErrorVariable problems -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "DockerVolumeHelperImageNotFound,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        Test-Path (Join-Path $TestDrive 'noimage.tar') | Should -BeFalse
    }

    It 'writes DockerVolumeDestinationNotFound (ObjectNotFound) before stopping anything when the directory does not exist' {
        $before = Get-StartedAt

        Backup-DockerVolume -Name $volume -Destination (Join-Path $TestDrive 'no/such/dir/x.tar') -StopContainers -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "DockerVolumeDestinationNotFound,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        Get-StartedAt | Should -Be $before
    }
}
