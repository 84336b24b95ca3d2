#Requires -Version 7.4
<#
.SYNOPSIS
    Times Backup-OdooInstance -Format Zip against the operators' runbook (pg_dump | gzip, then
    tar czf of the filestore, one after the other) on an Odoo-shaped database of -DatabaseMB and a
    filestore of -FilestoreMB, side by side in one run, with the peak memory of each.

.DESCRIPTION
    Needs the lab (tests/lab/up.sh: the postgres component), the built module (build.ps1), GNU time
    (/usr/bin/time, Debian package `time`) and root (the lab script runs psql as the lab's postgres
    role). It creates the database on the lab's last pool server and the filestore under -WorkRoot
    with tests/lab/odoo/odoo-instance.sh (mail_message rows of ~1 KiB; 1 MiB attachment files, half
    incompressible), unless -Database names one made by an earlier run with -Keep.

    Each iteration runs, in alternating order, each under /usr/bin/time -v:
    - the runbook: bash -c 'pg_dump <db> | gzip > db.sql.gz && tar czf filestore.tar.gz -C <dir> <db>';
    - a fresh `pwsh -NoProfile` that imports the module and runs
      Backup-OdooInstance -Format Zip -Compression Optimal; it also reports its own VmHWM (the
      peak resident memory of the PowerShell process) from /proc/self/status.

    Reports the wall time of each, the ratio (OpsTools / runbook; below 1 is faster), the peak RSS
    of every process of each side (GNU time's maximum resident set size: the largest process of the
    tree) and the PowerShell process's own peak. Results are also written as JSON to
    benchmarks/results/.

.EXAMPLE
    sudo bash tests/lab/up.sh && dotnet pwsh ./build.ps1
    dotnet pwsh benchmarks/Invoke-OdooBackupBenchmark.ps1 -DatabaseMB 1024 -FilestoreMB 1024 -Iterations 1
