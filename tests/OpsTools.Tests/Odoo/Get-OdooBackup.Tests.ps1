#Requires -Version 7.4
# Get-OdooBackup: parameter surface, then listings of backups written by Backup-OdooInstance and by the platform.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../Postgres/PostgresTestSupport.psm1') -Force
    $pg = Get-PostgresLabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../Postgres/PostgresTestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'OdooTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Odoo.GetOdooBackupCommand'
}

Describe 'Get-OdooBackup parameters' {
    BeforeAll {
        $command = Get-Command -Name Get-OdooBackup
        $surface = Get-ParameterSurface -Command Get-OdooBackup
    }

    It 'has exactly the parameters Path, Instance and Incomplete' {
        $surface.Keys | Sort-Object | Should -Be @('Incomplete', 'Instance', 'Path')
    }

    It 'takes paths by position and from the pipeline, FullName included' {
        $surface.Path.Mandatory | Should -BeTrue
        $surface.Path.Position | Should -Be 0
        $surface.Path.ValueFromPipeline | Should -BeTrue
        $surface.Path.Aliases | Should -Be @('FullName')
        $surface.Instance.SupportsWildcards | Should -BeTrue
        $command.OutputType.Name | Should -Be 'OpsTools.Odoo.OdooBackup'
    }

    It 'writes BackupPathNotFound for a directory that does not exist' {
        $missing = Join-Path ([System.IO.Path]::GetTempPath()) ('opsodoo-missing-' + [guid]::NewGuid().ToString('n'))

        $result = Get-OdooBackup $missing -ErrorVariable problems -ErrorAction SilentlyContinue

        $result | Should -BeNullOrEmpty
        $problems[0].FullyQualifiedErrorId | Should -Be "BackupPathNotFound,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].TargetObject | Should -Be $missing
    }
}

Describe 'Get-OdooBackup against the lab' -Skip:(-not $pg.IsAvailable) {
    BeforeAll {
        $pg = Get-PostgresLabStatus
        $root = Join-Path ([System.IO.Path]::GetTempPath()) ('opsodoo-' + [guid]::NewGuid().ToString('n').Substring(0, 8))
        $acme = New-TestOdooInstance -Lab $pg -Root $root -Name 'acme'
        $backups = Join-Path $root 'backups'
        $null = New-Item -ItemType Directory -Path $backups
        $zip = Backup-OdooInstance -Server $acme.Server -Database $acme.Database -FilestorePath $acme.FilestorePath -Destination $backups -Instance acme -Credential $pg.Credential
        Start-Sleep -Seconds 1.1
        $dump = Backup-OdooInstance -Server $acme.Server -Database $acme.Database -FilestorePath $acme.FilestorePath -Destination $backups -Instance acme -Format Dump -Credential $pg.Credential
        # What the platform's task leaves when tar fails: an empty data archive recorded as completed.
        $old = 'odoo_legacy_20250101_020000'
        Set-Content -LiteralPath (Join-Path $backups "${old}_database.sql") -Value '-- dump'
        $null = New-Item -ItemType File -Path (Join-Path $backups "${old}_data.tar.gz")
        @{ backup_name = $old; instance_name = 'legacy'; database_name = 'odoo_legacy'; created_at = '2025-01-01T02:00:00'; database_size = 8; data_size = 0; status = 'completed' } |
            ConvertTo-Json | Set-Content -LiteralPath (Join-Path $backups "${old}_metadata.json")
    }

    AfterAll {
        Remove-TestOdooInstance -Lab $pg -Instance $acme
        Remove-Item -LiteralPath $root -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'lists every backup newest first, the platform''s included' {
        $listed = Get-OdooBackup $backups

        $listed.Format | Should -Be @('Dump', 'Zip', 'Platform')
        $listed[0].Path | Should -Be $dump.Path
        $listed[1].Path | Should -Be $zip.Path
        $listed[0].Age | Should -BeLessThan $listed[1].Age
        $listed[2].Instance | Should -Be 'legacy'
    }

    It 'flags the empty data archive instead of hiding it' {
        $legacy = Get-OdooBackup $backups -Incomplete

        $legacy.Name | Should -Be 'odoo_legacy_20250101_020000'
        $legacy.IsComplete | Should -BeFalse
        $legacy.Problems | Should -Contain 'odoo_legacy_20250101_020000_data.tar.gz is empty'
    }

    It 'filters by instance with wildcards and takes paths from Get-ChildItem' {
        (Get-OdooBackup $backups -Instance 'ac*').Format | Should -Be @('Dump', 'Zip')
        (Get-Item $zip.Path | Get-OdooBackup).DatabaseSha256 | Should -Be $zip.DatabaseSha256
    }

    It 'shows a table with age and completeness' {
        $table = Get-OdooBackup $backups | Format-Table | Out-String -Width 300

        $table | Should -Match 'NAME\s+FORMAT\s+AGE\s+SIZE\s+COMPLETE'
        $table | Should -Match 'odoo_legacy_20250101_020000\s+Platform.*NO'
    }
}
