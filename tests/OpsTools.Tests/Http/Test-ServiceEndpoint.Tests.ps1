#Requires -Version 7.4
# Test-ServiceEndpoint: parameter surface, bad input, then real loopback endpoints: an HTTP server
# answering by path (200 JSON, 500), a listener that accepts connections and never answers, a
# refused port, and a Swarm service publishing busybox httpd on a host-mode port.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $docker = Get-LabStatus -WarningAction SilentlyContinue
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Http.TestServiceEndpointCommand'

    function Get-FreePort {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        $port = $listener.LocalEndpoint.Port
        $listener.Stop()
        $port
    }

    # A tiny HTTP server on its own thread: /ok answers 200 {"status":"ok"}, anything else 500.
    $httpPort = Get-FreePort
    $http = [System.Net.HttpListener]::new()
    $http.Prefixes.Add("http://127.0.0.1:$httpPort/")
    $http.Start()
    $server = Start-ThreadJob -ArgumentList $http -ScriptBlock {
        param($Listener)
        while ($Listener.IsListening) {
            try { $context = $Listener.GetContext() } catch { break }
            $ok = $context.Request.Url.AbsolutePath -eq '/ok'
            $body = [System.Text.Encoding]::UTF8.GetBytes($(if ($ok) { '{"status":"ok","checks":{"db":"up"}}' } else { '{"status":"error"}' }))
            $context.Response.StatusCode = if ($ok) { 200 } else { 500 }
            $context.Response.ContentType = 'application/json'
            $context.Response.OutputStream.Write($body, 0, $body.Length)
            $context.Response.Close()
        }
    }
    # Never accepted: the kernel completes the handshake from the backlog and nothing ever answers.
    $silent = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $silent.Start()
    $base = "http://127.0.0.1:$httpPort"
    $silentUri = "http://127.0.0.1:$($silent.LocalEndpoint.Port)/health"
    $refusedUri = "http://127.0.0.1:$(Get-FreePort)/health"
}

AfterAll {
    $http.Stop()
    $http.Close()
    $silent.Stop()
    $server | Wait-Job -Timeout 5 | Remove-Job -Force
}

