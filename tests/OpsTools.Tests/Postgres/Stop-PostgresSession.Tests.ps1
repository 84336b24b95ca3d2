#Requires -Version 7.4
# Stop-PostgresSession: parameter surface, then terminating sessions held open by psql.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'PostgresTestSupport.psm1') -Force
    $pg = Get-PostgresLabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'PostgresTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Postgres.StopPostgresSessionCommand'
}

Describe 'Stop-PostgresSession parameters' {
    BeforeAll {
        $command = Get-Command -Name Stop-PostgresSession
        $surface = Get-ParameterSurface -Command Stop-PostgresSession
    }

    It 'has exactly the parameters Server, ProcessId, Database, PassThru and Credential, plus WhatIf and Confirm' {
        $surface.Keys | Sort-Object | Should -Be @('Credential', 'Database', 'PassThru', 'ProcessId', 'Server')
        $command.Parameters.Keys | Should -Contain 'WhatIf'
        $command.Parameters.Keys | Should -Contain 'Confirm'
    }

    It 'takes process ids at position 1 and by ProcessId, Pid or BlockingPid from the pipeline' {
        $surface.ProcessId.Type | Should -Be 'System.Int32[]'
        $surface.ProcessId.Position | Should -Be 1
        $surface.ProcessId.Mandatory | Should -BeTrue
        $surface.ProcessId.ValueFromPipelineByPropertyName | Should -BeTrue
        $surface.ProcessId.Aliases -join ',' | Should -Be 'BlockingPid,Pid'
        $command.DefaultParameterSet | Should -Be 'ProcessId'
    }

    It 'has a High impact, so it asks unless told not to' {
        $attribute = $command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]
        $attribute.ConfirmImpact | Should -Be 'High'
    }

    It 'refuses process id 0 with ParameterArgumentValidationError' {
        { Stop-PostgresSession localhost 0 -Confirm:$false } | Should -Throw -ErrorId "ParameterArgumentValidationError,$commandId"
    }
}

Describe 'Stop-PostgresSession against the lab' -Skip:(-not $pg.IsAvailable) {
    BeforeAll {
        $pg = Get-PostgresLabStatus
        $port = $pg.PoolPorts[1]
        $server = "$($pg.Host):$port"
        $database = 'odoo_s' + [guid]::NewGuid().ToString('n').Substring(0, 6)
        $null = Invoke-LabPsql -Port $port -Database postgres -Sql "CREATE DATABASE $database"
        function Start-Victim([string] $Name, [string] $Db = 'postgres') {
            $null = Start-HeldSession -Lab $pg -Port $port -Database $Db -ApplicationName $Name -Sql 'BEGIN; SELECT 1;'
            Get-LabBackendPid -Lab $pg -Port $port -ApplicationName $Name -State 'idle in transaction'
        }
        function Test-Alive([int] $ProcessId) {
            [bool](Invoke-LabPsql -Port $port -Database postgres -Sql "SELECT 1 FROM pg_stat_activity WHERE pid = $ProcessId").Output
        }
    }

    AfterAll {
        Stop-HeldSession
        $null = Invoke-LabPsql -Port $port -Database postgres -Sql "DROP DATABASE IF EXISTS $database WITH (FORCE)" -AllowFailure
    }

    It 'leaves the session alone with -WhatIf' {
        $victim = Start-Victim "$database-whatif"

        Stop-PostgresSession $server $victim -Credential $pg.Credential -WhatIf

        Test-Alive $victim | Should -BeTrue
    }

    It 'terminates a session by process id and returns it with -PassThru' {
        $victim = Start-Victim "$database-pid"

        $stopped = Stop-PostgresSession $server $victim -Credential $pg.Credential -PassThru -Confirm:$false

        $stopped.ProcessId | Should -Be $victim
        $stopped.State | Should -Be IdleInTransaction
        Test-Alive $victim | Should -BeFalse
    }

    It 'terminates the sessions piped from Get-PostgresActivity' {
        $victim = Start-Victim "$database-piped"

        Get-PostgresActivity $server -Credential $pg.Credential | Where-Object ApplicationName -EQ "$database-piped" |
            Stop-PostgresSession -Credential $pg.Credential -Confirm:$false

        Test-Alive $victim | Should -BeFalse
    }

    It 'terminates every session of a database with -Database and no other' {
        $inside = Start-Victim "$database-inside" $database
        $outside = Start-Victim "$database-outside"

        Stop-PostgresSession $server -Database $database -Credential $pg.Credential -Confirm:$false

        Test-Alive $inside | Should -BeFalse
        Test-Alive $outside | Should -BeTrue
    }

    It 'writes PostgresSessionNotFound for a process id that is no session, and goes on' {
        $victim = Start-Victim "$database-goeson"

        Stop-PostgresSession $server 999999, $victim -Credential $pg.Credential -Confirm:$false -ErrorVariable failed -ErrorAction SilentlyContinue

        $failed | Should -HaveCount 1
        $failed[0].FullyQualifiedErrorId | Should -Be "PostgresSessionNotFound,$commandId"
        $failed[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failed[0].TargetObject | Should -Be 999999
        Test-Alive $victim | Should -BeFalse
    }
}
