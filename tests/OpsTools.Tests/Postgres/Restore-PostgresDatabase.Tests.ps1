#Requires -Version 7.4
# Restore-PostgresDatabase: parameter surface, then restores on the lab's platform server of backups
# made once in BeforeAll with the real pg_dump (never with the cmdlet under test).

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'PostgresTestSupport.psm1') -Force
    $pg = Get-PostgresLabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'PostgresTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Postgres.RestorePostgresDatabaseCommand'

    function Invoke-LabPgDump([string] $Database, [string] $File, [string[]] $Options) {
        $startInfo = [System.Diagnostics.ProcessStartInfo]::new((Join-Path $pg.Bin 'pg_dump'))
        foreach ($argument in @('-h', $pg.Host, '-p', "$($pg.Port)", '-U', $pg.User, '--no-owner', '-f', $File) + $Options + @($Database)) { $startInfo.ArgumentList.Add($argument) }
        $startInfo.Environment['PGPASSWORD'] = $pg.Password
        $startInfo.RedirectStandardError = $true
        $process = [System.Diagnostics.Process]::Start($startInfo)
        $errors = $process.StandardError.ReadToEnd()
        $process.WaitForExit()
        if ($process.ExitCode -ne 0) { throw "pg_dump failed: $errors" }
        $hash = (Get-FileHash $File -Algorithm SHA256).Hash.ToLowerInvariant()
        Set-Content -LiteralPath "$File.sha256" -Value "$hash  $(Split-Path -Leaf $File)"
    }

    function Get-ItemCount([string] $Database) {
        $answer = Invoke-LabPsql -Port $pg.Port -Database $Database -Sql 'SELECT count(*) FROM items' -AllowFailure
        if ($answer.ExitCode -eq 0) { [int]$answer.Output[0] }
    }

    function Test-Database([string] $Database) {
        (Invoke-LabPsql -Port $pg.Port -Database postgres -Sql "SELECT count(*) FROM pg_database WHERE datname = '$Database'").Output[0] -eq '1'
    }
}

