#Requires -Version 7.4
# New-SwarmConfig: parameter surface, then creating real configs on the lab swarm.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $lab = Get-LabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'SwarmObjectTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Swarm.NewSwarmConfigCommand'
}

Describe 'New-SwarmConfig parameters' {
    BeforeAll {
        $command = Get-Command -Name New-SwarmConfig
        $surface = Get-ParameterSurface -Command New-SwarmConfig
    }

    It 'has exactly the parameters Name, Value, Path, InputObject, Label and DockerHost' {
        $surface.Keys | Sort-Object | Should -Be @('DockerHost', 'InputObject', 'Label', 'Name', 'Path', 'Value')
    }

    It 'takes the content as a string, a file or pipeline input and returns SwarmConfig objects' {
        $surface['Value'].Type | Should -Be 'System.String'
        $surface['InputObject'].ValueFromPipeline | Should -BeTrue
        $command.ParameterSets.Name | Sort-Object | Should -Be @('Path', 'Pipeline', 'Value')
        $command.Parameters.Keys | Should -Contain 'WhatIf'
        $command.OutputType.Name | Should -Be 'OpsTools.Swarm.SwarmConfig'
    }
}

Describe 'New-SwarmConfig against the lab swarm' -Skip:(-not $lab.IsAvailable) {
    BeforeAll {
        $savedDockerHost = $env:DOCKER_HOST
        $env:DOCKER_HOST = Get-LabSetting DOCKER_HOST
        $prefix = New-TestObjectPrefix
    }

    AfterAll {
        Remove-TestSwarmObject -Prefix $prefix
        $env:DOCKER_HOST = $savedDockerHost
    }

    It 'creates configs from a string, a file and the pipeline with the exact content' {
        $file = Join-Path $TestDrive 'traefik.yml'
        Set-Content -LiteralPath $file -Value "entryPoints:`n  web: {}" -NoNewline
        $fromValue = New-SwarmConfig -Name "$prefix-value.conf" -Value "[options]`nworkers = 4`n" -Label @{ 'com.docker.stack.namespace' = "$prefix-stack" } -Confirm:$false
        $fromPath = New-SwarmConfig -Name "$prefix-path.yml" -Path $file -Confirm:$false
        $fromPipeline = Get-Content -LiteralPath $file -Raw | New-SwarmConfig -Name "$prefix-pipe.yml" -Confirm:$false

        $fromValue.Stack | Should -Be "$prefix-stack"
        $fromValue.Size | Should -Be 22
        Get-TestConfigData "$prefix-value.conf" | Should -BeExactly "[options]`nworkers = 4`n"
        Get-TestConfigData "$prefix-path.yml" | Should -BeExactly "entryPoints:`n  web: {}"
        $fromPipeline.Size | Should -Be $fromPath.Size
    }

    It 'creates nothing with -WhatIf and says what it would create' {
        $before = Get-SwarmObjectState -Prefix $prefix
        $transcript = Join-Path $TestDrive 'whatif.txt'
        $null = Start-Transcript -LiteralPath $transcript
        try { New-SwarmConfig -Name "$prefix-whatif" -Value 'x' -WhatIf } finally { $null = Stop-Transcript }

        Get-SwarmObjectState -Prefix $prefix | Should -Be $before
        Get-Content -LiteralPath $transcript -Raw | Should -BeLike "*Create config, 1 bytes*$prefix-whatif on $(Get-LabSetting DOCKER_HOST)*"
    }

    It 'refuses a name in use with SwarmConfigExists (ResourceExists)' {
        $null = New-TestSwarmObject -Kind config -Name "$prefix-taken" -Content 'first'

        $problem = { New-SwarmConfig -Name "$prefix-taken" -Value 'second' -Confirm:$false } | Should -Throw -PassThru

        $problem.FullyQualifiedErrorId | Should -Be "SwarmConfigExists,$commandId"
        $problem.CategoryInfo.Category | Should -Be 'ResourceExists'
        Get-TestConfigData "$prefix-taken" | Should -BeExactly 'first'
    }

    It 'stops with SwarmConfigDataTooLarge (InvalidArgument) for content over 1000 KiB' {
        $problem = { New-SwarmConfig -Name "$prefix-large" -Value ('x' * (1000 * 1024 + 1)) -Confirm:$false } | Should -Throw -PassThru

        $problem.FullyQualifiedErrorId | Should -Be "SwarmConfigDataTooLarge,$commandId"
        $problem.CategoryInfo.Category | Should -Be 'InvalidArgument'
        Get-TestSwarmObjectName -Kind config -Prefix "$prefix-large" | Should -BeNullOrEmpty
    }
}
