#Requires -Version 7.4
# Backup-PostgresDatabase: parameter surface, then backups of a database of its own on the lab's
# platform server, and one made by the pg_dump inside a lab PostgreSQL container.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'PostgresTestSupport.psm1') -Force
    $pg = Get-PostgresLabStatus
    $docker = Get-LabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'PostgresTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Postgres.BackupPostgresDatabaseCommand'
}

Describe 'Backup-PostgresDatabase parameters' {
    BeforeAll {
        $command = Get-Command -Name Backup-PostgresDatabase
        $surface = Get-ParameterSurface -Command Backup-PostgresDatabase
    }

    It 'has exactly the parameters Database, Path, Format, Server, Container, Service, DockerHost and Credential' {
        $surface.Keys | Sort-Object | Should -Be @('Container', 'Credential', 'Database', 'DockerHost', 'Format', 'Path', 'Server', 'Service')
    }

    It 'has the parameter sets Server (default), Container and Service, and supports -WhatIf' {
        $command.DefaultParameterSet | Should -Be 'Server'
        $command.ParameterSets.Name | Sort-Object | Should -Be @('Container', 'Server', 'Service')
        $command.Parameters.Keys | Should -Contain 'WhatIf'
        $surface.Database.ValueFromPipeline | Should -BeTrue
    }

    It 'writes BackupFormatUnknown for a file name of no known format' {
        Backup-PostgresDatabase app (Join-Path $TestDrive 'app.bak') -Server 127.0.0.1:1 -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "BackupFormatUnknown,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'writes PostgresUnreachable when nothing listens at the server, leaving no file' {
        $file = Join-Path $TestDrive 'unreachable.dump'

        Backup-PostgresDatabase app $file -Server "127.0.0.1:$(Get-FreeLoopbackPort)" -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "PostgresUnreachable,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ConnectionError'
        Get-ChildItem $TestDrive -Force | Should -BeNullOrEmpty
    }
}

Describe 'Backup-PostgresDatabase against the lab' -Skip:(-not $pg.IsAvailable) {
    BeforeAll {
        $pg = Get-PostgresLabStatus
        $database = 'opstools_pgq_bk_' + [guid]::NewGuid().ToString('n').Substring(0, 8)
        $null = Invoke-LabPsql -Port $pg.Port -Database postgres -Sql "CREATE DATABASE $database"
        $null = Invoke-LabPsql -Port $pg.Port -Database $database -Sql "CREATE TABLE items (id int PRIMARY KEY, name text); INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 500) g;"
        $connection = @{ Server = "$($pg.Host):$($pg.Port)"; Credential = $pg.Credential; Confirm = $false }
    }

    AfterAll {
        $null = Invoke-LabPsql -Port $pg.Port -Database postgres -Sql "DROP DATABASE IF EXISTS $database WITH (FORCE)" -AllowFailure
    }

    It 'writes a custom-format file with its SHA-256 beside it' {
        $file = Join-Path $TestDrive 'custom.dump'

        $backup = Backup-PostgresDatabase $database $file @connection

        $backup | Should -BeOfType ([OpsTools.Postgres.PostgresBackup])
        $backup.Format | Should -Be Custom
        $backup.Path | Should -Be $file
        $backup.Size | Should -Be (Get-Item $file).Length
        $backup.Sha256 | Should -Be (Get-FileHash $file -Algorithm SHA256).Hash.ToLowerInvariant()
        (Get-Content "$file.sha256") | Should -Be "$($backup.Sha256)  custom.dump"
        $backup.ServerVersion | Should -Match '^15\.'
        [System.IO.File]::ReadAllBytes($file)[0..4] | Should -Be ([byte[]][char[]]'PGDMP')
        Get-ChildItem $TestDrive -Force -Filter '.opstools-*' | Should -BeNullOrEmpty
    }

    It 'writes gzipped plain SQL into a directory under a dated name' {
        $folder = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'dated')

        $backup = Backup-PostgresDatabase $database $folder.FullName -Format PlainGzip @connection

        $backup.Path | Should -Match ([regex]::Escape($database) + '_\d{8}_\d{6}\.sql\.gz$')
        $stream = [System.IO.Compression.GZipStream]::new([System.IO.File]::OpenRead($backup.Path), [System.IO.Compression.CompressionMode]::Decompress)
        try { $text = [System.IO.StreamReader]::new($stream).ReadToEnd() } finally { $stream.Dispose() }
        $text | Should -Match 'CREATE TABLE public\.items'
        $text | Should -Not -Match 'OWNER TO'
    }

    It 'refuses to replace an existing file with BackupExists' {
        $file = Join-Path $TestDrive 'exists.sql'
        Set-Content -LiteralPath $file -Value 'keep me'

        Backup-PostgresDatabase $database $file @connection -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "BackupExists,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        Get-Content $file | Should -Be 'keep me'
    }

    It 'writes nothing with -WhatIf' {
        $file = Join-Path $TestDrive 'whatif.dump'

        Backup-PostgresDatabase $database $file @connection -WhatIf

        Test-Path $file | Should -BeFalse
    }

    It 'writes PostgresDatabaseNotFound for a database that does not exist, and no file' {
        $file = Join-Path $TestDrive 'missing.dump'

        Backup-PostgresDatabase opstools_pgq_no_such_db $file @connection -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "PostgresDatabaseNotFound,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        Test-Path $file | Should -BeFalse
    }
}

