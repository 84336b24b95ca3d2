#Requires -Version 7.4
# Backup-OdooInstance: parameter surface, then backups of an Odoo-shaped lab database in every format.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../Postgres/PostgresTestSupport.psm1') -Force
    $pg = Get-PostgresLabStatus
    $lab = Get-LabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../Postgres/PostgresTestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'OdooTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Odoo.BackupOdooInstanceCommand'
}

Describe 'Backup-OdooInstance parameters' {
    BeforeAll {
        $command = Get-Command -Name Backup-OdooInstance
        $surface = Get-ParameterSurface -Command Backup-OdooInstance
    }

    It 'has exactly its documented parameters' {
        $surface.Keys | Sort-Object | Should -Be @('Compression', 'Container', 'Credential', 'CustomerId', 'Database', 'DataDirectory', 'Destination', 'DockerHost', 'FilestoreContainer', 'FilestorePath', 'FilestoreService', 'Format', 'Instance', 'InstanceId', 'NoFilestore', 'Server', 'Service', 'ServiceName', 'StopInstance')
    }

    It 'keeps Default as the default set and adds the Container and Service sets' {
        $command.DefaultParameterSet | Should -Be 'Default'
        $command.ParameterSets.Name | Sort-Object | Should -Be @('Container', 'Default', 'Service')
    }

    It 'makes -<Name> mandatory only in the <Set> set' -ForEach @(
        @{ Name = 'Container'; Set = 'Container' }
        @{ Name = 'Service'; Set = 'Service' }
    ) {
        $sets = $command.Parameters[$Name].ParameterSets
        $sets.Keys | Should -Be @($Set)
        $sets[$Set].IsMandatory | Should -BeTrue
    }

    It 'declares -<Name> as <Type>' -ForEach @(
        @{ Name = 'Server'; Type = 'System.String'; Mandatory = $false; Position = $null; ByPropertyName = $true; Aliases = '' }
        @{ Name = 'Database'; Type = 'System.String'; Mandatory = $true; Position = 0; ByPropertyName = $true; Aliases = 'DatabaseName' }
        @{ Name = 'Destination'; Type = 'System.String'; Mandatory = $true; Position = 1; ByPropertyName = $false; Aliases = '' }
        @{ Name = 'Format'; Type = 'OpsTools.Odoo.OdooBackupFormat'; Mandatory = $false; Position = $null; ByPropertyName = $false; Aliases = '' }
        @{ Name = 'FilestorePath'; Type = 'System.String'; Mandatory = $false; Position = $null; ByPropertyName = $true; Aliases = '' }
        @{ Name = 'DataDirectory'; Type = 'System.String'; Mandatory = $false; Position = $null; ByPropertyName = $true; Aliases = '' }
        @{ Name = 'Compression'; Type = 'System.IO.Compression.CompressionLevel'; Mandatory = $false; Position = $null; ByPropertyName = $false; Aliases = '' }
        @{ Name = 'Instance'; Type = 'System.String'; Mandatory = $false; Position = $null; ByPropertyName = $true; Aliases = 'Name' }
        @{ Name = 'InstanceId'; Type = 'System.Nullable`1[System.Guid]'; Mandatory = $false; Position = $null; ByPropertyName = $true; Aliases = 'Id' }
        @{ Name = 'ServiceName'; Type = 'System.String'; Mandatory = $false; Position = $null; ByPropertyName = $true; Aliases = '' }
        @{ Name = 'StopInstance'; Type = 'System.Management.Automation.SwitchParameter'; Mandatory = $false; Position = $null; ByPropertyName = $false; Aliases = '' }
        @{ Name = 'Container'; Type = 'System.String'; Mandatory = $true; Position = $null; ByPropertyName = $false; Aliases = '' }
        @{ Name = 'Service'; Type = 'System.String'; Mandatory = $true; Position = $null; ByPropertyName = $false; Aliases = '' }
        @{ Name = 'FilestoreContainer'; Type = 'System.String'; Mandatory = $false; Position = $null; ByPropertyName = $false; Aliases = '' }
        @{ Name = 'FilestoreService'; Type = 'System.String'; Mandatory = $false; Position = $null; ByPropertyName = $false; Aliases = '' }
    ) {
        $parameter = $surface[$Name]
        $parameter.Type | Should -Be $Type
        $parameter.Mandatory | Should -Be $Mandatory
        $parameter.Position | Should -Be $Position
        $parameter.ValueFromPipelineByPropertyName | Should -Be $ByPropertyName
        $parameter.Aliases -join ',' | Should -Be $Aliases
    }

    It 'supports -WhatIf and declares its output type as OpsTools.Odoo.OdooBackup' {
        $command.Parameters.Keys | Should -Contain 'WhatIf'
        $command.OutputType.Name | Should -Be 'OpsTools.Odoo.OdooBackup'
    }
}

