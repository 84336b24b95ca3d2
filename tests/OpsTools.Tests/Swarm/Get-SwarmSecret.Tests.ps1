#Requires -Version 7.4
# Get-SwarmSecret: parameter surface, then listing real secrets of the lab swarm.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $lab = Get-LabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'SwarmObjectTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Swarm.GetSwarmSecretCommand'
}

Describe 'Get-SwarmSecret parameters' {
    BeforeAll {
        $command = Get-Command -Name Get-SwarmSecret
        $surface = Get-ParameterSurface -Command Get-SwarmSecret
    }

    It 'has exactly the parameters Name, Stack and DockerHost' {
        $surface.Keys | Sort-Object | Should -Be @('DockerHost', 'Name', 'Stack')
    }

    It 'takes -Name at position 0 from the pipeline, by value and by property name, with wildcards' {
        $surface['Name'].Type | Should -Be 'System.String[]'
        $surface['Name'].Mandatory | Should -BeFalse
        $surface['Name'].Position | Should -Be 0
        $surface['Name'].ValueFromPipeline | Should -BeTrue
        $surface['Name'].ValueFromPipelineByPropertyName | Should -BeTrue
        $surface['Name'].SupportsWildcards | Should -BeTrue
        $surface['Name'].Aliases | Should -Be @('SecretName')
    }

    It 'returns SwarmSecret objects, changes nothing and completes names' {
        $command.OutputType.Name | Should -Be 'OpsTools.Swarm.SwarmSecret'
        $command.Parameters.Keys | Should -Not -Contain 'WhatIf'
        $command.Parameters['Name'].Attributes.Where({ $_ -is [System.Management.Automation.ArgumentCompleterAttribute] }).Type.Name | Should -Be 'SwarmSecretNameCompleter'
    }
}

Describe 'Get-SwarmSecret against the lab swarm' -Skip:(-not $lab.IsAvailable) {
    BeforeAll {
        $savedDockerHost = $env:DOCKER_HOST
        $env:DOCKER_HOST = Get-LabSetting DOCKER_HOST
        $prefix = New-TestObjectPrefix
        $value = 'pw-' + [guid]::NewGuid().ToString('n')
        $usedId = New-TestSwarmObject -Kind secret -Name "$prefix-db" -Content $value -Label @{ 'com.docker.stack.namespace' = "$prefix-stack"; team = 'ops' }
        $idleId = New-TestSwarmObject -Kind secret -Name "$prefix-idle" -Content $value
        $service = New-TestSwarmService -Name "$(New-TestName)-app" -Replicas 0 -NoWait -AdditionalArgument '--secret', "source=$prefix-db,target=db_password"
    }

    AfterAll {
        Remove-TestSwarmService
        Remove-TestSwarmObject -Prefix $prefix
        $env:DOCKER_HOST = $savedDockerHost
    }

    It 'returns each secret with its stack, labels, times and the services that use it' {
        $secrets = Get-SwarmSecret -Name "$prefix-*"

        $secrets.Name | Should -Be @("$prefix-db", "$prefix-idle")
        $secrets[0].Id | Should -Be $usedId
        $secrets[0].Stack | Should -Be "$prefix-stack"
        $secrets[0].Labels['team'] | Should -Be 'ops'
        $secrets[0].Services | Should -Be @($service.Name)
        $secrets[0].ServiceCount | Should -Be 1
        $secrets[0].CreatedAt | Should -BeOfType [DateTimeOffset]
        $secrets[0].DockerHost | Should -Be (Get-LabSetting DOCKER_HOST)
        $secrets[1].Id | Should -Be $idleId
        $secrets[1].ServiceCount | Should -Be 0
    }

    It 'keeps only the secrets of a stack with -Stack, and finds one by id prefix' {
        (Get-SwarmSecret -Stack "$prefix-stack").Name | Should -Be @("$prefix-db")
        (Get-SwarmSecret -Name $idleId.Substring(0, 10)).Name | Should -Be "$prefix-idle"
    }

    It 'never carries the value, in objects, CSV, JSON or the table view' {
        $secrets = Get-SwarmSecret -Name "$prefix-*"
        $csv = Join-Path $TestDrive 'secrets.csv'
        $secrets | Export-Csv -LiteralPath $csv

        (Get-Content -LiteralPath $csv -Raw) | Should -Not -BeLike "*$value*"
        (Import-Csv -LiteralPath $csv).Name | Should -Be @("$prefix-db", "$prefix-idle")
        ($secrets | ConvertTo-Json -Depth 5) | Should -Not -BeLike "*$value*"
        $table = $secrets | Format-Table -AutoSize | Out-String -Width 300
        $table | Should -BeLike '*NAME*STACK*SERVICES*CREATED*'
        $table | Should -BeLike "*$prefix-db*$($service.Name)*"
    }

    It 'completes secret names on Tab, for Get-, Update- and Remove-SwarmSecret' {
        (TabExpansion2 -inputScript "Get-SwarmSecret -Name $prefix-").CompletionMatches.CompletionText | Should -Be @("$prefix-db", "$prefix-idle")
        (TabExpansion2 -inputScript "Remove-SwarmSecret $prefix-i").CompletionMatches.CompletionText | Should -Be @("$prefix-idle")
        (TabExpansion2 -inputScript "Update-SwarmSecret -Name $prefix-d").CompletionMatches.CompletionText | Should -Be @("$prefix-db")
    }

    It 'binds names from the pipeline by property name' {
        ([pscustomobject]@{ Name = "$prefix-idle" } | Get-SwarmSecret).Id | Should -Be $idleId
    }

    It 'writes SwarmSecretNotFound (ObjectNotFound) for an unknown name and goes on with the others' {
        $result = Get-SwarmSecret -Name "$prefix-nosuch", "$prefix-idle" -ErrorVariable problems -ErrorAction SilentlyContinue

        $result.Name | Should -Be "$prefix-idle"
        $problems | Should -HaveCount 1
        $problems[0].FullyQualifiedErrorId | Should -Be "SwarmSecretNotFound,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].TargetObject | Should -Be "$prefix-nosuch"
        $problems[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
    }
}
