#Requires -Version 7.4
<#
.SYNOPSIS
    Brings a 10-service compose project up to healthy with Start-ComposeProject -Wait and with
    `docker-compose up -d` followed by polling until every container is healthy, side by side in one run.

.DESCRIPTION
    Writes a compose file of -ServiceCount small services (lab busybox under init, a health check
    every second; every service after the first three depends on one of them with
    service_healthy, so the dependency order matters) and, -Iterations times, alternating which
    goes first:
      - Start-ComposeProject -Wait (a warm session: the module imported once before),
      - docker-compose up -d, then `docker ps --filter label=com.docker.compose.project=<p>` every
        250 ms until every container shows "(healthy)".
    Each project is removed (docker-compose down -t 1) before the next run. Prints the wall time
    to healthy per tool (median, min, max) and the ratio of medians (target at most 1.0).

.EXAMPLE
    dotnet pwsh benchmarks/Invoke-ComposeUpBenchmark.ps1 -Iterations 3
#>
[CmdletBinding()]
param(
    [ValidateRange(2, 50)]
    [int] $ServiceCount = 10,

    [ValidateRange(1, 20)]
    [int] $Iterations = 3,

    [string] $DockerHost = 'unix:///var/run/docker.sock',

    [string] $ComposeCli = '/usr/bin/docker-compose',

    [string] $Image = 'lab/busybox:1'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = Split-Path -Parent $PSScriptRoot
Import-Module (Join-Path $root 'out/OpsTools/OpsTools.psd1') -Force
$work = Join-Path ([System.IO.Path]::GetTempPath()) ('opstools-cu-bench-' + [guid]::NewGuid().ToString('n').Substring(0, 6))
$null = New-Item -ItemType Directory -Path $work

$lines = [System.Collections.Generic.List[string]]@('services:')
foreach ($i in 1..$ServiceCount) {
    $lines.Add(('  svc{0:d2}:' -f $i))
    $lines.Add("    image: $Image")
    $lines.Add('    init: true')
    $lines.Add('    command: ["sh", "-c", "touch /tmp/ok; while true; do sleep 1; done"]')
    $lines.Add('    healthcheck: {test: ["CMD", "test", "-f", "/tmp/ok"], interval: 1s, timeout: 10s, retries: 30}')
    if ($i -gt 3) {
        $lines.Add(('    depends_on: {{svc{0:d2}: {{condition: service_healthy}}}}' -f (($i - 1) % 3 + 1)))
    }
}
$composeFile = Join-Path $work 'docker-compose.yml'
Set-Content -LiteralPath $composeFile -Value $lines

function Remove-Project([string] $Project) {
    $null = & $ComposeCli -p $Project -f $composeFile down -t 1 2>&1
}

function Measure-Ours([string] $Project) {
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $null = Start-ComposeProject -Path $composeFile -ProjectName $Project -Wait -Timeout 10m -DockerHost $DockerHost
    $watch.Elapsed.TotalSeconds
}

function Measure-Cli([string] $Project) {
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $null = & $ComposeCli -p $Project -f $composeFile up -d 2>&1
    if ($LASTEXITCODE -ne 0) { throw "docker-compose up failed for $Project" }
    while ($true) {
        $status = @(docker ps --filter "label=com.docker.compose.project=$Project" --format '{{.Status}}')
        if ($status.Count -eq $ServiceCount -and @($status | Where-Object { $_ -notmatch '\(healthy\)' }).Count -eq 0) { break }
        Start-Sleep -Milliseconds 250
    }
    $watch.Elapsed.TotalSeconds
}

$results = @{ Ours = [System.Collections.Generic.List[double]]::new(); Cli = [System.Collections.Generic.List[double]]::new() }
try {
    foreach ($i in 1..$Iterations) {
        $order = if ($i % 2) { 'Ours', 'Cli' } else { 'Cli', 'Ours' }
        foreach ($tool in $order) {
            $project = 'opstools-cu-bench-{0}{1}' -f $tool.ToLowerInvariant(), $i
            try {
                $seconds = if ($tool -eq 'Ours') { Measure-Ours $project } else { Measure-Cli $project }
                $results[$tool].Add($seconds)
                Write-Host ('{0,-4} run {1}: {2:n2} s' -f $tool, $i, $seconds)
            }
            finally {
                Remove-Project $project
            }
        }
    }
}
finally {
    Remove-Item -LiteralPath $work -Recurse -Force
}

function Get-Median([double[]] $Values) {
    $sorted = @($Values | Sort-Object)
    if ($sorted.Count % 2) { $sorted[[int][math]::Floor($sorted.Count / 2)] } else { ($sorted[$sorted.Count / 2 - 1] + $sorted[$sorted.Count / 2]) / 2 }
}

$rows = foreach ($tool in 'Ours', 'Cli') {
    $values = $results[$tool].ToArray()
    [pscustomobject]@{
        Tool      = if ($tool -eq 'Ours') { 'Start-ComposeProject -Wait' } else { 'docker-compose up -d + polling' }
        MedianSec = [math]::Round((Get-Median $values), 2)
        MinSec    = [math]::Round(($values | Measure-Object -Minimum).Minimum, 2)
        MaxSec    = [math]::Round(($values | Measure-Object -Maximum).Maximum, 2)
    }
}
$rows | Format-Table -AutoSize | Out-String | Write-Host
Write-Host ('Ratio of medians (Start-ComposeProject / docker-compose): {0:n3}x (target at most 1.0x); {1} services, {2} iteration(s), load average {3}' -f ($rows[0].MedianSec / $rows[1].MedianSec), $ServiceCount, $Iterations, ((Get-Content /proc/loadavg) -split ' ')[0])
