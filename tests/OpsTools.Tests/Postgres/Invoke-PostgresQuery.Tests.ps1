#Requires -Version 7.4
# Invoke-PostgresQuery: parameter surface, then typed rows, bound parameters, result kinds,
# timeouts and SQL errors against a database of its own on the lab's platform server.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'PostgresTestSupport.psm1') -Force
    $pg = Get-PostgresLabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'PostgresTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Postgres.InvokePostgresQueryCommand'
}

Describe 'Invoke-PostgresQuery parameters' {
    BeforeAll {
        $command = Get-Command -Name Invoke-PostgresQuery
        $surface = Get-ParameterSurface -Command Invoke-PostgresQuery
    }

    It 'has exactly the parameters Query, File, Server, Database, Parameters, As, Timeout and Credential' {
        $surface.Keys | Sort-Object | Should -Be @('As', 'Credential', 'Database', 'File', 'Parameters', 'Query', 'Server', 'Timeout')
    }

    It 'has the parameter sets Query (default) and File, and supports -WhatIf' {
        $command.DefaultParameterSet | Should -Be 'Query'
        $command.ParameterSets.Name | Sort-Object | Should -Be @('File', 'Query')
        $command.Parameters.Keys | Should -Contain 'WhatIf'
    }

    It 'takes the query at position 0 and from the pipeline' {
        $surface.Query.Position | Should -Be 0
        $surface.Query.ValueFromPipeline | Should -BeTrue
        $surface.Parameters.Type | Should -Be 'System.Collections.IDictionary'
        $surface.Timeout.Type | Should -Be 'System.Nullable`1[System.TimeSpan]'
    }

    It 'stops with PostgresUnreachable when nothing listens at the server' {
        { Invoke-PostgresQuery 'SELECT 1' -Server "127.0.0.1:$(Get-FreeLoopbackPort)" -ErrorAction Stop } | Should -Throw -ErrorId "PostgresUnreachable,$commandId"
        $error[0].CategoryInfo.Category | Should -Be 'ConnectionError'
    }

    It 'stops with QueryFileNotFound for a -File that does not exist' {
        { Invoke-PostgresQuery -File (Join-Path $TestDrive 'missing.sql') -Server 127.0.0.1:1 } | Should -Throw -ErrorId "QueryFileNotFound,$commandId"
        $error[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}

Describe 'Invoke-PostgresQuery against the lab' -Skip:(-not $pg.IsAvailable) {
    BeforeAll {
        $pg = Get-PostgresLabStatus
        $database = 'opstools_pgq_q_' + [guid]::NewGuid().ToString('n').Substring(0, 8)
        $null = Invoke-LabPsql -Port $pg.Port -Database postgres -Sql "CREATE DATABASE $database"
        $null = Invoke-LabPsql -Port $pg.Port -Database $database -Sql "CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL); INSERT INTO items VALUES (1, 'one'), (2, 'two'), (3, 'three');"
        $server = "$($pg.Host):$($pg.Port)"
        $connection = @{ Server = $server; Database = $database; Credential = $pg.Credential }
    }

    AfterAll {
        $null = Invoke-LabPsql -Port $pg.Port -Database postgres -Sql "DROP DATABASE IF EXISTS $database WITH (FORCE)" -AllowFailure
    }

    It 'returns rows as objects whose properties keep the column types' {
        $row = Invoke-PostgresQuery @connection -Query @'
SELECT 7::int AS i, 9000000000::bigint AS big, 2.50::numeric AS amount, true AS flag, 'x'::text AS word,
       '2024-01-02 03:04:05+00'::timestamptz AS at, '2024-01-02 03:04:05'::timestamp AS local_time,
       ARRAY[1, 2, 3] AS numbers, NULL::int AS nothing, interval '90 seconds' AS span
'@

        $row.i | Should -BeOfType ([int])
        $row.big | Should -BeOfType ([long])
        $row.amount | Should -BeOfType ([decimal])
        $row.amount | Should -Be 2.5
        $row.flag | Should -BeTrue
        $row.word | Should -Be 'x'
        $row.at | Should -BeOfType ([DateTimeOffset])
        $row.at | Should -Be ([DateTimeOffset]'2024-01-02T03:04:05Z')
        $row.local_time | Should -BeOfType ([DateTime])
        $row.numbers | Should -Be @(1, 2, 3)
        $row.nothing | Should -BeNullOrEmpty
        $null -eq $row.nothing | Should -BeTrue
        $row.span | Should -Be ([timespan]::FromSeconds(90))
    }

    It 'binds @name as a parameter, so an injection-shaped value stays a plain string' {
        $evil = "x'; DROP TABLE items; --"

        $echo = Invoke-PostgresQuery @connection -Query 'SELECT @value AS value' -Parameters @{ value = $evil } -As Scalar
        $found = @(Invoke-PostgresQuery @connection -Query 'SELECT * FROM items WHERE name = @name' -Parameters @{ name = "' OR '1'='1" })

        $echo | Should -BeExactly $evil
        $found.Count | Should -Be 0
        Invoke-PostgresQuery @connection -Query 'SELECT count(*) FROM items' -As Scalar | Should -Be 3
    }

    It 'binds an array parameter for ANY()' {
        $names = (Invoke-PostgresQuery @connection -Query 'SELECT name FROM items WHERE id = ANY(@ids) ORDER BY id' -Parameters @{ ids = @(1, 3) }).name

        $names | Should -Be @('one', 'three')
    }

    It 'streams rows: taking the first two of a huge result returns at once' {
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $first = Invoke-PostgresQuery @connection -Query 'SELECT generate_series(1, 50000000) AS g' | Select-Object -First 2
        $watch.Stop()

        $first.g | Should -Be @(1, 2)
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 10
    }

    It 'returns one DataTable with -As DataTable' {
        $table = Invoke-PostgresQuery @connection -Query 'SELECT id, name FROM items ORDER BY id' -As DataTable

        $table.GetType().FullName | Should -Be 'System.Data.DataTable'
        $table.Rows.Count | Should -Be 3
        $table.Rows[1]['name'] | Should -Be 'two'
    }

    It 'returns the rows changed with -As NonQuery, and -WhatIf changes nothing' {
        Invoke-PostgresQuery @connection -Query "UPDATE items SET name = 'ONE' WHERE id = 1" -WhatIf | Should -BeNullOrEmpty
        Invoke-PostgresQuery @connection -Query 'SELECT name FROM items WHERE id = 1' -As Scalar | Should -Be 'one'

        Invoke-PostgresQuery @connection -Query "UPDATE items SET name = upper(name) WHERE id <= 2" -As NonQuery | Should -Be 2
    }

    It 'runs the queries piped to it and a -File' {
        $sqlFile = Join-Path $TestDrive 'count.sql'
        Set-Content -LiteralPath $sqlFile -Value 'SELECT count(*) AS n FROM items'

        ('SELECT 1 AS n', 'SELECT 2 AS n' | Invoke-PostgresQuery @connection).n | Should -Be @(1, 2)
        (Invoke-PostgresQuery @connection -File $sqlFile).n | Should -Be 3
    }

    It 'cancels the query on the server when -Timeout expires' {
        $app = 'opstools-pgq-' + [guid]::NewGuid().ToString('n').Substring(0, 6)
        $timed = @{ Server = "host=$($pg.Host) port=$($pg.Port) application_name=$app"; Database = $database; Credential = $pg.Credential }
        $watch = [System.Diagnostics.Stopwatch]::StartNew()

        { Invoke-PostgresQuery @timed -Query 'SELECT pg_sleep(60)' -Timeout 1 } | Should -Throw -ErrorId "PostgresQueryTimeout,$commandId"
        $watch.Stop()

        $error[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 15
        (Invoke-LabPsql -Port $pg.Port -Database postgres -Sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = '$app' AND state = 'active'").Output | Should -Be '0'
    }

    It 'reports a syntax error with its SQLSTATE, line and category InvalidArgument' {
        { Invoke-PostgresQuery @connection -Query "SELECT id,`n       name`nFRM items" } | Should -Throw -ErrorId "PostgresSyntaxError,$commandId"

        $error[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $error[0].ErrorDetails.Message | Should -Match '42601'
        $error[0].ErrorDetails.Message | Should -Match 'near "items".*line 3, column 5'
    }

    It 'reports an unknown table as ObjectNotFound' {
        { Invoke-PostgresQuery @connection -Query 'SELECT * FROM no_such_table' } | Should -Throw -ErrorId "PostgresObjectNotFound,$commandId"

        $error[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $error[0].ErrorDetails.Message | Should -Match 'no_such_table'
    }

    It 'reports a wrong password as AuthenticationError without the password' {
        $wrong = [pscredential]::new($pg.User, (ConvertTo-SecureString 'Wr0ng-pgq-Secret' -AsPlainText -Force))

        { Invoke-PostgresQuery 'SELECT 1' -Server $server -Database $database -Credential $wrong } | Should -Throw -ErrorId "PostgresAuthenticationFailed,$commandId"

        $error[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
        ($error[0] | Out-String) + $error[0].ErrorDetails.Message | Should -Not -Match 'Wr0ng-pgq-Secret'
    }
}
