#Requires -Version 7.4
# New-SwarmSecret: parameter surface, then creating real secrets on the lab swarm and reading
# them back through a container (the API never returns a secret's value).

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $lab = Get-LabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'SwarmObjectTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Swarm.NewSwarmSecretCommand'
}

Describe 'New-SwarmSecret parameters' {
    BeforeAll {
        $command = Get-Command -Name New-SwarmSecret
        $surface = Get-ParameterSurface -Command New-SwarmSecret
    }

    It 'has exactly the parameters Name, Value, Path, InputObject, Label and DockerHost' {
        $surface.Keys | Sort-Object | Should -Be @('DockerHost', 'InputObject', 'Label', 'Name', 'Path', 'Value')
    }

    It 'takes the value as a SecureString, a file or pipeline input, in three parameter sets' {
        $surface['Value'].Type | Should -Be 'System.Security.SecureString'
        $surface['Value'].Position | Should -Be 1
        $surface['InputObject'].ValueFromPipeline | Should -BeTrue
        $surface['Name'].Mandatory | Should -BeTrue
        $surface['Name'].Position | Should -Be 0
        $command.ParameterSets.Name | Sort-Object | Should -Be @('Path', 'Pipeline', 'Value')
        $command.DefaultParameterSet | Should -Be 'Value'
    }

    It 'supports -WhatIf and -Confirm with medium impact and returns SwarmSecret objects' {
        $command.Parameters.Keys | Should -Contain 'WhatIf'
        $command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false).ConfirmImpact | Should -Be 'Medium'
        $command.OutputType.Name | Should -Be 'OpsTools.Swarm.SwarmSecret'
    }
}

Describe 'New-SwarmSecret against the lab swarm' -Skip:(-not $lab.IsAvailable) {
    BeforeAll {
        $savedDockerHost = $env:DOCKER_HOST
        $env:DOCKER_HOST = Get-LabSetting DOCKER_HOST
        $prefix = New-TestObjectPrefix
        $value = 'pw-' + [guid]::NewGuid().ToString('n')
    }

    AfterAll {
        Remove-TestSwarmService
        Remove-TestSwarmObject -Prefix $prefix
        $env:DOCKER_HOST = $savedDockerHost
    }

    It 'creates secrets from a SecureString, a file, piped lines and a piped SecureString that a container reads back exactly' {
        $file = Join-Path $TestDrive 'key.bin'
        [System.IO.File]::WriteAllBytes($file, [byte[]](0x6b, 0x65, 0x79, 0x0a))
        $verbose = $(
            $fromValue = New-SwarmSecret -Name "$prefix-value" -Value (ConvertTo-SecureString $value -AsPlainText -Force) -Label @{ team = 'ops' } -Confirm:$false -Verbose
        ) 4>&1
        $fromPath = New-SwarmSecret -Name "$prefix-path" -Path $file -Confirm:$false
        $fromPipeline = 'line 1', 'line 2' | New-SwarmSecret -Name "$prefix-pipe" -Confirm:$false
        $fromSecure = ConvertTo-SecureString "$value-piped" -AsPlainText -Force | New-SwarmSecret -Name "$prefix-secure" -Confirm:$false
        $service = New-TestSwarmService -Name "$(New-TestName)-reader" -AdditionalArgument '--secret', "$prefix-value", '--secret', "$prefix-path", '--secret', "$prefix-pipe", '--secret', "$prefix-secure"

        $fromValue.Name | Should -Be "$prefix-value"
        $fromValue.Labels['team'] | Should -Be 'ops'
        $fromValue.Id | Should -Be (Invoke-LabDocker -ArgumentList 'secret', 'inspect', '--format', '{{.ID}}', "$prefix-value").StandardOutput.Trim()
        $fromPath.Name, $fromPipeline.Name | Should -Be @("$prefix-path", "$prefix-pipe")
        Get-TestServiceFile -Service $service.Name -Path "/run/secrets/$prefix-value" | Should -BeExactly $value
        Get-TestServiceFile -Service $service.Name -Path "/run/secrets/$prefix-path" | Should -BeExactly "key`n"
        Get-TestServiceFile -Service $service.Name -Path "/run/secrets/$prefix-pipe" | Should -BeExactly "line 1`nline 2"
        Get-TestServiceFile -Service $service.Name -Path "/run/secrets/$prefix-secure" | Should -BeExactly "$value-piped"
        $fromSecure.Name | Should -Be "$prefix-secure"
        ($verbose | Out-String) | Should -BeLike "*$prefix-value on $(Get-LabSetting DOCKER_HOST)*"
        ($verbose | Out-String) | Should -Not -BeLike "*$value*"
    }

    It 'creates nothing with -WhatIf' {
        $before = Get-SwarmObjectState -Prefix $prefix

        $result = New-SwarmSecret -Name "$prefix-whatif" -Value (ConvertTo-SecureString $value -AsPlainText -Force) -WhatIf

        $result | Should -BeNullOrEmpty
        Get-SwarmObjectState -Prefix $prefix | Should -Be $before
        Get-TestSwarmObjectName -Kind secret -Prefix "$prefix-whatif" | Should -BeNullOrEmpty
    }

    It 'refuses a name in use with SwarmSecretExists (ResourceExists), without echoing the value' {
        $null = New-TestSwarmObject -Kind secret -Name "$prefix-taken" -Content 'first'

        $problem = { New-SwarmSecret -Name "$prefix-taken" -Value (ConvertTo-SecureString $value -AsPlainText -Force) -Confirm:$false } | Should -Throw -PassThru

        $problem.FullyQualifiedErrorId | Should -Be "SwarmSecretExists,$commandId"
        $problem.CategoryInfo.Category | Should -Be 'ResourceExists'
        $problem.TargetObject | Should -Be "$prefix-taken"
        $problem.ErrorDetails.RecommendedAction | Should -BeLike '*Update-SwarmSecret*'
        ($problem | Out-String) | Should -Not -BeLike "*$value*"
    }

    It 'stops with <Id> (<Category>) before anything is sent for <Case>' -ForEach @(
        @{ Case = 'a name the daemon refuses'; Id = 'SwarmSecretNameInvalid'; Category = 'InvalidArgument'; Script = { New-SwarmSecret -Name "$prefix/bad" -Value (ConvertTo-SecureString 'x' -AsPlainText -Force) -Confirm:$false } }
        @{ Case = 'a missing file'; Id = 'SwarmSecretFileNotFound'; Category = 'ObjectNotFound'; Script = { New-SwarmSecret -Name "$prefix-nofile" -Path (Join-Path $TestDrive 'missing.txt') -Confirm:$false } }
        @{ Case = 'an empty value'; Id = 'SwarmSecretDataEmpty'; Category = 'InvalidArgument'; Script = { '' | New-SwarmSecret -Name "$prefix-empty" -Confirm:$false } }
        @{ Case = 'an object that is neither text nor bytes'; Id = 'SwarmSecretInputInvalid'; Category = 'InvalidArgument'; Script = { Get-Date | New-SwarmSecret -Name "$prefix-date" -Confirm:$false } }
    ) {
        $before = Get-SwarmObjectState -Prefix $prefix

        $problem = $Script | Should -Throw -PassThru

        $problem.FullyQualifiedErrorId | Should -Be "$Id,$commandId"
        $problem.CategoryInfo.Category | Should -Be $Category
        $problem.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        Get-SwarmObjectState -Prefix $prefix | Should -Be $before
    }
}
