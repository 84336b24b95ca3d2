#Requires -Version 7.4
<#
Helpers of the Postgres Pester tests: the lab's PostgreSQL servers (tests/lab/components/postgres.sh),
a platform database of the test's own with the platform's schema (tests/lab/sql/platform-schema.sql),
pools registered in it, sessions held open by psql processes, and loopback ports that swallow
packets. Fixtures are made with psql and the docker CLI, never with the cmdlets under test. The lab
password reaches psql through its process environment only, never this session's.
#>
Set-StrictMode -Version Latest

Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1')

$script:HeldSessions = [System.Collections.Generic.List[System.Diagnostics.Process]]::new()
$script:DropRules = [System.Collections.Generic.List[int]]::new()

function Get-PostgresLabStatus {
    <#
    .SYNOPSIS
    Tells whether the lab's PostgreSQL servers answer. Throws in CI when they do not, so a CI run
    that would skip them fails; elsewhere warns (naming tests/lab/up.sh) and returns IsAvailable
    false. Also returns the settings the tests need.
    #>
    [CmdletBinding()]
    param()

    $settings = [ordered]@{
        Host = Get-LabSetting PG_HOST
        Port = Get-LabSetting PG_PORT
        User = Get-LabSetting PG_USER
        Password = Get-LabSetting PG_PASSWORD
        PoolPorts = Get-LabSetting PG_POOL_PORTS
        Bin = Get-LabSetting PG_BIN
        SslRootCert = Get-LabSetting PG_SSL_ROOT_CERT
    }
    $problem = $null
    if (-not $settings.Host -or -not $settings.Port -or -not $settings.PoolPorts -or -not $settings.Bin) {
        $problem = 'OPSTOOLS_TEST_PG_HOST, _PORT, _POOL_PORTS or _BIN is not set and tests/lab/.lab.env does not name it'
    }
    elseif (-not (Test-Path -LiteralPath (Join-Path $settings.Bin 'psql'))) {
        $problem = "psql is missing from $($settings.Bin)"
    }
    else {
        $answer = Invoke-LabPsql -Port ([int]$settings.Port) -Database postgres -Sql 'SELECT 1' -AllowFailure -Settings $settings
        if ($answer.ExitCode -ne 0) {
            $problem = "the platform server $($settings.Host):$($settings.Port) does not answer: $($answer.StandardError)"
        }
    }

    if ($problem) {
        $reason = "The PostgreSQL lab is not available: $problem. Start it with 'tests/lab/up.sh' (as root)."
        if ($env:CI -eq 'true') { throw $reason }
        Write-Warning "$reason The integration tests that need it are skipped."
    }

    $credential = if ($settings.Password) {
        [pscredential]::new($settings.User, (ConvertTo-SecureString $settings.Password -AsPlainText -Force))
    }
    [pscustomobject]@{
        IsAvailable = -not $problem
        Reason      = $problem
        Host        = $settings.Host
        Port        = [int]$settings.Port
        User        = $settings.User
        Password    = $settings.Password
        Credential  = $credential
        PoolPorts   = @(if ($settings.PoolPorts) { $settings.PoolPorts -split ',' | ForEach-Object { [int]$_ } })
        Bin         = $settings.Bin
        SslRootCert = $settings.SslRootCert
    }
}

function Invoke-LabPsql {
    <#
    .SYNOPSIS
    Runs SQL with psql on a lab server as the lab's postgres role and returns ExitCode, Output (rows,
    unaligned, no headers), StandardError. Throws on failure unless -AllowFailure.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [int] $Port,
        [Parameter(Mandatory)] [string] $Database,
        [Parameter(Mandatory)] [string] $Sql,
        [switch] $AllowFailure,
        [System.Collections.IDictionary] $Settings
    )

    if (-not $Settings) {
        $Settings = @{ Host = Get-LabSetting PG_HOST; User = Get-LabSetting PG_USER; Password = Get-LabSetting PG_PASSWORD; Bin = Get-LabSetting PG_BIN }
    }
    $startInfo = [System.Diagnostics.ProcessStartInfo]::new((Join-Path $Settings.Bin 'psql'))
    foreach ($argument in @('-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', $Settings.Host, '-p', "$Port", '-U', $Settings.User, '-d', $Database, '-c', $Sql)) {
        $startInfo.ArgumentList.Add($argument)
    }
    $startInfo.Environment['PGPASSWORD'] = $Settings.Password
    $startInfo.Environment['PGCONNECT_TIMEOUT'] = '5'
    $startInfo.UseShellExecute = $false
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    $process = [System.Diagnostics.Process]::Start($startInfo)
    try {
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        $process.WaitForExit()
        $result = [pscustomobject]@{
            ExitCode      = $process.ExitCode
            Output        = @($stdout.Result -split '\r?\n' | Where-Object { $_ -ne '' })
            StandardError = $stderr.Result.Trim()
        }
    }
    finally {
        $process.Dispose()
    }

    if ($result.ExitCode -ne 0 -and -not $AllowFailure) {
        throw "psql on port ${Port}/$Database failed: $($result.StandardError)"
    }
    $result
}

