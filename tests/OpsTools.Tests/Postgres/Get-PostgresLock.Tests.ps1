#Requires -Version 7.4
# Get-PostgresLock: parameter surface, then a real lock wait between two psql sessions.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'PostgresTestSupport.psm1') -Force
    $pg = Get-PostgresLabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'PostgresTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Postgres.GetPostgresLockCommand'
}

Describe 'Get-PostgresLock parameters' {
    BeforeAll {
        $surface = Get-ParameterSurface -Command Get-PostgresLock
    }

    It 'has exactly the parameters Server, Database and Credential' {
        $surface.Keys | Sort-Object | Should -Be @('Credential', 'Database', 'Server')
    }

    It 'takes the server at position 0 and by property name' {
        $surface.Server.Position | Should -Be 0
        $surface.Server.ValueFromPipelineByPropertyName | Should -BeTrue
        (Get-Command Get-PostgresLock).OutputType.Name | Should -Be 'OpsTools.Postgres.PostgresLockWait'
    }
}

Describe 'Get-PostgresLock against the lab' -Skip:(-not $pg.IsAvailable) {
    BeforeAll {
        $pg = Get-PostgresLabStatus
        $port = $pg.PoolPorts[0]
        $server = "$($pg.Host):$port"
        $table = 'locktest_' + [guid]::NewGuid().ToString('n').Substring(0, 6)
        $null = Invoke-LabPsql -Port $port -Database postgres -Sql "CREATE TABLE $table (id int PRIMARY KEY, v int); INSERT INTO $table VALUES (1, 0)"
        $blockerApp = "$table-blocker"
        $waiterApp = "$table-waiter"
        $null = Start-HeldSession -Lab $pg -Port $port -Database postgres -ApplicationName $blockerApp -Sql "BEGIN; UPDATE $table SET v = 1 WHERE id = 1;"
        $blocker = Get-LabBackendPid -Lab $pg -Port $port -ApplicationName $blockerApp -State 'idle in transaction'
        $null = Start-HeldSession -Lab $pg -Port $port -Database postgres -ApplicationName $waiterApp -Sql "UPDATE $table SET v = 2 WHERE id = 1;"
        $waiter = Get-LabBackendPid -Lab $pg -Port $port -ApplicationName $waiterApp -WaitEventType Lock
    }

    AfterAll {
        Stop-HeldSession
        $null = Invoke-LabPsql -Port $port -Database postgres -Sql "DROP TABLE IF EXISTS $table" -AllowFailure
    }

    It 'pairs the waiting session with the one that blocks it, with both queries' {
        $wait = Get-PostgresLock $server -Credential $pg.Credential | Where-Object BlockedPid -EQ $waiter

        $wait | Should -BeOfType ([OpsTools.Postgres.PostgresLockWait])
        $wait.BlockingPid | Should -Be $blocker
        $wait.BlockingState | Should -Be IdleInTransaction
        $wait.BlockingIsWaiting | Should -BeFalse
        $wait.LockType | Should -Be 'transactionid'
        $wait.BlockedQuery | Should -Match 'SET v = 2'
        $wait.BlockingQuery | Should -Match 'SET v = 1'
        $wait.BlockedApplicationName | Should -Be $waiterApp
    }

    It 'keeps to the databases given with -Database' {
        Get-PostgresLock $server -Credential $pg.Credential -Database 'no_such_db*' | Should -BeNullOrEmpty
        (Get-PostgresLock $server -Credential $pg.Credential -Database 'post*').BlockedPid | Should -Contain $waiter
    }

    It 'renders a table of blocked and blocking sessions' {
        $text = Get-PostgresLock $server -Credential $pg.Credential | Where-Object BlockedPid -EQ $waiter | Format-Table | Out-String -Width 250

        $text | Should -Match 'BLOCKED\s+WAITING\s+LOCK\s+RELATION\s+BLOCKING'
        $text | Should -Match "$waiter\s+\S+\s+transactionid ShareLock\s+$blocker"
    }

    It 'stops with PostgresAuthenticationFailed for a wrong password' {
        $wrong = [pscredential]::new($pg.User, (ConvertTo-SecureString 'Wrong-Lock-Secret' -AsPlainText -Force))

        { Get-PostgresLock $server -Credential $wrong -ErrorAction Stop } | Should -Throw -ErrorId "PostgresAuthenticationFailed,$commandId"
        $error[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
    }

    It 'hands the blocker to Stop-PostgresSession by pipeline, which lets the waiter finish' {
        Get-PostgresLock $server -Credential $pg.Credential | Where-Object BlockedPid -EQ $waiter |
            Stop-PostgresSession -Credential $pg.Credential -Confirm:$false

        $null = Wait-Until -TimeoutSeconds 10 -Because 'the waiting update ran' -Condition {
            (Invoke-LabPsql -Port $port -Database postgres -Sql "SELECT v FROM $table WHERE id = 1").Output[0] -eq '2'
        }
        Get-PostgresLock $server -Credential $pg.Credential | Where-Object BlockedPid -EQ $waiter | Should -BeNullOrEmpty
    }
}
