#Requires -Version 7.4
# Update-SwarmConfig: parameter surface, then rotating real configs used by real services on the
# lab swarm.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $lab = Get-LabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'SwarmObjectTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Swarm.UpdateSwarmConfigCommand'
}

Describe 'Update-SwarmConfig parameters' {
    BeforeAll {
        $command = Get-Command -Name Update-SwarmConfig
        $surface = Get-ParameterSurface -Command Update-SwarmConfig
    }

    It 'has exactly the parameters Name, Value, Path, InputObject, Label, NewName, KeepPrevious, Wait, Timeout and DockerHost' {
        $surface.Keys | Sort-Object | Should -Be @('DockerHost', 'InputObject', 'KeepPrevious', 'Label', 'Name', 'NewName', 'Path', 'Timeout', 'Value', 'Wait')
    }

    It 'takes the new content as a string and returns SwarmConfig objects, with -WhatIf' {
        $surface['Value'].Type | Should -Be 'System.String'
        $surface['Name'].ValueFromPipelineByPropertyName | Should -BeTrue
        $command.Parameters.Keys | Should -Contain 'WhatIf'
        $command.OutputType.Name | Should -Be 'OpsTools.Swarm.SwarmConfig'
    }
}

Describe 'Update-SwarmConfig against the lab swarm' -Skip:(-not $lab.IsAvailable) {
    BeforeAll {
        $savedDockerHost = $env:DOCKER_HOST
        $env:DOCKER_HOST = Get-LabSetting DOCKER_HOST
        $prefix = New-TestObjectPrefix
    }

    AfterAll {
        Remove-TestSwarmService
        Remove-TestSwarmObject -Prefix $prefix
        $env:DOCKER_HOST = $savedDockerHost
    }

    It 'rotates a config piped from Get-SwarmConfig to a file''s content, repoints the service at the same path and removes the old version' {
        $null = New-TestSwarmObject -Kind config -Name "$prefix-odoo.conf" -Content "workers = 2`n"
        $odoo = New-TestSwarmService -Name "$(New-TestName)-odoo" -AdditionalArgument '--config', "source=$prefix-odoo.conf,target=/etc/odoo/odoo.conf,mode=0444"
        $file = Join-Path $TestDrive 'odoo.conf'
        Set-Content -LiteralPath $file -Value "workers = 4`n" -NoNewline

        $result = Get-SwarmConfig -Name "$prefix-odoo.conf" | Update-SwarmConfig -Path $file -Wait -Timeout 90 -Confirm:$false

        $result.Name | Should -Be "$prefix-odoo.conf.v2"
        $result.Services | Should -Be $odoo.Name
        (Get-SwarmConfig -Name $result.Name -IncludeData).Data | Should -BeExactly "workers = 4`n"
        Get-TestServiceFile -Service $odoo.Name -Path '/etc/odoo/odoo.conf' | Should -BeExactly "workers = 4`n"
        (Invoke-LabDocker -ArgumentList 'service', 'inspect', '--format', '{{json .Spec.TaskTemplate.ContainerSpec.Configs}}', $odoo.Name).StandardOutput | ConvertFrom-Json |
            ForEach-Object { $_.File.Name, $_.File.Mode, $_.ConfigName } | Should -Be @('/etc/odoo/odoo.conf', 292, "$prefix-odoo.conf.v2")
        Get-TestSwarmObjectName -Kind config -Prefix "$prefix-odoo.conf" | Should -Be "$prefix-odoo.conf.v2"
    }

    It 'changes nothing with -WhatIf' {
        $null = New-TestSwarmObject -Kind config -Name "$prefix-nginx.conf" -Content 'a'
        $nginx = New-TestSwarmService -Name "$(New-TestName)-nginx" -Replicas 0 -NoWait -AdditionalArgument '--config', "source=$prefix-nginx.conf,target=/etc/nginx.conf"
        $before = Get-SwarmObjectState -Prefix $prefix -Service $nginx.Name

        $result = Update-SwarmConfig -Name "$prefix-nginx.conf" -Value 'b' -WhatIf

        $result | Should -BeNullOrEmpty
        Get-SwarmObjectState -Prefix $prefix -Service $nginx.Name | Should -Be $before
    }

    It 'uses -NewName for the new version and refuses one in use with SwarmConfigExists (ResourceExists)' {
        $null = New-TestSwarmObject -Kind config -Name "$prefix-app.yml" -Content 'a'
        $null = New-TestSwarmObject -Kind config -Name "$prefix-app.yml.taken" -Content 'b'

        $renamed = Update-SwarmConfig -Name "$prefix-app.yml" -Value 'c' -NewName "$prefix-app-2026.yml" -Confirm:$false
        $result = Update-SwarmConfig -Name $renamed.Name -Value 'd' -NewName "$prefix-app.yml.taken" -Confirm:$false -ErrorVariable problems -ErrorAction SilentlyContinue

        $renamed.Name | Should -Be "$prefix-app-2026.yml"
        $result | Should -BeNullOrEmpty
        $problems[0].FullyQualifiedErrorId | Should -Be "SwarmConfigExists,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        $problems[0].TargetObject | Should -Be "$prefix-app.yml.taken"
        Get-TestSwarmObjectName -Kind config -Prefix "$prefix-app" | Should -Be @("$prefix-app-2026.yml", "$prefix-app.yml.taken")
    }

    It 'stops with SwarmConfigNewNameAmbiguous (InvalidArgument) for -NewName with two configs' {
        $problem = { Update-SwarmConfig -Name "$prefix-a", "$prefix-b" -Value 'x' -NewName "$prefix-c" -Confirm:$false } | Should -Throw -PassThru

        $problem.FullyQualifiedErrorId | Should -Be "SwarmConfigNewNameAmbiguous,$commandId"
        $problem.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $problem.TargetObject | Should -Be "$prefix-c"
    }
}
