#Requires -Version 7.4
# Remove-OdooBackup: parameter surface, then retention over backups laid out as the platform lays them out.
# The backups are files in the platform's three-file layout (written here, not by the cmdlets under test).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Odoo.RemoveOdooBackupCommand'

    function New-PlatformBackup {
        param([string] $Directory, [string] $Database, [datetime] $At, [switch] $EmptyData)
        $name = '{0}_{1:yyyyMMdd_HHmmss}' -f $Database, $At
        Set-Content -LiteralPath (Join-Path $Directory "${name}_database.sql") -Value '-- dump' -NoNewline
        if ($EmptyData) { $null = New-Item -ItemType File -Path (Join-Path $Directory "${name}_data.tar.gz") }
        else { Set-Content -LiteralPath (Join-Path $Directory "${name}_data.tar.gz") -Value 'tar' -NoNewline }
        @{ backup_name = $name; instance_name = $Database; database_name = $Database; created_at = $At.ToString('s'); status = 'completed' } |
            ConvertTo-Json | Set-Content -LiteralPath (Join-Path $Directory "${name}_metadata.json")
        $name
    }
}

Describe 'Remove-OdooBackup parameters' {
    BeforeAll {
        $command = Get-Command -Name Remove-OdooBackup
        $surface = Get-ParameterSurface -Command Remove-OdooBackup
    }

    It 'has exactly its documented parameters' {
        $surface.Keys | Sort-Object | Should -Be @('Instance', 'KeepDaily', 'KeepLast', 'KeepMonthly', 'KeepWeekly', 'OlderThan', 'PassThru', 'Path')
        $surface.OlderThan.Type | Should -Be 'System.Nullable`1[System.TimeSpan]'
        $surface.Path.Aliases | Should -Be @('FullName')
    }

    It 'is a high-impact change with -WhatIf' {
        $command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact | Should -Be 'High'
        $command.Parameters.Keys | Should -Contain 'WhatIf'
    }

    It 'stops with RetentionPolicyMissing when no rule is given' {
        { Remove-OdooBackup ([System.IO.Path]::GetTempPath()) -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId "RetentionPolicyMissing,$commandId"
        $error[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $error[0].ErrorDetails.RecommendedAction | Should -BeLike '*-KeepLast*'
    }
}

Describe 'Remove-OdooBackup on backup directories' {
    BeforeEach {
        $directory = Join-Path ([System.IO.Path]::GetTempPath()) ('opsodoo-retention-' + [guid]::NewGuid().ToString('n').Substring(0, 8))
        $null = New-Item -ItemType Directory -Path $directory
        $now = [datetime]::UtcNow
        $acme = 0..9 | ForEach-Object { New-PlatformBackup -Directory $directory -Database odoo_acme -At $now.AddDays(-$_).AddHours(-1) }
        $globex = 0..1 | ForEach-Object { New-PlatformBackup -Directory $directory -Database odoo_globex -At $now.AddDays(-40 - $_) }
    }

    AfterEach {
        Remove-Item -LiteralPath $directory -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'keeps the last N backups of each instance and removes every part of the others' {
        $removed = Remove-OdooBackup $directory -KeepLast 3 -PassThru -Confirm:$false

        $removed.Name | Sort-Object | Should -Be ($acme[3..9] | Sort-Object)
        (Get-OdooBackup $directory).Name | Sort-Object | Should -Be (($acme[0..2] + $globex) | Sort-Object)
        (Get-ChildItem -LiteralPath $directory).Count | Should -Be 15
    }

    It 'removes what is older than -OlderThan but never the only complete backup of an instance' {
        Remove-OdooBackup $directory -OlderThan 5d -Confirm:$false

        $left = Get-OdooBackup $directory
        ($left | Where-Object Database -EQ odoo_acme).Count | Should -Be 5
        ($left | Where-Object Database -EQ odoo_globex).Name | Should -Be $globex[0]
    }

    It 'does not count an incomplete backup as one to keep' {
        $broken = New-PlatformBackup -Directory $directory -Database odoo_acme -At $now -EmptyData

        Remove-OdooBackup $directory -Instance odoo_acme -KeepLast 2 -Confirm:$false

        (Get-OdooBackup $directory -Instance odoo_acme).Name | Should -Be @($acme[0], $acme[1])
        Test-Path -LiteralPath (Join-Path $directory "${broken}_metadata.json") | Should -BeFalse
    }

    It 'changes nothing with -WhatIf' {
        $before = Get-ChildItem -LiteralPath $directory | Sort-Object Name | Select-Object -ExpandProperty Name

        Remove-OdooBackup $directory -KeepLast 1 -WhatIf

        Get-ChildItem -LiteralPath $directory | Sort-Object Name | Select-Object -ExpandProperty Name | Should -Be $before
    }

    It 'writes BackupPathNotFound for a directory that does not exist and goes on' {
        $missing = Join-Path $directory 'nope'

        Remove-OdooBackup $missing, $directory -KeepLast 9 -Confirm:$false -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "BackupPathNotFound,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].TargetObject | Should -Be $missing
        (Get-OdooBackup $directory -Instance odoo_acme).Count | Should -Be 9
    }
}
