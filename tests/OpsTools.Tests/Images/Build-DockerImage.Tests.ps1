#Requires -Version 7.4
# Build-DockerImage: parameter surface, then builds on the lab's daemon from contexts in TestDrive.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $lab = Get-LabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'ImageTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Images.BuildDockerImageCommand'

    function New-Context([string] $Name, [hashtable] $Files) {
        $directory = Join-Path $TestDrive $Name
        foreach ($relative in $Files.Keys) {
            $path = Join-Path $directory $relative
            $null = New-Item -ItemType Directory -Path (Split-Path $path) -Force
            Set-Content -LiteralPath $path -Value $Files[$relative] -Encoding utf8NoBOM -NoNewline
        }
        $directory
    }
}

Describe 'Build-DockerImage parameters' {
    BeforeAll {
        $command = Get-Command -Name Build-DockerImage
        $surface = Get-ParameterSurface -Command Build-DockerImage
    }

    It 'has exactly the parameters Path, Dockerfile, Tag, BuildArg, Target, NoCache, Label and DockerHost' {
        $surface.Keys | Sort-Object | Should -Be (@('BuildArg', 'DockerHost', 'Dockerfile', 'Label', 'NoCache', 'Path', 'Tag', 'Target') | Sort-Object)
    }

    It 'takes the context as the first position and from the pipeline, tags as a string array' {
        $surface['Path'].Position | Should -Be 0
        $surface['Path'].Mandatory | Should -BeFalse
        $surface['Path'].ValueFromPipeline | Should -BeTrue
        $surface['Path'].ValueFromPipelineByPropertyName | Should -BeTrue
        $surface['Path'].Aliases | Should -Contain 'FullName'
        $surface['Tag'].Type | Should -Be 'System.String[]'
        $surface['BuildArg'].Type | Should -Be 'System.Collections.Hashtable'
        $surface['Label'].Type | Should -Be 'System.Collections.Hashtable'
        $surface['NoCache'].Type | Should -Be 'System.Management.Automation.SwitchParameter'
    }

    It 'supports -WhatIf and -Confirm and returns DockerImage objects' {
        $command.Parameters.Keys | Should -Contain 'WhatIf'
        $command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false).ConfirmImpact | Should -Be 'Medium'
        $command.OutputType.Name | Should -Be 'OpsTools.Images.DockerImage'
    }

    It 'stops with DockerBuildKeyInvalid (InvalidArgument) for a build argument key with a space' {
        $problem = { Build-DockerImage $TestDrive -BuildArg @{ 'BAD KEY' = 1 } } | Should -Throw -PassThru

        $problem.FullyQualifiedErrorId | Should -Be "DockerBuildKeyInvalid,$commandId"
        $problem.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $problem.TargetObject | Should -Be 'BAD KEY'
    }
}

