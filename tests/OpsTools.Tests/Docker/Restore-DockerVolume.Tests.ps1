#Requires -Version 7.4
# Restore-DockerVolume: parameter surface, then restores into volumes created here (opstools-df-*)
# on the lab's shared daemon, from archives Backup-DockerVolume writes to TestDrive.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $lab = Get-LabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'VolumeTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Docker.RestoreDockerVolumeCommand'
}

Describe 'Restore-DockerVolume parameters' {
    It 'has exactly the parameters Path, Name, Force, StopContainers, HelperImage and DockerHost' {
        $surface = Get-ParameterSurface -Command Restore-DockerVolume

        $surface.Keys | Sort-Object | Should -Be @('DockerHost', 'Force', 'HelperImage', 'Name', 'Path', 'StopContainers')
        $surface['Path'].Position | Should -Be 0
        $surface['Name'].Position | Should -Be 1
        $surface['Path'].Aliases | Should -Be @('FullName')
    }

    It 'has ConfirmImpact High' {
        (Get-Command Restore-DockerVolume).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false).ConfirmImpact | Should -Be 'High'
    }
}

Describe 'Restore-DockerVolume against the lab daemon' -Skip:(-not $lab.IsAvailable) {
    BeforeAll {
        $savedDockerHost = $env:DOCKER_HOST
        $env:DOCKER_HOST = Get-LabSetting DOCKER_HOST
        $source = New-TestVolumeName
        New-TestVolume -Name $source
        $sourceManifest = Get-TestVolumeManifest -Name $source
        $archive = Join-Path $TestDrive 'source.tar.gz'
        $plainArchive = Join-Path $TestDrive 'source.tar'
        $null = Backup-DockerVolume -Name $source -Destination $archive
        $null = Backup-DockerVolume -Name $source -Destination $plainArchive
        $targets = [System.Collections.Generic.List[string]]::new()
        function New-Target { $name = New-TestVolumeName; $targets.Add($name); $name }
    }

    AfterAll {
        Remove-TestVolume -Name (@($source) + $targets)
        $env:DOCKER_HOST = $savedDockerHost
    }

    It 'round-trips a volume byte for byte through tar.gz: paths, types, modes, owners, sizes, SHA-256 and links' {
        $target = New-Target

        $result = Restore-DockerVolume -Path $archive -Name $target -Confirm:$false

        $result.Operation | Should -Be 'Restore'
        $result.Volume | Should -Be $target
        $result.Sha256 | Should -Be (Get-FileHash $archive -Algorithm SHA256).Hash.ToLowerInvariant()
        $manifest = Get-TestVolumeManifest -Name $target
        $manifest | Should -HaveCount 12
        $manifest | Should -Be $sourceManifest
        @((Invoke-LabDocker -ArgumentList 'ps', '-aq', '--filter', 'label=org.opstools.helper', '--filter', "volume=$target").Output) | Should -BeNullOrEmpty
    }

    It 'round-trips an uncompressed tar too' {
        $target = New-Target

        $null = Restore-DockerVolume $plainArchive $target -Confirm:$false

        Get-TestVolumeManifest -Name $target | Should -Be $sourceManifest
    }

    It 'refuses a volume that holds files with DockerVolumeNotEmpty (ResourceExists), and writes into it with -Force' {
        Restore-DockerVolume -Path $archive -Name $source -Confirm:$false -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "DockerVolumeNotEmpty,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        $problems[0].TargetObject | Should -Be $source

        $forced = Restore-DockerVolume -Path $archive -Name $source -Force -Confirm:$false
        $forced.Volume | Should -Be $source
        Get-TestVolumeManifest -Name $source | Should -Be $sourceManifest
    }

    It 'refuses a corrupted archive with DockerVolumeArchiveCorrupt (InvalidData) before creating or writing anything' {
        $target = New-Target
        $corrupt = Join-Path $TestDrive 'corrupt.tar.gz'
        $bytes = [System.IO.File]::ReadAllBytes($archive)
        $bytes[[int]($bytes.Length / 2)] = $bytes[[int]($bytes.Length / 2)] -bxor 0xFF
        [System.IO.File]::WriteAllBytes($corrupt, $bytes)
        Copy-Item -LiteralPath "$archive.sha256" -Destination "$corrupt.sha256"

        Restore-DockerVolume -Path $corrupt -Name $target -Confirm:$false -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "DockerVolumeArchiveCorrupt,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $problems[0].TargetObject | Should -Be $corrupt
        Test-TestVolumeExists -Name $target | Should -BeFalse
    }

    It 'refuses an archive without its .sha256 file with DockerVolumeChecksumMissing (ObjectNotFound)' {
        $target = New-Target
        $bare = Join-Path $TestDrive 'bare.tar'
        Copy-Item -LiteralPath $plainArchive -Destination $bare

        Restore-DockerVolume -Path $bare -Name $target -Confirm:$false -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "DockerVolumeChecksumMissing,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        Test-TestVolumeExists -Name $target | Should -BeFalse
    }

    It 'refuses a volume mounted by a running container with DockerVolumeInUse (InvalidOperation)' {
        $target = New-Target
        $null = Invoke-LabDocker -ArgumentList 'run', '--detach', '--init', '--name', "$target-user", '--network', 'none', '-v', "${target}:/data", (Get-LabSetting IMAGE_BUSYBOX), 'sleep', '600'

        Restore-DockerVolume -Path $archive -Name $target -Confirm:$false -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "DockerVolumeInUse,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        (Invoke-LabDocker -ArgumentList 'exec', "$target-user", 'ls', '-A', '/data').Output | Should -BeNullOrEmpty
    }

    It 'starts the containers it stopped again when the restore then fails on a non-empty volume' {
        $target = New-Target
        $null = Invoke-LabDocker -ArgumentList 'run', '--detach', '--init', '--name', "$target-user", '--network', 'none', '-v', "${target}:/data", (Get-LabSetting IMAGE_BUSYBOX), 'sh', '-c', 'echo old > /data/old && exec sleep 600'
        $null = Wait-Until { (Invoke-LabDocker -ArgumentList 'exec', "$target-user", 'ls', '/data').Output -eq 'old' } -Because 'the container wrote its file' -TimeoutSeconds 10
        $before = (Invoke-LabDocker -ArgumentList 'inspect', '--format', '{{.State.StartedAt}}', "$target-user").Output

        Restore-DockerVolume -Path $archive -Name $target -StopContainers -Confirm:$false -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "DockerVolumeNotEmpty,$commandId"
        $after = (Invoke-LabDocker -ArgumentList 'inspect', '--format', '{{.State.Running}} {{.State.StartedAt}}', "$target-user").Output
        $after | Should -BeLike 'true *'
        $after | Should -Not -BeLike "* $before"
        (Invoke-LabDocker -ArgumentList 'exec', "$target-user", 'ls', '-A', '/data').Output | Should -Be 'old'
    }

    It 'creates and writes nothing with -WhatIf' {
        $target = New-Target

        Restore-DockerVolume -Path $archive -Name $target -WhatIf

        Test-TestVolumeExists -Name $target | Should -BeFalse
    }
}
