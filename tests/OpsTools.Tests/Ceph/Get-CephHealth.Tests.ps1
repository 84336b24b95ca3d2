#Requires -Version 7.4
# Get-CephHealth: parameter surface, a real warning caused and cleared (the noout flag), a muted
# check, the ceph health detail view, and the errors for an unreachable or unknown cluster.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'CephTestSupport.psm1') -Force
    $ceph = Get-CephLabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'CephTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Ceph.GetCephHealthCommand'
}

Describe 'Get-CephHealth parameters' {
    BeforeAll {
        $command = Get-Command -Name Get-CephHealth
        $surface = Get-ParameterSurface -Command Get-CephHealth
    }

    It 'has exactly the parameters Cluster, ConfigPath, Keyring, Id and Timeout' {
        $surface.Keys | Sort-Object | Should -Be @('Cluster', 'ConfigPath', 'Id', 'Keyring', 'Timeout')
    }

    It 'declares -<Name> as <Type> with aliases <Aliases>' -ForEach @(
        @{ Name = 'Cluster'; Type = 'System.String'; Aliases = '' }
        @{ Name = 'ConfigPath'; Type = 'System.String'; Aliases = 'Conf' }
        @{ Name = 'Keyring'; Type = 'System.String'; Aliases = '' }
        @{ Name = 'Id'; Type = 'System.String'; Aliases = 'User' }
        @{ Name = 'Timeout'; Type = 'System.TimeSpan'; Aliases = '' }
    ) {
        $parameter = $surface[$Name]
        $parameter.Type | Should -Be $Type
        $parameter.Mandatory | Should -BeFalse
        $parameter.Position | Should -BeNullOrEmpty
        $parameter.ValueFromPipeline | Should -BeFalse
        $parameter.Aliases -join ',' | Should -Be $Aliases
    }

    It 'declares its output type as OpsTools.Ceph.CephHealth' {
        $command.OutputType.Name | Should -Be 'OpsTools.Ceph.CephHealth'
    }
}

Describe 'Get-CephHealth against the lab cluster' -Skip:(-not $ceph.IsAvailable) {
    BeforeAll {
        $cluster = Get-CephClusterParameter
    }

    AfterAll {
        # Whatever happened above, leave the cluster as it was.
        $null = Invoke-LabCeph health unmute OSDMAP_FLAGS
        $null = Invoke-LabCeph osd unset noout
    }

    It 'reports the noout flag as a warning once it is set, and clears it once unset' {
        $null = Invoke-LabCeph osd set noout

        $warned = Get-CephHealth @cluster
        $null = Invoke-LabCeph osd unset noout
        $cleared = Get-CephHealth @cluster

        $flag = $warned.Checks | Where-Object Code -EQ OSDMAP_FLAGS
        $flag.Severity | Should -Be 'Warning'
        $flag.Message | Should -Match 'noout'
        $flag.Muted | Should -BeFalse
        $warned.Status | Should -Not -Be 'Ok'
        $warned.ActiveChecks | Should -BeGreaterOrEqual 1
        $cleared.Checks.Code | Should -Not -Contain 'OSDMAP_FLAGS'
    }

    It 'shows a muted check as muted, not counting towards the status' {
        $null = Invoke-LabCeph osd set noout
        $null = Invoke-LabCeph health mute OSDMAP_FLAGS
        try {
            $health = Get-CephHealth @cluster
        }
        finally {
            $null = Invoke-LabCeph health unmute OSDMAP_FLAGS
            $null = Invoke-LabCeph osd unset noout
        }

        $flag = $health.Checks | Where-Object Code -EQ OSDMAP_FLAGS
        $flag.Muted | Should -BeTrue
        $health.MutedChecks | Should -BeGreaterOrEqual 1
        @($health.Checks | Where-Object { -not $_.Muted }) | Should -HaveCount $health.ActiveChecks
    }

    It 'reads like ceph health detail' {
        $null = Invoke-LabCeph osd set noout
        try {
            $text = Get-CephHealth @cluster | Out-String -Width 200
        }
        finally {
            $null = Invoke-LabCeph osd unset noout
        }

        $text | Should -Match 'HEALTH_WARN .*noout flag\(s\) set'
        $text | Should -Match '\[WRN\] OSDMAP_FLAGS: noout flag\(s\) set'
    }

    It 'resolves a relative -ConfigPath against the current location' {
        Push-Location -LiteralPath (Split-Path $cluster.ConfigPath)
        try {
            $health = Get-CephHealth -ConfigPath ./ceph.conf -Keyring $cluster.Keyring -Id $cluster.Id
        }
        finally {
            Pop-Location
        }

        $health.Status | Should -Not -Be 'Unknown'
        $health.Cluster | Should -Be 'ceph'
    }

    It 'stops with CephClusterUnreachable (ConnectionError) within the timeout when no monitor answers' {
        $conf = Join-Path $TestDrive 'unreachable.conf'
        Set-Content -LiteralPath $conf -Value "[global]`nmon_host = 127.0.0.1:9"
        $clock = [System.Diagnostics.Stopwatch]::StartNew()

        $failure = { Get-CephHealth -ConfigPath $conf -Keyring $cluster.Keyring -Timeout 2 } | Should -Throw -PassThru

        $clock.Elapsed.TotalSeconds | Should -BeLessThan 8
        $failure.FullyQualifiedErrorId | Should -Be "CephClusterUnreachable,$commandId"
        $failure.CategoryInfo.Category | Should -Be 'ConnectionError'
        $failure.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
    }

    It 'stops with CephConfigNotFound (ObjectNotFound) for a configuration file that does not exist' {
        $failure = { Get-CephHealth -ConfigPath (Join-Path $TestDrive 'missing.conf') -Timeout 2 } | Should -Throw -PassThru

        $failure.FullyQualifiedErrorId | Should -Be "CephConfigNotFound,$commandId"
        $failure.CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'stops with CephAccessDenied (PermissionDenied) for a client the monitors do not know' {
        $failure = { Get-CephHealth -ConfigPath $cluster.ConfigPath -Keyring $cluster.Keyring -Id opstools-nobody -Timeout 5 } | Should -Throw -PassThru

        $failure.FullyQualifiedErrorId | Should -Be "CephAccessDenied,$commandId"
        $failure.CategoryInfo.Category | Should -Be 'PermissionDenied'
    }
}
