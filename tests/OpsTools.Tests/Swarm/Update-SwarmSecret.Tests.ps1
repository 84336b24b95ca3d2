#Requires -Version 7.4
# Update-SwarmSecret: parameter surface, then rotating real secrets used by real services on the
# lab swarm: new version, services repointed with the same files, old version removed or kept.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $lab = Get-LabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'SwarmObjectTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Swarm.UpdateSwarmSecretCommand'

    function Get-SecretReference([string] $Service) {
        (Invoke-LabDocker -ArgumentList 'service', 'inspect', '--format', '{{json .Spec.TaskTemplate.ContainerSpec.Secrets}}', $Service).StandardOutput | ConvertFrom-Json
    }
}

Describe 'Update-SwarmSecret parameters' {
    BeforeAll {
        $command = Get-Command -Name Update-SwarmSecret
        $surface = Get-ParameterSurface -Command Update-SwarmSecret
    }

    It 'has exactly the parameters Name, Value, Path, InputObject, Label, NewName, KeepPrevious, Wait, Timeout and DockerHost' {
        $surface.Keys | Sort-Object | Should -Be @('DockerHost', 'InputObject', 'KeepPrevious', 'Label', 'Name', 'NewName', 'Path', 'Timeout', 'Value', 'Wait')
    }

    It 'takes -Name by property name and the new value as a SecureString, a file or pipeline input' {
        $surface['Name'].Type | Should -Be 'System.String[]'
        $surface['Name'].Mandatory | Should -BeTrue
        $surface['Name'].ValueFromPipelineByPropertyName | Should -BeTrue
        $surface['Name'].ValueFromPipeline | Should -BeFalse
        $surface['Value'].Type | Should -Be 'System.Security.SecureString'
        $surface['InputObject'].ValueFromPipeline | Should -BeTrue
        $surface['Timeout'].Type | Should -Be 'System.TimeSpan'
        $command.ParameterSets.Name | Sort-Object | Should -Be @('Path', 'Pipeline', 'Value')
    }

    It 'supports -WhatIf and -Confirm with medium impact and returns SwarmSecret objects' {
        $command.Parameters.Keys | Should -Contain 'WhatIf'
        $command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false).ConfirmImpact | Should -Be 'Medium'
        $command.OutputType.Name | Should -Be 'OpsTools.Swarm.SwarmSecret'
    }
}