function New-TestPlatformDatabase {
    <#
    .SYNOPSIS
    Creates a platform database for one test file on the lab's platform server, with the platform's
    schema, and returns Name and Server (the text for -PlatformServer).
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Lab)

    $name = 'opstools_test_' + [guid]::NewGuid().ToString('n').Substring(0, 8)
    $null = Invoke-LabPsql -Port $Lab.Port -Database postgres -Sql "CREATE DATABASE $name"
    $schema = Get-Content -Raw -LiteralPath (Join-Path (Get-RepositoryRoot) 'tests/lab/sql/platform-schema.sql')
    $null = Invoke-LabPsql -Port $Lab.Port -Database $name -Sql $schema
    [pscustomobject]@{
        Name   = $name
        Server = "host=$($Lab.Host) port=$($Lab.Port) dbname=$name"
    }
}

function Remove-TestPlatformDatabase {
    <# .SYNOPSIS Drops a database made by New-TestPlatformDatabase, closing its sessions. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Lab, [Parameter(Mandatory)] $Platform)

    $null = Invoke-LabPsql -Port $Lab.Port -Database postgres -Sql "DROP DATABASE IF EXISTS $($Platform.Name) WITH (FORCE)" -AllowFailure
}

function Add-TestPool {
    <#
    .SYNOPSIS
    Registers a pool in the test's db_servers and returns its id. The password defaults to the lab's
    (which every lab server shares); pass -NoPassword for a row without one.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Lab,
        [Parameter(Mandatory)] $Platform,
        [Parameter(Mandatory)] [string] $Name,
        [Parameter(Mandatory)] [int] $Port,
        [string] $Status = 'active',
        [string] $Health = 'unknown',
        [int] $Failures = 0,
        [string] $Password = $Lab.Password,
        [switch] $NoPassword,
        [string] $HostName = $Lab.Host,
        [string] $LastCheck,
        [string] $ServiceName,
        [string] $StoragePath
    )

    $quote = { param($value) if ($null -eq $value -or $value -eq '') { 'NULL' } else { "'" + ($value -replace "'", "''") + "'" } }
    $passwordValue = if ($NoPassword) { 'NULL' } else { & $quote $Password }
    $lastCheckValue = if ($LastCheck) { $LastCheck } else { 'NULL' }
    $sql = "INSERT INTO db_servers (name, host, port, server_type, status, health_status, health_check_failures, last_health_check, admin_user, admin_password, swarm_service_name, storage_path) " +
    "VALUES ($(& $quote $Name), $(& $quote $HostName), $Port, 'shared', '$Status', '$Health', $Failures, $lastCheckValue, 'postgres', $passwordValue, $(& $quote $ServiceName), $(& $quote $StoragePath)) RETURNING id"
    (Invoke-LabPsql -Port $Lab.Port -Database $Platform.Name -Sql $sql).Output[0]
}

function Get-TestPoolRow {
    <# .SYNOPSIS Reads a pool row with psql: Name, Status, Health, Failures, LastCheck (text), StoragePath. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Lab, [Parameter(Mandatory)] $Platform, [Parameter(Mandatory)] [string] $Name)

    $row = (Invoke-LabPsql -Port $Lab.Port -Database $Platform.Name -Sql "SELECT name, status, health_status, health_check_failures, coalesce(last_health_check::text, ''), coalesce(storage_path, '') FROM db_servers WHERE name = '$Name'").Output
    if (-not $row) { return $null }
    $name, $status, $health, $failures, $lastCheck, $storagePath = $row[0] -split '\|'
    [pscustomobject]@{ Name = $name; Status = $status; Health = $health; Failures = [int]$failures; LastCheck = $lastCheck; StoragePath = $storagePath }
}

