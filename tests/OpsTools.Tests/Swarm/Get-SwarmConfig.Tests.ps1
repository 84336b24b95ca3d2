#Requires -Version 7.4
# Get-SwarmConfig: parameter surface, then listing real configs of the lab swarm.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $lab = Get-LabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'SwarmObjectTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Swarm.GetSwarmConfigCommand'
}

Describe 'Get-SwarmConfig parameters' {
    BeforeAll {
        $command = Get-Command -Name Get-SwarmConfig
        $surface = Get-ParameterSurface -Command Get-SwarmConfig
    }

    It 'has exactly the parameters Name, Stack, IncludeData and DockerHost' {
        $surface.Keys | Sort-Object | Should -Be @('DockerHost', 'IncludeData', 'Name', 'Stack')
    }

    It 'takes -Name at position 0 from the pipeline with wildcards, and -IncludeData as a switch' {
        $surface['Name'].Type | Should -Be 'System.String[]'
        $surface['Name'].Position | Should -Be 0
        $surface['Name'].ValueFromPipeline | Should -BeTrue
        $surface['Name'].ValueFromPipelineByPropertyName | Should -BeTrue
        $surface['Name'].SupportsWildcards | Should -BeTrue
        $surface['IncludeData'].Type | Should -Be 'System.Management.Automation.SwitchParameter'
        $command.OutputType.Name | Should -Be 'OpsTools.Swarm.SwarmConfig'
    }
}

Describe 'Get-SwarmConfig against the lab swarm' -Skip:(-not $lab.IsAvailable) {
    BeforeAll {
        $savedDockerHost = $env:DOCKER_HOST
        $env:DOCKER_HOST = Get-LabSetting DOCKER_HOST
        $prefix = New-TestObjectPrefix
        $content = "[options]`nworkers = 4`n"
        $null = New-TestSwarmObject -Kind config -Name "$prefix-odoo.conf" -Content $content -Label @{ 'com.docker.stack.namespace' = "$prefix-stack" }
        $null = New-TestSwarmObject -Kind config -Name "$prefix-idle.conf" -Content 'x'
        $service = New-TestSwarmService -Name "$(New-TestName)-odoo" -Replicas 0 -NoWait -AdditionalArgument '--config', "source=$prefix-odoo.conf,target=/etc/odoo/odoo.conf"
    }

    AfterAll {
        Remove-TestSwarmService
        Remove-TestSwarmObject -Prefix $prefix
        $env:DOCKER_HOST = $savedDockerHost
    }

    It 'returns each config with its stack, size and the services that use it, without data' {
        $configs = Get-SwarmConfig -Name "$prefix-*"

        $configs.Name | Should -Be @("$prefix-idle.conf", "$prefix-odoo.conf")
        $configs[1].Stack | Should -Be "$prefix-stack"
        $configs[1].Size | Should -Be ([System.Text.Encoding]::UTF8.GetByteCount($content))
        $configs[1].Services | Should -Be @($service.Name)
        $configs[1].Data | Should -BeNullOrEmpty
        $configs[0].ServiceCount | Should -Be 0
    }

    It 'returns the content as text with -IncludeData' {
        (Get-SwarmConfig -Name "$prefix-odoo.conf" -IncludeData).Data | Should -BeExactly $content
    }

    It 'keeps the configs of a stack with -Stack and shows them in a table like docker config ls' {
        $configs = Get-SwarmConfig -Stack "$prefix-stack"

        $configs.Name | Should -Be "$prefix-odoo.conf"
        ($configs | Format-Table -AutoSize | Out-String -Width 300) | Should -BeLike '*NAME*STACK*SIZE*SERVICES*'
        ($configs | ConvertTo-Json | ConvertFrom-Json).Size | Should -Be $configs.Size
    }

    It 'completes config names on Tab, for Get-, Update- and Remove-SwarmConfig' {
        (TabExpansion2 -inputScript "Get-SwarmConfig -Name $prefix-").CompletionMatches.CompletionText | Should -Be @("$prefix-idle.conf", "$prefix-odoo.conf")
        (TabExpansion2 -inputScript "Remove-SwarmConfig $prefix-i").CompletionMatches.CompletionText | Should -Be @("$prefix-idle.conf")
        (TabExpansion2 -inputScript "Update-SwarmConfig -Name $prefix-o").CompletionMatches.CompletionText | Should -Be @("$prefix-odoo.conf")
    }

    It 'writes SwarmConfigNotFound (ObjectNotFound) for an unknown name' {
        $result = Get-SwarmConfig -Name "$prefix-nosuch" -ErrorVariable problems -ErrorAction SilentlyContinue

        $result | Should -BeNullOrEmpty
        $problems[0].FullyQualifiedErrorId | Should -Be "SwarmConfigNotFound,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].TargetObject | Should -Be "$prefix-nosuch"
    }
}
