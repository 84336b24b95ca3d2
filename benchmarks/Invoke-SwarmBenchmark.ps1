#Requires -Version 7.4
<#
.SYNOPSIS
    Measures Get-SwarmService in a warm session against `docker service ls` as a process, side by
    side in one run on a swarm of -ServiceCount services, and the cold Import-Module time.

.DESCRIPTION
    Needs the lab (tests/lab/up.sh) and the built module (build.ps1). Creates services named
    opstools-bench-NNN (replicas 0 unless -Replicas is given: both tools read replica counts from
    the same GET /services?status=true, so listing cost does not depend on running tasks), runs
    the two commands alternately -Iterations times each, prints min/median/max, the ratio, the
    number of Docker API calls one Get-SwarmService makes, and removes the services.

.EXAMPLE
    dotnet pwsh benchmarks/Invoke-SwarmBenchmark.ps1 -ServiceCount 100 -Iterations 30
#>
[CmdletBinding()]
param(
    [int] $ServiceCount = 100,
    [int] $Iterations = 30,
    [int] $Replicas = 0,
    [int] $ImportRuns = 10,
    [string] $Image = $(if ($env:OPSTOOLS_TEST_IMAGE_BUSYBOX) { $env:OPSTOOLS_TEST_IMAGE_BUSYBOX } else { 'lab/busybox:1' }),
    [switch] $KeepServices
)

$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot -Parent
$manifest = Join-Path $root 'out/OpsTools/OpsTools.psd1'
if (-not (Test-Path $manifest)) { throw "Build the module first: dotnet pwsh ./build.ps1 (missing $manifest)." }

function Get-Stats([double[]] $ms) {
    $sorted = $ms | Sort-Object
    [pscustomobject]@{
        Min    = [math]::Round($sorted[0], 2)
        Median = [math]::Round($sorted[[int][math]::Floor($sorted.Count / 2)], 2)
        Max    = [math]::Round($sorted[-1], 2)
    }
}

$prefix = 'opstools-bench-'
$existing = @(docker service ls --filter "name=$prefix" --format '{{.Name}}')
Write-Host "Creating $($ServiceCount - $existing.Count) services ($($existing.Count) already there)..."
for ($i = 1; $i -le $ServiceCount; $i++) {
    $name = '{0}{1:000}' -f $prefix, $i
    if ($existing -contains $name) { continue }
    docker service create --detach --quiet --no-resolve-image --name $name --replicas $Replicas --label opstools.bench=1 `
        --publish "mode=host,target=80,published=$(30000 + $i)" $Image sh -c "trap 'exit 0' TERM; while true; do sleep 1; done" | Out-Null
    if ($LASTEXITCODE -ne 0) { throw "docker service create $name failed." }
}
$total = @(docker service ls --format '{{.Name}}').Count

try {
    Import-Module $manifest -Force
    # Warm: the first call negotiates the API version and JITs the path.
    Get-SwarmService | Out-Null
    $verbose = Get-SwarmService -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
    $apiCalls = if ("$verbose" -match '(\d+) Docker API call') { [int]$Matches[1] } else { -1 }

    $objects = [System.Collections.Generic.List[double]]::new()
    $rendered = [System.Collections.Generic.List[double]]::new()
    $cli = [System.Collections.Generic.List[double]]::new()
    $sw = [System.Diagnostics.Stopwatch]::new()
    for ($i = 0; $i -lt $Iterations; $i++) {
        $sw.Restart(); $null = Get-SwarmService; $sw.Stop(); $objects.Add($sw.Elapsed.TotalMilliseconds)
        $sw.Restart(); $null = Get-SwarmService | Format-Table | Out-String; $sw.Stop(); $rendered.Add($sw.Elapsed.TotalMilliseconds)
        $sw.Restart(); $null = docker service ls; $sw.Stop(); $cli.Add($sw.Elapsed.TotalMilliseconds)
        if ($LASTEXITCODE -ne 0) { throw 'docker service ls failed.' }
    }

    $importMs = [System.Collections.Generic.List[double]]::new()
    $engineLoadedAtImport = $false
    for ($i = 0; $i -lt $ImportRuns; $i++) {
        $out = dotnet pwsh -NoProfile -NonInteractive -Command "`$sw = [Diagnostics.Stopwatch]::StartNew(); Import-Module '$manifest'; `$sw.Stop(); `$e = [AppDomain]::CurrentDomain.GetAssemblies().GetName().Name -contains 'OpsTools.Engine'; '{0}|{1}' -f `$sw.Elapsed.TotalMilliseconds, `$e"
        $parts = "$out".Trim().Split('|')
        $importMs.Add([double]::Parse($parts[0], [cultureinfo]::InvariantCulture))
        if ($parts[1] -eq 'True') { $engineLoadedAtImport = $true }
    }

    $o = Get-Stats $objects; $r = Get-Stats $rendered; $c = Get-Stats $cli; $imp = Get-Stats $importMs
    $result = [pscustomobject]@{
        Date                     = (Get-Date).ToString('o')
        Services                 = $total
        Iterations               = $Iterations
        GetSwarmServiceMs        = $o
        GetSwarmServiceTableMs   = $r
        DockerServiceLsMs        = $c
        RatioObjectsToCli        = [math]::Round($o.Median / $c.Median, 3)
        RatioTableToCli          = [math]::Round($r.Median / $c.Median, 3)
        ApiCallsPerInvocation    = $apiCalls
        ColdImportMs             = $imp
        EngineLoadedAtImport     = $engineLoadedAtImport
    }
    $resultsDir = Join-Path $PSScriptRoot 'results'
    New-Item -ItemType Directory -Force -Path $resultsDir | Out-Null
    $result | ConvertTo-Json -Depth 4 | Set-Content (Join-Path $resultsDir "swarm-$(Get-Date -Format yyyyMMdd-HHmmss).json")

    Write-Host ("{0} services, {1} iterations each, alternating" -f $total, $Iterations)
    Write-Host ("Get-SwarmService (objects)       min/median/max ms: {0} / {1} / {2}" -f $o.Min, $o.Median, $o.Max)
    Write-Host ("Get-SwarmService | Format-Table  min/median/max ms: {0} / {1} / {2}" -f $r.Min, $r.Median, $r.Max)
    Write-Host ("docker service ls (process)      min/median/max ms: {0} / {1} / {2}" -f $c.Min, $c.Median, $c.Max)
    Write-Host ("ratio of medians: objects {0}, rendered table {1} (target <= 0.5)" -f $result.RatioObjectsToCli, $result.RatioTableToCli)
    Write-Host ("Docker API calls per warm Get-SwarmService: {0}" -f $apiCalls)
    Write-Host ("cold Import-Module min/median/max ms: {0} / {1} / {2} (target < 300); engine loaded at import: {3}" -f $imp.Min, $imp.Median, $imp.Max, $engineLoadedAtImport)
    $result
}
finally {
    if (-not $KeepServices) {
        $names = @(docker service ls --filter "name=$prefix" --format '{{.Name}}')
        if ($names.Count -gt 0) { docker service rm @names | Out-Null }
    }
}
