#Requires -Version 7.4
<#
.SYNOPSIS
    Deploys a stack of N services to convergence with Deploy-SwarmStack and with
    `docker stack deploy` followed by polling `docker service ls`, side by side in one run.

.DESCRIPTION
    Writes a compose file of -ServiceCount small services (lab busybox under init, a health check
    every second, dnsrr) and, -Iterations times, alternating which goes first:
      - Deploy-SwarmStack -Wait (a warm session: the module imported once before),
      - docker stack deploy --resolve-image never --detach=true, then
        `docker service ls --filter label=com.docker.stack.namespace=<stack>` every 250 ms (the
        watcher's poll interval) until every service shows 1/1.
    Each stack is removed (and its tasks gone) before the next run.

    Reports per tool the wall time to convergence (median, min, max), the ratio of medians, the
    Docker API calls (Deploy-SwarmStack: the engine's count from -Verbose; the CLI: HTTP requests
    counted by a small unix-socket proxy between the docker CLI and the daemon), and the detection
    latency: the time from the last task turning running (healthy; the daemon's task timestamp)
    to the tool noticing (the command returning, or the poll that saw N/N returning).
    Results are also written as JSON to benchmarks/results/.

.EXAMPLE
    dotnet pwsh benchmarks/Invoke-SwarmDeployBenchmark.ps1 -ServiceCount 20 -Iterations 3
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 200)]
    [int] $ServiceCount = 20,

    [ValidateRange(1, 20)]
    [int] $Iterations = 3,

    [string] $DockerHost = 'unix:///var/run/docker.sock',

    [string] $Image = 'lab/busybox:1'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = Split-Path -Parent $PSScriptRoot
Import-Module (Join-Path $root 'out/OpsTools/OpsTools.psd1') -Force
$work = Join-Path ([System.IO.Path]::GetTempPath()) ('opsstk-bench-' + [guid]::NewGuid().ToString('n').Substring(0, 6))
$null = New-Item -ItemType Directory -Path $work
$socketPath = $DockerHost -replace '^unix://', ''

# The compose file: N services, each healthy once /tmp/ok exists.
$lines = [System.Collections.Generic.List[string]]@('version: "3.8"', 'services:')
foreach ($i in 1..$ServiceCount) {
    $lines.Add(('  svc{0:d2}:' -f $i))
    $lines.Add("    image: $Image")
    $lines.Add('    init: true')
    $lines.Add('    command: ["sh", "-c", "touch /tmp/ok; while true; do sleep 1; done"]')
    $lines.Add('    healthcheck: {test: ["CMD", "test", "-f", "/tmp/ok"], interval: 1s}')
    $lines.Add('    deploy: {endpoint_mode: dnsrr}')
}
$composeFile = Join-Path $work 'compose.yml'
Set-Content -LiteralPath $composeFile -Value $lines

# A counting proxy for the docker CLI's requests (requests are counted by their request line).
$proxyScript = Join-Path $work 'proxy.py'
Set-Content -LiteralPath $proxyScript -Value @'
import os, re, socket, sys, threading
listen, target, countfile = sys.argv[1:4]
pattern = re.compile(rb'(?:GET|POST|DELETE|PUT|HEAD) /[^ ]* HTTP/1\.[01]\r\n')
count = 0
lock = threading.Lock()
def pipe(src, dst, counting):
    global count
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            if counting:
                found = len(pattern.findall(data))
                if found:
                    with lock:
                        count += found
                        with open(countfile, 'w') as f:
                            f.write(str(count))
            dst.sendall(data)
    except OSError:
        pass
    finally:
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
if os.path.exists(listen):
    os.unlink(listen)
server.bind(listen)
server.listen(64)
while True:
    client, _ = server.accept()
    upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    upstream.connect(target)
    threading.Thread(target=pipe, args=(client, upstream, True), daemon=True).start()
    threading.Thread(target=pipe, args=(upstream, client, False), daemon=True).start()
'@
$proxySocket = Join-Path $work 'docker.sock'
$countFile = Join-Path $work 'count'
$proxy = Start-Process -FilePath python3 -ArgumentList $proxyScript, $proxySocket, $socketPath, $countFile -PassThru -RedirectStandardError (Join-Path $work 'proxy.err')
$deadline = [datetime]::UtcNow.AddSeconds(10)
while (-not (Test-Path -LiteralPath $proxySocket)) {
    if ([datetime]::UtcNow -gt $deadline) { throw 'the counting proxy did not start' }
    Start-Sleep -Milliseconds 50
}

function Get-ProxyCount { if (Test-Path -LiteralPath $countFile) { [int](Get-Content -LiteralPath $countFile -Raw) } else { 0 } }

function Get-LastRunning([string] $Stack) {
    # When the last task turned running (= healthy: Swarm holds a task with a health check in starting until then).
    $ids = (& docker --host $DockerHost stack ps $Stack --quiet --filter desired-state=running)
    $times = & docker --host $DockerHost inspect --format '{{.Status.Timestamp.Format "2006-01-02T15:04:05.000000000Z07:00"}}' $ids
    ($times | ForEach-Object { [datetimeoffset]::Parse($_, [cultureinfo]::InvariantCulture) } | Sort-Object | Select-Object -Last 1)
}

function Remove-BenchStack([string] $Stack) {
    $ids = (& docker --host $DockerHost service ls --quiet --filter "label=com.docker.stack.namespace=$Stack")
    $null = & docker --host $DockerHost stack rm $Stack 2>&1
    $deadline = [datetime]::UtcNow.AddSeconds(120)
    while ($ids -and [datetime]::UtcNow -lt $deadline) {
        $left = & docker --host $DockerHost ps --quiet --filter "label=com.docker.stack.namespace=$Stack"
        $networks = & docker --host $DockerHost network ls --quiet --filter "label=com.docker.stack.namespace=$Stack"
        if (-not $left -and -not $networks) { break }
        if (-not $left -and $networks) { $null = & docker --host $DockerHost network rm $networks 2>&1 }
        Start-Sleep -Milliseconds 250
    }
}

