#Requires -Version 7.4
# Restore-OdooInstance: parameter surface, then round trips, -Copy/-Neutralize, -Force, zip slip and -WhatIf on the lab.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../Postgres/PostgresTestSupport.psm1') -Force
    $pg = Get-PostgresLabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../Postgres/PostgresTestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'OdooTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Odoo.RestoreOdooInstanceCommand'
}

Describe 'Restore-OdooInstance parameters' {
    BeforeAll {
        $command = Get-Command -Name Restore-OdooInstance
        $surface = Get-ParameterSurface -Command Restore-OdooInstance
    }

    It 'has exactly its documented parameters' {
        $surface.Keys | Sort-Object | Should -Be @('Backup', 'Copy', 'Credential', 'Database', 'FilestorePath', 'Force', 'Neutralize', 'Server')
    }

    It 'takes the backup by position and from the pipeline by its Path' {
        $surface.Backup.Mandatory | Should -BeTrue
        $surface.Backup.Position | Should -Be 0
        $surface.Backup.ValueFromPipelineByPropertyName | Should -BeTrue
        $surface.Backup.Aliases | Should -Be @('Path')
        $surface.Database.Mandatory | Should -BeTrue
    }

    It 'is a high-impact change with -WhatIf and -Confirm' {
        $command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact | Should -Be 'High'
        $command.Parameters.Keys | Should -Contain 'WhatIf'
        $command.OutputType.Name | Should -Be 'OpsTools.Odoo.OdooRestore'
    }
}

