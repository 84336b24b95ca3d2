#Requires -Version 7.4
<#
.SYNOPSIS
    Measures Get-CephUsage against `du -sb` side by side in one run on a CephFS tree of
    instance-like directories, and the accuracy of both against the bytes written.

.DESCRIPTION
    Needs the lab (tests/lab/up.sh: the CephFS mount) and the built module (build.ps1). Creates
    -DirectoryCount directories named like Odoo instance data directories
    (odoo_data_benchNNN_xxxxxxxx), each with -FilesPerDirectory files of random sizes spread
    over filestore/<db>/<xx>/ subdirectories plus an empty sessions/ directory, and gives each
    the 10G plan's quota. It records what it wrote, waits until the recursive statistics show
    all of it, then runs, alternately -Iterations times each:

      Get-CephUsage -LiteralPath <all directories>   (objects, every property filled)
      du -sb <all directories>                        (one process, as operators run it)

    and reports min/median/max, the ratio of medians, and for each tool how many directories it
    measured exactly and its total against the bytes written. Results also go to
    benchmarks/results/ as JSON. The tree is removed at the end unless -KeepTree.

.EXAMPLE
    dotnet pwsh benchmarks/Invoke-CephUsageBenchmark.ps1
#>
[CmdletBinding()]
param(
    [int] $DirectoryCount = 200,
    [int] $FilesPerDirectory = 100,
    [int] $Iterations = 5,
    [int] $ThrottleLimit = 16,
    # Parent of the benchmark tree; defaults to the lab's CephFS mount.
    [string] $Mount,
    [switch] $KeepTree
)

$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot -Parent
$manifest = Join-Path $root 'out/OpsTools/OpsTools.psd1'
if (-not (Test-Path $manifest)) { throw "Build the module first: dotnet pwsh ./build.ps1 (missing $manifest)." }
Import-Module (Join-Path $root 'tests/OpsTools.Tests/TestSupport.psm1') -Force
if (-not $Mount) { $Mount = Get-LabSetting CEPHFS_MOUNT }
if (-not $Mount) { throw 'No CephFS mount: run tests/lab/up.sh (as root) or pass -Mount.' }

function Get-Stats([double[]] $ms) {
    $sorted = $ms | Sort-Object
    [pscustomobject]@{
        Min    = [math]::Round($sorted[0], 1)
        Median = [math]::Round($sorted[[int][math]::Floor($sorted.Count / 2)], 1)
        Max    = [math]::Round($sorted[-1], 1)
    }
}

$tree = Join-Path $Mount 'opstools-bench-ceph'
$resultsDir = Join-Path $PSScriptRoot 'results'
$truthFile = Join-Path $resultsDir 'ceph-usage-tree.json'
New-Item -ItemType Directory -Force -Path $resultsDir | Out-Null

# ------------------------------------------------------------------ the tree and its truth
$truth = $null
if ((Test-Path $tree) -and (Test-Path $truthFile)) {
    $saved = Get-Content -Raw $truthFile | ConvertFrom-Json
    if ($saved.Directories.Count -eq $DirectoryCount -and $saved.FilesPerDirectory -eq $FilesPerDirectory) {
        Write-Host "Reusing $tree ($DirectoryCount directories, kept from an earlier run)."
        $truth = $saved
    }
}
if (-not $truth) {
    if (Test-Path $tree) { & rm -rf $tree }
    New-Item -ItemType Directory -Path $tree | Out-Null
    Write-Host "Writing $($DirectoryCount * $FilesPerDirectory) files in $DirectoryCount directories under $tree..."
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $directories = 1..$DirectoryCount | ForEach-Object -ThrottleLimit 16 -Parallel {
        $index = $_
        $random = [Random]::new($index)
        $hex = '{0:x8}' -f $random.Next()
        $dir = Join-Path $using:tree ('odoo_data_bench{0:000}_{1}' -f $index, $hex)
        $filestore = Join-Path $dir "filestore/bench$index"
        $null = New-Item -ItemType Directory -Path (Join-Path $dir 'sessions') -Force
        [long]$bytes = 0
        $subdirs = [System.Collections.Generic.HashSet[string]]::new()
        for ($f = 0; $f -lt $using:FilesPerDirectory; $f++) {
            $bucket = '{0:x2}' -f ($f % 16)
            $null = $subdirs.Add($bucket)
            $folder = Join-Path $filestore $bucket
            [System.IO.Directory]::CreateDirectory($folder) | Out-Null
            # Attachment-like sizes: mostly small, some up to 256 KiB.
            $size = if ($random.Next(10) -eq 0) { $random.Next(65536, 262144) } else { $random.Next(200, 16384) }
            $data = [byte[]]::new($size)
            $random.NextBytes($data)
            [System.IO.File]::WriteAllBytes((Join-Path $folder ('{0:x40}' -f $f)), $data)
            $bytes += $size
        }
        [pscustomobject]@{
            Path           = $dir
            Bytes          = $bytes
            Files          = $using:FilesPerDirectory
            # filestore, filestore/benchN, the buckets, sessions
            Subdirectories = 3 + $subdirs.Count
        }
    } | Sort-Object Path
    $truth = [pscustomobject]@{ FilesPerDirectory = $FilesPerDirectory; Directories = @($directories) }
    $truth | ConvertTo-Json -Depth 3 | Set-Content $truthFile
    Write-Host ("Written in {0:N1} s." -f $clock.Elapsed.TotalSeconds)
}

