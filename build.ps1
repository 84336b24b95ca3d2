#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests, documents and packages the OpsTools module.

.DESCRIPTION
    Tasks:
      Build    (default) compiles the solution and lays out out/OpsTools (manifest, cmdlets,
               Dependencies/, formats, MAML help), then imports it in a fresh pwsh to prove it loads.
      Test     Build, bring the lab up (tests/lab/up.sh, as root on Linux), run the xUnit tests and
               the Pester tests against the built module, print "N passed, N failed, N skipped".
      Docs     Regenerate en-US/OpsTools.dll-Help.xml from docs/en-US (part of Build) and list topics.
      Package  Build, then zip out/OpsTools into out/OpsTools-<version>.zip.
      Clean    Remove out/ and every bin/ and obj/ folder.

.EXAMPLE
    dotnet tool restore; dotnet pwsh ./build.ps1

.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Test
#>
[CmdletBinding()]
param(
    # One or more of Build, Test, Docs, Package, Clean; 'Clean,Build' also works from bash.
    [string[]] $Task = @('Build'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Skip tests/lab/up.sh (the lab is already up, or is managed elsewhere).
    [switch] $NoLab
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$Root = $PSScriptRoot
$OutDir = Join-Path $Root 'out'
$ModuleDir = Join-Path $OutDir 'OpsTools'
$PesterVersion = '5.7.1'

function Invoke-Native {
    param([string] $Description, [scriptblock] $Command)
    Write-Host "==> $Description" -ForegroundColor Cyan
    & $Command
    if ($LASTEXITCODE -ne 0) {
        throw "$Description failed (exit code $LASTEXITCODE)."
    }
}

function Invoke-BuildTask {
    Invoke-Native 'dotnet build' { dotnet build (Join-Path $Root 'OpsTools.sln') -c $Configuration --nologo -v minimal }
    $manifest = Join-Path $ModuleDir 'OpsTools.psd1'
    if (-not (Test-Path $manifest)) {
        throw "The build did not produce $manifest."
    }
    # A fresh process, so this session never holds the module's assemblies.
    Invoke-Native 'import check' {
        dotnet pwsh -NoProfile -NonInteractive -Command "`$m = Import-Module '$manifest' -PassThru; '{0} {1}: {2} cmdlets' -f `$m.Name, `$m.Version, `$m.ExportedCmdlets.Count"
    }
}

function Import-LabEnvironment {
    $envFile = Join-Path $Root 'tests/lab/.lab.env'
    if (-not (Test-Path $envFile)) { return }
    foreach ($line in Get-Content $envFile) {
        if ($line -match '^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$') {
            [Environment]::SetEnvironmentVariable($Matches[1], $Matches[2].Trim('"', "'"))
        }
    }
}

function Start-Lab {
    if ($NoLab) { Import-LabEnvironment; return }
    $isRoot = $IsLinux -and ((& id -u) -eq '0')
    if (-not $isRoot) {
        $reason = 'The lab needs root on Linux: run "sudo bash tests/lab/up.sh" and then this task with -NoLab.'
        if ($env:CI -eq 'true') { throw $reason }
        Write-Warning "$reason Tests that need it will be skipped."
        Import-LabEnvironment
        return
    }
    Invoke-Native 'tests/lab/up.sh' { bash (Join-Path $Root 'tests/lab/up.sh') | Out-Null }
    Import-LabEnvironment
}

function Get-PesterModulePath {
    $packages = Join-Path $OutDir 'packages'
    $psd1 = Join-Path $packages "pester/$PesterVersion/tools/Pester.psd1"
    if (-not (Test-Path $psd1)) {
        Invoke-Native "restore Pester $PesterVersion" {
            dotnet restore (Join-Path $Root 'tests/OpsTools.Tests/PesterRestore.csproj') --packages $packages --nologo -v quiet
        }
    }
    if (-not (Test-Path $psd1)) { throw "Pester $PesterVersion was not restored to $psd1." }
    $psd1
}

function Invoke-TestTask {
    Invoke-BuildTask
    Start-Lab

    $results = Join-Path $OutDir 'test-results'
    Remove-Item $results -Recurse -Force -ErrorAction SilentlyContinue
    New-Item -ItemType Directory -Path $results -Force | Out-Null

    # xUnit: every test project, results as TRX so they can be counted.
    Write-Host '==> xUnit' -ForegroundColor Cyan
    $xunitFailed = $false
    foreach ($project in Get-ChildItem (Join-Path $Root 'tests') -Filter '*.Tests.csproj' -Recurse) {
        dotnet test $project.FullName -c $Configuration --no-build --nologo `
            --logger "trx;LogFileName=$($project.BaseName).trx" --logger 'console;verbosity=minimal' --results-directory $results
        if ($LASTEXITCODE -ne 0) { $xunitFailed = $true }
    }
    $x = @{ Passed = 0; Failed = 0; Skipped = 0 }
    foreach ($trx in Get-ChildItem $results -Filter '*.trx') {
        $counters = ([xml](Get-Content $trx.FullName -Raw)).TestRun.ResultSummary.Counters
        $x.Passed += [int]$counters.passed
        $x.Failed += [int]$counters.failed + [int]$counters.error + [int]$counters.timeout
        $x.Skipped += [int]$counters.notExecuted
    }
    if ($xunitFailed -and $x.Failed -eq 0) { $x.Failed = 1 }  # a project that failed to run at all

    # Pester, in a fresh process against the built module.
    Write-Host '==> Pester' -ForegroundColor Cyan
    $pester = Get-PesterModulePath
    $pesterJson = Join-Path $results 'pester-summary.json'
    $script = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$pester'
`$config = New-PesterConfiguration
`$config.Run.Path = '$(Join-Path $Root 'tests/OpsTools.Tests')'
`$config.Run.PassThru = `$true
`$config.Output.Verbosity = 'Normal'
`$config.TestResult.Enabled = `$true
`$config.TestResult.OutputPath = '$(Join-Path $results 'pester.xml')'
`$r = Invoke-Pester -Configuration `$config
`$failed = `$r.FailedCount + `$r.FailedBlocksCount + `$r.FailedContainersCount
if (`$r.Result -eq 'Failed' -and `$failed -eq 0) { `$failed = 1 }
@{ Passed = `$r.PassedCount; Failed = `$failed; Skipped = `$r.SkippedCount + `$r.NotRunCount } | ConvertTo-Json | Set-Content '$pesterJson'
"@
    dotnet pwsh -NoProfile -NonInteractive -Command $script
    $p = if (Test-Path $pesterJson) { Get-Content $pesterJson -Raw | ConvertFrom-Json } else { [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0 } }

    $passed = $x.Passed + $p.Passed
    $failed = $x.Failed + $p.Failed
    $skipped = $x.Skipped + $p.Skipped
    Write-Host "xUnit: $($x.Passed) passed, $($x.Failed) failed, $($x.Skipped) skipped; Pester: $($p.Passed) passed, $($p.Failed) failed, $($p.Skipped) skipped"
    Write-Output "$passed passed, $failed failed, $skipped skipped"
    if ($failed -gt 0) { exit 1 }
}

function Invoke-DocsTask {
    Invoke-BuildTask
    Get-ChildItem (Join-Path $ModuleDir 'en-US') | Select-Object Name, Length
}

function Invoke-PackageTask {
    Invoke-BuildTask
    $version = (Import-PowerShellDataFile (Join-Path $ModuleDir 'OpsTools.psd1')).ModuleVersion
    $zip = Join-Path $OutDir "OpsTools-$version.zip"
    Compress-Archive -Path $ModuleDir -DestinationPath $zip -Force
    Get-Item $zip
}

function Invoke-CleanTask {
    Remove-Item $OutDir -Recurse -Force -ErrorAction SilentlyContinue
    Get-ChildItem $Root -Directory -Recurse -Include bin, obj -ErrorAction SilentlyContinue |
        Where-Object FullName -NotMatch '[\\/]\.git[\\/]' |
        Remove-Item -Recurse -Force -ErrorAction SilentlyContinue
}

$tasks = @($Task -split ',' | ForEach-Object Trim | Where-Object { $_ })
$known = 'Build', 'Test', 'Docs', 'Package', 'Clean'
foreach ($t in $tasks) {
    if ($t -notin $known) { throw "Unknown task '$t'. Tasks: $($known -join ', ')." }
}
foreach ($t in $tasks) {
    & "Invoke-$($t)Task"
}
