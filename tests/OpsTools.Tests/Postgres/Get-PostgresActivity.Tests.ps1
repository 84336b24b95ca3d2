#Requires -Version 7.4
# Get-PostgresActivity: parameter surface, then sessions held open by psql on a lab server.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'PostgresTestSupport.psm1') -Force
    $pg = Get-PostgresLabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'PostgresTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Postgres.GetPostgresActivityCommand'
}

Describe 'Get-PostgresActivity parameters' {
    BeforeAll {
        $command = Get-Command -Name Get-PostgresActivity
        $surface = Get-ParameterSurface -Command Get-PostgresActivity
    }

    It 'has exactly the parameters Server, Database, State, MinimumDuration, Summary and Credential' {
        $surface.Keys | Sort-Object | Should -Be @('Credential', 'Database', 'MinimumDuration', 'Server', 'State', 'Summary')
    }

    It 'has the parameter sets Session (default) and Summary' {
        $command.DefaultParameterSet | Should -Be 'Session'
        $command.ParameterSets.Name | Sort-Object | Should -Be @('Session', 'Summary')
    }

    It 'takes the server at position 0 and by the Server property of piped objects' {
        $surface.Server.Type | Should -Be 'System.String'
        $surface.Server.Position | Should -Be 0
        $surface.Server.ValueFromPipelineByPropertyName | Should -BeTrue
        $surface.Server.ValueFromPipeline | Should -BeFalse
        $surface.MinimumDuration.Type | Should -Be 'System.Nullable`1[System.TimeSpan]'
        $surface.Database.SupportsWildcards | Should -BeTrue
    }

    It 'refuses a -MinimumDuration that is no duration with ParameterArgumentTransformationError' {
        { Get-PostgresActivity localhost -MinimumDuration 'soon' } | Should -Throw -ErrorId "ParameterArgumentTransformationError,$commandId"
        $error[0].CategoryInfo.Category | Should -Be 'InvalidData'
    }

    It 'stops with PostgresUnreachable when nothing listens at the server' {
        { Get-PostgresActivity "127.0.0.1:$(Get-FreeLoopbackPort)" -ErrorAction Stop } | Should -Throw -ErrorId "PostgresUnreachable,$commandId"
        $error[0].CategoryInfo.Category | Should -Be 'ConnectionError'
    }
}

Describe 'Get-PostgresActivity against the lab' -Skip:(-not $pg.IsAvailable) {
    BeforeAll {
        $pg = Get-PostgresLabStatus
        $server = "$($pg.Host):$($pg.PoolPorts[0])"
        $app = 'opstools-test-' + [guid]::NewGuid().ToString('n').Substring(0, 6)
        $null = Start-HeldSession -Lab $pg -Port $pg.PoolPorts[0] -Database postgres -ApplicationName $app -Sql 'BEGIN; SELECT 42;'
        $held = Get-LabBackendPid -Lab $pg -Port $pg.PoolPorts[0] -ApplicationName $app -State 'idle in transaction'
        Start-Sleep -Milliseconds 1200
    }

    AfterAll {
        Stop-HeldSession
    }

    It 'returns the sessions of pg_stat_activity as objects' {
        $session = Get-PostgresActivity $server -Credential $pg.Credential | Where-Object ProcessId -EQ $held

        $session | Should -BeOfType ([OpsTools.Postgres.PostgresSession])
        $session.State | Should -Be IdleInTransaction
        $session.ApplicationName | Should -Be $app
        $session.Database | Should -Be 'postgres'
        $session.Query | Should -Match 'SELECT 42'
        $session.Server | Should -Be $server
        $session.Duration.TotalSeconds | Should -BeGreaterOrEqual 1
    }

    It 'keeps to long idle transactions with -State and -MinimumDuration' {
        (Get-PostgresActivity $server -Credential $pg.Credential -State IdleInTransaction -MinimumDuration 1s).ProcessId | Should -Contain $held
        (Get-PostgresActivity $server -Credential $pg.Credential -State IdleInTransaction -MinimumDuration 1h).ProcessId | Should -Not -Contain $held
        (Get-PostgresActivity $server -Credential $pg.Credential -State Active).ProcessId | Should -Not -Contain $held
    }

    It 'leaves out its own session' {
        $sessions = Get-PostgresActivity $server -Credential $pg.Credential
        $sessions.ApplicationName | Should -Not -Contain 'OpsTools'
    }

    It 'counts connections per database against max_connections with -Summary' {
        $summary = Get-PostgresActivity $server -Credential $pg.Credential -Summary -Database postgres

        $summary | Should -BeOfType ([OpsTools.Postgres.PostgresDatabaseActivity])
        $summary.Connections | Should -BeGreaterOrEqual 1
        $summary.IdleInTransaction | Should -BeGreaterOrEqual 1
        $summary.MaxConnections | Should -Be 60
        $summary.PercentOfMaxConnections | Should -Be ([math]::Round($summary.Connections * 100 / 60, 1))
    }

    It 'uses PGPASSWORD when no credential is given, and never shows the password' {
        $saved = $env:PGPASSWORD, $env:PGUSER
        $env:PGPASSWORD, $env:PGUSER = $pg.Password, $pg.User
        try {
            $all = Get-PostgresActivity $server -Verbose *>&1 | Out-String
        }
        finally {
            $env:PGPASSWORD, $env:PGUSER = $saved
        }

        $all | Should -Match 'password: from PGPASSWORD'
        $all | Should -Not -Match ([regex]::Escape($pg.Password))
    }

    It 'renders sessions like psql users read pg_stat_activity' {
        $table = Get-PostgresActivity $server -Credential $pg.Credential | Where-Object ProcessId -EQ $held | Format-Table | Out-String -Width 250

        $table | Should -Match 'PID\s+DATABASE\s+USER\s+STATE\s+DURATION'
        $table | Should -Match "$held\s+postgres\s+postgres\s+IdleInTransaction"
    }
}