Describe 'Restore-OdooInstance against the lab' -Skip:(-not $pg.IsAvailable) {
    BeforeAll {
        $pg = Get-PostgresLabStatus
        $root = Join-Path ([System.IO.Path]::GetTempPath()) ('opsodoo-' + [guid]::NewGuid().ToString('n').Substring(0, 8))
        $acme = New-TestOdooInstance -Lab $pg -Root $root -Name 'acme'
        $backups = Join-Path $root 'backups'
        $null = New-Item -ItemType Directory -Path $backups
        $zip = Backup-OdooInstance -Server $acme.Server -Database $acme.Database -FilestorePath $acme.FilestorePath -Destination $backups -Credential $pg.Credential
        $created = [System.Collections.Generic.List[string]]::new()
        $newName = { $n = 'opsodoo_' + [guid]::NewGuid().ToString('n').Substring(0, 8); $created.Add($n); $n }
        $counts = 'SELECT (SELECT count(*) FROM res_users) || ''/'' || (SELECT count(*) FROM ir_attachment) || ''/'' || (SELECT count(*) FROM mail_message)'
    }

    AfterAll {
        foreach ($name in $created) {
            $null = Invoke-LabPsql -Port $acme.Port -Database postgres -Sql "DROP DATABASE IF EXISTS $name WITH (FORCE)" -AllowFailure
        }
        Remove-TestOdooInstance -Lab $pg -Instance $acme
        Remove-Item -LiteralPath $root -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'restores a zip piped from Get-OdooBackup with the same rows and filestore' {
        $database = & $newName
        $filestore = Join-Path $root "restored/filestore/$database"

        $restored = Get-OdooBackup $zip.Path | Restore-OdooInstance -Server $acme.Server -Database $database -FilestorePath $filestore -Credential $pg.Credential -Confirm:$false

        $restored | Should -BeOfType ([OpsTools.Odoo.OdooRestore])
        $restored.SourceDatabase | Should -Be $acme.Database
        (Invoke-LabPsql -Port $acme.Port -Database $database -Sql $counts).Output | Should -Be (Invoke-LabPsql -Port $acme.Port -Database $acme.Database -Sql $counts).Output
        Get-TestDirectoryDigest $filestore | Should -Be (Get-TestDirectoryDigest $acme.FilestorePath)
    }

    It 'makes a neutralized copy with a new uuid' {
        $database = & $newName

        $restored = Restore-OdooInstance $zip.Path -Server $acme.Server -Database $database -Copy -Neutralize -Credential $pg.Credential -Confirm:$false -WarningAction SilentlyContinue

        $uuid = { param($db) (Invoke-LabPsql -Port $acme.Port -Database $db -Sql "SELECT value FROM ir_config_parameter WHERE key = 'database.uuid'").Output }
        & $uuid $database | Should -Not -Be (& $uuid $acme.Database)
        $restored.DatabaseUuid | Should -Be (& $uuid $database)
        (Invoke-LabPsql -Port $acme.Port -Database $database -Sql 'SELECT count(*) FROM ir_mail_server WHERE active').Output | Should -Be '0'
        $restored.Copied | Should -BeTrue
        $restored.Neutralized | Should -BeTrue
    }

    It 'refuses an existing database with DatabaseExists and leaves it alone' {
        $database = & $newName
        $null = Invoke-LabPsql -Port $acme.Port -Database postgres -Sql "CREATE DATABASE $database"
        $null = Invoke-LabPsql -Port $acme.Port -Database $database -Sql 'CREATE TABLE keep_me (id int)'

        $result = Restore-OdooInstance $zip.Path -Server $acme.Server -Database $database -Credential $pg.Credential -Confirm:$false -ErrorVariable problems -ErrorAction SilentlyContinue

        $result | Should -BeNullOrEmpty
        $problems[0].FullyQualifiedErrorId | Should -Be "DatabaseExists,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        $problems[0].TargetObject | Should -Be $database
        (Invoke-LabPsql -Port $acme.Port -Database $database -Sql "SELECT to_regclass('keep_me') IS NOT NULL").Output | Should -Be 't'
    }

    It 'changes nothing with -WhatIf, even with -Force' {
        $database = & $newName
        $null = Invoke-LabPsql -Port $acme.Port -Database postgres -Sql "CREATE DATABASE $database"
        $null = Invoke-LabPsql -Port $acme.Port -Database $database -Sql 'CREATE TABLE keep_me (id int)'

        $result = Restore-OdooInstance $zip.Path -Server $acme.Server -Database $database -Force -Credential $pg.Credential -WhatIf

        $result | Should -BeNullOrEmpty
        (Invoke-LabPsql -Port $acme.Port -Database $database -Sql "SELECT to_regclass('keep_me') IS NOT NULL").Output | Should -Be 't'
    }

    It 'rejects a zip with a <Kind> entry and writes nothing' -ForEach @(
        @{ Kind = '../'; Entry = 'filestore/../../../escaped-by-zip.txt' }
        @{ Kind = 'absolute'; Entry = '/tmp/opsodoo-escaped-by-zip.txt' }
    ) {
        $evil = Join-Path $root "evil_$([guid]::NewGuid().ToString('n').Substring(0, 6)).zip"
        $stream = [System.IO.File]::Create($evil)
        $archive = [System.IO.Compression.ZipArchive]::new($stream, [System.IO.Compression.ZipArchiveMode]::Create)
        foreach ($name in 'dump.sql', 'manifest.json', $Entry) {
            $writer = [System.IO.StreamWriter]::new($archive.CreateEntry($name).Open())
            $writer.Write($(if ($name -eq 'manifest.json') { '{"odoo_dump": "1", "db_name": "evil"}' } else { 'CREATE TABLE ir_module_module (id int);' }))
            $writer.Dispose()
        }
        $archive.Dispose(); $stream.Dispose()
        $database = & $newName
        $target = Join-Path $root "slip-$database"

        $result = Restore-OdooInstance $evil -Server $acme.Server -Database $database -FilestorePath (Join-Path $target 'filestore') -Credential $pg.Credential -Confirm:$false -ErrorVariable problems -ErrorAction SilentlyContinue

        $result | Should -BeNullOrEmpty
        $problems[0].FullyQualifiedErrorId | Should -Be "BackupEntryUnsafe,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $problems[0].TargetObject | Should -Be $Entry
        (Invoke-LabPsql -Port $acme.Port -Database postgres -Sql "SELECT count(*) FROM pg_database WHERE datname = '$database'").Output | Should -Be '0'
        Test-Path -LiteralPath $target | Should -BeFalse
        Test-Path -LiteralPath '/tmp/opsodoo-escaped-by-zip.txt' | Should -BeFalse
        Test-Path -LiteralPath (Join-Path ([System.IO.Path]::GetTempPath()) 'escaped-by-zip.txt') | Should -BeFalse
    }
}