function Start-HeldSession {
    <#
    .SYNOPSIS
    Starts psql and keeps it connected, having run the given SQL (for example BEGIN and an UPDATE,
    leaving the session idle in a transaction, or a statement that waits for a lock). Returns the
    process; Stop-HeldSession ends them all.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Lab, [Parameter(Mandatory)] [int] $Port, [Parameter(Mandatory)] [string] $Database, [Parameter(Mandatory)] [string] $Sql, [string] $ApplicationName = 'opstools-test')

    $startInfo = [System.Diagnostics.ProcessStartInfo]::new((Join-Path $Lab.Bin 'psql'))
    foreach ($argument in @('-X', '-q', '-h', $Lab.Host, '-p', "$Port", '-U', $Lab.User, '-d', $Database)) {
        $startInfo.ArgumentList.Add($argument)
    }
    $startInfo.Environment['PGPASSWORD'] = $Lab.Password
    $startInfo.Environment['PGAPPNAME'] = $ApplicationName
    $startInfo.UseShellExecute = $false
    $startInfo.RedirectStandardInput = $true
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    $process = [System.Diagnostics.Process]::Start($startInfo)
    $null = $process.StandardOutput.ReadToEndAsync()
    $null = $process.StandardError.ReadToEndAsync()
    $process.StandardInput.WriteLine($Sql)
    $process.StandardInput.Flush()
    $script:HeldSessions.Add($process)
    $process
}

function Stop-HeldSession {
    <# .SYNOPSIS Ends the psql processes Start-HeldSession started. #>
    [CmdletBinding()]
    param()

    foreach ($process in $script:HeldSessions) {
        if (-not $process.HasExited) {
            $process.Kill($true)
            $null = $process.WaitForExit(5000)
        }
        $process.Dispose()
    }
    $script:HeldSessions.Clear()
}

function Get-LabBackendPid {
    <# .SYNOPSIS Process id of the session with this application_name, polled until it shows (and, with -State, is in that state). #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Lab, [Parameter(Mandatory)] [int] $Port, [Parameter(Mandatory)] [string] $ApplicationName, [string] $State, [string] $WaitEventType)

    $condition = "application_name = '$ApplicationName'"
    if ($State) { $condition += " AND state = '$State'" }
    if ($WaitEventType) { $condition += " AND wait_event_type = '$WaitEventType'" }
    Wait-Until -TimeoutSeconds 10 -Because "a session '$ApplicationName' shows in pg_stat_activity" -Condition {
        $backend = (Invoke-LabPsql -Port $Port -Database postgres -Sql "SELECT pid FROM pg_stat_activity WHERE $condition").Output | Select-Object -First 1
        if ($backend) { [int]$backend }
    }
}

function Get-FreeLoopbackPort {
    <# .SYNOPSIS A loopback port nothing listens on. #>
    [CmdletBinding()]
    [OutputType([int])]
    param()

    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

function Add-LoopbackDrop {
    <#
    .SYNOPSIS
    Returns a loopback port whose packets an iptables rule drops, so connections to it hang until
    they time out. Only 127.0.0.0/8 on lo is touched; Remove-LoopbackDrop removes the rules.
    #>
    [CmdletBinding()]
    [OutputType([int])]
    param()

    $port = Get-FreeLoopbackPort
    & iptables -I INPUT -i lo -d 127.0.0.0/8 -p tcp --dport $port -j DROP -m comment --comment opstools-test
    if ($LASTEXITCODE -ne 0) { throw "iptables could not add a DROP rule for port $port (root is needed)" }
    $script:DropRules.Add($port)
    $port
}

function Remove-LoopbackDrop {
    <# .SYNOPSIS Removes the rules Add-LoopbackDrop added. #>
    [CmdletBinding()]
    param()

    foreach ($port in $script:DropRules) {
        & iptables -D INPUT -i lo -d 127.0.0.0/8 -p tcp --dport $port -j DROP -m comment --comment opstools-test
    }
    $script:DropRules.Clear()
}

function Test-LabServerReady {
    <# .SYNOPSIS Whether a lab server accepts connections, by the pg_isready binary (not the cmdlet under test). #>
    [CmdletBinding()]
    [OutputType([bool])]
    param([Parameter(Mandatory)] $Lab, [Parameter(Mandatory)] [int] $Port)

    & (Join-Path $Lab.Bin 'pg_isready') -q -h $Lab.Host -p $Port -t 1
    $LASTEXITCODE -eq 0
}

Export-ModuleMember -Function @(
    'Get-PostgresLabStatus'
    'Invoke-LabPsql'
    'New-TestPlatformDatabase'
    'Remove-TestPlatformDatabase'
    'Add-TestPool'
    'Get-TestPoolRow'
    'Start-HeldSession'
    'Stop-HeldSession'
    'Get-LabBackendPid'
    'Get-FreeLoopbackPort'
    'Add-LoopbackDrop'
    'Remove-LoopbackDrop'
    'Test-LabServerReady'
)
