#Requires -Version 7.4
<#
Helpers of the image tests: the lab registries (open and htpasswd), digests read from a registry's
own HTTP API, and removal of the local tags and registry manifests a test created. Every name a
test creates starts with opsimg-<8 hex digits>.
#>
Set-StrictMode -Version Latest

$script:Tags = [System.Collections.Generic.List[string]]::new()
$script:Manifests = [System.Collections.Generic.List[object]]::new()
$script:ImageIds = [System.Collections.Generic.List[string]]::new()

function Get-RegistryLabStatus {
    <#
    .SYNOPSIS
    IsAvailable, Reason, Registry, AuthRegistry, User, Password of the lab's registries. Throws in
    CI when they are missing; elsewhere warns and the caller skips.
    #>
    [CmdletBinding()]
    param()
    $registry = Get-LabSetting REGISTRY
    $authRegistry = Get-LabSetting REGISTRY_AUTH
    $problem = $null
    if (-not $registry -or -not $authRegistry) {
        $problem = 'OPSTOOLS_TEST_REGISTRY / OPSTOOLS_TEST_REGISTRY_AUTH are not set'
    }
    else {
        try { $null = Invoke-WebRequest -Uri "http://$registry/v2/" -TimeoutSec 5 -UseBasicParsing }
        catch { $problem = "the lab registry at $registry does not answer: $($_.Exception.Message)" }
    }
    $reason = $null
    if ($problem) {
        $reason = "The lab registry is not available: $problem. Start it with 'tests/lab/up.sh registry' (as root)."
        if ($env:CI -eq 'true') { throw $reason }
        Write-Warning "$reason The tests that need it are skipped."
    }
    [pscustomobject]@{
        IsAvailable  = -not $problem
        Reason       = $reason
        Registry     = $registry
        AuthRegistry = $authRegistry
        User         = Get-LabSetting REGISTRY_USER
        Password     = Get-LabSetting REGISTRY_PASSWORD
    }
}

function New-TestImageName {
    <# .SYNOPSIS A repository prefix no other run uses: opsimg-<8 hex digits>. #>
    'opsimg-' + [guid]::NewGuid().ToString('n').Substring(0, 8)
}

function Register-TestImage {
    <# .SYNOPSIS Registers local tags for removal by Remove-TestImage. #>
    param([Parameter(Mandatory, ValueFromPipeline)][string[]] $Tag)
    process { $script:Tags.AddRange($Tag) }
}

function Get-RegistryAuthorization([string] $Registry) {
    $status = Get-RegistryLabStatus -WarningAction SilentlyContinue
    if ($Registry -eq $status.AuthRegistry) {
        @{ Authorization = 'Basic ' + [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes("$($status.User):$($status.Password)")) }
    }
    else { @{} }
}

function Get-RegistryDigest {
    <#
    .SYNOPSIS
    The manifest digest a registry holds for repository:tag, from its HTTP API (HEAD
    /v2/<repository>/manifests/<tag>), or $null when it has none.
    #>
    param(
        [Parameter(Mandatory)][string] $Registry,
        [Parameter(Mandatory)][string] $Repository,
        [Parameter(Mandatory)][string] $Tag
    )
    $headers = Get-RegistryAuthorization $Registry
    $headers['Accept'] = 'application/vnd.docker.distribution.manifest.v2+json'
    $response = Invoke-WebRequest -Method Head -Uri "http://$Registry/v2/$Repository/manifests/$Tag" -Headers $headers -SkipHttpErrorCheck -TimeoutSec 10
    if ($response.StatusCode -ne 200) { return $null }
    [string]$response.Headers['Docker-Content-Digest']
}

function Register-TestManifest {
    <# .SYNOPSIS Registers a pushed manifest for deletion from its registry by Remove-TestImage. #>
    param([string] $Registry, [string] $Repository, [string] $Digest)
    $script:Manifests.Add([pscustomobject]@{ Registry = $Registry; Repository = $Repository; Digest = $Digest })
}

function Remove-TestImage {
    <# .SYNOPSIS Deletes the registered manifests from the lab registries and removes the registered local tags. #>
    foreach ($manifest in $script:Manifests) {
        $null = Invoke-WebRequest -Method Delete -Uri "http://$($manifest.Registry)/v2/$($manifest.Repository)/manifests/$($manifest.Digest)" -Headers (Get-RegistryAuthorization $manifest.Registry) -SkipHttpErrorCheck -TimeoutSec 10
    }
    $script:Manifests.Clear()
    $existing = @((Invoke-LabDocker -ArgumentList 'image', 'ls', '--format', '{{.Repository}}:{{.Tag}}').Output)
    $toRemove = @($script:Tags | Select-Object -Unique | Where-Object { $_ -in $existing })
    foreach ($tag in $toRemove) {
        $script:ImageIds.Add((Invoke-LabDocker -ArgumentList 'image', 'inspect', '--format', '{{.Id}}', $tag).Output[0])
    }
    if ($toRemove.Count -gt 0) {
        $null = Invoke-LabDocker -ArgumentList (@('image', 'rm', '--force') + $toRemove) -AllowFailure
    }
    # Images built here and left without a tag (rebuilt tags, pushed digests) go too; one that
    # still has a tag (the lab's base image a test tagged) is never touched.
    foreach ($id in $script:ImageIds | Select-Object -Unique) {
        $tags = Invoke-LabDocker -ArgumentList 'image', 'inspect', '--format', '{{len .RepoTags}}', $id -AllowFailure
        if ($tags.ExitCode -eq 0 -and $tags.StandardOutput.Trim() -eq '0') {
            # The containers of removed services may take a few seconds to go.
            $null = Wait-Until -TimeoutSeconds 20 -Because "image $id is removed" -Condition {
                (Invoke-LabDocker -ArgumentList 'image', 'rm', $id -AllowFailure).ExitCode -eq 0
            }
        }
    }
    $script:Tags.Clear()
    $script:ImageIds.Clear()
}

function New-TestImage {
    <#
    .SYNOPSIS
    Builds a one-file image FROM the lab's busybox with the docker CLI's classic builder (not with
    the cmdlets under test) and registers its tag for removal. Returns the image id.
    #>
    param([Parameter(Mandatory)][string] $Tag, [string] $Content = $Tag)
    $context = Join-Path ([IO.Path]::GetTempPath()) ('opsimg-ctx-' + [guid]::NewGuid().ToString('n').Substring(0, 8))
    $null = New-Item -ItemType Directory -Path $context
    try {
        Set-Content -LiteralPath (Join-Path $context 'Dockerfile') -Value "FROM $(Get-LabSetting IMAGE_BUSYBOX)`nCOPY content.txt /content.txt" -Encoding utf8NoBOM
        Set-Content -LiteralPath (Join-Path $context 'content.txt') -Value $Content -Encoding utf8NoBOM
        Register-TestImage $Tag
        $saved = $env:DOCKER_BUILDKIT
        $env:DOCKER_BUILDKIT = '0'
        try {
            $id = (Invoke-LabDocker -ArgumentList 'build', '--quiet', '--tag', $Tag, $context).Output | Select-Object -Last 1
            $script:ImageIds.Add($id)
            $id
        }
        finally { $env:DOCKER_BUILDKIT = $saved }
    }
    finally { Remove-Item -LiteralPath $context -Recurse -Force }
}

Export-ModuleMember -Function Get-RegistryLabStatus, New-TestImageName, Register-TestImage, Get-RegistryDigest, Register-TestManifest, Remove-TestImage, New-TestImage