Describe 'Restore-PostgresDatabase parameters' {
    BeforeAll {
        $command = Get-Command -Name Restore-PostgresDatabase
        $surface = Get-ParameterSurface -Command Restore-PostgresDatabase
    }

    It 'has exactly the parameters Path, Database, Server, Format, Force and Credential' {
        $surface.Keys | Sort-Object | Should -Be @('Credential', 'Database', 'Force', 'Format', 'Path', 'Server')
    }

    It 'takes Path and Database at positions 0 and 1 and by property name, with ConfirmImpact High' {
        $surface.Path.Position | Should -Be 0
        $surface.Path.ValueFromPipelineByPropertyName | Should -BeTrue
        $surface.Database.Position | Should -Be 1
        $surface.Database.ValueFromPipelineByPropertyName | Should -BeTrue
        $command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact | Should -Be 'High'
    }

    It 'writes BackupNotFound for a file that does not exist' {
        Restore-PostgresDatabase (Join-Path $TestDrive 'none.dump') app -Server 127.0.0.1:1 -Confirm:$false -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "BackupNotFound,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}

Describe 'Restore-PostgresDatabase against the lab' -Skip:(-not $pg.IsAvailable) {
    BeforeAll {
        $pg = Get-PostgresLabStatus
        $prefix = 'opstools_pgq_rs_' + [guid]::NewGuid().ToString('n').Substring(0, 6)
        $source = "${prefix}_src"
        $null = Invoke-LabPsql -Port $pg.Port -Database postgres -Sql "CREATE DATABASE $source"
        $null = Invoke-LabPsql -Port $pg.Port -Database $source -Sql "CREATE TABLE items (id int PRIMARY KEY, name text); INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 250) g;"
        $custom = Join-Path $TestDrive 'source.dump'
        Invoke-LabPgDump -Database $source -File $custom -Options @('--format=custom')
        $gzip = Join-Path $TestDrive 'source.sql.gz'
        Invoke-LabPgDump -Database $source -File $gzip -Options @('--format=plain', '--compress=6')
        $connection = @{ Server = "$($pg.Host):$($pg.Port)"; Credential = $pg.Credential; Confirm = $false }
    }

    AfterAll {
        $names = (Invoke-LabPsql -Port $pg.Port -Database postgres -Sql "SELECT datname FROM pg_database WHERE datname LIKE '$prefix%'").Output
        foreach ($name in $names) {
            $null = Invoke-LabPsql -Port $pg.Port -Database postgres -Sql "DROP DATABASE IF EXISTS $name WITH (FORCE)" -AllowFailure
        }
    }

    It 'restores a custom-format dump into a new database after checking its checksum' {
        $restore = Restore-PostgresDatabase $custom "${prefix}_custom" @connection

        $restore | Should -BeOfType ([OpsTools.Postgres.PostgresRestore])
        $restore.Format | Should -Be Custom
        $restore.ChecksumVerified | Should -BeTrue
        $restore.Replaced | Should -BeFalse
        Get-ItemCount "${prefix}_custom" | Should -Be 250
    }

    It 'restores gzipped plain SQL, the format read from the file' {
        $restore = Restore-PostgresDatabase $gzip "${prefix}_gzip" @connection

        $restore.Format | Should -Be PlainGzip
        Get-ItemCount "${prefix}_gzip" | Should -Be 250
    }

    It 'refuses an existing database with DatabaseExists, and replaces it with -Force' {
        $null = Invoke-LabPsql -Port $pg.Port -Database postgres -Sql "CREATE DATABASE ${prefix}_taken"

        Restore-PostgresDatabase $custom "${prefix}_taken" @connection -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "DatabaseExists,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        Get-ItemCount "${prefix}_taken" | Should -BeNullOrEmpty

        (Restore-PostgresDatabase $custom "${prefix}_taken" @connection -Force).Replaced | Should -BeTrue
        Get-ItemCount "${prefix}_taken" | Should -Be 250
    }

    It 'refuses a damaged file by its checksum before touching the server' {
        $damaged = Join-Path $TestDrive 'damaged.dump'
        Copy-Item $custom $damaged
        Copy-Item "$custom.sha256" "$damaged.sha256"
        $bytes = [System.IO.File]::ReadAllBytes($damaged)
        $bytes[$bytes.Length - 10] = $bytes[$bytes.Length - 10] -bxor 0xff
        [System.IO.File]::WriteAllBytes($damaged, $bytes)

        # An unreachable server proves the check comes first: the error is the checksum, not the connection.
        Restore-PostgresDatabase $damaged "${prefix}_damaged" -Server "127.0.0.1:$(Get-FreeLoopbackPort)" -Confirm:$false -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "BackupChecksumMismatch,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidData'
    }

    It 'stops at the first SQL error, names its line, and drops the database it created' {
        $broken = Join-Path $TestDrive 'broken.sql'
        Set-Content -LiteralPath $broken -Value "CREATE TABLE items (id int);`nINSERT INTO items VALUES (1);`nINSERT INTO items VALUES ('not a number');`nINSERT INTO items VALUES (3);"

        Restore-PostgresDatabase $broken "${prefix}_broken" @connection -ErrorVariable problems -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "PostgresClientFailed,$commandId"
        $problems[0].ErrorDetails.Message | Should -Match ':3:'
        Test-Database "${prefix}_broken" | Should -BeFalse
    }

    It 'creates nothing with -WhatIf' {
        Restore-PostgresDatabase $custom "${prefix}_whatif" -Server "$($pg.Host):$($pg.Port)" -Credential $pg.Credential -WhatIf

        Test-Database "${prefix}_whatif" | Should -BeFalse
    }

    It 'writes PostgresAuthenticationFailed for a wrong password, without the password' {
        $wrong = [pscredential]::new($pg.User, (ConvertTo-SecureString 'Wr0ng-pgq-Restore' -AsPlainText -Force))

        Restore-PostgresDatabase $custom "${prefix}_auth" -Server "$($pg.Host):$($pg.Port)" -Credential $wrong -Confirm:$false -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "PostgresAuthenticationFailed,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
        ($problems[0] | Out-String) + $problems[0].ErrorDetails.Message | Should -Not -Match 'Wr0ng-pgq-Restore'
    }

    It 'restores a backup piped from Backup-PostgresDatabase' {
        $restore = Backup-PostgresDatabase $source (Join-Path $TestDrive 'piped.dump') @connection |
            Restore-PostgresDatabase -Database "${prefix}_piped" @connection

        $restore.ChecksumVerified | Should -BeTrue
        Get-ItemCount "${prefix}_piped" | Should -Be 250
    }
}
