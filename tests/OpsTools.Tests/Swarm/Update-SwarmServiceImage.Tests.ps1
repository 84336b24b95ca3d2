#Requires -Version 7.4
# Update-SwarmServiceImage: parameter surface, then the shared-image proof on the lab swarm and
# registry: v1 pushed as :latest, three services on it, different content re-pushed as :latest,
# every service moved to the new digest and converged.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../Images/ImageTestSupport.psm1') -Force
    $lab = Get-LabStatus
    $registries = Get-RegistryLabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../Images/ImageTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Swarm.UpdateSwarmServiceImageCommand'

    function Get-ServiceImage([string] $Name) {
        (Invoke-LabDocker -ArgumentList 'service', 'inspect', '--format', '{{.Spec.TaskTemplate.ContainerSpec.Image}}', $Name).StandardOutput.Trim()
    }

    # The spec, not the version: the orchestrator bumps the version when it records an update's progress.
    function Get-ServiceSpec([string] $Name) {
        (Invoke-LabDocker -ArgumentList 'service', 'inspect', '--format', '{{json .Spec}}', $Name).StandardOutput.Trim()
    }
}

Describe 'Update-SwarmServiceImage parameters' {
    BeforeAll {
        $command = Get-Command -Name Update-SwarmServiceImage
        $surface = Get-ParameterSurface -Command Update-SwarmServiceImage
    }

    It 'has exactly the parameters Image, Service, Credential, Wait, Timeout and DockerHost' {
        $surface.Keys | Sort-Object | Should -Be (@('Credential', 'DockerHost', 'Image', 'Service', 'Timeout', 'Wait') | Sort-Object)
    }

    It 'takes -Image first and from the pipeline (Publish-DockerImage output binds its Image), -Service with wildcards' {
        $surface['Image'].Type | Should -Be 'System.String[]'
        $surface['Image'].Mandatory | Should -BeTrue
        $surface['Image'].Position | Should -Be 0
        $surface['Image'].ValueFromPipeline | Should -BeTrue
        $surface['Image'].ValueFromPipelineByPropertyName | Should -BeTrue
        $surface['Service'].SupportsWildcards | Should -BeTrue
        $surface['Credential'].Type | Should -Be 'System.Management.Automation.PSCredential'
        $surface['Timeout'].Type | Should -Be 'System.TimeSpan'
    }

    It 'supports -WhatIf and -Confirm with medium impact and returns SwarmServiceImageUpdate objects' {
        $command.Parameters.Keys | Should -Contain 'WhatIf'
        $command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false).ConfirmImpact | Should -Be 'Medium'
        $command.OutputType.Name | Should -Be 'OpsTools.Swarm.SwarmServiceImageUpdate'
    }

    It 'writes ImageReferenceInvalid (InvalidArgument) for a reference with a digest' {
        $reference = 'registry.invalid/app:latest@sha256:' + ('a' * 64)

        Update-SwarmServiceImage $reference -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "ImageReferenceInvalid,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $problems[0].TargetObject | Should -Be $reference
    }
}

