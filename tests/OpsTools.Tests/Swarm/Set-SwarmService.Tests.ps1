#Requires -Version 7.4
# Set-SwarmService: parameter surface, then scaling and updating real services on the lab swarm.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $lab = Get-LabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Swarm.SetSwarmServiceCommand'

    function Get-SpecState([string] $Name) {
        (Invoke-LabDocker -ArgumentList 'service', 'inspect', '--format', '{{.Version.Index}} {{json .Spec}}', $Name).StandardOutput.Trim()
    }
}

Describe 'Set-SwarmService parameters' {
    BeforeAll {
        $command = Get-Command -Name Set-SwarmService
        $surface = Get-ParameterSurface -Command Set-SwarmService
    }

    It 'has exactly the parameters Name, Replicas, Image, Env, Label, Constraint, Wait, Timeout and DockerHost' {
        $surface.Keys | Sort-Object | Should -Be @('Constraint', 'DockerHost', 'Env', 'Image', 'Label', 'Name', 'Replicas', 'Timeout', 'Wait')
    }

    It 'takes -Name from the pipeline by value and by property name, with wildcards' {
        $surface['Name'].Type | Should -Be 'System.String[]'
        $surface['Name'].Mandatory | Should -BeTrue
        $surface['Name'].Position | Should -Be 0
        $surface['Name'].ValueFromPipeline | Should -BeTrue
        $surface['Name'].ValueFromPipelineByPropertyName | Should -BeTrue
        $surface['Name'].SupportsWildcards | Should -BeTrue
        $surface['Env'].Type | Should -Be 'System.Collections.Hashtable'
        $surface['Timeout'].Type | Should -Be 'System.TimeSpan'
    }

    It 'supports -WhatIf and -Confirm with medium impact and returns SwarmService objects' {
        $command.Parameters.Keys | Should -Contain 'WhatIf'
        $command.Parameters.Keys | Should -Contain 'Confirm'
        $command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false).ConfirmImpact | Should -Be 'Medium'
        $command.OutputType.Name | Should -Be 'OpsTools.Swarm.SwarmService'
    }

    It 'reads a bare number for -Timeout as seconds and a duration such as 2m' {
        $attribute = [OpsTools.Infrastructure.DurationTransformationAttribute]::new()
        $attribute.Transform($null, 90) | Should -Be ([timespan]::FromSeconds(90))
        $attribute.Transform($null, '2m') | Should -Be ([timespan]::FromMinutes(2))
        $attribute.Transform($null, '00:00:30') | Should -Be ([timespan]::FromSeconds(30))
    }

    It 'stops with SwarmServiceChangeMissing (InvalidArgument) when nothing is to change' {
        $problem = { Set-SwarmService -Name anything } | Should -Throw -PassThru

        $problem.FullyQualifiedErrorId | Should -Be "SwarmServiceChangeMissing,$commandId"
        $problem.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }
}

