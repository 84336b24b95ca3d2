#Requires -Version 7.4
# Publish-DockerImage: parameter surface, then pushes to the lab's registries (open and htpasswd),
# each digest checked against the registry's own HTTP API.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'ImageTestSupport.psm1') -Force
    $lab = Get-LabStatus
    $registries = Get-RegistryLabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'ImageTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Images.PublishDockerImageCommand'
}

Describe 'Publish-DockerImage parameters' {
    BeforeAll {
        $command = Get-Command -Name Publish-DockerImage
        $surface = Get-ParameterSurface -Command Publish-DockerImage
    }

    It 'has exactly the parameters Name, Credential and DockerHost' {
        $surface.Keys | Sort-Object | Should -Be (@('Credential', 'DockerHost', 'Name') | Sort-Object)
    }

    It 'takes names by value and by property name (Tags of images from Build-DockerImage), and a PSCredential' {
        $surface['Name'].Type | Should -Be 'System.String[]'
        $surface['Name'].Mandatory | Should -BeTrue
        $surface['Name'].Position | Should -Be 0
        $surface['Name'].ValueFromPipeline | Should -BeTrue
        $surface['Name'].ValueFromPipelineByPropertyName | Should -BeTrue
        $surface['Name'].Aliases | Should -Contain 'Tags'
        $surface['Credential'].Type | Should -Be 'System.Management.Automation.PSCredential'
    }

    It 'supports -WhatIf and -Confirm and returns DockerImagePush objects' {
        $command.Parameters.Keys | Should -Contain 'WhatIf'
        $command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false).ConfirmImpact | Should -Be 'Medium'
        $command.OutputType.Name | Should -Be 'OpsTools.Images.DockerImagePush'
    }

    It 'writes ImageReferenceInvalid (InvalidArgument) for a reference that is not one' {
        Publish-DockerImage 'Not/A Reference' -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "ImageReferenceInvalid,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $problems[0].TargetObject | Should -Be 'Not/A Reference'
    }
}

