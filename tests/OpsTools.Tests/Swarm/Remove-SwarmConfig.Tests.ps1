#Requires -Version 7.4
# Remove-SwarmConfig: parameter surface, then removing real configs of the lab swarm, and
# refusing one a service uses.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $lab = Get-LabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'SwarmObjectTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Swarm.RemoveSwarmConfigCommand'
}

Describe 'Remove-SwarmConfig parameters' {
    BeforeAll {
        $command = Get-Command -Name Remove-SwarmConfig
        $surface = Get-ParameterSurface -Command Remove-SwarmConfig
    }

    It 'has exactly the parameters Name, PassThru and DockerHost' {
        $surface.Keys | Sort-Object | Should -Be @('DockerHost', 'Name', 'PassThru')
    }

    It 'takes -Name from the pipeline by value and by property name, with wildcards' {
        $surface['Name'].Mandatory | Should -BeTrue
        $surface['Name'].ValueFromPipeline | Should -BeTrue
        $surface['Name'].ValueFromPipelineByPropertyName | Should -BeTrue
        $surface['Name'].SupportsWildcards | Should -BeTrue
    }

    It 'asks before removing (high impact)' {
        $command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false).ConfirmImpact | Should -Be 'High'
        $command.OutputType.Name | Should -Be 'OpsTools.Swarm.SwarmConfig'
    }
}

Describe 'Remove-SwarmConfig against the lab swarm' -Skip:(-not $lab.IsAvailable) {
    BeforeAll {
        $savedDockerHost = $env:DOCKER_HOST
        $env:DOCKER_HOST = Get-LabSetting DOCKER_HOST
        $prefix = New-TestObjectPrefix
        $null = New-TestSwarmObject -Kind config -Name "$prefix-used" -Content 'a'
        $service = New-TestSwarmService -Name "$(New-TestName)-user" -Replicas 0 -NoWait -AdditionalArgument '--config', "source=$prefix-used,target=/etc/used.conf"
    }

    AfterAll {
        Remove-TestSwarmService
        Remove-TestSwarmObject -Prefix $prefix
        $env:DOCKER_HOST = $savedDockerHost
    }

    It 'removes the unused configs piped from Get-SwarmConfig and returns them with -PassThru' {
        $null = New-TestSwarmObject -Kind config -Name "$prefix-old-1" -Content 'a'
        $null = New-TestSwarmObject -Kind config -Name "$prefix-old-2" -Content 'b'

        $removed = Get-SwarmConfig -Name "$prefix-old-*" | Remove-SwarmConfig -Confirm:$false -PassThru

        $removed.Name | Should -Be @("$prefix-old-1", "$prefix-old-2")
        Get-TestSwarmObjectName -Kind config -Prefix "$prefix-old" | Should -BeNullOrEmpty
    }

    It 'refuses a config a service uses with SwarmConfigInUse (InvalidOperation), naming the service' {
        Remove-SwarmConfig -Name "$prefix-used" -Confirm:$false -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems | Should -HaveCount 1
        $problems[0].FullyQualifiedErrorId | Should -Be "SwarmConfigInUse,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        $problems[0].TargetObject | Should -Be "$prefix-used"
        $problems[0].ToString() | Should -BeLike "*$($service.Name)*"
        $problems[0].ErrorDetails.RecommendedAction | Should -BeLike '*Update-SwarmConfig*'
        Get-TestSwarmObjectName -Kind config -Prefix "$prefix-used" | Should -Be "$prefix-used"
    }

    It 'removes nothing with -WhatIf and names config and host' {
        $null = New-TestSwarmObject -Kind config -Name "$prefix-kept" -Content 'a'
        $before = Get-SwarmObjectState -Prefix $prefix -Service $service.Name
        $transcript = Join-Path $TestDrive 'whatif.txt'
        $null = Start-Transcript -LiteralPath $transcript
        try { Remove-SwarmConfig -Name "$prefix-kept" -WhatIf } finally { $null = Stop-Transcript }

        Get-SwarmObjectState -Prefix $prefix -Service $service.Name | Should -Be $before
        Get-Content -LiteralPath $transcript -Raw | Should -BeLike "*Remove config*$prefix-kept on $(Get-LabSetting DOCKER_HOST)*"
    }

    It 'writes SwarmConfigNotFound (ObjectNotFound) for an unknown name' {
        Remove-SwarmConfig -Name "$prefix-nosuch" -Confirm:$false -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "SwarmConfigNotFound,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].TargetObject | Should -Be "$prefix-nosuch"
    }
}
