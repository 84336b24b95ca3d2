#Requires -Version 7.4
<#
.SYNOPSIS
    Times Invoke-PoolHealthCheck against the platform's sequential health job on -PoolCount pools,
    -UnreachableCount of which do not answer, side by side in one run.

.DESCRIPTION
    Needs the lab (tests/lab/up.sh: the postgres component), the built module (build.ps1) and root
    (the unreachable pools are loopback ports whose packets an iptables DROP rule swallows; the
    rules are removed at the end, and only 127.0.0.0/8 on lo is touched).

    It creates a platform database of its own with the platform's schema and registers the pools:
    the reachable ones spread over the lab's pool servers, the unreachable ones on dropped ports.
    Each iteration resets every row to active/unknown/0 failures and then runs, in alternating
    order:

    - Invoke-PoolHealthCheck -Timeout <TimeoutSeconds> in a warm session;
    - the platform's job as PLATFORM.md describes it, implemented here only: pools with status
      active, full or initializing ordered by last_health_check (never-checked first), checked one
      after another; for each, psql connects to database postgres as the pool admin with
      connect_timeout = <TimeoutSeconds> (libpq, as the platform's psycopg2 is) and runs SELECT 1;
      then the row is read and written back with the new values (read-modify-write, as an ORM
      does), each with psql.

    Reports min/median/max wall time of both, the ratio of medians, and whether the parallel run
    stays within 1.2 x one timeout. Results are also written as JSON to benchmarks/results/.

.EXAMPLE
    sudo bash tests/lab/up.sh && dotnet pwsh ./build.ps1
    dotnet pwsh benchmarks/Invoke-PoolHealthCheckBenchmark.ps1 -PoolCount 20 -UnreachableCount 3 -TimeoutSeconds 5 -Iterations 3
#>
[CmdletBinding()]
param(
    [int] $PoolCount = 20,
    [int] $UnreachableCount = 3,
    [int] $TimeoutSeconds = 5,
    [int] $Iterations = 3
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = Split-Path $PSScriptRoot -Parent
$manifest = Join-Path $root 'out/OpsTools/OpsTools.psd1'
if (-not (Test-Path $manifest)) { throw "Build the module first: dotnet pwsh ./build.ps1 (missing $manifest)." }

# Lab settings: environment first, else tests/lab/.lab.env.
$settings = @{}
$envFile = Join-Path $root 'tests/lab/.lab.env'
if (Test-Path $envFile) {
    foreach ($line in Get-Content $envFile) {
        if ($line -match '^\s*(?:export\s+)?(OPSTOOLS_TEST_PG_[A-Z_]+)=(.*)$') { $settings[$Matches[1]] = $Matches[2].Trim('"', "'") }
    }
}
foreach ($name in 'OPSTOOLS_TEST_PG_HOST', 'OPSTOOLS_TEST_PG_PORT', 'OPSTOOLS_TEST_PG_USER', 'OPSTOOLS_TEST_PG_PASSWORD', 'OPSTOOLS_TEST_PG_POOL_PORTS', 'OPSTOOLS_TEST_PG_BIN') {
    $value = [Environment]::GetEnvironmentVariable($name)
    if ($value) { $settings[$name] = $value }
    if (-not $settings[$name]) { throw "$name is not set: run 'sudo bash tests/lab/up.sh' first." }
}
$pgHost = $settings.OPSTOOLS_TEST_PG_HOST
$platformPort = [int]$settings.OPSTOOLS_TEST_PG_PORT
$user = $settings.OPSTOOLS_TEST_PG_USER
$password = $settings.OPSTOOLS_TEST_PG_PASSWORD
$poolPorts = $settings.OPSTOOLS_TEST_PG_POOL_PORTS -split ',' | ForEach-Object { [int]$_ }
$psql = Join-Path $settings.OPSTOOLS_TEST_PG_BIN 'psql'

function Invoke-Psql {
    param([string] $Connection, [string] $Sql, [string] $Password, [switch] $AllowFailure)
    $startInfo = [System.Diagnostics.ProcessStartInfo]::new($psql)
    foreach ($argument in @('-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', $Connection, '-c', $Sql)) { $startInfo.ArgumentList.Add($argument) }
    $startInfo.Environment['PGPASSWORD'] = $Password
    $startInfo.UseShellExecute = $false
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    $process = [System.Diagnostics.Process]::Start($startInfo)
    try {
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        $process.WaitForExit()
        if ($process.ExitCode -ne 0 -and -not $AllowFailure) { throw "psql failed: $($stderr.Result)" }
        [pscustomobject]@{ ExitCode = $process.ExitCode; Output = @($stdout.Result -split '\r?\n' | Where-Object { $_ }) }
    }
    finally { $process.Dispose() }
}

function Get-Stats([double[]] $seconds) {
    $sorted = $seconds | Sort-Object
    [pscustomobject]@{
        Min    = [math]::Round($sorted[0], 2)
        Median = [math]::Round($sorted[[int][math]::Floor($sorted.Count / 2)], 2)
        Max    = [math]::Round($sorted[-1], 2)
    }
}

$database = 'opstools_bench_' + [guid]::NewGuid().ToString('n').Substring(0, 8)
$platformConnection = "host=$pgHost port=$platformPort user=$user dbname=$database"
$droppedPorts = [System.Collections.Generic.List[int]]::new()
$null = Invoke-Psql -Connection "host=$pgHost port=$platformPort user=$user dbname=postgres" -Password $password -Sql "CREATE DATABASE $database"
try {
    $null = Invoke-Psql -Connection $platformConnection -Password $password -Sql (Get-Content -Raw (Join-Path $root 'tests/lab/sql/platform-schema.sql'))
    for ($i = 0; $i -lt $UnreachableCount; $i++) {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()
        & iptables -I INPUT -i lo -d 127.0.0.0/8 -p tcp --dport $port -j DROP -m comment --comment opstools-bench
        if ($LASTEXITCODE -ne 0) { throw 'iptables failed: run as root.' }
        $droppedPorts.Add($port)
    }

    $values = for ($i = 1; $i -le $PoolCount; $i++) {
        $port = if ($i -le $UnreachableCount) { $droppedPorts[$i - 1] } else { $poolPorts[($i - 1) % $poolPorts.Count] }
        "('postgres-pool-$i', '$pgHost', $port, 'shared', 'active', 'postgres', '$password')"
    }
    $null = Invoke-Psql -Connection $platformConnection -Password $password -Sql ("INSERT INTO db_servers (name, host, port, server_type, status, admin_user, admin_password) VALUES " + ($values -join ', '))
    $reset = "UPDATE db_servers SET status = 'active', health_status = 'unknown', health_check_failures = 0, last_health_check = NULL"

    Import-Module $manifest -Force
    $credential = [pscredential]::new($user, (ConvertTo-SecureString $password -AsPlainText -Force))
    $parameters = @{ PlatformServer = "host=$pgHost port=$platformPort dbname=$database"; PlatformCredential = $credential; Timeout = $TimeoutSeconds; Confirm = $false }
    # Warm: loads the engine, Npgsql and JITs the path.
    $null = Invoke-PoolHealthCheck @parameters -Name 'postgres-pool-20'

    $opsTools = [System.Collections.Generic.List[double]]::new()
    $sequential = [System.Collections.Generic.List[double]]::new()
    $lastOpsTools = $null
    $lastSequentialFailures = 0
    $sw = [System.Diagnostics.Stopwatch]::new()
    for ($iteration = 0; $iteration -lt $Iterations; $iteration++) {
        foreach ($which in $(if ($iteration % 2 -eq 0) { 'OpsTools', 'Sequential' } else { 'Sequential', 'OpsTools' })) {
            $null = Invoke-Psql -Connection $platformConnection -Password $password -Sql $reset
            if ($which -eq 'OpsTools') {
                $sw.Restart()
                $lastOpsTools = Invoke-PoolHealthCheck @parameters
                $sw.Stop()
                $opsTools.Add($sw.Elapsed.TotalSeconds)
                continue
            }

            # The platform's job, one pool after another (PLATFORM.md, "How pools are checked today").
            $sw.Restart()
            $pools = (Invoke-Psql -Connection $platformConnection -Password $password -Sql "SELECT id, host, port, coalesce(admin_user, ''), coalesce(admin_password, '') FROM db_servers WHERE status IN ('active', 'full', 'initializing') ORDER BY last_health_check ASC NULLS FIRST").Output
            $failedChecks = 0
            foreach ($line in $pools) {
                $id, $poolHost, $poolPort, $adminUser, $adminPassword = $line -split '\|'
                if (-not $adminUser -or -not $adminPassword) { continue }
                $check = Invoke-Psql -Connection "host=$poolHost port=$poolPort user=$adminUser dbname=postgres connect_timeout=$TimeoutSeconds" -Password $adminPassword -Sql 'SELECT 1' -AllowFailure
                $row = (Invoke-Psql -Connection $platformConnection -Password $password -Sql "SELECT status, health_check_failures FROM db_servers WHERE id = '$id'").Output[0]
                $status, $failures = $row -split '\|'
                if ($check.ExitCode -eq 0) {
                    $newStatus = if ($status -eq 'initializing') { 'active' } else { $status }
                    $update = "UPDATE db_servers SET health_status = 'healthy', health_check_failures = 0, last_health_check = now(), status = '$newStatus' WHERE id = '$id'"
                }
                else {
                    $failedChecks++
                    $next = [int]$failures + 1
                    $health = if ($next -ge 3) { 'unhealthy' } else { 'degraded' }
                    $newStatus = if ($next -ge 3 -and $status -eq 'active') { 'error' } else { $status }
                    $update = "UPDATE db_servers SET health_status = '$health', health_check_failures = $next, last_health_check = now(), status = '$newStatus' WHERE id = '$id'"
                }
                $null = Invoke-Psql -Connection $platformConnection -Password $password -Sql $update
            }
            $sw.Stop()
            $sequential.Add($sw.Elapsed.TotalSeconds)
            $lastSequentialFailures = $failedChecks
        }
    }

    $o = Get-Stats $opsTools
    $s = Get-Stats $sequential
    $ratio = [math]::Round($s.Median / $o.Median, 2)
    $withinTarget = $o.Median -le 1.2 * $TimeoutSeconds
    $failed = @($lastOpsTools | Where-Object Outcome -EQ 'Failed').Count
    Write-Host ''
    Write-Host ("Health check of {0} pools, {1} unreachable (packets dropped), timeout {2} s, {3} iteration(s), {4} CPU(s)" -f $PoolCount, $UnreachableCount, $TimeoutSeconds, $Iterations, [Environment]::ProcessorCount)
    [pscustomobject[]]@(
        [pscustomobject]@{ Run = 'Invoke-PoolHealthCheck (parallel, throttle 16)'; MinS = $o.Min; MedianS = $o.Median; MaxS = $o.Max; FailedPools = $failed }
        [pscustomobject]@{ Run = 'Platform job (sequential, psql/libpq)'; MinS = $s.Min; MedianS = $s.Median; MaxS = $s.Max; FailedPools = $lastSequentialFailures }
    ) | Format-Table -AutoSize | Out-Host
    Write-Host ("Ratio of medians (sequential / Invoke-PoolHealthCheck): {0}x" -f $ratio)
    Write-Host ("Invoke-PoolHealthCheck median = {0:0.00} x one timeout (target <= 1.2): {1}" -f ($o.Median / $TimeoutSeconds), $(if ($withinTarget) { 'met' } else { 'NOT met' }))

    $resultsDir = Join-Path $PSScriptRoot 'results'
    $null = New-Item -ItemType Directory -Path $resultsDir -Force
    [ordered]@{
        Benchmark = 'PoolHealthCheck'; Date = (Get-Date).ToUniversalTime().ToString('o'); PoolCount = $PoolCount; Unreachable = $UnreachableCount
        TimeoutSeconds = $TimeoutSeconds; Iterations = $Iterations; OpsToolsSeconds = $opsTools; SequentialSeconds = $sequential
        OpsTools = $o; Sequential = $s; Ratio = $ratio; WithinTarget = $withinTarget
    } | ConvertTo-Json -Depth 4 | Set-Content (Join-Path $resultsDir ("pool-health-check-{0:yyyyMMdd-HHmmss}.json" -f (Get-Date)))
}
finally {
    foreach ($port in $droppedPorts) {
        & iptables -D INPUT -i lo -d 127.0.0.0/8 -p tcp --dport $port -j DROP -m comment --comment opstools-bench
    }
    Remove-Module OpsTools -ErrorAction SilentlyContinue
    $null = Invoke-Psql -Connection "host=$pgHost port=$platformPort user=$user dbname=postgres" -Password $password -Sql "DROP DATABASE IF EXISTS $database WITH (FORCE)" -AllowFailure
}