$paths = [string[]]@($truth.Directories.Path)
$bytesWritten = ($truth.Directories | Measure-Object Bytes -Sum).Sum
$filesWritten = ($truth.Directories | Measure-Object Files -Sum).Sum
Import-Module $manifest -Force
Set-CephQuota -LiteralPath $paths -MaxBytes 10G -Confirm:$false

Write-Host "Waiting for the recursive statistics to show all $bytesWritten bytes..."
$null = Wait-Until -TimeoutSeconds 120 -IntervalMilliseconds 500 -Because "ceph.dir.rbytes of $tree shows the bytes written" -Condition {
    [long](getfattr --only-values -n ceph.dir.rbytes $tree 2>$null) -eq $bytesWritten
}

# ------------------------------------------------------------------ side by side
function Measure-CephUsage {
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $usage = Get-CephUsage -LiteralPath $paths -ThrottleLimit $ThrottleLimit
    $sw.Stop()
    [pscustomobject]@{ Ms = $sw.Elapsed.TotalMilliseconds; Usage = $usage }
}

function Measure-Du {
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $lines = & du -sb @paths
    $sw.Stop()
    if ($LASTEXITCODE -ne 0) { throw 'du -sb failed.' }
    $sizes = @{}
    foreach ($line in $lines) {
        $size, $path = $line -split "`t", 2
        $sizes[$path] = [long]$size
    }
    [pscustomobject]@{ Ms = $sw.Elapsed.TotalMilliseconds; Sizes = $sizes }
}

# Warm the module (JIT, first engine load) outside the timings; du gets no such help.
$null = Get-CephUsage -LiteralPath $paths[0]
$cephMs = [System.Collections.Generic.List[double]]::new()
$duMs = [System.Collections.Generic.List[double]]::new()
$lastUsage = $null
$lastDu = $null
for ($i = 0; $i -lt $Iterations; $i++) {
    $du = Measure-Du; $duMs.Add($du.Ms); $lastDu = $du.Sizes
    $ceph = Measure-CephUsage; $cephMs.Add($ceph.Ms); $lastUsage = $ceph.Usage
    Write-Host ("  run {0}: du -sb {1:N0} ms, Get-CephUsage {2:N0} ms" -f ($i + 1), $du.Ms, $ceph.Ms)
}

# ------------------------------------------------------------------ accuracy
$byPath = @{}
foreach ($u in $lastUsage) { $byPath[$u.Path] = $u }
$cephExact = 0; $duExact = 0; $complete = 0
[long]$cephTotal = 0; [long]$duTotal = 0
foreach ($dir in $truth.Directories) {
    $u = $byPath[$dir.Path]
    if ($u -and $u.Bytes -eq $dir.Bytes -and $u.Files -eq $dir.Files -and $u.Subdirectories -eq $dir.Subdirectories) { $cephExact++ }
    if ($u -and $null -ne $u.LastChange -and $null -ne $u.MaxBytes -and $null -ne $u.PercentUsed -and $null -ne $u.FreeBytes) { $complete++ }
    if ($lastDu[$dir.Path] -eq $dir.Bytes) { $duExact++ }
    $cephTotal += $u.Bytes
    $duTotal += $lastDu[$dir.Path]
}

$c = Get-Stats $cephMs; $d = Get-Stats $duMs
$result = [pscustomobject]@{
    Date                      = (Get-Date).ToString('o')
    Directories               = $DirectoryCount
    Files                     = $filesWritten
    BytesWritten              = $bytesWritten
    Iterations                = $Iterations
    ThrottleLimit             = $ThrottleLimit
    GetCephUsageMs            = $c
    DuMs                      = $d
    Speedup                   = [math]::Round($d.Median / $c.Median, 1)
    GetCephUsageExact         = $cephExact
    GetCephUsagePropertiesSet = $complete
    GetCephUsageTotalBytes    = $cephTotal
    DuExact                   = $duExact
    DuTotalBytes              = $duTotal
    DuOverCount               = [math]::Round($duTotal / $bytesWritten, 2)
}
$result | ConvertTo-Json -Depth 4 | Set-Content (Join-Path $resultsDir "ceph-usage-$(Get-Date -Format yyyyMMdd-HHmmss).json")

Write-Host ''
Write-Host ("{0} directories, {1} files, {2:N0} bytes written; {3} runs each, alternating" -f $DirectoryCount, $filesWritten, $bytesWritten, $Iterations)
Write-Host ("Get-CephUsage (objects, {0} at once)  min/median/max ms: {1} / {2} / {3}" -f $ThrottleLimit, $c.Min, $c.Median, $c.Max)
Write-Host ("du -sb (one process)                 min/median/max ms: {0} / {1} / {2}" -f $d.Min, $d.Median, $d.Max)
Write-Host ("Get-CephUsage is {0}x faster than du -sb (median; target >= 30x)" -f $result.Speedup)
Write-Host ("Get-CephUsage: {0}/{1} directories exact (bytes, files, subdirectories), {2}/{1} with every property set, total {3:N0} bytes ({4:N4}x the bytes written)" -f $cephExact, $DirectoryCount, $complete, $cephTotal, ($cephTotal / $bytesWritten))
Write-Host ("du -sb:        {0}/{1} directories exact, total {2:N0} bytes ({3}x the bytes written)" -f $duExact, $DirectoryCount, $duTotal, $result.DuOverCount)

if (-not $KeepTree) {
    Write-Host "Removing $tree..."
    & rm -rf $tree
    Remove-Item $truthFile -ErrorAction Ignore
}
$result
