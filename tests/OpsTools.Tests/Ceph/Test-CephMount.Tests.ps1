#Requires -Version 7.4
# Test-CephMount: parameter surface, the lab mount, a plain directory, a client without the p
# cap, and the MDS stopped (SIGSTOP): the cmdlet returns within its timeout with the reason.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'CephTestSupport.psm1') -Force
    $ceph = Get-CephLabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'CephTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Ceph.TestCephMountCommand'
}

Describe 'Test-CephMount parameters' {
    BeforeAll {
        $command = Get-Command -Name Test-CephMount
        $surface = Get-ParameterSurface -Command Test-CephMount
    }

    It 'has exactly the parameters Path, Quiet and Timeout' {
        $surface.Keys | Sort-Object | Should -Be @('Path', 'Quiet', 'Timeout')
    }

    It 'takes -Path first, from the pipeline, without wildcards' {
        $surface.Path.Type | Should -Be 'System.String[]'
        $surface.Path.Mandatory | Should -BeTrue
        $surface.Path.Position | Should -Be 0
        $surface.Path.ValueFromPipeline | Should -BeTrue
        $surface.Path.ValueFromPipelineByPropertyName | Should -BeTrue
        $surface.Path.SupportsWildcards | Should -BeFalse
        $surface.Path.Aliases | Should -Be @('MountPoint', 'PSPath')
    }

    It 'waits 5 s by default' {
        (New-Object OpsTools.Commands.Ceph.TestCephMountCommand).Timeout | Should -Be ([TimeSpan]::FromSeconds(5))
    }

    It 'declares the output types CephMountTest and Boolean' {
        $command.OutputType.Name | Sort-Object | Should -Be @('OpsTools.Ceph.CephMountTest', 'System.Boolean')
    }
}

Describe 'Test-CephMount against the lab CephFS' -Skip:(-not $ceph.IsAvailable) {
    BeforeAll {
        $mount = Get-LabSetting CEPHFS_MOUNT
        $dir = New-CephTestDirectory 'mount'
    }

    AfterAll {
        Remove-CephTestDirectory
    }

    It 'passes every check on the lab mount, without changing its quota' {
        $result = Test-CephMount -Path $dir

        $result.Passed | Should -BeTrue -Because $result.Reason
        $result.IsCephFs | Should -BeTrue
        $result.MountPoint | Should -Be $mount
        $result.FileSystemType | Should -Be 'fuse.ceph-fuse'
        $result.Client | Should -Be 'client.fsclient'
        $result.IsResponsive | Should -BeTrue
        $result.ResponseTime | Should -BeLessThan ([TimeSpan]::FromSeconds(5))
        $result.CanReadStatistics | Should -BeTrue
        $result.CanSetQuota | Should -BeTrue
        $result.Checks.Result | Should -Be @('Passed', 'Passed', 'Passed', 'Passed')
        Get-CephAttribute -Path $dir -Name ceph.quota | Should -BeNullOrEmpty
    }

    It 'fails the Mounted check on a plain directory and skips the rest' {
        $result = Test-CephMount -Path $TestDrive

        $result.Passed | Should -BeFalse
        $result.IsCephFs | Should -BeFalse
        $result.IsResponsive | Should -BeNullOrEmpty
        $result.Checks.Result | Should -Be @('Failed', 'Skipped', 'Skipped', 'Skipped')
        $result.Reason | Should -Match 'not on CephFS'
    }

    It 'tells a client without the p cap cannot set quotas' {
        $result = Test-CephMount -Path (ConvertTo-NoQuotaPath $dir)

        $result.Passed | Should -BeFalse
        $result.CanReadStatistics | Should -BeTrue
        $result.CanSetQuota | Should -BeFalse
        $result.Reason | Should -Match "client.fsnoquota may not set quotas.*'p'"
    }

    It 'answers $true or $false with -Quiet' {
        Test-CephMount -Path $dir, $TestDrive -Quiet | Should -Be @($true, $false)
    }

    It 'returns within its timeout with the reason while the MDS is stopped' {
        $mds = Get-LabMdsProcessId
        & kill -STOP $mds
        try {
            $clock = [System.Diagnostics.Stopwatch]::StartNew()
            $result = Test-CephMount -Path $dir -Timeout 2
            $took = $clock.Elapsed
        }
        finally {
            & kill -CONT $mds
        }

        $took.TotalSeconds | Should -BeLessThan 4
        $result.Passed | Should -BeFalse
        $result.IsCephFs | Should -BeTrue
        $result.IsResponsive | Should -BeFalse
        $result.Reason | Should -Match 'no answer within 2 s.*MDS'
        ($result.Checks | Where-Object Name -EQ Statistics).Result | Should -Be 'Skipped'

        # Resumed, the MDS answers again (and the call left behind returns).
        $null = Wait-Until -TimeoutSeconds 30 -Because 'the mount answers again' -Condition { (Test-CephMount -Path $dir -Timeout 2).IsResponsive }
    }

    It 'shows a table with the outcome of each check' {
        $text = Test-CephMount -Path $dir | Format-Table | Out-String -Width 250

        $text | Should -Match 'PASSED\s+CEPHFS\s+RESPONSIVE\s+STATISTICS\s+QUOTA\s+PATH\s+REASON'
        $text | Should -Match 'True\s+True\s+[\d.]+ ms\s+True\s+True'
    }

    It 'writes CephPathInvalid (InvalidArgument) for a path that is not a file-system path' {
        $null = Test-CephMount -Path 'Env:\PATH' -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "CephPathInvalid,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
    }
}
