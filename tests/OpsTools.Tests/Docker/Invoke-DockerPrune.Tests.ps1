#Requires -Version 7.4
# Invoke-DockerPrune: parameter surface, then pruning on the lab's SHARED daemon. Every prune in
# this file carries -Label opsimg.test=<guid of this run> and every object it may remove was
# created here with that label: the other test runs' containers, images, volumes and networks,
# and the lab's images, are never candidates.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $lab = Get-LabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../Images/ImageTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Docker.InvokeDockerPruneCommand'
}

Describe 'Invoke-DockerPrune parameters' {
    BeforeAll {
        $command = Get-Command -Name Invoke-DockerPrune
        $surface = Get-ParameterSurface -Command Invoke-DockerPrune
    }

    It 'has exactly the parameters Containers, Images, Volumes, Networks, All, Until, Label, Summary and DockerHost' {
        $surface.Keys | Sort-Object | Should -Be (@('All', 'Containers', 'DockerHost', 'Images', 'Label', 'Networks', 'Summary', 'Until', 'Volumes') | Sort-Object)
        $surface['Until'].Type | Should -Be 'System.Nullable`1[System.DateTimeOffset]'
        $surface['Label'].Type | Should -Be 'System.String[]'
    }

    It 'has ConfirmImpact High and returns DockerPruneItem or DockerPruneSummary objects' {
        $command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false).ConfirmImpact | Should -Be 'High'
        $command.OutputType.Name | Should -Be @('OpsTools.Docker.DockerPruneItem', 'OpsTools.Docker.DockerPruneSummary')
    }

    It 'stops with DockerPruneLabelInvalid (InvalidArgument) before listing anything for a label with a space' {
        $problem = { Invoke-DockerPrune -Containers -Label 'bad key=1' -Confirm:$false } | Should -Throw -PassThru

        $problem.FullyQualifiedErrorId | Should -Be "DockerPruneLabelInvalid,$commandId"
        $problem.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $problem.TargetObject | Should -Be 'bad key=1'
    }

    It 'stops with DockerPruneUntilVolumes (InvalidArgument) for -Until with -Volumes' {
        $problem = { Invoke-DockerPrune -Volumes -Until 1h -Label "opsimg.test=$([guid]::NewGuid())" -Confirm:$false } | Should -Throw -PassThru

        $problem.FullyQualifiedErrorId | Should -Be "DockerPruneUntilVolumes,$commandId"
        $problem.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }
}

