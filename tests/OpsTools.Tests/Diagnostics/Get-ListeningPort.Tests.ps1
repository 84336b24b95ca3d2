#Requires -Version 7.4
# Get-ListeningPort: parameter surface, then sockets this test opens itself in the pwsh process.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $null = Import-BuiltModule
}

Describe 'Get-ListeningPort parameters' {
    It 'has exactly the parameters Port and Protocol' {
        $surface = Get-ParameterSurface -Command Get-ListeningPort

        $surface.Keys | Sort-Object | Should -Be @('Port', 'Protocol')
        $surface['Port'].Type | Should -Be 'System.Int32[]'
        $surface['Protocol'].Type | Should -Be 'System.Nullable`1[OpsTools.Diagnostics.PortProtocol]'
    }

    It 'refuses port 0 with a validation error' {
        $problem = { Get-ListeningPort -Port 0 } | Should -Throw -PassThru

        $problem.FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentValidationError,*GetListeningPortCommand'
        $problem.CategoryInfo.Category | Should -Be 'InvalidData'
    }
}

Describe 'Get-ListeningPort on this host' -Skip:(-not $IsLinux) {
    BeforeAll {
        $tcp = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $tcp.Start()
        $udp = [System.Net.Sockets.UdpClient]::new([System.Net.IPEndPoint]::new([System.Net.IPAddress]::Loopback, 0))
        $tcpPort = $tcp.LocalEndpoint.Port
        $udpPort = $udp.Client.LocalEndPoint.Port
    }

    AfterAll {
        $tcp.Stop()
        $udp.Dispose()
    }

    It 'lists a TCP socket this process listens on, with its PID and process name' {
        $socket = Get-ListeningPort -Port $tcpPort -Protocol Tcp

        $socket | Should -HaveCount 1
        $socket.Address | Should -Be '127.0.0.1'
        $socket.AddressFamily | Should -Be 'IPv4'
        $socket.ProcessId | Should -Be $PID
        $socket.ProcessName | Should -Not -BeNullOrEmpty
    }

    It 'filters by protocol: the UDP port is not a TCP one' {
        (Get-ListeningPort -Port $udpPort -Protocol Udp).ProcessId | Should -Be $PID
        Get-ListeningPort -Port $udpPort -Protocol Tcp | Where-Object ProcessId -eq $PID | Should -BeNullOrEmpty
    }

    It 'shows an ss-like table and exports to CSV' {
        $table = Get-ListeningPort -Port $tcpPort | Format-Table | Out-String
        $csv = Get-ListeningPort -Port $tcpPort | ConvertTo-Csv

        $table | Should -Match "NETID\s+LOCAL ADDRESS:PORT\s+PID\s+PROCESS"
        $table | Should -Match "tcp\s+127\.0\.0\.1:$tcpPort\s+$PID"
        $csv[0] | Should -BeLike '*"Protocol","Address","Port","AddressFamily","ProcessId","ProcessName","Endpoint"*'
    }
}