Describe 'Update-SwarmSecret against the lab swarm' -Skip:(-not $lab.IsAvailable) {
    BeforeAll {
        $savedDockerHost = $env:DOCKER_HOST
        $env:DOCKER_HOST = Get-LabSetting DOCKER_HOST
        $prefix = New-TestObjectPrefix
        $newValue = 'new-' + [guid]::NewGuid().ToString('n')
    }

    AfterAll {
        Remove-TestSwarmService
        Remove-TestSwarmObject -Prefix $prefix
        $env:DOCKER_HOST = $savedDockerHost
    }

    It 'creates <name>.v2 with the stack label, repoints both services keeping each file, waits, removes the old version and returns the new one' {
        $null = New-TestSwarmObject -Kind secret -Name "$prefix-db" -Content 'old-value' -Label @{ 'com.docker.stack.namespace' = "$prefix-stack" }
        $api = New-TestSwarmService -Name "$(New-TestName)-api" -AdditionalArgument '--secret', "source=$prefix-db,target=db_password,uid=70,gid=70,mode=0400"
        $worker = New-TestSwarmService -Name "$(New-TestName)-worker" -AdditionalArgument '--secret', "source=$prefix-db,target=/etc/app/db.pw,mode=0440"
        $filesBefore = (Get-SecretReference $api.Name).File, (Get-SecretReference $worker.Name).File | ConvertTo-Json -Compress

        $messages = $(
            $result = Update-SwarmSecret -Name "$prefix-db" -Value (ConvertTo-SecureString $newValue -AsPlainText -Force) -Wait -Timeout 90 -Confirm:$false -Verbose
        ) *>&1

        $result | Should -HaveCount 1
        $result.Name | Should -Be "$prefix-db.v2"
        $result.Stack | Should -Be "$prefix-stack"
        $result.Labels['org.opstools.rotation.previous'] | Should -Be "$prefix-db"
        $result.Labels['org.opstools.rotation.generation'] | Should -Be '2'
        $result.Services | Should -Be (@($api.Name, $worker.Name) | Sort-Object)
        (Get-SecretReference $api.Name).SecretName | Should -Be "$prefix-db.v2"
        (Get-SecretReference $worker.Name).SecretName | Should -Be "$prefix-db.v2"
        (Get-SecretReference $api.Name).File, (Get-SecretReference $worker.Name).File | ConvertTo-Json -Compress | Should -Be $filesBefore
        Get-TestServiceFile -Service $api.Name -Path '/run/secrets/db_password' | Should -BeExactly $newValue
        Get-TestServiceFile -Service $worker.Name -Path '/etc/app/db.pw' | Should -BeExactly $newValue
        Get-TestSwarmObjectName -Kind secret -Prefix "$prefix-db" | Should -Be "$prefix-db.v2"
        ($messages | Out-String) | Should -BeLike "*Removed the previous secret version '$prefix-db'*"
        ($messages | Out-String) | Should -Not -BeLike "*$newValue*"
    }

    It 'changes nothing with -WhatIf and shows every step: new version, each service, removal' {
        $null = New-TestSwarmObject -Kind secret -Name "$prefix-token" -Content 'v1'
        $service = New-TestSwarmService -Name "$(New-TestName)-token" -Replicas 0 -NoWait -AdditionalArgument '--secret', "source=$prefix-token,target=token"
        $before = Get-SwarmObjectState -Prefix $prefix -Service $service.Name
        $transcript = Join-Path $TestDrive 'whatif.txt'
        $null = Start-Transcript -LiteralPath $transcript
        try { $result = 'v2' | Update-SwarmSecret -Name "$prefix-token" -WhatIf } finally { $null = Stop-Transcript }
        $whatIf = Get-Content -LiteralPath $transcript -Raw

        $result | Should -BeNullOrEmpty
        Get-SwarmObjectState -Prefix $prefix -Service $service.Name | Should -Be $before
        $whatIf | Should -BeLike "*Create secret '$prefix-token.v2' as the new version of '$prefix-token'*on target `"$prefix-token on $(Get-LabSetting DOCKER_HOST)`"*"
        $whatIf | Should -BeLike "*Update service (Secret``[token``]: $prefix-token -> $prefix-token.v2)*$($service.Name) on *"
        $whatIf | Should -BeLike "*Remove previous secret version '$prefix-token'*"
    }

    It 'keeps the old version and names the service when a repointed service does not converge' {
        $null = New-TestSwarmObject -Kind secret -Name "$prefix-stuck" -Content 'v1'
        $stuck = New-TestSwarmService -Name "$(New-TestName)-stuck" -NoWait -Constraint 'node.labels.opstools-never==1' -AdditionalArgument '--secret', "$prefix-stuck"

        $result = 'v2' | Update-SwarmSecret -Name "$prefix-stuck" -Wait -Timeout 60 -Confirm:$false -ErrorVariable problems -ErrorAction SilentlyContinue -WarningVariable warnings -WarningAction SilentlyContinue

        $result.Name | Should -Be "$prefix-stuck.v2"
        $problems | Should -HaveCount 1
        $problems[0].FullyQualifiedErrorId | Should -Be "SwarmServiceUnschedulable,$commandId"
        $problems[0].TargetObject.Service | Should -Be $stuck.Name
        ($warnings | Out-String) | Should -BeLike "*'$prefix-stuck' is kept*$($stuck.Name) did not converge*"
        Get-TestSwarmObjectName -Kind secret -Prefix "$prefix-stuck" | Should -Be @("$prefix-stuck", "$prefix-stuck.v2")
    }

    It 'keeps the old version with -KeepPrevious and counts on from the rotation labels' {
        $null = New-TestSwarmObject -Kind secret -Name "$prefix-api-key.v4" -Content 'v4'

        $first = 'v5' | Update-SwarmSecret -Name "$prefix-api-key.v4" -KeepPrevious -Confirm:$false
        $second = 'v6' | Update-SwarmSecret -Name $first.Name -Label @{ owner = 'billing' } -Confirm:$false

        $first.Name | Should -Be "$prefix-api-key.v5"
        $second.Name | Should -Be "$prefix-api-key.v6"
        $second.Labels['org.opstools.rotation.base'] | Should -Be "$prefix-api-key"
        $second.Labels['owner'] | Should -Be 'billing'
        Get-TestSwarmObjectName -Kind secret -Prefix "$prefix-api-key" | Should -Be @("$prefix-api-key.v4", "$prefix-api-key.v6")
    }

    It 'writes SwarmSecretNotFound (ObjectNotFound) for an unknown secret and creates nothing' {
        $before = Get-SwarmObjectState -Prefix $prefix

        $result = 'x' | Update-SwarmSecret -Name "$prefix-nosuch" -Confirm:$false -ErrorVariable problems -ErrorAction SilentlyContinue

        $result | Should -BeNullOrEmpty
        $problems[0].FullyQualifiedErrorId | Should -Be "SwarmSecretNotFound,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].TargetObject | Should -Be "$prefix-nosuch"
        Get-SwarmObjectState -Prefix $prefix | Should -Be $before
    }

    It 'stops with SwarmSecretDataEmpty (InvalidArgument) for an empty value before changing anything' {
        $null = New-TestSwarmObject -Kind secret -Name "$prefix-empty" -Content 'v1'
        $before = Get-SwarmObjectState -Prefix $prefix

        $problem = { '' | Update-SwarmSecret -Name "$prefix-empty" -Confirm:$false } | Should -Throw -PassThru

        $problem.FullyQualifiedErrorId | Should -Be "SwarmSecretDataEmpty,$commandId"
        $problem.CategoryInfo.Category | Should -Be 'InvalidArgument'
        Get-SwarmObjectState -Prefix $prefix | Should -Be $before
    }
}