Describe 'Set-SwarmService against the lab swarm' -Skip:(-not $lab.IsAvailable) {
    BeforeAll {
        $savedDockerHost = $env:DOCKER_HOST
        $env:DOCKER_HOST = Get-LabSetting DOCKER_HOST
        $prefix = New-TestName
        $web = New-TestSwarmService -Name "$prefix-web" -Replicas 1 -Environment @{ KEEP = 'yes'; DROP = 'x' } -NoWait
        $api = New-TestSwarmService -Name "$prefix-api" -Replicas 1 -NoWait
        $agent = New-TestSwarmService -Name "$prefix-agent" -Global -NoWait
        $web, $api, $agent | Wait-TestSwarmService
    }

    AfterAll {
        Remove-TestSwarmService
        $env:DOCKER_HOST = $savedDockerHost
    }

    It 'scales and updates services piped from Get-SwarmService in one update each, waits, and returns them converged' {
        $result = Get-SwarmService -Name "$prefix-web", "$prefix-api" | Set-SwarmService -Replicas 2 -Env @{ NEW = 'a=b'; DROP = $null } -Label @{ tier = 'front' } -Wait -Timeout 90 -Confirm:$false

        $result.Name | Should -Be @($api.Name, $web.Name)
        $result.Replicas | Should -Be @('2/2', '2/2')
        $result | ForEach-Object { $_.Labels['tier'] | Should -Be 'front' }
        $env = (Invoke-LabDocker -ArgumentList 'service', 'inspect', '--format', '{{json .Spec.TaskTemplate.ContainerSpec.Env}}', $web.Name).StandardOutput | ConvertFrom-Json
        $env | Should -Be @('KEEP=yes', 'NEW=a=b')
    }

    It 'says what it would change, old -> new, on which host, and changes nothing with -WhatIf' {
        $before = Get-SpecState $api.Name

        # What-if lines go to the host, not to a stream: a transcript sees them.
        $transcript = Join-Path $TestDrive 'whatif.txt'
        $null = Start-Transcript -LiteralPath $transcript
        try { Set-SwarmService -Name $api.Name -Replicas 5 -Image 'lab/other:1' -WhatIf } finally { $null = Stop-Transcript }
        $whatIf = Get-Content -LiteralPath $transcript -Raw

        Get-SpecState $api.Name | Should -Be $before
        $whatIf | Should -BeLike "*Replicas: * -> 5*"
        $whatIf | Should -BeLike "*Image: * -> lab/other:1*"
        $whatIf | Should -BeLike "*$($api.Name) on $(Get-LabSetting DOCKER_HOST)*"
    }

    It 'does not update a service already as requested' {
        $before = Get-SpecState $api.Name

        $result = Set-SwarmService -Name $api.Name -Replicas 2 -Confirm:$false

        $result.Name | Should -Be $api.Name
        Get-SpecState $api.Name | Should -Be $before
    }

    It 'reports an image that cannot be found with SwarmServiceImageNotFound within the timeout' {
        $problems = $null
        $result = Set-SwarmService -Name $web.Name -Image 'lab/opstools-missing:1' -Wait -Timeout 60 -Confirm:$false -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems | Should -HaveCount 1
        $problems[0].FullyQualifiedErrorId | Should -Be "SwarmServiceImageNotFound,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].TargetObject.State | Should -Be 'ImageNotFound'
        $problems[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        $result.Image | Should -Be 'lab/opstools-missing:1'
    }

    It 'refuses to scale a global service with SwarmServiceNotReplicated and leaves it unchanged' {
        $before = Get-SpecState $agent.Name

        Set-SwarmService -Name $agent.Name -Replicas 3 -Confirm:$false -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "SwarmServiceNotReplicated,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        Get-SpecState $agent.Name | Should -Be $before
    }

    It 'writes SwarmServiceNotFound (ObjectNotFound) for an unknown name and goes on with the others' {
        $result = Set-SwarmService -Name "$prefix-nosuch", $api.Name -Label @{ seen = '1' } -Confirm:$false -ErrorVariable problems -ErrorAction SilentlyContinue

        $result.Name | Should -Be $api.Name
        $problems[0].FullyQualifiedErrorId | Should -Be "SwarmServiceNotFound,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].TargetObject | Should -Be "$prefix-nosuch"
    }

    It 'stops waiting promptly when the pipeline is stopped (Ctrl+C) and leaves the update in place' {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                    param($Manifest, $Name)
                    Import-Module $Manifest
                    Set-SwarmService -Name $Name -Constraint 'node.labels.opstools-never==1' -Wait -Timeout 300 -Confirm:$false
                }).AddArgument((Get-BuiltModulePath)).AddArgument($api.Name)
            $async = $ps.BeginInvoke()
            $null = Wait-Until -Because 'the constraint is in the spec' -TimeoutSeconds 60 -Condition {
                (Invoke-LabDocker -ArgumentList 'service', 'inspect', '--format', '{{json .Spec.TaskTemplate.Placement}}', $api.Name).StandardOutput -like '*opstools-never*'
            }
            $clock = [System.Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()

            $clock.Elapsed.TotalSeconds | Should -BeLessThan 10
            $async.IsCompleted | Should -BeTrue
            (Invoke-LabDocker -ArgumentList 'service', 'inspect', '--format', '{{json .Spec.TaskTemplate.Placement.Constraints}}', $api.Name).StandardOutput | Should -BeLike '*opstools-never*'
        }
        finally {
            $ps.Dispose()
        }
    }
}