Describe 'Test-ServiceEndpoint parameters' {
    BeforeAll {
        $command = Get-Command Test-ServiceEndpoint
        $surface = Get-ParameterSurface -Command Test-ServiceEndpoint
    }

    It 'has the parameters Uri, Service, Path, ServiceHost, ExpectStatus, ExpectJson, Timeout, ThrottleLimit, SkipCertificateCheck and DockerHost' {
        $surface.Keys | Sort-Object | Should -Be @('DockerHost', 'ExpectJson', 'ExpectStatus', 'Path', 'Project', 'Service', 'ServiceHost', 'SkipCertificateCheck', 'ThrottleLimit', 'Timeout', 'Uri')
    }

    It 'takes URIs at position 0 from the pipeline, and services by the Name property' {
        $command.DefaultParameterSet | Should -Be 'Uri'
        $surface.Uri.Position | Should -Be 0
        $surface.Uri.ValueFromPipeline | Should -BeTrue
        $surface.Service.ValueFromPipelineByPropertyName | Should -BeTrue
        $surface.Service.Aliases | Should -Contain 'Name'
        $surface.Timeout.Type | Should -Be 'System.TimeSpan'
    }

    It 'writes EndpointUriInvalid (InvalidArgument) for a malformed URI and still checks the others' {
        $results = Test-ServiceEndpoint 'not a uri', "$base/ok" -ErrorVariable failed -ErrorAction SilentlyContinue

        @($results).Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -Be "EndpointUriInvalid,$commandId"
        $failed[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $failed[0].TargetObject | Should -Be 'not a uri'
    }
}

Describe 'Test-ServiceEndpoint against loopback endpoints' {
    It 'finds a 200 with the expected JSON healthy, and Format-Table reads like a check list' {
        $result = Test-ServiceEndpoint "$base/ok" -ExpectStatus 200 -ExpectJson @{ status = 'ok'; 'checks.db' = 'up' }

        $result | Should -BeOfType ([OpsTools.Http.ServiceEndpointCheck])
        $result.Healthy | Should -BeTrue
        $result.StatusCode | Should -Be 200
        $result.ExpectationsMet | Should -BeTrue
        $result.Latency | Should -BeOfType ([TimeSpan])
        ($result | Format-Table | Out-String) | Should -Match "$([regex]::Escape("$base/ok"))\s+True\s+200\s+\d+ ms"
    }

    It 'reports a 500 as unhealthy for its status' {
        $result = Test-ServiceEndpoint "$base/fail"

        $result.Healthy | Should -BeFalse
        $result.StatusCode | Should -Be 500
        $result.Reason | Should -Be Status
    }

    It 'reports a JSON value that differs as JsonMismatch, naming the path' {
        $result = Test-ServiceEndpoint "$base/ok" -ExpectJson @{ 'checks.db' = 'down' }

        $result.Reason | Should -Be JsonMismatch
        $result.FailedExpectations | Should -Be @("JSON 'checks.db' is 'up', expected 'down'")
    }

    It 'bounds an endpoint that never answers by the timeout and a refused port as Refused, together in about one timeout' {
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $results = $silentUri, $silentUri, $refusedUri, "$base/ok" | Test-ServiceEndpoint -Timeout 1s
        $watch.Stop()

        $results.Reason | Should -Be @('Timeout', 'Timeout', 'Refused', 'None')
        $results[0].StatusCode | Should -BeNullOrEmpty
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 4
    }

    It 'exports the checks to CSV with scalar columns first' {
        $csv = Test-ServiceEndpoint "$base/fail" | ConvertTo-Csv | ConvertFrom-Csv

        $csv.Healthy | Should -Be 'False'
        $csv.StatusCode | Should -Be '500'
        $csv.Reason | Should -Be 'Status'
    }
}

Describe 'Test-ServiceEndpoint -Service' -Skip:(-not $docker.IsAvailable) {
    BeforeAll {
        $serviceName = 'opstools-rq-http-' + [guid]::NewGuid().ToString('n').Substring(0, 6)
        $publishedPort = Get-FreePort
        $script = 'mkdir -p /www && echo ''{"status":"ok"}'' > /www/health && exec httpd -f -p 8080 -h /www'
        $null = Invoke-LabDocker -ArgumentList 'service', 'create', '--detach', '--quiet', '--name', $serviceName, '--init', '--stop-grace-period', '1s',
            '--publish', "mode=host,target=8080,published=$publishedPort", (Get-LabSetting IMAGE_BUSYBOX), 'sh', '-c', $script
        $null = Wait-Until { try { (Invoke-WebRequest "http://127.0.0.1:$publishedPort/health" -TimeoutSec 1).StatusCode -eq 200 } catch { $false } } -Because "$serviceName serves on $publishedPort" -TimeoutSeconds 60 -IntervalMilliseconds 200
    }

    AfterAll {
        $null = Invoke-LabDocker -ArgumentList 'service', 'rm', $serviceName -AllowFailure
    }

    It 'checks the published port of a Swarm service at -Path' {
        $result = Test-ServiceEndpoint -Service $serviceName -DockerHost (Get-LabSetting DOCKER_HOST) -Path /health -ServiceHost 127.0.0.1 -ExpectJson @{ status = 'ok' }

        $result.Uri | Should -Be "http://127.0.0.1:$publishedPort/health"
        $result.Service | Should -Be $serviceName
        $result.Healthy | Should -BeTrue
    }

    It 'writes SwarmServiceNotFound (ObjectNotFound) for a service that does not exist' {
        Test-ServiceEndpoint -Service 'opstools-rq-no-such-service' -DockerHost (Get-LabSetting DOCKER_HOST) -ErrorVariable failed -ErrorAction SilentlyContinue

        $failed[0].FullyQualifiedErrorId | Should -Be "SwarmServiceNotFound,$commandId"
        $failed[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}

Describe 'Test-ServiceEndpoint -Service on compose services' -Skip:(-not $docker.IsAvailable) {
    BeforeAll {
        $project = 'opstools-test-' + [guid]::NewGuid().ToString('n').Substring(0, 8)
        $twin = "$project-twin"
        $composePort = Get-FreePort
        $script = 'mkdir -p /www && echo ''{"status":"ok"}'' > /www/health && exec httpd -f -p 8080 -h /www'
        # Containers labelled as docker compose labels them: 'web' of the project publishes 8080 on
        # loopback; a second project has a 'web' too, without ports.
        foreach ($item in @(@{ Project = $project; Publish = @('--publish', "127.0.0.1:${composePort}:8080") }, @{ Project = $twin; Publish = @() })) {
            $null = Invoke-LabDocker -ArgumentList (@('run', '--detach', '--name', "$($item.Project)_web_1",
                    '--label', "com.docker.compose.project=$($item.Project)", '--label', 'com.docker.compose.service=web',
                    '--label', 'com.docker.compose.container-number=1', '--label', 'com.docker.compose.oneoff=False') + $item.Publish +
                @((Get-LabSetting IMAGE_BUSYBOX), 'sh', '-c', $script))
        }
        $null = Wait-Until { try { (Invoke-WebRequest "http://127.0.0.1:$composePort/health" -TimeoutSec 1).StatusCode -eq 200 } catch { $false } } -Because "web serves on $composePort" -TimeoutSeconds 60 -IntervalMilliseconds 200
    }

    AfterAll {
        $null = Invoke-LabDocker -ArgumentList 'rm', '--force', "${project}_web_1", "${twin}_web_1" -AllowFailure
    }

    It 'checks the port a compose service publishes, by -Project and from Get-ComposeService' {
        $byName = Test-ServiceEndpoint -Service web -Project $project -DockerHost (Get-LabSetting DOCKER_HOST) -Path /health -ExpectJson @{ status = 'ok' }
        $piped = Get-ComposeService -Project $project -DockerHost (Get-LabSetting DOCKER_HOST) | Test-ServiceEndpoint -Path /health -DockerHost (Get-LabSetting DOCKER_HOST)

        $byName.Uri | Should -Be "http://127.0.0.1:$composePort/health"
        $byName.Healthy | Should -BeTrue
        $byName.Service | Should -Be 'web'
        $piped.Uri | Should -Be "http://127.0.0.1:$composePort/health"
        $piped.Healthy | Should -BeTrue
    }

    It 'asks for -Project when two projects have the service, and says when a service publishes nothing' {
        Test-ServiceEndpoint -Service web -DockerHost (Get-LabSetting DOCKER_HOST) -ErrorVariable ambiguous -ErrorAction SilentlyContinue
        Test-ServiceEndpoint -Service web -Project $twin -DockerHost (Get-LabSetting DOCKER_HOST) -ErrorVariable noPort -ErrorAction SilentlyContinue
        Test-ServiceEndpoint -Service nothing -Project $project -DockerHost (Get-LabSetting DOCKER_HOST) -ErrorVariable missing -ErrorAction SilentlyContinue

        $ambiguous[0].FullyQualifiedErrorId | Should -Be "ComposeServiceAmbiguous,$commandId"
        $ambiguous[0].ErrorDetails.RecommendedAction | Should -Match '-Project'
        $noPort[0].FullyQualifiedErrorId | Should -Be "ComposeServiceNoPublishedPort,$commandId"
        $missing[0].FullyQualifiedErrorId | Should -Be "ComposeServiceNotFound,$commandId"
        $missing[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}