Describe 'Backup-OdooInstance against the lab' -Skip:(-not $pg.IsAvailable) {
    BeforeAll {
        $pg = Get-PostgresLabStatus
        $platform = New-TestPlatformDatabase -Lab $pg
        $PSDefaultParameterValues['*:PlatformServer'] = $platform.Server
        $PSDefaultParameterValues['*:PlatformCredential'] = $pg.Credential
        $root = Join-Path ([System.IO.Path]::GetTempPath()) ('opsodoo-' + [guid]::NewGuid().ToString('n').Substring(0, 8))
        $acme = New-TestOdooInstance -Lab $pg -Root $root -Name 'acme' -Platform $platform
        $newDestination = { $d = Join-Path $root ('backups-' + [guid]::NewGuid().ToString('n').Substring(0, 6)); $null = New-Item -ItemType Directory -Path $d; $d }
    }

    AfterAll {
        $PSDefaultParameterValues.Remove('*:PlatformServer')
        $PSDefaultParameterValues.Remove('*:PlatformCredential')
        Remove-TestOdooInstance -Lab $pg -Instance $acme
        Remove-TestPlatformDatabase -Lab $pg -Platform $platform
        Remove-Item -LiteralPath $root -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'backs up an instance piped from Get-OdooInstance as the zip Odoo restores' {
        $destination = & $newDestination

        $backup = Get-OdooInstance acme -InstancesRoot $root | Backup-OdooInstance -Destination $destination -Credential $pg.Credential

        $backup | Should -BeOfType ([OpsTools.Odoo.OdooBackup])
        $backup.Format | Should -Be Zip
        $backup.Instance | Should -Be 'acme'
        $backup.IsComplete | Should -BeTrue
        $backup.Path | Should -Be (Get-ChildItem $destination).FullName
        $listing = & unzip -Z1 $backup.Path
        $LASTEXITCODE | Should -Be 0
        $expected = @('dump.sql', 'manifest.json') + @(Get-ChildItem -LiteralPath $acme.FilestorePath -Recurse -File | ForEach-Object { 'filestore/' + [System.IO.Path]::GetRelativePath($acme.FilestorePath, $_.FullName) })
        ($listing | Sort-Object -CaseSensitive) | Should -Be ($expected | Sort-Object -CaseSensitive)
        $manifest = & unzip -p $backup.Path manifest.json | ConvertFrom-Json
        $manifest.db_name | Should -Be $acme.Database
        $manifest.odoo_dump | Should -Be '1'
        $manifest.version | Should -Be '17.0'
    }

    It 'writes <Format> backups whose parts carry the SHA-256 of their bytes' -ForEach @(
        @{ Format = 'Dump'; Files = 3 }
        @{ Format = 'Platform'; Files = 3 }
    ) {
        $destination = & $newDestination

        $backup = Backup-OdooInstance -Server $acme.Server -Database $acme.Database -FilestorePath $acme.FilestorePath -DataDirectory $acme.DataDirectory -Destination $destination -Format $Format -Credential $pg.Credential

        (Get-ChildItem -LiteralPath $destination -File).Count | Should -Be $Files
        foreach ($part in $backup.Parts | Where-Object Sha256) {
            (Get-FileHash -LiteralPath $part.Path -Algorithm SHA256).Hash.ToLowerInvariant() | Should -Be $part.Sha256
        }
        $backup.DatabaseSha256 | Should -Match '^[0-9a-f]{64}$'
    }

    It 'archives the whole data directory, sessions included, in the Platform format when it exists' {
        $destination = & $newDestination

        $backup = Backup-OdooInstance -Server $acme.Server -Database $acme.Database -DataDirectory $acme.DataDirectory -Destination $destination -Format Platform -Credential $pg.Credential

        $tar = ($backup.Parts | Where-Object Role -EQ Filestore).Path
        $entries = & tar -tzf $tar
        $entries | Should -Contain 'sessions/werkzeug_session'
        ($entries | Where-Object { $_ -like "filestore/$($acme.Database)/*" }).Count | Should -Be $backup.FilestoreFileCount
        $metadata = Get-Content -Raw -LiteralPath $backup.Path | ConvertFrom-Json
        $metadata.status | Should -Be 'completed'
        $metadata.database_name | Should -Be $acme.Database
    }

    It 'copies the filestore byte for byte in the Folder format' {
        $destination = & $newDestination

        $backup = Backup-OdooInstance $acme.Database $destination -Server $acme.Server -FilestorePath $acme.FilestorePath -Format Folder -Credential $pg.Credential

        Get-TestDirectoryDigest (Join-Path $backup.Path 'filestore') | Should -Be (Get-TestDirectoryDigest $acme.FilestorePath)
        & "$($pg.Bin)/pg_restore" --list (Join-Path $backup.Path 'db.dump') | Out-String | Should -Match 'TABLE public res_users'
    }

    It 'changes nothing with -WhatIf' {
        $destination = & $newDestination

        $result = Get-OdooInstance acme -InstancesRoot $root | Backup-OdooInstance -Destination $destination -Credential $pg.Credential -WhatIf

        $result | Should -BeNullOrEmpty
        Get-ChildItem -LiteralPath $destination -Force | Should -BeNullOrEmpty
    }

    It 'writes BackupDestinationNotFound for a destination that does not exist, naming it' {
        $missing = Join-Path $root 'no-such-dir'

        $result = Backup-OdooInstance -Server $acme.Server -Database $acme.Database -FilestorePath $acme.FilestorePath -Destination $missing -Credential $pg.Credential -ErrorVariable problems -ErrorAction SilentlyContinue

        $result | Should -BeNullOrEmpty
        $problems[0].FullyQualifiedErrorId | Should -Be "BackupDestinationNotFound,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].TargetObject | Should -Be $missing
        $problems[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        Test-Path -LiteralPath $missing | Should -BeFalse
    }

    It 'writes FilestoreNotGiven when neither a filestore nor -NoFilestore is given' {
        $destination = & $newDestination

        Backup-OdooInstance -Server $acme.Server -Database $acme.Database -Destination $destination -Credential $pg.Credential -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "FilestoreNotGiven,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        Get-ChildItem -LiteralPath $destination -Force | Should -BeNullOrEmpty
    }

    It 'writes OdooDatabaseInvalid for a database that is not Odoo''s' {
        $destination = & $newDestination

        Backup-OdooInstance -Server $acme.Server -Database postgres -NoFilestore -Destination $destination -Credential $pg.Credential -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "OdooDatabaseInvalid,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidData'
    }

    It 'never shows the password, and shows a table of the backup' {
        $destination = & $newDestination

        $output = Backup-OdooInstance -Server $acme.Server -Database $acme.Database -NoFilestore -Destination $destination -Credential $pg.Credential -Verbose 4>&1 | Out-String
        $null = Backup-OdooInstance -Server $acme.Server -Database $acme.Database -NoFilestore -Destination $destination -Credential ([pscredential]::new('postgres', (ConvertTo-SecureString 'not-the-password' -AsPlainText -Force))) -ErrorVariable problems -ErrorAction SilentlyContinue
        $wrong = ($problems | Out-String) + ($problems | ForEach-Object { $_.FullyQualifiedErrorId + $_.ErrorDetails.Message + $_.Exception.ToString() } | Out-String)
        $table = Backup-OdooInstance -Server $acme.Server -Database $acme.Database -NoFilestore -Destination (& $newDestination) -Credential $pg.Credential | Format-Table | Out-String

        $output + $wrong + (Get-Content -Raw (Get-ChildItem $destination -Filter *.zip).FullName -AsByteStream | ForEach-Object { [System.Text.Encoding]::Latin1.GetString($_) }) | Should -Not -Match ([regex]::Escape($pg.Password))
        $wrong | Should -Match 'PostgresAuthenticationFailed'
        $table | Should -Match 'NAME\s+FORMAT\s+AGE\s+SIZE\s+COMPLETE'
    }
}

Describe 'Backup-OdooInstance -StopInstance against the lab swarm' -Skip:(-not $pg.IsAvailable -or -not $lab.IsAvailable) {
    BeforeAll {
        $pg = Get-PostgresLabStatus
        $lab = Get-LabStatus
        $root = Join-Path ([System.IO.Path]::GetTempPath()) ('opsodoo-' + [guid]::NewGuid().ToString('n').Substring(0, 8))
        $acme = New-TestOdooInstance -Lab $pg -Root $root -Name 'acme'
        $service = New-TestSwarmService ('opstools-test-odoo-' + [guid]::NewGuid().ToString('n').Substring(0, 6)) -Replicas 2
        $replicas = { (Invoke-LabDocker -ArgumentList 'service', 'inspect', '--format', '{{.Spec.Mode.Replicated.Replicas}}', $service.Name).Output | Select-Object -Last 1 }
    }

    AfterAll {
        Remove-TestSwarmService
        Remove-TestOdooInstance -Lab $pg -Instance $acme
        Remove-Item -LiteralPath $root -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'scales the service to 0 for the backup and puts its replica count back' {
        $destination = Join-Path $root 'stop-ok'
        $null = New-Item -ItemType Directory -Path $destination

        $messages = Backup-OdooInstance -Server $acme.Server -Database $acme.Database -FilestorePath $acme.FilestorePath -Destination $destination -StopInstance -ServiceName $service.Name -DockerHost $lab.DockerHost -Credential $pg.Credential -Verbose 4>&1

        ($messages | Where-Object { $_ -is [OpsTools.Odoo.OdooBackup] }).IsComplete | Should -BeTrue
        ($messages | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message | Should -Contain "Backup-OdooInstance: $($service.Name) scaled back to 2"
        ($messages | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -like "*scaling $($service.Name) from 2 to 0*" | Should -Not -BeNullOrEmpty
        & $replicas | Should -Be '2'
    }

    It 'puts the replica count back when the backup fails' {
        $missing = Join-Path $root 'stop-missing'

        Backup-OdooInstance -Server $acme.Server -Database $acme.Database -FilestorePath $acme.FilestorePath -Destination $missing -StopInstance -ServiceName $service.Name -DockerHost $lab.DockerHost -Credential $pg.Credential -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "BackupDestinationNotFound,$commandId"
        & $replicas | Should -Be '2'
    }

    It 'writes OdooServiceNameMissing when -StopInstance has no service to stop' {
        $destination = Join-Path $root 'stop-noname'
        $null = New-Item -ItemType Directory -Path $destination

        Backup-OdooInstance -Server $acme.Server -Database $acme.Database -FilestorePath $acme.FilestorePath -Destination $destination -StopInstance -Credential $pg.Credential -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "OdooServiceNameMissing,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        Get-ChildItem -LiteralPath $destination -Force | Should -BeNullOrEmpty
    }
}

Describe 'Backup-OdooInstance from a container and a Swarm service' -Skip:(-not ($pg.IsAvailable -and $lab.IsAvailable)) {
    BeforeAll {
        $pg = Get-PostgresLabStatus
        $lab = Get-LabStatus
        $suffix = [guid]::NewGuid().ToString('n').Substring(0, 8)
        $root = Join-Path ([System.IO.Path]::GetTempPath()) "opsodoo-dk-$suffix"
        $null = New-Item -ItemType Directory -Path $root
        # The service's own password, not the lab's: it is on the docker command line of the fixture only.
        $password = [guid]::NewGuid().ToString('n')
        $credential = [pscredential]::new('postgres', (ConvertTo-SecureString $password -AsPlainText -Force))
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()
        $serviceName = "opsodoo-dk-$suffix"
        $null = Invoke-LabDocker -DockerHost $lab.DockerHost -ArgumentList @('service', 'create', '--detach', '--name', $serviceName, '--init',
            '--publish', "mode=host,target=5432,published=$port", '--env', "POSTGRES_PASSWORD=$password", (Get-LabSetting IMAGE_POSTGRES))
        $containerId = $null
        $deadline = [datetime]::UtcNow.AddSeconds(90)
        while ([datetime]::UtcNow -lt $deadline) {
            $containerId = (Invoke-LabDocker -DockerHost $lab.DockerHost -ArgumentList @('ps', '-q', '--no-trunc', '--filter', "label=com.docker.swarm.service.name=$serviceName") -AllowFailure).Output | Select-Object -First 1
            if ($containerId -and (Invoke-LabDocker -DockerHost $lab.DockerHost -ArgumentList @('exec', $containerId, 'pg_isready', '-h', '127.0.0.1') -AllowFailure).ExitCode -eq 0) { break }
            Start-Sleep -Milliseconds 500
        }
        $inContainer = [pscustomobject]@{ Host = '127.0.0.1'; User = 'postgres'; Password = $password; Port = $port }
        $database = 'opsodoo_' + $suffix
        $localFilestore = Join-Path $root "source/filestore/$database"
        $null = Invoke-OdooLabScript -Lab $inContainer -Arguments @('create', '--port', "$port", '--database', $database, '--filestore', $localFilestore)
        $containerFilestore = "/var/lib/odoo/filestore/$database"
        $null = Invoke-LabDocker -DockerHost $lab.DockerHost -ArgumentList @('exec', $containerId, 'mkdir', '-p', '/var/lib/odoo/filestore')
        $null = Invoke-LabDocker -DockerHost $lab.DockerHost -ArgumentList @('cp', $localFilestore, "${containerId}:$containerFilestore")
        $pool = "$($pg.Host):$($pg.PoolPorts[-1])"
        $counts = 'SELECT (SELECT count(*) FROM res_users) || ''/'' || (SELECT count(*) FROM ir_attachment) || ''/'' || (SELECT count(*) FROM mail_message)'
        $sourceCounts = (Invoke-LabDocker -DockerHost $lab.DockerHost -ArgumentList @('exec', '-e', "PGPASSWORD=$password", $containerId, 'psql', '-X', '-A', '-t', '-h', '127.0.0.1', '-U', 'postgres', '-d', $database, '-c', $counts)).Output
        $restoredDatabases = [System.Collections.Generic.List[string]]::new()
        $newDestination = { $d = Join-Path $root ('backups-' + [guid]::NewGuid().ToString('n').Substring(0, 6)); $null = New-Item -ItemType Directory -Path $d; $d }
    }

    AfterAll {
        foreach ($restored in $restoredDatabases) {
            $null = Invoke-LabPsql -Port $pg.PoolPorts[-1] -Database postgres -Sql "DROP DATABASE IF EXISTS $restored WITH (FORCE)" -AllowFailure
        }
        $null = Invoke-LabDocker -DockerHost $lab.DockerHost -ArgumentList @('service', 'rm', $serviceName) -AllowFailure
        Remove-Item -LiteralPath $root -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'found the service task running with the Odoo database loaded' {
        $containerId | Should -Not -BeNullOrEmpty
        $sourceCounts | Should -Match '^\d+/\d+/\d+$'
    }

    It 'backs up with -Container as a zip that restores on a pool server with the same rows and filestore' {
        $destination = & $newDestination
        $target = "opsodoo_dkr_$([guid]::NewGuid().ToString('n').Substring(0, 8))"
        $restoredDatabases.Add($target)
        $restoredFilestore = Join-Path $root "restored/filestore/$target"

        $backup = Backup-OdooInstance -Container $containerId -Database $database -Destination $destination -FilestoreContainer $containerId -FilestorePath $containerFilestore -Credential $credential -DockerHost $lab.DockerHost
        $restored = Restore-OdooInstance $backup.Path -Server $pool -Database $target -FilestorePath $restoredFilestore -Credential $pg.Credential -Confirm:$false

        $backup.IsComplete | Should -BeTrue
        $backup.Format | Should -Be 'Zip'
        $backup.FilestoreFileCount | Should -Be (Get-ChildItem -LiteralPath $localFilestore -Recurse -File).Count
        $restored.SourceDatabase | Should -Be $database
        (Invoke-LabPsql -Port $pg.PoolPorts[-1] -Database $target -Sql $counts).Output | Should -Be $sourceCounts
        Get-TestDirectoryDigest $restoredFilestore | Should -Be (Get-TestDirectoryDigest $localFilestore)
    }

    It 'backs up with -Service as a folder that Test-OdooBackup passes' {
        $destination = & $newDestination
        $scratch = Join-Path $root ('scratch-' + [guid]::NewGuid().ToString('n').Substring(0, 6))
        $null = New-Item -ItemType Directory -Path $scratch

        $backup = Backup-OdooInstance -Service $serviceName -Database $database -Destination $destination -Format Folder -FilestoreService $serviceName -FilestorePath $containerFilestore -Credential $credential -DockerHost $lab.DockerHost
        $verdict = Test-OdooBackup $backup.Path -Server $pool -ScratchDirectory $scratch -Credential $pg.Credential

        $backup.Format | Should -Be 'Folder'
        $verdict.Passed | Should -BeTrue
        $verdict.Checks.Passed | Should -Not -Contain $false
        $verdict.AttachmentsChecked | Should -Be (Get-ChildItem -LiteralPath $localFilestore -Recurse -File).Count
    }

    It 'backs up with -Service as a zip with the filestore from this machine and the dump from the task' {
        $destination = & $newDestination
        $scratch = Join-Path $root ('scratch-' + [guid]::NewGuid().ToString('n').Substring(0, 6))
        $null = New-Item -ItemType Directory -Path $scratch

        $backup = Backup-OdooInstance -Service $serviceName -Database $database -Destination $destination -FilestorePath $localFilestore -Credential $credential -DockerHost $lab.DockerHost
        $verdict = Test-OdooBackup $backup.Path -Server $pool -ScratchDirectory $scratch -Credential $pg.Credential

        $verdict.Passed | Should -BeTrue
        $backup.PgDumpVersion | Should -Match '^15\.'
    }

    It 'writes PostgresClientFailed with the client''s own message for a database the container does not have, and leaves no file' {
        $destination = & $newDestination

        $result = Backup-OdooInstance -Container $containerId -Database 'opsodoo_missing' -Destination $destination -NoFilestore -Credential $credential -DockerHost $lab.DockerHost -ErrorVariable problems -ErrorAction SilentlyContinue

        $result | Should -BeNullOrEmpty
        $problems[0].FullyQualifiedErrorId | Should -Be "PostgresClientFailed,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        $problems[0].Exception.Message | Should -Match 'database "opsodoo_missing" does not exist'
        $problems[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        Get-ChildItem -LiteralPath $destination -Force | Should -BeNullOrEmpty
    }

    It 'never shows the password in verbose output or errors' {
        $destination = & $newDestination

        $messages = Backup-OdooInstance -Container $containerId -Database 'opsodoo_missing' -Destination $destination -NoFilestore -Credential $credential -DockerHost $lab.DockerHost -Verbose -ErrorAction SilentlyContinue -ErrorVariable problems 4>&1

        (($messages | Out-String) + ($problems | Out-String)) | Should -Not -Match $password
        $problems | Should -Not -BeNullOrEmpty
    }

    It 'writes OdooContainerNotFound for a container that does not exist' {
        $destination = & $newDestination

        Backup-OdooInstance -Container "opsodoo-dk-missing-$suffix" -Database $database -Destination $destination -NoFilestore -Credential $credential -DockerHost $lab.DockerHost -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "OdooContainerNotFound,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].TargetObject | Should -Be "opsodoo-dk-missing-$suffix"
    }

    It 'writes FilestoreNotFound for a path the container does not have, and leaves no file' {
        $destination = & $newDestination

        Backup-OdooInstance -Container $containerId -Database $database -Destination $destination -FilestoreContainer $containerId -FilestorePath '/var/lib/odoo/filestore/none' -Credential $credential -DockerHost $lab.DockerHost -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "FilestoreNotFound,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        Get-ChildItem -LiteralPath $destination -Force | Should -BeNullOrEmpty
    }

    It 'writes nothing with -WhatIf' {
        $destination = & $newDestination

        Backup-OdooInstance -Service $serviceName -Database $database -Destination $destination -NoFilestore -Credential $credential -DockerHost $lab.DockerHost -WhatIf

        Get-ChildItem -LiteralPath $destination -Force | Should -BeNullOrEmpty
    }
}
