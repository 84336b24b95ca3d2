#Requires -Version 7.4
# Get-SwarmService: parameter surface, then the cmdlet as users run it against the lab swarm.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $lab = Get-LabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Swarm.GetSwarmServiceCommand'
}

Describe 'Get-SwarmService parameters' {
    BeforeAll {
        $command = Get-Command -Name Get-SwarmService
        $surface = Get-ParameterSurface -Command Get-SwarmService
    }

    It 'has exactly the parameters Name, Stack, Label and DockerHost' {
        $surface.Keys | Sort-Object | Should -Be @('DockerHost', 'Label', 'Name', 'Stack')
    }

    It 'declares -<Name> as <Type>' -ForEach @(
        @{ Name = 'Name'; Type = 'System.String[]'; Mandatory = $false; Position = 0; ByValue = $true; ByPropertyName = $true; Wildcards = $true; Aliases = 'ServiceName' }
        @{ Name = 'Stack'; Type = 'System.String'; Mandatory = $false; Position = $null; ByValue = $false; ByPropertyName = $false; Wildcards = $false; Aliases = '' }
        @{ Name = 'Label'; Type = 'System.String[]'; Mandatory = $false; Position = $null; ByValue = $false; ByPropertyName = $false; Wildcards = $false; Aliases = '' }
        @{ Name = 'DockerHost'; Type = 'System.String'; Mandatory = $false; Position = $null; ByValue = $false; ByPropertyName = $false; Wildcards = $false; Aliases = 'H,Host' }
    ) {
        $parameter = $surface[$Name]
        $parameter.Type | Should -Be $Type
        $parameter.Mandatory | Should -Be $Mandatory
        $parameter.Position | Should -Be $Position
        $parameter.ValueFromPipeline | Should -Be $ByValue
        $parameter.ValueFromPipelineByPropertyName | Should -Be $ByPropertyName
        $parameter.SupportsWildcards | Should -Be $Wildcards
        $parameter.Aliases -join ',' | Should -Be $Aliases
    }

    It 'declares its output type as OpsTools.Swarm.SwarmService' {
        $command.OutputType.Name | Should -Be 'OpsTools.Swarm.SwarmService'
    }

    It 'has one parameter set, Default' {
        $command.DefaultParameterSet | Should -Be 'Default'
        $command.ParameterSets.Name | Should -Be 'Default'
    }
}

