#Requires -Version 7.4
# Test-OdooBackup: parameter surface, then verdicts on good and broken backups of a lab database.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../Postgres/PostgresTestSupport.psm1') -Force
    $pg = Get-PostgresLabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../Postgres/PostgresTestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'OdooTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Odoo.TestOdooBackupCommand'
}

Describe 'Test-OdooBackup parameters' {
    BeforeAll {
        $command = Get-Command -Name Test-OdooBackup
        $surface = Get-ParameterSurface -Command Test-OdooBackup
    }

    It 'has exactly the parameters Backup, Server, ScratchDirectory and Credential' {
        $surface.Keys | Sort-Object | Should -Be @('Backup', 'Credential', 'ScratchDirectory', 'Server')
        $surface.Backup.Type | Should -Be 'System.String[]'
        $surface.Backup.Position | Should -Be 0
        $surface.Backup.ValueFromPipelineByPropertyName | Should -BeTrue
        $surface.Backup.Aliases | Should -Be @('Path')
        $command.OutputType.Name | Should -Be 'OpsTools.Odoo.OdooBackupTest'
    }
}

Describe 'Test-OdooBackup against the lab' -Skip:(-not $pg.IsAvailable) {
    BeforeAll {
        $pg = Get-PostgresLabStatus
        $root = Join-Path ([System.IO.Path]::GetTempPath()) ('opsodoo-' + [guid]::NewGuid().ToString('n').Substring(0, 8))
        $acme = New-TestOdooInstance -Lab $pg -Root $root -Name 'acme'
        $backups = Join-Path $root 'backups'
        $scratch = Join-Path $root 'scratch'
        $null = New-Item -ItemType Directory -Path $backups, $scratch
        $zip = Backup-OdooInstance -Server $acme.Server -Database $acme.Database -FilestorePath $acme.FilestorePath -Destination $backups -Credential $pg.Credential
        Start-Sleep -Seconds 1.1
        $dump = Backup-OdooInstance -Server $acme.Server -Database $acme.Database -FilestorePath $acme.FilestorePath -Destination $backups -Format Dump -Credential $pg.Credential
        Remove-Item -LiteralPath ($dump.Parts | Where-Object Role -EQ Filestore).Path
    }

    AfterAll {
        Remove-TestOdooInstance -Lab $pg -Instance $acme
        Remove-Item -LiteralPath $root -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'passes a good backup on every check and drops its scratch database' {
        $verdict = Test-OdooBackup $zip.Path -Server $acme.Server -ScratchDirectory $scratch -Credential $pg.Credential

        $verdict | Should -BeOfType ([OpsTools.Odoo.OdooBackupTest])
        $verdict.Passed | Should -BeTrue
        $verdict.Checks.Name | Should -Be @('Complete', 'Restore', 'DatabaseOpens', 'CoreTables', 'Filestore', 'Checksums')
        $verdict.Checks.Passed | Should -Not -Contain $false
        $verdict.AttachmentsChecked | Should -Be (Get-ChildItem -LiteralPath $acme.FilestorePath -Recurse -File).Count
        (Invoke-LabPsql -Port $acme.Port -Database postgres -Sql "SELECT count(*) FROM pg_database WHERE datname = '$($verdict.ScratchDatabase)'").Output | Should -Be '0'
        Get-ChildItem -LiteralPath $scratch -Force | Should -BeNullOrEmpty
    }

    It 'gives one verdict per backup piped from Get-OdooBackup, failing the one with a missing part' {
        $verdicts = Get-OdooBackup $backups | Test-OdooBackup -Server $acme.Server -ScratchDirectory $scratch -Credential $pg.Credential

        $verdicts.Format | Should -Be @('Dump', 'Zip')
        $verdicts.Passed | Should -Be @($false, $true)
        $verdicts[0].FailureReason | Should -BeLike 'Complete: *filestore.tar.gz is missing*'
        ($verdicts | Format-Table | Out-String) | Should -Match 'NAME\s+FORMAT\s+PASSED'
    }

    It 'writes BackupPathNotFound for a path that does not exist' {
        $missing = Join-Path $root 'nope.zip'

        $result = Test-OdooBackup $missing -Server $acme.Server -Credential $pg.Credential -ErrorVariable problems -ErrorAction SilentlyContinue

        $result | Should -BeNullOrEmpty
        $problems[0].FullyQualifiedErrorId | Should -Be "BackupPathNotFound,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].TargetObject | Should -Be $missing
    }
}