Describe 'Build-DockerImage against the lab daemon' -Skip:(-not $lab.IsAvailable) {
    BeforeAll {
        $savedDockerHost = $env:DOCKER_HOST
        $env:DOCKER_HOST = Get-LabSetting DOCKER_HOST
        $base = Get-LabSetting IMAGE_BUSYBOX
        $prefix = New-TestImageName
    }

    AfterAll {
        Remove-TestImage
        $env:DOCKER_HOST = $savedDockerHost
    }

    It 'builds a context with .dockerignore, build args, a label and two tags, streaming the output to the information stream' {
        $context = New-Context 'app' @{
            'Dockerfile'    = "FROM $base`nARG GREETING`nCOPY . /ctx/`nRUN echo `"greeting=`$GREETING`" && find /ctx -type f | sort`n"
            '.dockerignore' = "*.log`n"
            'app.sh'        = 'echo app'
            'debug.log'     = 'noise'
        }
        $tags = "$prefix/app:1", "$prefix/app:latest"
        $tags | Register-TestImage

        $image = Build-DockerImage $context -Tag $tags -BuildArg @{ GREETING = 'hello' } -Label @{ 'opsimg.test' = $prefix } -InformationVariable output

        $image | Should -BeOfType ([OpsTools.Images.DockerImage])
        $image.Tags | Sort-Object | Should -Be ($tags | Sort-Object)
        $image.Id | Should -Be (Invoke-LabDocker -ArgumentList 'image', 'inspect', '--format', '{{.Id}}', $tags[0]).Output[0]
        $image.Labels['opsimg.test'] | Should -Be $prefix
        $image.Size | Should -BeGreaterThan 0
        $lines = @($output.MessageData)
        $lines | Should -Contain 'greeting=hello'
        $lines | Should -Contain '/ctx/app.sh'
        $lines | Should -Not -Contain '/ctx/debug.log'
        $lines | Where-Object { $_ -like 'Step 4/5 : RUN *' } | Should -HaveCount 1
    }

    It 'builds the target stage of a Dockerfile in a subdirectory and exports to CSV with scalar columns' {
        $context = New-Context 'stages' @{ 'docker/Dockerfile.alt' = "FROM $base AS base`nRUN echo base > /stage`nFROM base AS final`nRUN echo final > /stage`n" }
        Register-TestImage "$prefix/stage:base"
        $csv = Join-Path $TestDrive 'images.csv'

        Build-DockerImage -Path $context -Dockerfile docker/Dockerfile.alt -Target base -NoCache -Tag "$prefix/stage:base" | Export-Csv -LiteralPath $csv

        (Invoke-LabDocker -ArgumentList 'run', '--rm', "$prefix/stage:base", 'cat', '/stage').Output | Should -Be 'base'
        $row = Import-Csv -LiteralPath $csv
        $row.Tag | Should -Be "$prefix/stage:base"
        $row.Id | Should -Match '^sha256:[0-9a-f]{64}$'
        [long]$row.Size | Should -BeGreaterThan 0
    }

    It 'shows the image like docker image ls in the default table view' {
        $context = New-Context 'view' @{ 'Dockerfile' = "FROM $base`nLABEL opsimg.view=$prefix`n" }
        Register-TestImage "$prefix/view:1"

        $table = Build-DockerImage $context -Tag "$prefix/view:1" | Format-Table | Out-String

        $table | Should -Match 'ID\s+TAG\s+SIZE\s+CREATED'
        $table | Should -Match ([regex]::Escape("$prefix/view:1"))
    }

    It 'fails a broken RUN step with DockerImageBuildFailed (InvalidOperation) naming the step and its output' {
        $context = New-Context 'fail' @{ 'Dockerfile' = "FROM $base`nRUN echo about-to-fail && exit 3`n" }

        Build-DockerImage $context -Tag "$prefix/fail:1" -ErrorVariable problems -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

        $problems | Should -HaveCount 1
        $problems[0].FullyQualifiedErrorId | Should -Be "DockerImageBuildFailed,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        $problems[0].Exception.Message | Should -BeLike '*Step 2/2 (RUN echo about-to-fail && exit 3) failed*non-zero code: 3*about-to-fail*'
        $problems[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        (Invoke-LabDocker -ArgumentList 'image', 'ls', '--quiet', "$prefix/fail:1").Output | Should -BeNullOrEmpty
    }

    It 'reports a Dockerfile syntax error as DockerfileInvalid (InvalidArgument) and a missing one as DockerfileNotFound (ObjectNotFound)' {
        $context = New-Context 'syntax' @{ 'Dockerfile' = "FROM $base`nBOGUS x`n" }

        Build-DockerImage $context -ErrorVariable invalid -ErrorAction SilentlyContinue
        Build-DockerImage $context -Dockerfile nope/Dockerfile -ErrorVariable missing -ErrorAction SilentlyContinue

        $invalid[0].FullyQualifiedErrorId | Should -Be "DockerfileInvalid,$commandId"
        $invalid[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $invalid[0].Exception.Message | Should -BeLike '*line 2*BOGUS*'
        $missing[0].FullyQualifiedErrorId | Should -Be "DockerfileNotFound,$commandId"
        $missing[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $missing[0].TargetObject | Should -Be 'nope/Dockerfile'
    }

    It 'stops a running build promptly on Ctrl+C (pipeline stop), and the daemon cancels it' {
        $marker = "$prefix-cancel"
        $context = New-Context 'cancel' @{ 'Dockerfile' = "FROM $base`nRUN echo $marker && sleep 60`n" }
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                    param($Manifest, $Context, $Tag)
                    Import-Module $Manifest
                    Build-DockerImage $Context -Tag $Tag
                }).AddArgument((Get-BuiltModulePath)).AddArgument($context).AddArgument("$prefix/cancel:1")
            $async = $ps.BeginInvoke()
            $null = Wait-Until -Because 'the RUN step runs in a build container' -TimeoutSeconds 60 -Condition {
                (Invoke-LabDocker -ArgumentList 'ps', '--no-trunc', '--format', '{{.Command}}').Output -match [regex]::Escape($marker)
            }
            $clock = [System.Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()

            $clock.Elapsed.TotalSeconds | Should -BeLessThan 10
            $async.IsCompleted | Should -BeTrue
            $null = Wait-Until -Because 'the daemon removed the cancelled build container' -TimeoutSeconds 30 -Condition {
                -not ((Invoke-LabDocker -ArgumentList 'ps', '--all', '--no-trunc', '--format', '{{.Command}}').Output -match [regex]::Escape($marker))
            }
            (Invoke-LabDocker -ArgumentList 'image', 'ls', '--quiet', "$prefix/cancel:1").Output | Should -BeNullOrEmpty
        }
        finally {
            $ps.Dispose()
        }
    }

    It 'builds nothing with -WhatIf and says what it would build on which host' {
        $context = New-Context 'whatif' @{ 'Dockerfile' = "FROM $base`nLABEL opsimg.whatif=$prefix`n" }
        $transcript = Join-Path $TestDrive 'whatif.txt'
        $null = Start-Transcript -LiteralPath $transcript
        try { $result = Build-DockerImage $context -Tag "$prefix/whatif:1" -WhatIf } finally { $null = Stop-Transcript }

        $result | Should -BeNullOrEmpty
        (Invoke-LabDocker -ArgumentList 'image', 'ls', '--quiet', '--filter', "label=opsimg.whatif=$prefix").Output | Should -BeNullOrEmpty
        (Invoke-LabDocker -ArgumentList 'image', 'ls', '--quiet', "$prefix/whatif:1").Output | Should -BeNullOrEmpty
        Get-Content -LiteralPath $transcript -Raw | Should -BeLike "*Build image from '$context'*$prefix/whatif:1 on $(Get-LabSetting DOCKER_HOST)*"
    }
}