Describe 'Update-SwarmServiceImage against the lab swarm and registry' -Skip:(-not ($lab.IsAvailable -and $registries.IsAvailable)) {
    BeforeAll {
        $savedDockerHost = $env:DOCKER_HOST
        $savedDockerConfig = $env:DOCKER_CONFIG
        $env:DOCKER_HOST = Get-LabSetting DOCKER_HOST
        $env:DOCKER_CONFIG = Join-Path $TestDrive 'docker-config'
        $null = New-Item -ItemType Directory -Path $env:DOCKER_CONFIG
        $registries = Get-RegistryLabStatus
        $registry = $registries.Registry
        $prefix = New-TestName
        $repository = "$prefix/odoo"
        $latest = "$registry/${repository}:latest"

        $null = New-TestImage -Tag $latest -Content "v1 $prefix"
        $v1 = Publish-DockerImage $latest -Confirm:$false
        Register-TestManifest $registry $repository $v1.Digest
        # The CLI resolves the tag to its digest when it creates a service, as operators' deploys do.
        $services = 'api', 'worker', 'beat' | ForEach-Object { New-TestSwarmService -Name "$prefix-$_" -Image $latest -NoWait }
        $services | Wait-TestSwarmService
        $other = New-TestSwarmService -Name "$prefix-other" -Image (Get-LabSetting IMAGE_BUSYBOX)

        $null = New-TestImage -Tag $latest -Content "v2 $prefix"
        $v2Image = (Invoke-LabDocker -ArgumentList 'image', 'inspect', '--format', '{{.Id}}', $latest).Output[0]
        $v2 = Publish-DockerImage $latest -Confirm:$false
        Register-TestManifest $registry $repository $v2.Digest
    }

    AfterAll {
        Remove-TestSwarmService
        Remove-TestImage
        $env:DOCKER_HOST = $savedDockerHost
        $env:DOCKER_CONFIG = $savedDockerConfig
    }

    It 'starts from services pinned to the first digest, and a re-push that changed the digest' {
        $v2.Digest | Should -Not -Be $v1.Digest
        $services | ForEach-Object { Get-ServiceImage $_.Name | Should -Be "$latest@$($v1.Digest)" }
    }

    It 'lists each service with old -> new digest on -WhatIf and changes nothing' {
        $before = $services | ForEach-Object { Get-ServiceSpec $_.Name }
        $transcript = Join-Path $TestDrive 'whatif.txt'
        $null = Start-Transcript -LiteralPath $transcript
        try { $result = Update-SwarmServiceImage $latest -WhatIf } finally { $null = Stop-Transcript }
        $whatIf = Get-Content -LiteralPath $transcript -Raw

        $result | Should -BeNullOrEmpty
        $services | ForEach-Object { Get-ServiceSpec $_.Name } | Should -Be $before
        foreach ($service in $services) {
            $whatIf | Should -BeLike "*Update image ${latest}: $($v1.Digest) -> $($v2.Digest)*$($service.Name) on $(Get-LabSetting DOCKER_HOST)*"
        }
    }

    It 'moves every service that runs the tag to its new digest in one update each, waits until they converge, and leaves the others' {
        $otherBefore = Get-ServiceSpec $other.Name

        $result = $v2 | Update-SwarmServiceImage -Wait -Timeout 120 -Confirm:$false

        $result | Should -HaveCount 3
        $result.Service | Should -Be ($services.Name | Sort-Object)
        $result | ForEach-Object {
            $_ | Should -BeOfType ([OpsTools.Swarm.SwarmServiceImageUpdate])
            $_.Status | Should -Be 'Updated'
            $_.PreviousDigest | Should -Be $v1.Digest
            $_.Digest | Should -Be $v2.Digest
            $_.Convergence | Should -Be 'Converged'
        }
        foreach ($service in $services) {
            Get-ServiceImage $service.Name | Should -Be "$latest@$($v2.Digest)"
            # One update: the previous spec is the v1 one, not an intermediate step.
            (Invoke-LabDocker -ArgumentList 'service', 'inspect', '--format', '{{.PreviousSpec.TaskTemplate.ContainerSpec.Image}}', $service.Name).StandardOutput.Trim() | Should -Be "$latest@$($v1.Digest)"
            $task = (Invoke-LabDocker -ArgumentList 'service', 'ps', '--quiet', '--filter', 'desired-state=running', $service.Name).Output[0]
            $container = (Invoke-LabDocker -ArgumentList 'inspect', '--format', '{{.Status.ContainerStatus.ContainerID}}', $task).Output[0]
            (Invoke-LabDocker -ArgumentList 'inspect', '--format', '{{.Image}}', $container).Output[0] | Should -Be $v2Image
        }
        Get-ServiceSpec $other.Name | Should -Be $otherBefore
    }

    It 'reports services already at the digest as UpToDate, says so in verbose, and updates nothing' {
        $before = $services | ForEach-Object { Get-ServiceSpec $_.Name }
        $csv = Join-Path $TestDrive 'rollout.csv'

        $result = Update-SwarmServiceImage $latest -Service "$prefix-w*" -Confirm:$false -Verbose 4>&1 | Tee-Object -Variable all | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }
        $result | Export-Csv -LiteralPath $csv

        $result.Service | Should -Be "$prefix-worker"
        $result.Status | Should -Be 'UpToDate'
        ($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message | Should -Contain "$prefix-worker: already runs $latest@$($v2.Digest); not updated."
        $services | ForEach-Object { Get-ServiceSpec $_.Name } | Should -Be $before
        (Import-Csv -LiteralPath $csv).Digest | Should -Be $v2.Digest
    }

    It 'writes ImageTagNotFound (ObjectNotFound) for a tag the registry does not have' {
        Update-SwarmServiceImage "$registry/${repository}:missing" -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "ImageTagNotFound,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
    }

    It 'writes SwarmServiceImageNotInUse (ObjectNotFound) when no service runs the tag' {
        $unused = "$registry/$prefix/unused:1"
        $null = New-TestImage -Tag $unused
        $pushed = Publish-DockerImage $unused -Confirm:$false
        Register-TestManifest $registry "$prefix/unused" $pushed.Digest

        Update-SwarmServiceImage $unused -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "SwarmServiceImageNotInUse,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].TargetObject | Should -Be $unused
    }
}
