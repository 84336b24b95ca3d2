#Requires -Version 7.4
<#
.SYNOPSIS
    Times Test-ServiceEndpoint against the runbook's sequential `curl -f -m <timeout>` loop on
    -EndpointCount loopback endpoints, -SilentCount of which accept the connection and never
    answer, side by side in one run.

.DESCRIPTION
    Needs the built module (build.ps1) and curl. No lab component: the endpoints are made here, on
    127.0.0.1 only:

    - the answering ones are prefixes of one HttpListener (one port each) served by a thread that
      answers 200 {"status":"ok"};
    - the silent ones are TcpListeners that are started and never accept: the kernel completes the
      handshake from the backlog and nothing ever answers, as with a hung application server.

    Each iteration runs, in alternating order:

    - Test-ServiceEndpoint -Timeout <TimeoutSeconds> on every URI, in a warm session;
    - bash: `for u in ...; do curl -f -s -o /dev/null -m <TimeoutSeconds> "$u"; done`, one process.

    Reports min/median/max wall time of both, the ratio of medians, whether both found the same
    number of failing endpoints, and whether Test-ServiceEndpoint stays within 1.2 x one timeout.
    Results are also written as JSON to benchmarks/results/.

.EXAMPLE
    dotnet pwsh ./build.ps1
    dotnet pwsh benchmarks/Invoke-EndpointBenchmark.ps1 -EndpointCount 50 -SilentCount 5 -TimeoutSeconds 2 -Iterations 3
#>
[CmdletBinding()]
param(
    [int] $EndpointCount = 50,
    [int] $SilentCount = 5,
    [int] $TimeoutSeconds = 2,
    [int] $Iterations = 3
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = Split-Path $PSScriptRoot -Parent
$manifest = Join-Path $root 'out/OpsTools/OpsTools.psd1'
if (-not (Test-Path $manifest)) { throw "Build the module first: dotnet pwsh ./build.ps1 (missing $manifest)." }
if (-not (Get-Command curl -CommandType Application -ErrorAction Ignore)) { throw 'curl is missing (apt-get install curl).' }
Import-Module $manifest -Force

function Get-FreePort {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    $port = $listener.LocalEndpoint.Port
    $listener.Stop()
    $port
}

$http = [System.Net.HttpListener]::new()
$silent = [System.Collections.Generic.List[System.Net.Sockets.TcpListener]]::new()
$uris = [System.Collections.Generic.List[string]]::new()
$server = $null
try {
    for ($i = 0; $i -lt $EndpointCount - $SilentCount; $i++) {
        $port = Get-FreePort
        $http.Prefixes.Add("http://127.0.0.1:$port/")
        $uris.Add("http://127.0.0.1:$port/health")
    }
    $http.Start()
    for ($i = 0; $i -lt $SilentCount; $i++) {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        $silent.Add($listener)
        # Spread the silent ones through the list, as a runbook's list of instances would have them.
        $uris.Insert([int](($i + 1) * $uris.Count / ($SilentCount + 1)), "http://127.0.0.1:$($listener.LocalEndpoint.Port)/health")
    }
    $server = Start-ThreadJob -ArgumentList $http -ScriptBlock {
        param($Listener)
        $body = [System.Text.Encoding]::UTF8.GetBytes('{"status":"ok"}')
        while ($Listener.IsListening) {
            try { $context = $Listener.GetContext() } catch { break }
            $context.Response.ContentType = 'application/json'
            $context.Response.OutputStream.Write($body, 0, $body.Length)
            $context.Response.Close()
        }
    }

    $curlScript = 'for u in "$@"; do curl -f -s -o /dev/null -m ' + $TimeoutSeconds + ' "$u" || failed=$((failed+1)); done; echo "${failed:-0}"'
    $runs = @{
        OpsTools = {
            $results = Test-ServiceEndpoint -Uri $uris -Timeout ([TimeSpan]::FromSeconds($TimeoutSeconds))
            @($results | Where-Object { -not $_.Healthy }).Count
        }
        Curl     = {
            [int](& bash -c $curlScript curl-loop @uris)
        }
    }
    # Warm-up: JIT and the first connections, outside the measurement.
    $null = & $runs.OpsTools
    $times = @{ OpsTools = [System.Collections.Generic.List[double]]::new(); Curl = [System.Collections.Generic.List[double]]::new() }
    $failedCounts = @{ OpsTools = $null; Curl = $null }
    for ($iteration = 0; $iteration -lt $Iterations; $iteration++) {
        $order = if ($iteration % 2 -eq 0) { 'OpsTools', 'Curl' } else { 'Curl', 'OpsTools' }
        foreach ($name in $order) {
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $failedCounts[$name] = & $runs[$name]
            $watch.Stop()
            $times[$name].Add($watch.Elapsed.TotalSeconds)
            Write-Host ('{0,-9} iteration {1}: {2,7:0.000} s ({3} failing)' -f $name, ($iteration + 1), $watch.Elapsed.TotalSeconds, $failedCounts[$name])
        }
    }

    $median = { param($values) $sorted = @($values | Sort-Object); if ($sorted.Count % 2) { $sorted[[int][math]::Floor($sorted.Count / 2)] } else { ($sorted[$sorted.Count / 2 - 1] + $sorted[$sorted.Count / 2]) / 2 } }
    $summary = foreach ($name in 'OpsTools', 'Curl') {
        [pscustomobject]@{
            Way     = if ($name -eq 'OpsTools') { "Test-ServiceEndpoint (ThrottleLimit 16)" } else { "bash curl -f -m $TimeoutSeconds loop" }
            Min     = [math]::Round(($times[$name] | Measure-Object -Minimum).Minimum, 3)
            Median  = [math]::Round((& $median $times[$name]), 3)
            Max     = [math]::Round(($times[$name] | Measure-Object -Maximum).Maximum, 3)
            Failing = $failedCounts[$name]
        }
    }
    $summary | Format-Table -AutoSize | Out-String | Write-Host
    $ratio = $summary[1].Median / $summary[0].Median
    $target = 1.2 * $TimeoutSeconds
    Write-Host ('Endpoints: {0} ({1} silent), timeout {2} s. Median: Test-ServiceEndpoint {3:0.000} s, curl loop {4:0.000} s: {5:0.0}x faster. Target <= {6:0.0} s: {7}.' -f $EndpointCount, $SilentCount, $TimeoutSeconds, $summary[0].Median, $summary[1].Median, $ratio, $target, $(if ($summary[0].Median -le $target) { 'met' } else { 'NOT met' }))
    Write-Host ('Failing endpoints found: Test-ServiceEndpoint {0}, curl {1} (expected {2}).' -f $failedCounts.OpsTools, $failedCounts.Curl, $SilentCount)

    $resultsDir = Join-Path $PSScriptRoot 'results'
    $null = New-Item -ItemType Directory -Path $resultsDir -Force
    [pscustomobject]@{
        Benchmark = 'Endpoint'; At = [DateTimeOffset]::UtcNow; EndpointCount = $EndpointCount; SilentCount = $SilentCount
        TimeoutSeconds = $TimeoutSeconds; Iterations = $Iterations; Summary = $summary; Ratio = $ratio
        Times = $times
    } | ConvertTo-Json -Depth 4 | Set-Content -LiteralPath (Join-Path $resultsDir ("endpoint-{0:yyyyMMddTHHmmss}.json" -f [DateTime]::UtcNow))
}
finally {
    $http.Stop()
    $http.Close()
    foreach ($listener in $silent) { $listener.Stop() }
    if ($server) { $server | Wait-Job -Timeout 5 | Remove-Job -Force }
}