Describe 'Invoke-DockerPrune against the lab daemon' -Skip:(-not $lab.IsAvailable) {
    BeforeAll {
        $savedDockerHost = $env:DOCKER_HOST
        $env:DOCKER_HOST = Get-LabSetting DOCKER_HOST
        $run = New-TestImageName
        $label = "opsimg.test=$run"
        $base = Get-LabSetting IMAGE_BUSYBOX
        $tag = "$run/prune:1"

        function Docker([string[]] $Arguments) { (Invoke-LabDocker -ArgumentList $Arguments).Output | Select-Object -Last 1 }

        Register-TestImage $tag
        $saved = $env:DOCKER_BUILDKIT
        # Built twice with the label and other content: the first build is left dangling.
        $context = Join-Path $TestDrive 'ctx'
        $null = New-Item -ItemType Directory -Path $context
        Set-Content -LiteralPath (Join-Path $context 'Dockerfile') -Value "FROM $base`nRUN echo $run-1 > /x" -Encoding utf8NoBOM
        $env:DOCKER_BUILDKIT = '0'
        $dangling = Docker 'build', '--quiet', '--label', $label, '--tag', $tag, $context
        Set-Content -LiteralPath (Join-Path $context 'Dockerfile') -Value "FROM $base`nRUN echo $run-2 > /x" -Encoding utf8NoBOM
        $tagged = Docker 'build', '--quiet', '--label', $label, '--tag', $tag, $context
        $env:DOCKER_BUILDKIT = $saved

        $null = Docker 'volume', 'create', '--label', $label, "$run-unused"
        $null = Docker 'volume', 'create', '--label', $label, "$run-used"
        $null = Docker 'network', 'create', '--label', $label, "$run-unused"
        $stopped = Docker 'create', '--label', $label, $base, 'true'
        $running = Docker 'run', '--detach', '--init', '--label', $label, '--volume', "$run-used:/data", $base, 'sleep', '600'

        function Get-Labelled([string] $Kind) {
            switch ($Kind) {
                'container' { @((Invoke-LabDocker -ArgumentList 'ps', '--all', '--quiet', '--no-trunc', '--filter', "label=$label").Output) }
                'image' { @((Invoke-LabDocker -ArgumentList 'image', 'ls', '--all', '--quiet', '--no-trunc', '--filter', "label=$label").Output) }
                'volume' { @((Invoke-LabDocker -ArgumentList 'volume', 'ls', '--quiet', '--filter', "label=$label").Output) }
                'network' { @((Invoke-LabDocker -ArgumentList 'network', 'ls', '--format', '{{.Name}}', '--filter', "label=$label").Output) }
            }
        }
    }

    AfterAll {
        $null = Invoke-LabDocker -ArgumentList 'rm', '--force', $running, $stopped -AllowFailure
        $null = Invoke-LabDocker -ArgumentList 'volume', 'rm', "$run-unused", "$run-used" -AllowFailure
        $null = Invoke-LabDocker -ArgumentList 'network', 'rm', "$run-unused" -AllowFailure
        $null = Invoke-LabDocker -ArgumentList 'image', 'rm', $dangling -AllowFailure
        Remove-TestImage
        $env:DOCKER_HOST = $savedDockerHost
    }

    It 'lists on -WhatIf exactly the labelled stopped container, dangling image, unused volume and network, and removes nothing' {
        $before = 'container', 'image', 'volume', 'network' | ForEach-Object { ,(Get-Labelled $_) }
        $transcript = Join-Path $TestDrive 'whatif.txt'
        $null = Start-Transcript -LiteralPath $transcript
        try { $result = Invoke-DockerPrune -Containers -Images -Volumes -Networks -Label $label -WhatIf } finally { $null = Stop-Transcript }
        $whatIf = @(Get-Content -LiteralPath $transcript | Where-Object { $_ -like 'What if:*' })

        $result | Should -BeNullOrEmpty
        'container', 'image', 'volume', 'network' | ForEach-Object { ,(Get-Labelled $_) } | Should -Be $before
        $whatIf | Should -HaveCount 4
        $whatIf[0] | Should -BeLike "*Remove stopped container*($($stopped.Substring(0, 12)), *) on $(Get-LabSetting DOCKER_HOST)*"
        $whatIf[1] | Should -BeLike "*Remove unused image*image <none> ($($dangling.Substring(7, 12)), *"
        $whatIf[2] | Should -BeLike "*Remove unused volume*volume $run-unused*"
        $whatIf[3] | Should -BeLike "*Remove unused network*network $run-unused*"
    }

    It 'removes them one by one, returns one object each, keeps what is in use, and exports to CSV' {
        $csv = Join-Path $TestDrive 'pruned.csv'

        $result = Invoke-DockerPrune -Containers -Images -Volumes -Networks -Label $label -Confirm:$false -InformationVariable info
        $result | Export-Csv -LiteralPath $csv

        $result.Kind | Should -Be @('Container', 'Image', 'Volume', 'Network')
        $result[0].Id | Should -Be $stopped
        $result[1].Id | Should -Be $dangling
        $result[1].Size | Should -BeGreaterThan 0
        $result[2].Name | Should -Be "$run-unused"
        $result[3].Name | Should -Be "$run-unused"
        Get-Labelled container | Should -Be $running
        Get-Labelled volume | Should -Be "$run-used"
        Get-Labelled network | Should -BeNullOrEmpty
        Get-Labelled image | Should -Be $tagged
        (Import-Csv -LiteralPath $csv).Kind | Should -Be @('Container', 'Image', 'Volume', 'Network')
        "$($info.MessageData)" | Should -BeLike 'Removed 1 container(s), 1 image(s), 1 volume(s), 1 network(s) on *'
    }

    It 'returns one summary with -Summary, counting only what matched the label and -Until' {
        $one = Docker 'create', '--label', $label, $base, 'true'
        $two = Docker 'create', '--label', $label, '--label', 'opsimg.keep=yes', $base, 'true'
        try {
            $none = Invoke-DockerPrune -Containers -Label $label -Until 1h -Summary -Confirm:$false
            $summary = Invoke-DockerPrune -Containers -Label $label, '!opsimg.keep' -Summary -Confirm:$false

            $none.Containers | Should -Be 0
            $summary | Should -BeOfType ([OpsTools.Docker.DockerPruneSummary])
            $summary.Containers | Should -Be 1
            $summary.Images + $summary.Volumes + $summary.Networks | Should -Be 0
            Get-Labelled container | Sort-Object | Should -Be (@($running, $two) | Sort-Object)
            ($summary | Format-Table | Out-String) | Should -Match 'CONTAINERS\s+IMAGES\s+VOLUMES\s+NETWORKS\s+RECLAIMED'
        }
        finally {
            $null = Invoke-LabDocker -ArgumentList 'rm', '--force', $one, $two -AllowFailure
        }
    }
}