Describe 'Backup-PostgresDatabase -Container' -Skip:(-not ($pg.IsAvailable -and $docker.IsAvailable)) {
    BeforeAll {
        $pg = Get-PostgresLabStatus
        $containerName = 'opstools-pgq-' + [guid]::NewGuid().ToString('n').Substring(0, 8)
        $password = 'pgq-' + [guid]::NewGuid().ToString('n').Substring(0, 12)
        $null = Invoke-LabDocker -ArgumentList @('run', '-d', '--init', '--name', $containerName, '--env', "POSTGRES_PASSWORD=$password", (Get-LabSetting IMAGE_POSTGRES))
        Wait-Until -TimeoutSeconds 60 -Because 'the lab PostgreSQL container accepts connections' -Condition {
            (Invoke-LabDocker -ArgumentList @('exec', $containerName, 'pg_isready', '-h', '127.0.0.1') -AllowFailure).ExitCode -eq 0
        }
        $null = Invoke-LabDocker -ArgumentList @('exec', '-e', "PGPASSWORD=$password", $containerName, 'psql', '-X', '-h', '127.0.0.1', '-U', 'postgres', '-c', 'CREATE DATABASE app')
        $null = Invoke-LabDocker -ArgumentList @('exec', '-e', "PGPASSWORD=$password", $containerName, 'psql', '-X', '-h', '127.0.0.1', '-U', 'postgres', '-d', 'app', '-c', "CREATE TABLE t (v text); INSERT INTO t VALUES ('from the container');")
        $containerCredential = [pscredential]::new('postgres', (ConvertTo-SecureString $password -AsPlainText -Force))
    }

    AfterAll {
        $null = Invoke-LabDocker -ArgumentList @('rm', '-f', $containerName) -AllowFailure
    }

    It 'dumps with the container''s own pg_dump through Docker exec' {
        $file = Join-Path $TestDrive 'container.sql'

        $backup = Backup-PostgresDatabase app $file -Container $containerName -Credential $containerCredential -Confirm:$false

        $backup.Server | Should -Match ([regex]::Escape("container $containerName"))
        $backup.Sha256 | Should -Be (Get-FileHash $file -Algorithm SHA256).Hash.ToLowerInvariant()
        Get-Content -Raw $file | Should -Match 'from the container'
    }

    It 'writes PostgresContainerNotFound for a container that does not exist' {
        Backup-PostgresDatabase app (Join-Path $TestDrive 'none.dump') -Container "$containerName-missing" -Credential $containerCredential -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "PostgresContainerNotFound,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}
