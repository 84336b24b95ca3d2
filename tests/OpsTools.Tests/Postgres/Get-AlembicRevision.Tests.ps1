#Requires -Version 7.4
# Get-AlembicRevision: parameter surface, then a version table of a database of its own against
# small Alembic version folders written by the test.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'PostgresTestSupport.psm1') -Force
    $pg = Get-PostgresLabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'PostgresTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Postgres.GetAlembicRevisionCommand'

    function New-VersionsFolder([string] $Name, [hashtable] $Revisions) {
        $versions = Join-Path $TestDrive "$Name/versions"
        $null = New-Item -ItemType Directory -Path $versions -Force
        foreach ($revision in $Revisions.Keys) {
            $down = $Revisions[$revision]
            Set-Content -LiteralPath (Join-Path $versions "$revision.py") -Value @"
"""$revision"""
from alembic import op

revision = '$revision'
down_revision = $down
branch_labels = None


def upgrade():
    pass
"@
        }
        Split-Path $versions
    }
}

Describe 'Get-AlembicRevision parameters' {
    It 'has exactly the parameters Database, Server, ScriptLocation, VersionTable and Credential' {
        $surface = Get-ParameterSurface -Command Get-AlembicRevision

        $surface.Keys | Sort-Object | Should -Be @('Credential', 'Database', 'ScriptLocation', 'Server', 'VersionTable')
        $surface.Database.Position | Should -Be 0
        $surface.Database.Mandatory | Should -BeTrue
    }

    It 'stops with PostgresUnreachable when nothing listens at the server' {
        { Get-AlembicRevision app -Server "127.0.0.1:$(Get-FreeLoopbackPort)" } | Should -Throw -ErrorId "PostgresUnreachable,$commandId"
        $error[0].CategoryInfo.Category | Should -Be 'ConnectionError'
    }
}

Describe 'Get-AlembicRevision against the lab' -Skip:(-not $pg.IsAvailable) {
    BeforeAll {
        $pg = Get-PostgresLabStatus
        $database = 'opstools_pgq_alembic_' + [guid]::NewGuid().ToString('n').Substring(0, 8)
        $null = Invoke-LabPsql -Port $pg.Port -Database postgres -Sql "CREATE DATABASE $database"
        $connection = @{ Server = "$($pg.Host):$($pg.Port)"; Database = $database; Credential = $pg.Credential }
        $linear = New-VersionsFolder linear @{ a1 = 'None'; b2 = "'a1'"; c3 = "'b2'" }
        $split = New-VersionsFolder split @{ a1 = 'None'; b2 = "'a1'"; x9 = "'a1'" }
        $merged = New-VersionsFolder merged @{ a1 = 'None'; b2 = "'a1'"; x9 = "'a1'"; m5 = "('b2', 'x9')" }
        function Set-Revision([string[]] $Revision) {
            $values = ($Revision | ForEach-Object { "('$_')" }) -join ', '
            $null = Invoke-LabPsql -Port $pg.Port -Database $database -Sql "CREATE TABLE IF NOT EXISTS alembic_version (version_num varchar(32) PRIMARY KEY); TRUNCATE alembic_version; INSERT INTO alembic_version VALUES $values;"
        }
    }

    AfterAll {
        $null = Invoke-LabPsql -Port $pg.Port -Database postgres -Sql "DROP DATABASE IF EXISTS $database WITH (FORCE)" -AllowFailure
    }

    It 'reports NotInitialized when the version table does not exist' {
        $revision = Get-AlembicRevision @connection -ScriptLocation $linear

        $revision.State | Should -Be NotInitialized
        $revision.Current | Should -BeNullOrEmpty
        $revision.Pending | Should -Be @('a1', 'b2', 'c3')
    }

    It 'reports Behind with the pending revisions in order' {
        Set-Revision a1

        $revision = Get-AlembicRevision @connection -ScriptLocation $linear

        $revision | Should -BeOfType ([OpsTools.Postgres.AlembicRevision])
        $revision.State | Should -Be Behind
        $revision.Current | Should -Be 'a1'
        $revision.Heads | Should -Be 'c3'
        $revision.Pending | Should -Be @('b2', 'c3')
        ($revision | Format-Table | Out-String) | Should -Match 'Behind'
    }

    It 'reports UpToDate at the head, and the current revision alone without scripts' {
        Set-Revision c3

        (Get-AlembicRevision @connection -ScriptLocation $linear).State | Should -Be UpToDate
        $alone = Get-AlembicRevision @connection
        $alone.State | Should -Be NotChecked
        $alone.Current | Should -Be 'c3'
    }

    It 'reports Unknown for a revision no script defines, with a warning' {
        Set-Revision ffff0000

        $revision = Get-AlembicRevision @connection -ScriptLocation $linear -WarningVariable warnings -WarningAction SilentlyContinue

        $revision.State | Should -Be Unknown
        $revision.UnknownRevisions | Should -Be 'ffff0000'
        $warnings[0] | Should -Match 'ffff0000'
    }

    It 'reports two heads as MultipleHeads naming both, never a crash' {
        Set-Revision b2

        $revision = Get-AlembicRevision @connection -ScriptLocation $split -WarningVariable warnings -WarningAction SilentlyContinue

        $revision.State | Should -Be MultipleHeads
        $revision.Heads | Should -Be @('b2', 'x9')
        $warnings[0] | Should -Match 'b2, x9'
    }

    It 'follows a merge revision (down_revision as a tuple)' {
        Set-Revision b2

        $revision = Get-AlembicRevision @connection -ScriptLocation $merged

        $revision.State | Should -Be Behind
        $revision.Heads | Should -Be 'm5'
        $revision.Pending | Should -Be @('x9', 'm5')
    }

    It 'stops with AlembicScriptsNotFound for a script folder that does not exist' {
        { Get-AlembicRevision @connection -ScriptLocation (Join-Path $TestDrive 'nowhere') } | Should -Throw -ErrorId "AlembicScriptsNotFound,$commandId"
        $error[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}
