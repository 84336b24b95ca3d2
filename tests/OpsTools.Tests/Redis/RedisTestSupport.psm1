#Requires -Version 7.4
<#
Helpers of the Redis Pester tests: the lab's two redis-server instances (tests/lab/components/redis.sh),
a witness that reads and writes with redis-cli (never the cmdlets under test), a writer thread that
records every acknowledged key, and throw-away redis-server processes started on backup files.
The lab password reaches redis-cli through its process environment only (REDISCLI_AUTH).
#>
Set-StrictMode -Version Latest

Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1')

$script:StartedServers = [System.Collections.Generic.List[System.Diagnostics.Process]]::new()

function Get-RedisLabStatus {
    <#
    .SYNOPSIS
    The lab's Redis settings and whether both instances answer. Throws in CI when they do not;
    elsewhere warns (naming tests/lab/up.sh) and returns IsAvailable false.
    #>
    [CmdletBinding()]
    param()

    $settings = [ordered]@{
        Server     = Get-LabSetting REDIS
        AuthServer = Get-LabSetting REDIS_AUTH
        Password   = Get-LabSetting REDIS_PASSWORD
        ServerBin  = Get-LabSetting REDIS_SERVER_BIN
    }
    $problem = $null
    if (-not $settings.Server -or -not $settings.AuthServer -or -not $settings.Password) {
        $problem = 'OPSTOOLS_TEST_REDIS, _REDIS_AUTH or _REDIS_PASSWORD is not set and tests/lab/.lab.env does not name it'
    }
    elseif ((Invoke-RedisCli -Server $settings.Server -ArgumentList 'ping') -ne 'PONG') {
        $problem = "redis at $($settings.Server) does not answer PING"
    }
    if ($problem) {
        $message = "The lab's Redis is not available ($problem): run 'sudo bash tests/lab/up.sh redis'."
        if ($env:CI -eq 'true') { throw $message }
        Write-Warning $message
    }
    $settings.IsAvailable = -not $problem
    if (-not $problem) {
        $settings.Credential = [pscredential]::new('default', (ConvertTo-SecureString $settings.Password -AsPlainText -Force))
    }
    [pscustomobject]$settings
}

function Invoke-RedisCli {
    <# .SYNOPSIS Runs redis-cli against host:port and returns its output lines; -Password goes through REDISCLI_AUTH. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $Server,
        [Parameter(Mandatory)] [string[]] $ArgumentList,
        [string] $Password,
        [int] $Database = 0
    )
    $hostName, $port = $Server -split ':', 2
    $startInfo = [System.Diagnostics.ProcessStartInfo]::new('redis-cli')
    foreach ($argument in @('-h', $hostName, '-p', $port, '-n', "$Database", '--no-auth-warning') + $ArgumentList) {
        $startInfo.ArgumentList.Add($argument)
    }
    if ($Password) { $startInfo.Environment['REDISCLI_AUTH'] = $Password }
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    $process = [System.Diagnostics.Process]::Start($startInfo)
    $output = $process.StandardOutput.ReadToEnd()
    $null = $process.StandardError.ReadToEnd()
    $process.WaitForExit()
    @($output -split "`n" | ForEach-Object { $_.TrimEnd("`r") } | Where-Object { $_ -ne '' })
}

function Get-FreeLoopbackPort {
    <# .SYNOPSIS A loopback TCP port nobody listens on right now. #>
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    $port = $listener.LocalEndpoint.Port
    $listener.Stop()
    $port
}

function Start-AckedWriter {
    <#
    .SYNOPSIS
    Starts a thread that SETs <Prefix><n> = n on the server, one command at a time over RESP, and
    records each key with the UTC time its +OK arrived. Returns State (Acked: a ConcurrentQueue of
    [Key, AckedAt]; Stop: set to stop) and Job.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $Server,
        [Parameter(Mandatory)] [string] $Prefix,
        [int] $Database = 0
    )
    $state = [pscustomobject]@{
        Acked = [System.Collections.Concurrent.ConcurrentQueue[object]]::new()
        Stop  = [System.Threading.ManualResetEventSlim]::new($false)
    }
    $job = Start-ThreadJob -ArgumentList $Server, $Prefix, $Database, $state -ScriptBlock {
        param($Server, $Prefix, $Database, $State)
        $hostName, $port = $Server -split ':', 2
        $client = [System.Net.Sockets.TcpClient]::new($hostName, [int]$port)
        $client.NoDelay = $true
        $stream = $client.GetStream()
        $reader = [System.IO.StreamReader]::new($stream, [System.Text.Encoding]::ASCII)
        $send = {
            param([string[]] $Words)
            $text = "*$($Words.Count)`r`n"
            foreach ($word in $Words) { $text += "`$$($word.Length)`r`n$word`r`n" }
            $bytes = [System.Text.Encoding]::ASCII.GetBytes($text)
            $stream.Write($bytes, 0, $bytes.Length)
            $reader.ReadLine()
        }
        $null = & $send @('SELECT', "$Database")
        $n = 0
        while (-not $State.Stop.IsSet) {
            $n++
            $key = "$Prefix$n"
            if ((& $send @('SET', $key, "$n")) -eq '+OK') {
                $State.Acked.Enqueue([pscustomobject]@{ Key = $key; AckedAt = [DateTimeOffset]::UtcNow })
            }
        }
        $client.Dispose()
    }
    [pscustomobject]@{ State = $state; Job = $job }
}

function Start-TestRedisServer {
    <#
    .SYNOPSIS
    Starts a fresh redis-server on a copy of a backup directory, on a free loopback port, and
    waits until it answers PING. Returns Server (host:port) and Process; Stop-TestRedisServers ends them.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $DataDirectory,
        [Parameter(Mandatory)] [ValidateSet('Rdb', 'Aof')] [string] $Method,
        [Parameter(Mandatory)] [string] $ServerBin
    )
    $port = Get-FreeLoopbackPort
    $arguments = @('--port', "$port", '--bind', '127.0.0.1', '--dir', $DataDirectory, '--save', '', '--daemonize', 'no', '--logfile', (Join-Path $DataDirectory 'redis.log'))
    $arguments += if ($Method -eq 'Aof') { @('--appendonly', 'yes', '--appenddirname', 'appendonlydir') } else { @('--appendonly', 'no', '--dbfilename', 'dump.rdb') }
    $process = Start-Process -FilePath $ServerBin -ArgumentList $arguments -PassThru
    $script:StartedServers.Add($process)
    $server = "127.0.0.1:$port"
    $null = Wait-Until { (Invoke-RedisCli -Server $server -ArgumentList 'ping') -eq 'PONG' } -Because "the restored redis-server on $server answers" -TimeoutSeconds 20 -IntervalMilliseconds 100
    [pscustomobject]@{ Server = $server; Process = $process }
}

function Stop-TestRedisServers {
    <# .SYNOPSIS Kills the redis-server processes Start-TestRedisServer started. #>
    foreach ($process in $script:StartedServers) {
        if (-not $process.HasExited) { $process.Kill(); $process.WaitForExit(5000) | Out-Null }
    }
    $script:StartedServers.Clear()
}

Export-ModuleMember -Function Get-RedisLabStatus, Invoke-RedisCli, Get-FreeLoopbackPort, Start-AckedWriter, Start-TestRedisServer, Stop-TestRedisServers
