#Requires -Version 7.4
# Get-PostgresJobQueue: parameter surface, then queue tables of a database of its own on the lab's platform server.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'PostgresTestSupport.psm1') -Force
    $pg = Get-PostgresLabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'PostgresTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Postgres.GetPostgresJobQueueCommand'
}

Describe 'Get-PostgresJobQueue parameters' {
    It 'has exactly the parameters Table, Database, Server, StatusColumn, CreatedColumn, PendingStatus and Credential' {
        $surface = Get-ParameterSurface -Command Get-PostgresJobQueue

        $surface.Keys | Sort-Object | Should -Be @('CreatedColumn', 'Credential', 'Database', 'PendingStatus', 'Server', 'StatusColumn', 'Table')
        $surface.Table.Position | Should -Be 0
        $surface.Table.ValueFromPipeline | Should -BeTrue
        $surface.Database.Mandatory | Should -BeTrue
    }

    It 'stops with PostgresUnreachable when nothing listens at the server' {
        { Get-PostgresJobQueue due_work -Database x -Server "127.0.0.1:$(Get-FreeLoopbackPort)" } | Should -Throw -ErrorId "PostgresUnreachable,$commandId"
        $error[0].CategoryInfo.Category | Should -Be 'ConnectionError'
    }
}

Describe 'Get-PostgresJobQueue against the lab' -Skip:(-not $pg.IsAvailable) {
    BeforeAll {
        $pg = Get-PostgresLabStatus
        $database = 'opstools_pgq_jobs_' + [guid]::NewGuid().ToString('n').Substring(0, 8)
        $null = Invoke-LabPsql -Port $pg.Port -Database postgres -Sql "CREATE DATABASE $database"
        $null = Invoke-LabPsql -Port $pg.Port -Database $database -Sql @'
CREATE TABLE due_work (id serial PRIMARY KEY, status text, created_at timestamptz NOT NULL);
INSERT INTO due_work (status, created_at) VALUES
  ('pending', now() - interval '2 hours'), ('pending', now() - interval '5 minutes'), ('queued', now() - interval '30 minutes'),
  ('done', now() - interval '3 days'), ('done', now() - interval '1 day'), ('done', now()), ('failed', now()), (NULL, now());
CREATE SCHEMA "Jobs";
CREATE TABLE "Jobs"."Queue" (state text, enqueued_at timestamp);
INSERT INTO "Jobs"."Queue" VALUES ('new', now() - interval '10 minutes'), ('new', now()), ('done', now());
'@
        $connection = @{ Server = "$($pg.Host):$($pg.Port)"; Database = $database; Credential = $pg.Credential }
    }

    AfterAll {
        $null = Invoke-LabPsql -Port $pg.Port -Database postgres -Sql "DROP DATABASE IF EXISTS $database WITH (FORCE)" -AllowFailure
    }

    It 'counts rows per status and ages the oldest pending row' {
        $queue = Get-PostgresJobQueue due_work @connection

        $queue | Should -BeOfType ([OpsTools.Postgres.PostgresJobQueue])
        $queue.Total | Should -Be 8
        $queue.Pending | Should -Be 3
        $queue.OldestPendingAge.TotalMinutes | Should -BeGreaterThan 119
        $queue.OldestPendingAge.TotalMinutes | Should -BeLessThan 125
        ($queue.ByStatus | Where-Object Status -EQ 'done').Count | Should -Be 3
        ($queue.ByStatus | Where-Object { $null -eq $_.Status }).Count | Should -Be 1
        ($queue | Format-Table | Out-String) | Should -Match 'done=3'
    }

    It 'reads a quoted, schema-qualified table with other column names and pending statuses' {
        $queue = Get-PostgresJobQueue '"Jobs"."Queue"' @connection -StatusColumn state -CreatedColumn enqueued_at -PendingStatus new

        $queue.Total | Should -Be 3
        $queue.Pending | Should -Be 2
        $queue.OldestPendingAge.TotalMinutes | Should -BeGreaterThan 9
    }

    It 'writes PostgresTableNotFound naming an unknown table and goes on with the next' {
        $queues = Get-PostgresJobQueue no_such_queue, due_work @connection -ErrorVariable problems -ErrorAction SilentlyContinue

        @($queues).Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -Be "PostgresTableNotFound,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].TargetObject | Should -Be 'no_such_queue'
    }

    It 'writes PostgresColumnNotFound naming an unknown column' {
        Get-PostgresJobQueue due_work @connection -StatusColumn state -ErrorVariable problems -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

        $problems[0].FullyQualifiedErrorId | Should -Be "PostgresColumnNotFound,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].ErrorDetails.Message | Should -Match 'state'
    }

    It 'treats an injection-shaped table name as a name, never as SQL' {
        Get-PostgresJobQueue 'due_work; DROP TABLE due_work' @connection -ErrorVariable problems -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

        $problems[0].FullyQualifiedErrorId | Should -Be "PostgresTableNotFound,$commandId"
        (Get-PostgresJobQueue due_work @connection).Total | Should -Be 8
    }
}
