#Requires -Version 7.4
<#
Helpers of the Ceph Pester tests: find the lab's CephFS mounts and cluster, make and remove
this run's directories on the mount, and set up or witness state with the lab's own tools
(getfattr, setfattr, ceph), so the cmdlets under test are never their own witnesses.
Import after ../TestSupport.psm1 (it uses Get-LabSetting and Wait-Until).
#>
Set-StrictMode -Version Latest

$script:RunRoot = $null
$script:LabScript = Join-Path $PSScriptRoot '../../lab/components/ceph.sh'

function Get-CephLabStatus {
    <#
    .SYNOPSIS
    Tells whether the Ceph lab (a CephFS mount that answers, and the cluster's config) is there.
    Returns IsAvailable, Reason, Mount, NoQuotaMount, ConfigPath, Keyring, Id. Throws in CI when
    it is not; elsewhere warns, naming tests/lab/up.sh, so the caller skips.
    #>
    [CmdletBinding()]
    param()

    $status = [ordered]@{
        IsAvailable  = $false
        Reason       = $null
        Mount        = Get-LabSetting CEPHFS_MOUNT
        NoQuotaMount = Get-LabSetting CEPHFS_MOUNT_NOQUOTA
        ConfigPath   = Get-LabSetting CEPH_CONF
        Keyring      = Get-LabSetting CEPH_KEYRING
        Id           = Get-LabSetting CEPH_ID
    }
    $missing = @('Mount', 'NoQuotaMount', 'ConfigPath', 'Keyring', 'Id') | Where-Object { -not $status[$_] }
    $problem = if ($missing) {
        "OPSTOOLS_TEST_CEPHFS_MOUNT, _NOQUOTA and OPSTOOLS_TEST_CEPH_CONF, _KEYRING, _ID must be set ($($missing -join ', ') missing)"
    }
    elseif (-not (Get-Command getfattr -CommandType Application -ErrorAction Ignore)) {
        'getfattr (package attr) is not installed'
    }
    elseif ($null -eq (Get-CephAttribute -Path $status.Mount -Name ceph.dir.rentries -TimeoutSeconds 5)) {
        "$($status.Mount) does not answer as CephFS"
    }

    if ($problem) {
        $status.Reason = "The Ceph lab is not available: $problem. Start it with 'tests/lab/up.sh' (as root)."
        if ($env:CI -eq 'true') {
            throw $status.Reason
        }
        Write-Warning "$($status.Reason) The integration tests that need it are skipped."
    }
    else {
        $status.IsAvailable = $true
    }
    [pscustomobject]$status
}

function Invoke-LabTool {
    <# .SYNOPSIS Runs a program with a timeout; returns ExitCode, Output, Error. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0)] [string] $FilePath,
        [Parameter(Position = 1)] [string[]] $ArgumentList = @(),
        [int] $TimeoutSeconds = 30
    )

    $startInfo = [System.Diagnostics.ProcessStartInfo]::new($FilePath)
    foreach ($argument in $ArgumentList) { $startInfo.ArgumentList.Add($argument) }
    $startInfo.UseShellExecute = $false
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    $process = [System.Diagnostics.Process]::Start($startInfo)
    try {
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
            $process.Kill($true)
            throw "'$FilePath $($ArgumentList -join ' ')' did not finish within $TimeoutSeconds s."
        }
        $process.WaitForExit()
        [pscustomobject]@{ ExitCode = $process.ExitCode; Output = $stdout.Result.Trim(); Error = $stderr.Result.Trim() }
    }
    finally {
        $process.Dispose()
    }
}

function Get-CephAttribute {
    <# .SYNOPSIS getfattr --only-values; $null when the attribute (or the path's answer) is missing. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $Path,
        [Parameter(Mandatory)] [string] $Name,
        [int] $TimeoutSeconds = 10
    )

    $result = Invoke-LabTool getfattr @('--only-values', '-n', $Name, $Path) -TimeoutSeconds $TimeoutSeconds
    if ($result.ExitCode -ne 0) { return $null }
    $result.Output
}

function Set-CephAttribute {
    <# .SYNOPSIS setfattr -n Name -v Value Path; throws when it fails. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $Path,
        [Parameter(Mandatory)] [string] $Name,
        [Parameter(Mandatory)] [string] $Value
    )

    $result = Invoke-LabTool setfattr @('-n', $Name, '-v', $Value, $Path)
    if ($result.ExitCode -ne 0) { throw "setfattr -n $Name -v $Value ${Path}: $($result.Error)" }
}

function Invoke-LabCeph {
    <# .SYNOPSIS Runs the ceph CLI against the lab cluster; returns its output, throws when it fails. #>
    [CmdletBinding()]
    param([Parameter(Mandatory, ValueFromRemainingArguments)] [string[]] $ArgumentList)

    $arguments = @('-c', (Get-LabSetting CEPH_CONF), '-k', (Get-LabSetting CEPH_KEYRING), '--id', (Get-LabSetting CEPH_ID), '--connect-timeout', '10') + $ArgumentList
    $result = Invoke-LabTool ceph $arguments
    if ($result.ExitCode -ne 0) { throw "ceph $($ArgumentList -join ' '): $($result.Error)" }
    $result.Output
}

