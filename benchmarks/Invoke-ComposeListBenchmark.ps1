#Requires -Version 7.4
<#
.SYNOPSIS
    Measures Get-ComposeService in a warm session against `docker-compose ps` as a process, side by
    side in one run on the running shop project.

.DESCRIPTION
    Needs the lab with its compose component (tests/lab/up.sh) and the built module (build.ps1).
    Starts the shop project (tests/lab/compose/shop, prod override) with docker-compose under the
    name -Project on free ports unless it already runs, runs the two commands alternately
    -Iterations times each, prints min/median/max and the ratio of medians (target <= 0.1), and
    removes the project it started (docker-compose down -v) unless -KeepProject is given.
    Get-ComposeService is timed both as objects and rendered through its default table, which is
    what the CLI's time includes.

.EXAMPLE
    dotnet pwsh benchmarks/Invoke-ComposeListBenchmark.ps1 -Iterations 20
#>
[CmdletBinding()]
param(
    [int] $Iterations = 20,
    [string] $Project = 'opstools-bench-shop',
    [string] $DockerCompose = $(if ($env:OPSTOOLS_TEST_DOCKER_COMPOSE) { $env:OPSTOOLS_TEST_DOCKER_COMPOSE } else { 'docker-compose' }),
    [switch] $KeepProject
)

$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot -Parent
$manifest = Join-Path $root 'out/OpsTools/OpsTools.psd1'
if (-not (Test-Path $manifest)) { throw "Build the module first: dotnet pwsh ./build.ps1 (missing $manifest)." }
$shop = Join-Path $root 'tests/lab/compose/shop'
$files = '-f', 'docker-compose.yml', '-f', 'docker-compose.prod.yml'

function Get-Stats([double[]] $ms) {
    $sorted = $ms | Sort-Object
    [pscustomobject]@{
        Min    = [math]::Round($sorted[0], 2)
        Median = [math]::Round($sorted[[int][math]::Floor($sorted.Count / 2)], 2)
        Max    = [math]::Round($sorted[-1], 2)
    }
}

function Get-FreePort {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Any, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

Push-Location $shop
$started = $false
try {
    if (-not (docker ps -q --filter "label=com.docker.compose.project=$Project")) {
        $env:API_PORT = Get-FreePort
        $env:FRONTEND_PORT = Get-FreePort
        Write-Host "Starting the shop project as $Project..."
        & $DockerCompose -p $Project @files up -d 2>&1 | Out-Null
        if ($LASTEXITCODE -ne 0) { throw "docker-compose up failed for $Project." }
        $started = $true
    }
    $containers = @(docker ps -a -q --filter "label=com.docker.compose.project=$Project").Count

    Import-Module $manifest -Force
    # Warm: the first call negotiates the API version and JITs the path.
    Get-ComposeService -Project $Project | Out-Null
    $verbose = Get-ComposeService -Project $Project -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
    $apiCalls = if ("$verbose" -match '(\d+) Docker API call') { [int]$Matches[1] } else { -1 }

    $objects = [System.Collections.Generic.List[double]]::new()
    $rendered = [System.Collections.Generic.List[double]]::new()
    $cli = [System.Collections.Generic.List[double]]::new()
    $watch = [System.Diagnostics.Stopwatch]::new()
    for ($i = 0; $i -lt $Iterations; $i++) {
        $watch.Restart(); $null = Get-ComposeService -Project $Project; $objects.Add($watch.Elapsed.TotalMilliseconds)
        $watch.Restart(); $null = Get-ComposeService -Project $Project | Format-Table | Out-String; $rendered.Add($watch.Elapsed.TotalMilliseconds)
        $watch.Restart(); $null = & $DockerCompose -p $Project @files ps 2>&1; $cli.Add($watch.Elapsed.TotalMilliseconds)
        if ($LASTEXITCODE -ne 0) { throw 'docker-compose ps failed.' }
    }

    $o = Get-Stats $objects
    $r = Get-Stats $rendered
    $c = Get-Stats $cli
    Write-Host "Project $Project, $containers containers, $Iterations iterations each, alternating."
    Write-Host ("Get-ComposeService (objects)       min/median/max ms: {0} / {1} / {2}" -f $o.Min, $o.Median, $o.Max)
    Write-Host ("Get-ComposeService | Format-Table  min/median/max ms: {0} / {1} / {2}" -f $r.Min, $r.Median, $r.Max)
    Write-Host ("docker-compose ps (process)        min/median/max ms: {0} / {1} / {2}" -f $c.Min, $c.Median, $c.Max)
    Write-Host ("ratio of medians, objects / CLI: {0}; table / CLI: {1} (target <= 0.1); Docker API calls per Get-ComposeService: {2}" -f `
        [math]::Round($o.Median / $c.Median, 3), [math]::Round($r.Median / $c.Median, 3), $apiCalls)
}
finally {
    if ($started -and -not $KeepProject) {
        & $DockerCompose -p $Project @files down -v -t 1 2>&1 | Out-Null
    }
    Pop-Location
}
