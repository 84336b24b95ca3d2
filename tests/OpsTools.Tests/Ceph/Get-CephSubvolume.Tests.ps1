#Requires -Version 7.4
# Get-CephSubvolume: parameter surface, subvolumes made with the ceph CLI read back, wildcards,
# the default view, and the errors.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'CephTestSupport.psm1') -Force
    $ceph = Get-CephLabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'CephTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Ceph.GetCephSubvolumeCommand'
}

Describe 'Get-CephSubvolume parameters' {
    BeforeAll {
        $command = Get-Command -Name Get-CephSubvolume
        $surface = Get-ParameterSurface -Command Get-CephSubvolume
    }

    It 'has the parameters Name, FileSystem, Group and the cluster connection' {
        $surface.Keys | Sort-Object | Should -Be @('Cluster', 'ConfigPath', 'FileSystem', 'Group', 'Id', 'Keyring', 'Name', 'Timeout')
    }

    It 'declares -<Name> as <Type>' -ForEach @(
        @{ Name = 'Name'; Type = 'System.String[]'; Position = 0; ByValue = $true; ByPropertyName = $true; Wildcards = $true; Aliases = '' }
        @{ Name = 'FileSystem'; Type = 'System.String'; Position = $null; ByValue = $false; ByPropertyName = $true; Wildcards = $false; Aliases = 'Volume' }
        @{ Name = 'Group'; Type = 'System.String'; Position = $null; ByValue = $false; ByPropertyName = $true; Wildcards = $false; Aliases = 'GroupName' }
    ) {
        $parameter = $surface[$Name]
        $parameter.Type | Should -Be $Type
        $parameter.Mandatory | Should -BeFalse
        $parameter.Position | Should -Be $Position
        $parameter.ValueFromPipeline | Should -Be $ByValue
        $parameter.ValueFromPipelineByPropertyName | Should -Be $ByPropertyName
        $parameter.SupportsWildcards | Should -Be $Wildcards
        $parameter.Aliases -join ',' | Should -Be $Aliases
    }

    It 'declares its output type as OpsTools.Ceph.CephSubvolume' {
        $command.OutputType.Name | Should -Be 'OpsTools.Ceph.CephSubvolume'
    }
}

Describe 'Get-CephSubvolume against the lab cluster' -Skip:(-not $ceph.IsAvailable) {
    BeforeAll {
        $cluster = Get-CephClusterParameter
        $prefix = New-TestName
        $sized = "$prefix-sized"
        $open = "$prefix-open"
        $null = Invoke-LabCeph fs subvolume create cephfs $sized --size 1073741824 --mode 750
        $null = Invoke-LabCeph fs subvolume create cephfs $open
    }

    AfterAll {
        $null = Invoke-LabCeph fs subvolume rm cephfs $sized
        $null = Invoke-LabCeph fs subvolume rm cephfs $open
    }

    It 'reads a subvolume as ceph fs subvolume info reports it' {
        $info = Invoke-LabCeph fs subvolume info cephfs $sized --format json | ConvertFrom-Json

        $subvolume = Get-CephSubvolume -Name $sized @cluster

        $subvolume.Name | Should -Be $sized
        $subvolume.FileSystem | Should -Be 'cephfs'
        $subvolume.Group | Should -BeNullOrEmpty
        $subvolume.Path | Should -Be $info.path
        $subvolume.BytesQuota | Should -Be 1073741824
        $subvolume.BytesUsed | Should -Be 0
        $subvolume.PercentUsed | Should -Be 0
        $subvolume.Mode | Should -Be '750'
        $subvolume.State | Should -Be 'complete'
        $subvolume.CreatedAt | Should -BeGreaterThan ([DateTimeOffset]::UtcNow.AddHours(-1))
    }

    It 'reports a subvolume without a size as unlimited' {
        $subvolume = Get-CephSubvolume -Name $open @cluster

        $subvolume.BytesQuota | Should -BeNullOrEmpty
        $subvolume.PercentUsed | Should -BeNullOrEmpty
    }

    It 'matches names with wildcards' {
        (Get-CephSubvolume -Name "$prefix-*" @cluster).Name | Should -Be @($open, $sized)
    }

    It 'shows a table with used, quota and path' {
        $text = Get-CephSubvolume -Name "$prefix-*" @cluster | Format-Table | Out-String -Width 250

        $text | Should -Match 'NAME\s+GROUP\s+USED\s+QUOTA\s+%USED\s+STATE\s+PATH'
        $text | Should -Match "$sized\s+_nogroup\s+0 B\s+1 GiB\s+0.00\s+complete"
        $text | Should -Match "$open\s+_nogroup\s+0 B\s+unlimited\s+complete"
    }

    It 'writes CephSubvolumeNotFound (ObjectNotFound) for a name that does not exist, and goes on' {
        $found = Get-CephSubvolume -Name "$prefix-missing", $open @cluster -ErrorVariable problems -ErrorAction SilentlyContinue

        $found.Name | Should -Be $open
        $problems[0].FullyQualifiedErrorId | Should -Be "CephSubvolumeNotFound,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'stops with CephObjectNotFound for a file system that does not exist' {
        $failure = { Get-CephSubvolume -FileSystem opstools-nofs @cluster } | Should -Throw -PassThru

        $failure.FullyQualifiedErrorId | Should -Be "CephObjectNotFound,$commandId"
        $failure.CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}