function Invoke-Ours([string] $Stack) {
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    $verbose = Deploy-SwarmStack -Name $Stack -Path $composeFile -ResolveImage Never -Timeout 300 -Confirm:$false -DockerHost $DockerHost -Verbose 4>&1 |
        Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
    $clock.Stop()
    $ended = [datetimeoffset]::UtcNow
    $calls = if ("$verbose" -match 'Deploy-SwarmStack: (\d+) Docker API call') { [int]$Matches[1] } else { -1 }
    [pscustomobject]@{ Tool = 'Deploy-SwarmStack'; Seconds = $clock.Elapsed.TotalSeconds; ApiCalls = $calls; LatencySeconds = ($ended - (Get-LastRunning $Stack)).TotalSeconds }
}

function Invoke-Cli([string] $Stack) {
    $before = Get-ProxyCount
    $proxyHost = "unix://$proxySocket"
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    $null = & docker --host $proxyHost stack deploy --resolve-image never --detach=true -c $composeFile $Stack
    if ($LASTEXITCODE -ne 0) { throw "docker stack deploy failed ($LASTEXITCODE)" }
    $polls = 0
    while ($true) {
        $polls++
        $replicas = & docker --host $proxyHost service ls --filter "label=com.docker.stack.namespace=$Stack" --format '{{.Replicas}}'
        if (@($replicas | Where-Object { $_ -eq '1/1' }).Count -eq $ServiceCount) { break }
        if ($clock.Elapsed.TotalSeconds -gt 300) { throw 'the CLI stack did not converge in 300 s' }
        Start-Sleep -Milliseconds 250
    }
    $clock.Stop()
    $ended = [datetimeoffset]::UtcNow
    [pscustomobject]@{ Tool = 'docker stack deploy + polling'; Seconds = $clock.Elapsed.TotalSeconds; ApiCalls = (Get-ProxyCount) - $before; LatencySeconds = ($ended - (Get-LastRunning $Stack)).TotalSeconds; Polls = $polls }
}

$results = [System.Collections.Generic.List[psobject]]::new()
try {
    # Warm the session: the first command of a session loads the engine and connects.
    $null = Get-SwarmService -DockerHost $DockerHost -Name 'opsstk-bench-none*'
    foreach ($iteration in 1..$Iterations) {
        $order = if ($iteration % 2) { 'ours', 'cli' } else { 'cli', 'ours' }
        foreach ($tool in $order) {
            $stack = 'opsstk-bench-{0}-{1}' -f $tool, $iteration
            try {
                $run = if ($tool -eq 'ours') { Invoke-Ours $stack } else { Invoke-Cli $stack }
                $run | Add-Member -NotePropertyName Iteration -NotePropertyValue $iteration
                $results.Add($run)
                Write-Host ('{0,-32} iteration {1}: {2,7:0.00} s, {3,4} API calls, detected {4:0.00} s after the last task turned healthy' -f $run.Tool, $iteration, $run.Seconds, $run.ApiCalls, $run.LatencySeconds)
            }
            finally {
                Remove-BenchStack $stack
            }
        }
    }
}
finally {
    Stop-Process -Id $proxy.Id -ErrorAction SilentlyContinue
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue
}

function Get-Median([double[]] $Values) {
    $sorted = @($Values | Sort-Object)
    if ($sorted.Count % 2) { $sorted[[int][math]::Floor($sorted.Count / 2)] } else { ($sorted[$sorted.Count / 2 - 1] + $sorted[$sorted.Count / 2]) / 2 }
}

$summary = foreach ($group in $results | Group-Object Tool) {
    [pscustomobject]@{
        Tool                 = $group.Name
        MedianSeconds        = [math]::Round((Get-Median $group.Group.Seconds), 2)
        MinSeconds           = [math]::Round(($group.Group.Seconds | Measure-Object -Minimum).Minimum, 2)
        MaxSeconds           = [math]::Round(($group.Group.Seconds | Measure-Object -Maximum).Maximum, 2)
        MedianApiCalls       = Get-Median $group.Group.ApiCalls
        MedianLatencySeconds = [math]::Round((Get-Median $group.Group.LatencySeconds), 2)
        MaxLatencySeconds    = [math]::Round(($group.Group.LatencySeconds | Measure-Object -Maximum).Maximum, 2)
    }
}
$ours = $summary | Where-Object Tool -EQ 'Deploy-SwarmStack'
$cli = $summary | Where-Object Tool -NE 'Deploy-SwarmStack'
$ratio = [math]::Round($ours.MedianSeconds / $cli.MedianSeconds, 3)
$summary | Format-Table -AutoSize | Out-String | Write-Host
Write-Host ("Ratio of medians (Deploy-SwarmStack / CLI + polling): {0}x (target <= 1.1x); detection latency of Deploy-SwarmStack: median {1} s, max {2} s (target <= 0.5 s)" -f $ratio, $ours.MedianLatencySeconds, $ours.MaxLatencySeconds)

$resultsDir = Join-Path $PSScriptRoot 'results'
$null = New-Item -ItemType Directory -Path $resultsDir -Force
[pscustomobject]@{ ServiceCount = $ServiceCount; Iterations = $Iterations; Ratio = $ratio; Summary = $summary; Runs = $results } |
    ConvertTo-Json -Depth 5 | Set-Content -LiteralPath (Join-Path $resultsDir ('swarm-deploy-{0:yyyyMMdd-HHmmss}.json' -f [datetime]::UtcNow))
