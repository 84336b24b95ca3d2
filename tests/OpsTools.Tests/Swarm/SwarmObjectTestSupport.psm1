#Requires -Version 7.4
<#
Helpers of the secret and config tests: create objects with the docker CLI (never with the
cmdlets under test), snapshot the swarm state a -WhatIf must leave alone, read what a container
sees, and remove every object a test file created (names starting with its prefix).
#>
Set-StrictMode -Version Latest

function New-TestObjectPrefix {
    <# .SYNOPSIS A prefix no other test run uses: opssec-<8 random hex digits>. #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    'opssec-' + [guid]::NewGuid().ToString('n').Substring(0, 8)
}

function New-TestSwarmObject {
    <# .SYNOPSIS Creates a secret or config with the docker CLI from text and returns its id. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [ValidateSet('secret', 'config')] [string] $Kind,
        [Parameter(Mandatory)] [ValidatePattern('^opssec-')] [string] $Name,
        [Parameter(Mandatory)] [string] $Content,
        [hashtable] $Label = @{}
    )

    $file = New-TemporaryFile
    try {
        [System.IO.File]::WriteAllText($file.FullName, $Content)
        $arguments = @($Kind, 'create')
        foreach ($key in $Label.Keys) { $arguments += @('--label', "$key=$($Label[$key])") }
        (Invoke-LabDocker -ArgumentList ($arguments + @($Name, $file.FullName))).Output | Select-Object -Last 1
    }
    finally {
        Remove-Item -LiteralPath $file.FullName -ErrorAction Ignore
    }
}

function Get-TestSwarmObjectName {
    <# .SYNOPSIS Names of the secrets or configs starting with a prefix, sorted. #>
    [CmdletBinding()]
    [OutputType([string[]])]
    param(
        [Parameter(Mandatory)] [ValidateSet('secret', 'config')] [string] $Kind,
        [Parameter(Mandatory)] [string] $Prefix
    )
    @((Invoke-LabDocker -ArgumentList $Kind, 'ls', '--format', '{{.Name}}').Output | Where-Object { $_.StartsWith($Prefix) } | Sort-Object)
}

function Get-SwarmObjectState {
    <#
    .SYNOPSIS
    Everything a -WhatIf must not change: the secrets and configs of this test file (id, name,
    version, labels; names starting with the prefix) and the specs and versions of the services
    named, as one string. Other helpers' objects on the shared swarm are left out.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)] [string] $Prefix,
        [string[]] $Service = @()
    )

    $state = foreach ($kind in 'secret', 'config') {
        (Invoke-LabDocker -ArgumentList $kind, 'ls', '--format', '{{.ID}} {{.Name}}').Output | Where-Object { ($_ -split ' ')[1].StartsWith($Prefix) } | Sort-Object | ForEach-Object {
            $id = ($_ -split ' ')[0]
            (Invoke-LabDocker -ArgumentList $kind, 'inspect', '--format', '{{.ID}} {{.Version.Index}} {{.Spec.Name}} {{json .Spec.Labels}}', $id).StandardOutput.Trim()
        }
    }
    foreach ($name in $Service) {
        $state += (Invoke-LabDocker -ArgumentList 'service', 'inspect', '--format', '{{.Version.Index}} {{json .Spec}}', $name).StandardOutput.Trim()
    }
    $state -join "`n"
}

function Get-TestServiceFile {
    <# .SYNOPSIS Content of a file inside the (first) running container of a service. #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)] [string] $Service,
        [Parameter(Mandatory)] [string] $Path
    )
    $container = (Invoke-LabDocker -ArgumentList 'ps', '--quiet', '--filter', "label=com.docker.swarm.service.name=$Service").Output | Select-Object -First 1
    if (-not $container) { throw "Service $Service has no running container." }
    (Invoke-LabDocker -ArgumentList 'exec', $container, 'cat', $Path).StandardOutput
}

function Get-TestConfigData {
    <# .SYNOPSIS The content of a config as the docker CLI reads it (decoded from the base64 the API returns). #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)] [string] $Name)
    $base64 = (Invoke-LabDocker -ArgumentList 'config', 'inspect', '--format', '{{json .Spec.Data}}', $Name).StandardOutput | ConvertFrom-Json
    [System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String($base64))
}

function Remove-TestSwarmObject {
    <# .SYNOPSIS Removes every secret and config whose name starts with the prefix (after the services that use them). #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [ValidatePattern('^opssec-')] [string] $Prefix)
    foreach ($kind in 'secret', 'config') {
        $names = Get-TestSwarmObjectName -Kind $kind -Prefix $Prefix
        if ($names) {
            $null = Invoke-LabDocker -ArgumentList (@($kind, 'rm') + $names) -AllowFailure
        }
    }
}

Export-ModuleMember -Function New-TestObjectPrefix, New-TestSwarmObject, Get-TestSwarmObjectName, Get-SwarmObjectState, Get-TestServiceFile, Get-TestConfigData, Remove-TestSwarmObject
