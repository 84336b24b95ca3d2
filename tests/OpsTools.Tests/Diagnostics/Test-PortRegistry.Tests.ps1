#Requires -Version 7.4
# Test-PortRegistry: parameter surface, then registries and compose files written to TestDrive,
# and a socket this test opens itself.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Diagnostics.TestPortRegistryCommand'
}

Describe 'Test-PortRegistry parameters' {
    It 'has exactly the parameters Path, ComposePath and EnvFile' {
        $surface = Get-ParameterSurface -Command Test-PortRegistry

        $surface.Keys | Sort-Object | Should -Be @('ComposePath', 'EnvFile', 'Path')
        $surface['ComposePath'].Type | Should -Be 'System.String[]'
        (Get-Command Test-PortRegistry).OutputType.Name | Should -Be 'OpsTools.Diagnostics.PortRegistryFinding'
    }
}

Describe 'Test-PortRegistry on files' {
    BeforeAll {
        $registry = Join-Path $TestDrive 'PORT_REGISTRY.yaml'
        Set-Content -LiteralPath $registry -Encoding utf8NoBOM -Value @'
blocks:
  billing:
    range: 8100-8199
    owner: team-billing
    services:
      api: 8101
  crm:
    range: 8190-8299
'@
        $billing = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'billing')
        $crm = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'crm')
        Set-Content -LiteralPath (Join-Path $billing 'docker-compose.yml') -Encoding utf8NoBOM -Value "services:`n  api:`n    image: x`n    ports: ['`${API_PORT}:80']"
        Set-Content -LiteralPath (Join-Path $billing '.env') -Value 'API_PORT=8101' -Encoding utf8NoBOM
        Set-Content -LiteralPath (Join-Path $crm 'docker-compose.yml') -Encoding utf8NoBOM -Value "services:`n  web:`n    image: x`n    ports: ['8101:80', '8400:81']"
    }

    It 'reports overlapping blocks, ports outside their block and a port published twice' {
        $findings = Test-PortRegistry -Path $registry -ComposePath (Join-Path $billing 'docker-compose.yml'), (Join-Path $crm 'docker-compose.yml')

        $overlap = $findings | Where-Object Kind -eq BlockOverlap
        $overlap.Port | Should -Be 8190
        $overlap.Line | Should -Be 7
        ($findings | Where-Object Kind -eq PublishedPortOutsideBlock | Sort-Object Port).Port | Should -Be @(8101, 8400)
        $twice = $findings | Where-Object Kind -eq PublishedPortDuplicate
        $twice.Port | Should -Be 8101
        $twice.Service | Should -Be 'billing/api, crm/web'
        $findings | Where-Object Kind -eq PublishedPortMismatch | Should -BeNullOrEmpty
    }

    It 'reports a registered port already listening here, with the owning process' -Skip:(-not $IsLinux) {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        try {
            $port = $listener.LocalEndpoint.Port
            $busy = Join-Path $TestDrive 'busy.yaml'
            Set-Content -LiteralPath $busy -Value "blocks:`n  probe:`n    range: $port-$port`n    services:`n      probe: $port" -Encoding utf8NoBOM

            $finding = Test-PortRegistry -Path $busy | Where-Object Kind -eq PortInUse
        }
        finally { $listener.Stop() }

        $finding.Port | Should -Be $port
        $finding.ProcessId | Should -Be $PID
        $finding.Severity | Should -Be 'Warning'
    }

    It 'writes PortRegistryInvalid (InvalidData) naming the line of a malformed registry' {
        $bad = Join-Path $TestDrive 'bad.yaml'
        Set-Content -LiteralPath $bad -Value "blocks:`n  billing:`n    range: 8100-8199`n    services:`n      api: eighty" -Encoding utf8NoBOM

        Test-PortRegistry -Path $bad -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "PortRegistryInvalid,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidData'
        "$($problems[0])" | Should -BeLike '*bad.yaml:5:*'
    }

    It 'writes PortRegistryNotFound (ObjectNotFound) for a missing registry' {
        Test-PortRegistry -Path (Join-Path $TestDrive 'none.yaml') -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "PortRegistryNotFound,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}