#>
[CmdletBinding()]
param(
    [int] $DatabaseMB = 1024,
    [int] $FilestoreMB = 1024,
    [int] $Iterations = 1,
    [string] $WorkRoot = '/var/tmp/opstools-odoo-benchmark',
    [string] $Database,
    [switch] $Keep
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = Split-Path $PSScriptRoot -Parent
$manifest = Join-Path $root 'out/OpsTools/OpsTools.psd1'
if (-not (Test-Path $manifest)) { throw "Build the module first: dotnet pwsh ./build.ps1 (missing $manifest)." }
if (-not (Test-Path /usr/bin/time)) { throw 'GNU time is missing: apt-get install -y time' }

$settings = @{}
$envFile = Join-Path $root 'tests/lab/.lab.env'
if (Test-Path $envFile) {
    foreach ($line in Get-Content $envFile) {
        if ($line -match '^\s*(?:export\s+)?(OPSTOOLS_TEST_PG_[A-Z_]+)=(.*)$') { $settings[$Matches[1]] = $Matches[2].Trim('"', "'") }
    }
}
foreach ($name in 'OPSTOOLS_TEST_PG_HOST', 'OPSTOOLS_TEST_PG_USER', 'OPSTOOLS_TEST_PG_PASSWORD', 'OPSTOOLS_TEST_PG_POOL_PORTS', 'OPSTOOLS_TEST_PG_BIN') {
    $value = [Environment]::GetEnvironmentVariable($name)
    if ($value) { $settings[$name] = $value }
    if (-not $settings[$name]) { throw "$name is not set: run 'sudo bash tests/lab/up.sh' first." }
}
$pgHost = $settings.OPSTOOLS_TEST_PG_HOST
$port = [int]($settings.OPSTOOLS_TEST_PG_POOL_PORTS -split ',')[-1]
$bin = $settings.OPSTOOLS_TEST_PG_BIN
$script = Join-Path $root 'tests/lab/odoo/odoo-instance.sh'

function Invoke-Timed {
    # Runs a command under GNU time -v with the lab password in its environment only; returns wall seconds, peak RSS and output.
    param([string[]] $Command)
    $report = [System.IO.Path]::GetTempFileName()
    $info = [System.Diagnostics.ProcessStartInfo]::new('/usr/bin/time')
    foreach ($argument in @('-v', '-o', $report) + $Command) { $info.ArgumentList.Add($argument) }
    $info.Environment['PGPASSWORD'] = $settings.OPSTOOLS_TEST_PG_PASSWORD
    $info.Environment['OPSTOOLS_BENCH_PASSWORD'] = $settings.OPSTOOLS_TEST_PG_PASSWORD
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $process = [System.Diagnostics.Process]::Start($info)
    $stdout = $process.StandardOutput.ReadToEndAsync()
    $stderr = $process.StandardError.ReadToEndAsync()
    $process.WaitForExit()
    $text = Get-Content -Raw $report
    Remove-Item $report
    if ($process.ExitCode -ne 0) { throw "$($Command -join ' ') failed ($($process.ExitCode)): $($stderr.Result) $($stdout.Result)" }
    $wall = if ($text -match 'Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)') { [double]$Matches[1] * 3600 + [double]$Matches[2] * 60 + [double]$Matches[3] } else { throw "no wall time in: $text" }
    $rss = if ($text -match 'Maximum resident set size \(kbytes\): (\d+)') { [long]$Matches[1] * 1024 } else { 0 }
    [pscustomobject]@{ Seconds = $wall; PeakRssBytes = $rss; Output = $stdout.Result }
}

$created = $false
if (-not $Database) {
    $Database = 'opsodoo_bench_' + [guid]::NewGuid().ToString('n').Substring(0, 6)
    $filestore = Join-Path $WorkRoot "filestore/$Database"
    Write-Host "Creating $Database on ${pgHost}:$port (~$DatabaseMB MB of rows) and its filestore (~$FilestoreMB MB) in $filestore ..."
    $env:OPSTOOLS_TEST_PG_PASSWORD = $settings.OPSTOOLS_TEST_PG_PASSWORD
    $made = & bash $script create --port $port --database $Database --filestore $filestore --attachments $FilestoreMB --attachment-kb 1024 --messages ($DatabaseMB * 800) --message-kb 1
    if ($LASTEXITCODE -ne 0) { throw 'odoo-instance.sh create failed' }
    $created = $true
    Write-Host "Database $(([long]($made -split ' ')[0]) / 1MB) MiB, filestore $(([long]($made -split ' ')[1]) / 1MB) MiB."
}
else {
    $filestore = Join-Path $WorkRoot "filestore/$Database"
}

$results = [System.Collections.Generic.List[object]]::new()
try {
    for ($i = 1; $i -le $Iterations; $i++) {
        foreach ($side in $(if ($i % 2) { 'runbook', 'opstools' } else { 'opstools', 'runbook' })) {
            $destination = Join-Path $WorkRoot "out-$side"
            Remove-Item -LiteralPath $destination -Recurse -Force -ErrorAction SilentlyContinue
            $null = New-Item -ItemType Directory -Path $destination
            if ($side -eq 'runbook') {
                $command = "set -eo pipefail; '$bin/pg_dump' -h $pgHost -p $port -U $($settings.OPSTOOLS_TEST_PG_USER) $Database | gzip > '$destination/$Database.sql.gz' && tar czf '$destination/filestore.tar.gz' -C '$(Split-Path $filestore)' $Database"
                $run = Invoke-Timed @('bash', '-c', $command)
                $own = $null
            }
            else {
                $ps = "`$ErrorActionPreference = 'Stop'; Import-Module '$manifest'; " +
                "`$c = [pscredential]::new('$($settings.OPSTOOLS_TEST_PG_USER)', (ConvertTo-SecureString `$env:OPSTOOLS_BENCH_PASSWORD -AsPlainText -Force)); " +
                "`$b = Backup-OdooInstance -Server '${pgHost}:$port' -Database $Database -FilestorePath '$filestore' -Destination '$destination' -Format Zip -Credential `$c -ProgressAction SilentlyContinue; " +
                "'PEAK ' + ((Get-Content /proc/self/status | Select-String '^VmHWM:\s+(\d+)').Matches[0].Groups[1].Value)"
                # The pwsh of this session (the pinned tool under `dotnet pwsh`), started directly so GNU time measures it.
                [string[]] $launcher = @(Join-Path $PSHOME 'pwsh') + @('-NoProfile', '-NonInteractive', '-Command', $ps)
                $run = Invoke-Timed $launcher
                $own = if ($run.Output -match 'PEAK (\d+)') { [long]$Matches[1] * 1024 } else { $null }
            }
            $bytes = (Get-ChildItem -LiteralPath $destination -File | Measure-Object Length -Sum).Sum
            $results.Add([pscustomobject]@{ Iteration = $i; Side = $side; Seconds = [math]::Round($run.Seconds, 1); PeakRssMiB = [math]::Round($run.PeakRssBytes / 1MB, 1); PowerShellPeakMiB = if ($own) { [math]::Round($own / 1MB, 1) } else { $null }; OutputMiB = [math]::Round($bytes / 1MB, 1) })
            Write-Host ("{0} #{1}: {2:0.0} s, peak RSS {3:0.0} MiB{4}, {5:0.0} MiB written" -f $side, $i, $run.Seconds, ($run.PeakRssBytes / 1MB), $(if ($own) { ", PowerShell process peak $([math]::Round($own / 1MB, 1)) MiB" } else { '' }), ($bytes / 1MB))
            Remove-Item -LiteralPath $destination -Recurse -Force
        }
    }
}
finally {
    if ($created -and -not $Keep) {
        & bash $script drop --port $port --database $Database --filestore $filestore
    }
}

$median = { param($side) $values = @($results | Where-Object Side -EQ $side | Sort-Object Seconds); $values[[int][math]::Floor(($values.Count - 1) / 2)] }
$runbook = & $median 'runbook'
$ours = & $median 'opstools'
$summary = [pscustomobject]@{
    DatabaseMB              = $DatabaseMB
    FilestoreMB             = $FilestoreMB
    RunbookSeconds          = $runbook.Seconds
    OpsToolsSeconds         = $ours.Seconds
    WallTimeRatio           = [math]::Round($ours.Seconds / $runbook.Seconds, 2)
    RunbookPeakRssMiB       = ($results | Where-Object Side -EQ runbook | Measure-Object PeakRssMiB -Maximum).Maximum
    OpsToolsPeakRssMiB      = ($results | Where-Object Side -EQ opstools | Measure-Object PeakRssMiB -Maximum).Maximum
    PowerShellPeakMiB       = ($results | Where-Object Side -EQ opstools | Measure-Object PowerShellPeakMiB -Maximum).Maximum
    Runs                    = $results
}
$summary | Format-List DatabaseMB, FilestoreMB, RunbookSeconds, OpsToolsSeconds, WallTimeRatio, RunbookPeakRssMiB, OpsToolsPeakRssMiB, PowerShellPeakMiB
$out = Join-Path $PSScriptRoot 'results'
$null = New-Item -ItemType Directory -Path $out -Force
$summary | ConvertTo-Json -Depth 4 | Set-Content (Join-Path $out ("odoo-backup-{0:yyyyMMdd-HHmmss}.json" -f (Get-Date)))
