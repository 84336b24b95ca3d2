# Shared by the *-DockerVolume tests: test volumes on the lab's SHARED daemon, all named
# opstools-df-<random>, filled and compared with the lab's busybox image.

Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1')

function New-TestVolumeName {
    <# .SYNOPSIS A volume name no other test run uses: opstools-df-<8 random hex digits>. #>
    'opstools-df-' + [guid]::NewGuid().ToString('n').Substring(0, 8)
}

function New-TestVolume {
    <#
    .SYNOPSIS
    Creates a volume holding files of several sizes (empty, 1 byte, 300 KiB and 2 MiB of random
    bytes), modes (600, 640, 755, setuid 4755), another owner (1000:1000), a symbolic link, a
    nested directory and an empty directory.
    #>
    param([Parameter(Mandatory)] [string] $Name, [string[]] $Label = @())
    $labels = foreach ($l in $Label) { '--label'; $l }
    $null = Invoke-LabDocker -ArgumentList (@('volume', 'create') + $labels + @($Name))
    $script = 'cd /v && mkdir -p sub/deeper empty && : > zero && printf x > one && ' +
        'dd if=/dev/urandom of=sub/medium bs=1024 count=300 2>/dev/null && dd if=/dev/urandom of=sub/deeper/large bs=1024 count=2048 2>/dev/null && ' +
        'echo secret > private && chmod 600 private && echo run > tool && chmod 755 tool && echo s > setuid && chmod 4755 setuid && ' +
        'echo owned > owned && chown 1000:1000 owned && chmod 640 sub/medium && ln -s sub/medium link && chmod 700 sub/deeper'
    $null = Invoke-LabDocker -ArgumentList 'run', '--rm', '--network', 'none', '-v', "${Name}:/v", (Get-LabSetting IMAGE_BUSYBOX), 'sh', '-c', $script
}

function Get-TestVolumeManifest {
    <# .SYNOPSIS One line per entry of a volume (the root left out): path, type, mode, owner, then size and SHA-256 of files or the target of links. #>
    param([Parameter(Mandatory)] [string] $Name)
    $script = 'cd /v && find . -mindepth 1 | sort | while read -r f; do ' +
        'if [ -L "$f" ]; then echo "$f link $(readlink "$f")"; ' +
        'elif [ -d "$f" ]; then echo "$f dir $(stat -c "%a %u:%g" "$f")"; ' +
        'else echo "$f file $(stat -c "%a %u:%g %s" "$f") $(sha256sum "$f" | cut -d" " -f1)"; fi; done'
    (Invoke-LabDocker -ArgumentList 'run', '--rm', '--network', 'none', '-v', "${Name}:/v:ro", (Get-LabSetting IMAGE_BUSYBOX), 'sh', '-c', $script).Output
}

function Remove-TestVolume {
    <# .SYNOPSIS Removes test volumes and any container still using them, ignoring what is gone already. #>
    param([string[]] $Name)
    foreach ($volume in $Name) {
        $users = (Invoke-LabDocker -ArgumentList 'ps', '-aq', '--filter', "volume=$volume" -AllowFailure).Output
        if ($users) { $null = Invoke-LabDocker -ArgumentList (@('rm', '-f') + @($users)) -AllowFailure }
        $null = Invoke-LabDocker -ArgumentList 'volume', 'rm', $volume -AllowFailure
    }
}

function Test-TestVolumeExists {
    param([Parameter(Mandatory)] [string] $Name)
    (Invoke-LabDocker -ArgumentList 'volume', 'inspect', $Name -AllowFailure).ExitCode -eq 0
}

Export-ModuleMember -Function New-TestVolumeName, New-TestVolume, Get-TestVolumeManifest, Remove-TestVolume, Test-TestVolumeExists