Describe 'Get-SwarmService against the lab swarm' -Skip:(-not $lab.IsAvailable) {
    BeforeAll {
        $dockerHost = Get-LabSetting DOCKER_HOST
        $image = Get-LabSetting IMAGE_BUSYBOX
        $savedDockerHost = $env:DOCKER_HOST
        $env:DOCKER_HOST = $dockerHost

        $prefix = New-TestName
        $stack = "$prefix-shop"
        $runLabel = "opstools.test.run=$prefix"
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        $apiPort = $listener.LocalEndpoint.Port
        $listener.Stop()

        # web1 runs 2/2, web2 can never be placed (0/1), api publishes a host-mode port, agent is global.
        $web1 = New-TestSwarmService -Name "$prefix-web1" -Replicas 2 -NoWait -Label @{
            'opstools.test.run' = $prefix; 'opstools.test.tier' = 'front'; 'com.docker.stack.namespace' = $stack
        }
        $web2 = New-TestSwarmService -Name "$prefix-web2" -Replicas 1 -ExpectedRunning 0 -NoWait -Constraint 'node.labels.nope==1' -Label @{
            'opstools.test.run' = $prefix; 'opstools.test.tier' = 'back'; 'com.docker.stack.namespace' = $stack
        }
        $api = New-TestSwarmService -Name "$prefix-api" -NoWait -Publish "mode=host,target=8080,published=$apiPort" -Label @{ 'opstools.test.run' = $prefix }
        $agent = New-TestSwarmService -Name "$prefix-agent" -Global -NoWait -Label @{ 'opstools.test.run' = $prefix }
        $web1, $web2, $api, $agent | Wait-TestSwarmService
    }

    AfterAll {
        Remove-TestSwarmService
        $env:DOCKER_HOST = $savedDockerHost
    }

    Context 'selecting services' {
        It 'gets a service by its exact name, with its replica counts and image' {
            $service = Get-SwarmService -Name $web1.Name

            $service | Should -HaveCount 1
            $service | Should -BeOfType ([OpsTools.Swarm.SwarmService])
            $service.Id | Should -Be $web1.Id
            $service.Mode | Should -Be ([OpsTools.Swarm.SwarmServiceMode]::Replicated)
            $service.RunningReplicas | Should -Be 2
            $service.DesiredReplicas | Should -Be 2
            $service.Replicas | Should -Be '2/2'
            $service.Image | Should -Be $image
            $service.DockerHost | Should -Be $dockerHost
        }

        It 'matches names with wildcards and returns them sorted by name' {
            (Get-SwarmService -Name "$prefix-web*").Name | Should -Be @($web1.Name, $web2.Name)
        }

        It 'lets a user find the services short of replicas with Where-Object' {
            $short = Get-SwarmService -Name "$prefix-web*" | Where-Object RunningReplicas -lt 2

            $short.Name | Should -Be $web2.Name
            $short.Replicas | Should -Be '0/1'
        }

        It 'finds a service by a unique prefix of its id, as the docker CLI does' {
            (Get-SwarmService -Name $web1.Id.Substring(0, 10)).Name | Should -Be $web1.Name
        }

        It 'takes names from the pipeline' {
            ($api.Name, $web1.Name | Get-SwarmService).Name | Sort-Object | Should -Be @($api.Name, $web1.Name)
        }

        It 'takes names from the ServiceName property of piped objects' {
            ([pscustomobject]@{ ServiceName = $api.Name } | Get-SwarmService).Id | Should -Be $api.Id
        }

        It 'lists only the services of a stack with -Stack, each naming its stack' {
            $services = Get-SwarmService -Stack $stack

            $services.Name | Should -Be @($web1.Name, $web2.Name)
            $services.Stack | Should -Be @($stack, $stack)
        }

        It 'lists only the services carrying every label given as key=value' {
            (Get-SwarmService -Label $runLabel, 'opstools.test.tier=front').Name | Should -Be $web1.Name
        }

        It 'lists the services carrying a label key whatever its value when given the key alone' {
            (Get-SwarmService -Label $runLabel, 'opstools.test.tier').Name | Should -Be @($web1.Name, $web2.Name)
        }

        It 'reports a global service as wanting one task per node' {
            $nodes = @((Invoke-LabDocker -ArgumentList 'node', 'ls', '--quiet').Output).Count
            $service = Get-SwarmService -Name $agent.Name

            $service.Mode | Should -Be ([OpsTools.Swarm.SwarmServiceMode]::Global)
            $service.DesiredReplicas | Should -Be $nodes
            $service.Replicas | Should -Be "$nodes/$nodes"
        }

        It 'shows a host-mode published port the way docker service ls does' {
            $service = Get-SwarmService -Name $api.Name

            $service.Ports | Should -Be "*:$apiPort->8080/tcp"
            $service.PublishedPorts | Should -HaveCount 1
            $service.PublishedPorts[0].PublishMode | Should -Be 'host'
            $service.PublishedPorts[0].TargetPort | Should -Be 8080
            $service.PublishedPorts[0].PublishedPort | Should -Be $apiPort
        }

        It 'agrees with docker service ls on names and replicas' {
            $expected = (Invoke-LabDocker -ArgumentList 'service', 'ls', '--filter', "label=$runLabel", '--format', '{{.Name}} {{.Replicas}}').Output | Sort-Object

            Get-SwarmService -Label $runLabel | ForEach-Object { "$($_.Name) $($_.Replicas)" } | Sort-Object | Should -Be $expected
        }

        It 'talks to the endpoint given by -DockerHost or its aliases -Host and -H' {
            (Get-SwarmService -DockerHost $dockerHost -Name $web1.Name).Id | Should -Be $web1.Id
            (Get-SwarmService -Host $dockerHost -Name $web1.Name).Id | Should -Be $web1.Id
            (Get-SwarmService -H $dockerHost -Name $web1.Name).Id | Should -Be $web1.Id
        }

        It 'lists the services in a single Docker API call once connected, and says so with -Verbose' {
            $null = Get-SwarmService -Name $web1.Name
            $verbose = Get-SwarmService -Name $web1.Name -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }

            $verbose.Message | Should -BeLike "Get-SwarmService: 1 Docker API call(s) to $dockerHost (API *)."
        }

        It 'completes service names on Tab' {
            $completions = (TabExpansion2 -inputScript "Get-SwarmService -Name $prefix-we").CompletionMatches.CompletionText

            $completions | Should -Be @($web1.Name, $web2.Name)
        }
    }

    Context 'output' {
        BeforeAll {
            $service = Get-SwarmService -Name $web1.Name
        }

        It 'exports to CSV with the scalar properties first, and they read back as they were' {
            $path = Join-Path $TestDrive 'services.csv'
            Get-SwarmService -Name $web1.Name | Export-Csv -LiteralPath $path
            $row = Import-Csv -LiteralPath $path

            $columns = (Get-Content -LiteralPath $path -TotalCount 1) -replace '"', '' -split ','
            $columns[0..6] | Should -Be @('DockerHost', 'Id', 'Name', 'Stack', 'Mode', 'RunningReplicas', 'DesiredReplicas')
            $columns | Should -Contain 'Replicas'
            $row.DockerHost | Should -Be $dockerHost
            $row.Id | Should -Be $web1.Id
            $row.Name | Should -Be $web1.Name
            $row.Stack | Should -Be $stack
            $row.Mode | Should -Be 'Replicated'
            $row.RunningReplicas | Should -Be '2'
            $row.DesiredReplicas | Should -Be '2'
            $row.Replicas | Should -Be '2/2'
            $row.Image | Should -Be $image
        }

        It 'round-trips through ConvertTo-Json and ConvertFrom-Json' {
            $back = Get-SwarmService -Name $web1.Name, $api.Name | ConvertTo-Json -Depth 5 -EnumsAsStrings | ConvertFrom-Json -DateKind Offset

            $back | Should -HaveCount 2
            $web = $back | Where-Object Name -EQ $web1.Name
            $web.Id | Should -Be $web1.Id
            $web.Mode | Should -Be 'Replicated'
            $web.RunningReplicas | Should -Be 2
            $web.Replicas | Should -Be '2/2'
            $web.Labels.'opstools.test.tier' | Should -Be 'front'
            $web.CreatedAt | Should -Be $service.CreatedAt
            $published = ($back | Where-Object Name -EQ $api.Name).PublishedPorts
            $published.TargetPort | Should -Be 8080
            $published.PublishedPort | Should -Be $apiPort
            $published.PublishMode | Should -Be 'host'
        }

        It 'formats as a table like docker service ls by default' {
            $table = (Get-SwarmService -Name "$prefix-*" | Format-Table | Out-String -Width 300) -replace '\e\[[0-9;]*m', ''
            $lines = $table -split '\r?\n'

            $lines | Where-Object { $_ -match '\S' } | Select-Object -First 1 | Should -Match '^ID\s+NAME\s+MODE\s+REPLICAS\s+IMAGE\s+PORTS\s*$'
            $lines -match "^$($web1.Id.Substring(0, 12)) +$([regex]::Escape($web1.Name)) +replicated +2/2 +$([regex]::Escape($image)) *$" | Should -HaveCount 1
            $lines -match "^$($api.Id.Substring(0, 12)) +$([regex]::Escape($api.Name)) +replicated +1/1 +\S+ +\*:$apiPort->8080/tcp" | Should -HaveCount 1
            $lines -match "^$($agent.Id.Substring(0, 12)) +$([regex]::Escape($agent.Name)) +global +1/1 +" | Should -HaveCount 1
        }
    }

    Context 'errors' {
        It 'writes a non-terminating ObjectNotFound error for an unknown name and still returns the others' {
            $found = Get-SwarmService -Name 'opstools-test-nosuch', $web1.Name -ErrorVariable notFound -ErrorAction SilentlyContinue

            $found.Name | Should -Be $web1.Name
            $notFound | Should -HaveCount 1
            $notFound[0].FullyQualifiedErrorId | Should -Be "SwarmServiceNotFound,$commandId"
            $notFound[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $notFound[0].TargetObject | Should -Be 'opstools-test-nosuch'
            $notFound[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        }

        It 'returns nothing and writes no error for a wildcard that matches nothing' {
            $found = Get-SwarmService -Name 'opstools-test-nosuch*' -ErrorVariable problems

            $found | Should -BeNullOrEmpty
            $problems | Should -BeNullOrEmpty
        }

        It 'stops with InvalidArgument for a label filter that has no key' {
            $problem = { Get-SwarmService -Label '=front' -ErrorAction SilentlyContinue } | Should -Throw -PassThru

            $problem.FullyQualifiedErrorId | Should -Be "SwarmLabelInvalid,$commandId"
            $problem.CategoryInfo.Category | Should -Be 'InvalidArgument'
        }
    }
}

Describe 'Get-SwarmService when Docker cannot be used' {
    It 'stops with a ConnectionError naming the endpoint when the socket does not exist' {
        $problem = { Get-SwarmService -DockerHost 'unix:///tmp/opstools-nonexistent.sock' -ErrorAction SilentlyContinue } | Should -Throw -PassThru

        $problem.FullyQualifiedErrorId | Should -Be "DockerUnreachable,$commandId"
        $problem.CategoryInfo.Category | Should -Be 'ConnectionError'
        $problem.ToString() | Should -BeLike '*unix:///tmp/opstools-nonexistent.sock*'
        $problem.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
    }

    It 'stops with a ConnectionError naming the endpoint when nothing listens on the TCP port' {
        $problem = { Get-SwarmService -DockerHost 'tcp://127.0.0.1:1' -ErrorAction SilentlyContinue } | Should -Throw -PassThru

        $problem.FullyQualifiedErrorId | Should -Be "DockerUnreachable,$commandId"
        $problem.CategoryInfo.Category | Should -Be 'ConnectionError'
        $problem.ToString() | Should -BeLike '*127.0.0.1:1*'
    }

    It 'says the endpoint came from DOCKER_HOST when -DockerHost is not given' {
        $saved = $env:DOCKER_HOST
        try {
            $env:DOCKER_HOST = 'unix:///tmp/opstools-nonexistent-env.sock'
            $problem = { Get-SwarmService } | Should -Throw -PassThru
        }
        finally {
            $env:DOCKER_HOST = $saved
        }

        $problem.FullyQualifiedErrorId | Should -Be "DockerUnreachable,$commandId"
        $problem.ToString() | Should -BeLike '*unix:///tmp/opstools-nonexistent-env.sock (from DOCKER_HOST)*'
    }

    It 'says where the endpoint came from even after the same endpoint was used through -DockerHost' {
        $endpoint = 'unix:///tmp/opstools-nonexistent-cached.sock'
        { Get-SwarmService -DockerHost $endpoint } | Should -Throw
        $saved = $env:DOCKER_HOST
        try {
            $env:DOCKER_HOST = $endpoint
            $problem = { Get-SwarmService } | Should -Throw -PassThru
        }
        finally {
            $env:DOCKER_HOST = $saved
        }

        $problem.ToString() | Should -BeLike "*$endpoint (from DOCKER_HOST)*"
    }

    It 'stops with InvalidArgument for a -DockerHost that is not a Docker endpoint' {
        $problem = { Get-SwarmService -DockerHost 'ftp://docker.example' } | Should -Throw -PassThru

        $problem.FullyQualifiedErrorId | Should -Be "DockerHostInvalid,$commandId"
        $problem.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $problem.ToString() | Should -BeLike "*'ftp://docker.example'*"
    }

    It 'refuses an empty -DockerHost at parameter binding' {
        $problem = { Get-SwarmService -DockerHost '' } | Should -Throw -PassThru

        $problem.FullyQualifiedErrorId | Should -Be "ParameterArgumentValidationError,$commandId"
        $problem.CategoryInfo.Category | Should -Be 'InvalidData'
    }

    Context 'on a daemon that is not a swarm manager' {
        BeforeAll {
            $daemon = Start-TestDockerDaemon
        }

        AfterAll {
            $daemon | Stop-TestDockerDaemon
        }

        BeforeEach {
            if ($daemon.SkipReason) {
                Set-ItResult -Skipped -Because $daemon.SkipReason
            }
        }

        It 'stops with SwarmNotManager (InvalidOperation) naming the endpoint' {
            $problem = { Get-SwarmService -DockerHost $daemon.DockerHost -ErrorAction SilentlyContinue } | Should -Throw -PassThru

            $problem.FullyQualifiedErrorId | Should -Be "SwarmNotManager,$commandId"
            $problem.CategoryInfo.Category | Should -Be 'InvalidOperation'
            $problem.ToString() | Should -BeLike "*$($daemon.DockerHost) is not a swarm manager*"
            $problem.ErrorDetails.RecommendedAction | Should -BeLike '*docker swarm init*'
        }

        It 'gives the daemon''s reason in plain words, not a raw API response' {
            $problem = { Get-SwarmService -DockerHost $daemon.DockerHost } | Should -Throw -PassThru

            $problem.ToString() | Should -Not -BeLike '*response=*'
            $problem.ToString() | Should -BeLike '*This node is not a swarm manager*'
        }
    }
}

Describe 'Get-SwarmService over TLS (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH)' {
    BeforeAll {
        # A second daemon with --tlsverify on tcp://127.0.0.1:2376 inside its own network
        # namespace; the module runs in a pwsh that enters that namespace.
        $daemon = Start-TestDockerDaemon -Tls
    }

    AfterAll {
        $daemon | Stop-TestDockerDaemon
    }

    BeforeEach {
        if ($daemon.SkipReason) {
            Set-ItResult -Skipped -Because $daemon.SkipReason
        }
    }

    It 'reaches the daemon with the client certificate from DOCKER_CERT_PATH' {
        $result = Invoke-InDaemonNetwork -Daemon $daemon -Environment @{ DOCKER_HOST = $daemon.TcpHost; DOCKER_TLS_VERIFY = '1'; DOCKER_CERT_PATH = $daemon.CertPath } -Script {
            try { Get-SwarmService } catch { $_.FullyQualifiedErrorId }
        }.ToString()

        # The daemon answered over TLS: it is not a swarm manager, which it can only say after the handshake.
        $result | Should -Be 'SwarmNotManager,OpsTools.Commands.Swarm.GetSwarmServiceCommand'
    }

    It 'refuses a server whose certificate is not signed by the CA in DOCKER_CERT_PATH' {
        $otherCa = Join-Path $daemon.Directory 'other-ca'
        $null = New-Item -ItemType Directory -Path $otherCa
        New-TestTlsCertificate -Directory $otherCa
        Copy-Item (Join-Path $daemon.CertPath 'cert.pem'), (Join-Path $daemon.CertPath 'key.pem') $otherCa -Force

        $result = Invoke-InDaemonNetwork -Daemon $daemon -Environment @{ DOCKER_HOST = $daemon.TcpHost; DOCKER_TLS_VERIFY = '1'; DOCKER_CERT_PATH = $otherCa } -Script {
            try { Get-SwarmService; 'no error' } catch { '{0}|{1}' -f $_.FullyQualifiedErrorId, $_.CategoryInfo.Category }
        }.ToString()

        $result | Should -Be 'DockerTlsFailed,OpsTools.Commands.Swarm.GetSwarmServiceCommand|ConnectionError'
    }

    It 'tells the operator to turn TLS on when the daemon requires it' {
        $result = Invoke-InDaemonNetwork -Daemon $daemon -Environment @{ DOCKER_HOST = $daemon.TcpHost } -Script {
            try { Get-SwarmService; 'no error' } catch { '{0}|{1}|{2}' -f $_.FullyQualifiedErrorId, $_.CategoryInfo.Category, $_.ErrorDetails.RecommendedAction }
        }.ToString()

        $id, $category, $advice = $result -split '\|'
        $id | Should -Be 'DockerTlsRequired,OpsTools.Commands.Swarm.GetSwarmServiceCommand'
        $category | Should -Be 'ConnectionError'
        $advice | Should -BeLike '*DOCKER_TLS_VERIFY*'
    }
}