Describe 'Publish-DockerImage against the lab registries' -Skip:(-not ($lab.IsAvailable -and $registries.IsAvailable)) {
    BeforeAll {
        $savedDockerHost = $env:DOCKER_HOST
        $savedDockerConfig = $env:DOCKER_CONFIG
        $env:DOCKER_HOST = Get-LabSetting DOCKER_HOST
        $registries = Get-RegistryLabStatus
        # A docker config directory of the tests' own: the user's ~/.docker is never read or written.
        $env:DOCKER_CONFIG = Join-Path $TestDrive 'docker-config'
        $null = New-Item -ItemType Directory -Path $env:DOCKER_CONFIG
        $registry = $registries.Registry
        $authRegistry = $registries.AuthRegistry
        $credential = [pscredential]::new($registries.User, (ConvertTo-SecureString $registries.Password -AsPlainText -Force))
        $prefix = New-TestImageName
        $base = Get-LabSetting IMAGE_BUSYBOX
    }

    AfterAll {
        Remove-TestImage
        $env:DOCKER_HOST = $savedDockerHost
        $env:DOCKER_CONFIG = $savedDockerConfig
    }

    It 'pushes every tag of an image piped from Build-DockerImage and returns the digests the registry stored' {
        $context = Join-Path $TestDrive 'app'
        $null = New-Item -ItemType Directory -Path $context
        Set-Content -LiteralPath (Join-Path $context 'Dockerfile') -Value "FROM $base`nRUN echo $prefix > /built" -Encoding utf8NoBOM
        $tags = "$registry/$prefix/app:1", "$registry/$prefix/app:latest"
        $tags | Register-TestImage

        $pushed = Build-DockerImage $context -Tag $tags | Publish-DockerImage -Confirm:$false

        $pushed | ForEach-Object { Register-TestManifest $registry "$prefix/app" $_.Digest }
        $pushed | Should -HaveCount 2
        foreach ($item in $pushed) {
            $item | Should -BeOfType ([OpsTools.Images.DockerImagePush])
            $item.Digest | Should -Be (Get-RegistryDigest $registry "$prefix/app" $item.Tag)
            $item.PinnedImage | Should -Be "$registry/$prefix/app@$($item.Digest)"
        }
        ($pushed.Tag | Sort-Object) | Should -Be @('1', 'latest')
        $pushed[0].Digest | Should -Be $pushed[1].Digest
    }

    It 'pushes to the authenticated registry with -Credential, and exports to CSV without the password' {
        $image = "$authRegistry/$prefix/private:1"
        $null = New-TestImage -Tag $image
        $csv = Join-Path $TestDrive 'pushed.csv'

        $pushed = Publish-DockerImage $image -Credential $credential -Verbose 4>&1 | Tee-Object -Variable all | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }
        $pushed | Export-Csv -LiteralPath $csv
        Register-TestManifest $authRegistry "$prefix/private" $pushed.Digest

        $pushed.Digest | Should -Be (Get-RegistryDigest $authRegistry "$prefix/private" '1')
        (Import-Csv -LiteralPath $csv).Digest | Should -Be $pushed.Digest
        ($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n" | Should -BeLike "*as '$($registries.User)' (from -Credential)*"
        ($all | Out-String) + (Get-Content -LiteralPath $csv -Raw) | Should -Not -Match ([regex]::Escape($registries.Password))
    }

    It 'takes the credential from the docker config file in DOCKER_CONFIG when no -Credential is given' {
        $auth = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes("$($registries.User):$($registries.Password)"))
        Set-Content -LiteralPath (Join-Path $env:DOCKER_CONFIG 'config.json') -Value (@{ auths = @{ $authRegistry = @{ auth = $auth } } } | ConvertTo-Json -Depth 3) -Encoding utf8NoBOM
        $image = "$authRegistry/$prefix/config:1"
        $null = New-TestImage -Tag $image
        try {
            $pushed = Publish-DockerImage $image -Confirm:$false
        }
        finally {
            Remove-Item -LiteralPath (Join-Path $env:DOCKER_CONFIG 'config.json')
        }
        Register-TestManifest $authRegistry "$prefix/config" $pushed.Digest

        $pushed.Digest | Should -Be (Get-RegistryDigest $authRegistry "$prefix/config" '1')
    }

    It 'writes RegistryAccessDenied (PermissionDenied) for a wrong password, without the password, and pushes nothing' {
        $image = "$authRegistry/$prefix/denied:1"
        $null = New-TestImage -Tag $image
        $wrongPassword = 'wrong-' + [guid]::NewGuid().ToString('n')
        $wrong = [pscredential]::new($registries.User, (ConvertTo-SecureString $wrongPassword -AsPlainText -Force))

        Publish-DockerImage $image -Credential $wrong -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems | Should -HaveCount 1
        $problems[0].FullyQualifiedErrorId | Should -Be "RegistryAccessDenied,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $problems[0].TargetObject | Should -Be $image
        $problems[0].ErrorDetails.RecommendedAction | Should -BeLike '*-Credential*'
        ($problems[0] | Out-String) + $problems[0].Exception.Message | Should -Not -Match $wrongPassword
        Get-RegistryDigest $authRegistry "$prefix/denied" '1' | Should -BeNullOrEmpty
    }

    It 'writes DockerImageNotFound (ObjectNotFound) for a tag that does not exist and goes on with the others' {
        $image = "$registry/$prefix/present:1"
        $null = New-TestImage -Tag $image

        $pushed = Publish-DockerImage "$registry/$prefix/absent:1", $image -ErrorVariable problems -ErrorAction SilentlyContinue
        Register-TestManifest $registry "$prefix/present" $pushed.Digest

        $pushed.Image | Should -Be $image
        $problems | Should -HaveCount 1
        $problems[0].FullyQualifiedErrorId | Should -Be "DockerImageNotFound,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'pushes nothing with -WhatIf and names the registry, tag and host' {
        $image = "$registry/$prefix/whatif:1"
        $null = New-TestImage -Tag $image
        $transcript = Join-Path $TestDrive 'whatif.txt'
        $null = Start-Transcript -LiteralPath $transcript
        try { $result = Publish-DockerImage $image -WhatIf } finally { $null = Stop-Transcript }

        $result | Should -BeNullOrEmpty
        Get-RegistryDigest $registry "$prefix/whatif" '1' | Should -BeNullOrEmpty
        Get-Content -LiteralPath $transcript -Raw | Should -BeLike "*Push to registry $registry*$image on $(Get-LabSetting DOCKER_HOST)*"
    }
}