function Get-CephClusterParameter {
    <# .SYNOPSIS The -ConfigPath/-Keyring/-Id of the lab cluster, to splat. #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param()
    @{ ConfigPath = Get-LabSetting CEPH_CONF; Keyring = Get-LabSetting CEPH_KEYRING; Id = Get-LabSetting CEPH_ID }
}

function New-CephTestDirectory {
    <#
    .SYNOPSIS
    Creates a new directory below this run's root on the lab mount (opstools-test-xxxxxxxx);
    Remove-CephTestDirectory removes the root and everything in it.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory, Position = 0)] [string] $Name)

    if (-not $script:RunRoot) {
        $script:RunRoot = Join-Path (Get-LabSetting CEPHFS_MOUNT) (New-TestName)
        $null = New-Item -ItemType Directory -Path $script:RunRoot
    }
    $path = Join-Path $script:RunRoot ($Name + '-' + [guid]::NewGuid().ToString('n').Substring(0, 6))
    $null = New-Item -ItemType Directory -Path $path
    $path
}

function Remove-CephTestDirectory {
    <# .SYNOPSIS Removes this run's root directory on the lab mount. Call from AfterAll. #>
    [CmdletBinding()]
    param()
    if ($script:RunRoot -and (Test-Path -LiteralPath $script:RunRoot)) {
        Remove-Item -LiteralPath $script:RunRoot -Recurse -Force
    }
    $script:RunRoot = $null
}

function ConvertTo-NoQuotaPath {
    <# .SYNOPSIS The same directory seen through the mount whose client lacks the 'p' MDS cap. #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory, Position = 0)] [string] $Path)
    (Get-LabSetting CEPHFS_MOUNT_NOQUOTA) + $Path.Substring((Get-LabSetting CEPHFS_MOUNT).Length)
}

function Write-TestFile {
    <# .SYNOPSIS Writes Count files of random bytes (sizes from the Size script block, given the index) and returns the bytes written. #>
    [CmdletBinding()]
    [OutputType([long])]
    param(
        [Parameter(Mandatory)] [string] $Path,
        [int] $Count = 1,
        [scriptblock] $Size = { 1000 }
    )

    $null = New-Item -ItemType Directory -Path $Path -Force
    [long]$total = 0
    for ($i = 0; $i -lt $Count; $i++) {
        $bytes = [byte[]]::new([int](& $Size $i))
        [System.Random]::Shared.NextBytes($bytes)
        [System.IO.File]::WriteAllBytes((Join-Path $Path ('file-{0:D4}.bin' -f $i)), $bytes)
        $total += $bytes.Length
    }
    $total
}

function Wait-CephStatistics {
    <# .SYNOPSIS Polls getfattr until a directory's recursive bytes and files are the expected ones (they trail writes by a second or two). #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $Path,
        [Parameter(Mandatory)] [long] $Bytes,
        [Parameter(Mandatory)] [long] $Files,
        [double] $TimeoutSeconds = 20
    )

    $null = Wait-Until -TimeoutSeconds $TimeoutSeconds -IntervalMilliseconds 200 -Because "the statistics of $Path show $Bytes bytes in $Files files" -Condition {
        (Get-CephAttribute -Path $Path -Name ceph.dir.rbytes) -eq "$Bytes" -and (Get-CephAttribute -Path $Path -Name ceph.dir.rfiles) -eq "$Files"
    }
}

function Get-WhatIfMessage {
    <# .SYNOPSIS Runs a script block and returns the "What if:" lines it wrote to the host (captured with a transcript). #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory, Position = 0)] [scriptblock] $ScriptBlock)

    $file = New-TemporaryFile
    try {
        $null = Start-Transcript -LiteralPath $file.FullName -UseMinimalHeader
        try { $null = & $ScriptBlock } finally { $null = Stop-Transcript }
        @(Get-Content -LiteralPath $file.FullName | Where-Object { $_ -like 'What if:*' })
    }
    finally {
        Remove-Item -LiteralPath $file.FullName -ErrorAction Ignore
    }
}

function Get-LabMdsProcessId {
    <# .SYNOPSIS Pid of the lab's MDS, from tests/lab/components/ceph.sh mds_pid. #>
    [CmdletBinding()]
    [OutputType([int])]
    param()
    $result = Invoke-LabTool bash @($script:LabScript, 'mds_pid')
    if ($result.ExitCode -ne 0 -or -not $result.Output) { throw "ceph.sh mds_pid: $($result.Error)" }
    [int]$result.Output
}

Export-ModuleMember -Function @(
    'Get-CephLabStatus'
    'Invoke-LabTool'
    'Get-CephAttribute'
    'Set-CephAttribute'
    'Invoke-LabCeph'
    'Get-CephClusterParameter'
    'New-CephTestDirectory'
    'Remove-CephTestDirectory'
    'ConvertTo-NoQuotaPath'
    'Write-TestFile'
    'Wait-CephStatistics'
    'Get-WhatIfMessage'
    'Get-LabMdsProcessId'
)
