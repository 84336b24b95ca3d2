#Requires -Version 7.4
<#
Helpers of the Odoo Pester tests: Odoo-shaped databases on the lab's fourth pool server (the one
no other suite uses) with their filestore in a data directory laid out as the platform lays it
out, made by tests/lab/odoo/odoo-instance.sh, and registered in a platform database of the test's
own. Fixtures are made with psql and the lab script, never with the cmdlets under test.
#>
Set-StrictMode -Version Latest

Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1')
Import-Module (Join-Path $PSScriptRoot '../Postgres/PostgresTestSupport.psm1')

function Invoke-OdooLabScript {
    <# .SYNOPSIS Runs tests/lab/odoo/odoo-instance.sh with the lab password in its environment only; returns its stdout. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Lab, [Parameter(Mandatory)] [string[]] $Arguments)

    $startInfo = [System.Diagnostics.ProcessStartInfo]::new('bash')
    $startInfo.ArgumentList.Add((Join-Path (Get-RepositoryRoot) 'tests/lab/odoo/odoo-instance.sh'))
    foreach ($argument in $Arguments) { $startInfo.ArgumentList.Add($argument) }
    $startInfo.Environment['OPSTOOLS_TEST_PG_HOST'] = $Lab.Host
    $startInfo.Environment['OPSTOOLS_TEST_PG_USER'] = $Lab.User
    $startInfo.Environment['OPSTOOLS_TEST_PG_PASSWORD'] = $Lab.Password
    $startInfo.Environment['OPSTOOLS_TEST_PG_PORT'] = "$($Lab.Port)"
    $startInfo.UseShellExecute = $false
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    $process = [System.Diagnostics.Process]::Start($startInfo)
    try {
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        $process.WaitForExit()
        if ($process.ExitCode -ne 0) { throw "odoo-instance.sh $($Arguments -join ' ') failed: $($stderr.Result)" }
        $stdout.Result
    }
    finally {
        $process.Dispose()
    }
}

function New-TestOdooInstance {
    <#
    .SYNOPSIS
    Creates an Odoo-shaped database on the lab's fourth pool server with its filestore under
    <Root>/odoo_data_<db>_<hex8>/filestore/<db>, optionally registers it in a platform database, and
    returns Name, Database, Port, Server, DataDirectory, FilestorePath, ServiceName.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Lab,
        [Parameter(Mandatory)] [string] $Root,
        [string] $Name = ('acme-' + [guid]::NewGuid().ToString('n').Substring(0, 6)),
        $Platform,
        [string] $Status = 'running'
    )

    $database = 'opsodoo_' + [guid]::NewGuid().ToString('n').Substring(0, 8)
    $port = $Lab.PoolPorts[-1]
    $hex8 = [guid]::NewGuid().ToString('n').Substring(0, 8)
    $dataDirectory = Join-Path $Root "odoo_data_${database}_$hex8"
    $filestore = Join-Path $dataDirectory "filestore/$database"
    $null = New-Item -ItemType Directory -Path (Join-Path $dataDirectory 'sessions') -Force
    Set-Content -LiteralPath (Join-Path $dataDirectory 'sessions/werkzeug_session') -Value 'session'
    $null = Invoke-OdooLabScript -Lab $Lab -Arguments @('create', '--port', "$port", '--database', $database, '--filestore', $filestore)
    $service = "odoo-$database-$hex8"
    if ($Platform) {
        $null = Invoke-OdooLabScript -Lab $Lab -Arguments @('register', '--platform-database', $Platform.Name, '--port', "$port", '--database', $database, '--name', $Name, '--service-name', $service, '--status', $Status)
    }
    [pscustomobject]@{
        Name          = $Name
        Database      = $database
        Port          = $port
        Server        = "$($Lab.Host):$port"
        DataDirectory = $dataDirectory
        FilestorePath = $filestore
        ServiceName   = $service
    }
}

function Remove-TestOdooInstance {
    <# .SYNOPSIS Drops a database made by New-TestOdooInstance (its files go with the test's root). #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Lab, [Parameter(Mandatory)] $Instance)

    $null = Invoke-OdooLabScript -Lab $Lab -Arguments @('drop', '--port', "$($Instance.Port)", '--database', $Instance.Database)
}

function Get-TestDirectoryDigest {
    <# .SYNOPSIS SHA-256 of every file under a directory, as sorted 'path size sha' lines (an independent witness). #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [string] $Path)

    $lines = Get-ChildItem -LiteralPath $Path -Recurse -File | ForEach-Object {
        '{0} {1} {2}' -f [System.IO.Path]::GetRelativePath($Path, $_.FullName), $_.Length, (Get-FileHash -LiteralPath $_.FullName -Algorithm SHA256).Hash
    } | Sort-Object -CaseSensitive
    $lines -join "`n"
}

Export-ModuleMember -Function @(
    'Invoke-OdooLabScript'
    'New-TestOdooInstance'
    'Remove-TestOdooInstance'
    'Get-TestDirectoryDigest'
)
