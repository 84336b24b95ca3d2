#Requires -Version 7.4
# Get-CephStatus: parameter surface, the lab cluster's figures, the ceph -s view, and the error
# for an unreachable monitor.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'CephTestSupport.psm1') -Force
    $ceph = Get-CephLabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'CephTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Ceph.GetCephStatusCommand'
}

Describe 'Get-CephStatus parameters' {
    BeforeAll {
        $command = Get-Command -Name Get-CephStatus
        $surface = Get-ParameterSurface -Command Get-CephStatus
    }

    It 'has the same connection parameters as Get-CephHealth' {
        $surface.Keys | Sort-Object | Should -Be @('Cluster', 'ConfigPath', 'Id', 'Keyring', 'Timeout')
        $surface.ConfigPath.Aliases | Should -Be @('Conf')
        $surface.Id.Aliases | Should -Be @('User')
        $surface.Values.Mandatory | Should -Not -Contain $true
    }

    It 'declares its output type as OpsTools.Ceph.CephStatus' {
        $command.OutputType.Name | Should -Be 'OpsTools.Ceph.CephStatus'
    }
}

Describe 'Get-CephStatus against the lab cluster' -Skip:(-not $ceph.IsAvailable) {
    BeforeAll {
        $cluster = Get-CephClusterParameter
        $status = Get-CephStatus @cluster
    }

    It 'counts the one OSD as up and in, and the monitor in quorum' {
        $status.Osds | Should -Be 1
        $status.OsdsUp | Should -Be 1
        $status.OsdsIn | Should -Be 1
        $status.Quorum | Should -Be @('a')
        $status.ManagerAvailable | Should -BeTrue
    }

    It 'reports capacity as ceph df does' {
        $df = Invoke-LabCeph df --format json | ConvertFrom-Json

        $status.TotalBytes | Should -Be $df.stats.total_bytes
        $status.PercentUsed | Should -BeGreaterThan 0
        $status.Pools.Name | Should -Contain 'cephfs_data'
        ($status.Pools | Where-Object Name -EQ cephfs_data).MaxAvailableBytes | Should -BeGreaterThan 0
    }

    It 'reports the file system with its active MDS' {
        $fs = $status.FileSystems | Where-Object Name -EQ cephfs

        $fs.IsHealthy | Should -BeTrue
        $fs.ActiveRanks | Should -Be 1
        $fs.Daemons | Should -Be @('a=up:active')
        $fs.MetadataPool | Should -Be 'cephfs_metadata'
    }

    It 'reads like ceph -s' {
        $text = $status | Out-String -Width 200

        $text | Should -Match 'cluster:'
        $text | Should -Match "id:\s+$($status.Fsid)"
        $text | Should -Match 'osd: 1 osds: 1 up, 1 in'
        $text | Should -Match 'mds: cephfs 1/1 up \(a=up:active\)'
        $text | Should -Match 'pgs:\s+\d+ active\+clean'
    }

    It 'shows the pools like ceph df' {
        $text = $status.Pools | Format-Table | Out-String -Width 200

        $text | Should -Match 'POOL\s+ID\s+STORED\s+OBJECTS\s+USED\s+%USED\s+MAX AVAIL'
        $text | Should -Match 'cephfs_metadata\s+1\s'
    }

    It 'stops with CephClusterUnreachable (ConnectionError) within the timeout when no monitor answers' {
        $conf = Join-Path $TestDrive 'unreachable.conf'
        Set-Content -LiteralPath $conf -Value "[global]`nmon_host = 127.0.0.1:9"
        $clock = [System.Diagnostics.Stopwatch]::StartNew()

        $failure = { Get-CephStatus -ConfigPath $conf -Keyring $cluster.Keyring -Timeout 2 } | Should -Throw -PassThru

        $clock.Elapsed.TotalSeconds | Should -BeLessThan 8
        $failure.FullyQualifiedErrorId | Should -Be "CephClusterUnreachable,$commandId"
        $failure.CategoryInfo.Category | Should -Be 'ConnectionError'
    }
}
