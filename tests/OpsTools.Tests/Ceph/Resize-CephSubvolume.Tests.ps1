#Requires -Version 7.4
# Resize-CephSubvolume: parameter surface, old -> new with -WhatIf, resizing from the pipeline,
# removing the limit, -NoShrink below the bytes used, and a missing name.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'CephTestSupport.psm1') -Force
    $ceph = Get-CephLabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'CephTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Ceph.ResizeCephSubvolumeCommand'
}

Describe 'Resize-CephSubvolume parameters' {
    BeforeAll {
        $command = Get-Command -Name Resize-CephSubvolume
        $surface = Get-ParameterSurface -Command Resize-CephSubvolume
    }

    It 'has the parameters Name, Size, NoShrink, FileSystem, Group, PassThru and the cluster connection' {
        $surface.Keys | Sort-Object | Should -Be @('Cluster', 'ConfigPath', 'FileSystem', 'Group', 'Id', 'Keyring', 'Name', 'NoShrink', 'PassThru', 'Size', 'Timeout')
    }

    It 'requires -Name and -Size, in that order' {
        $surface.Name.Mandatory | Should -BeTrue
        $surface.Name.Position | Should -Be 0
        $surface.Size.Mandatory | Should -BeTrue
        $surface.Size.Position | Should -Be 1
        $surface.Size.Type | Should -Be 'OpsTools.ByteSize'
    }

    It 'supports -WhatIf and -Confirm' {
        $command.Parameters.Keys | Should -Contain 'WhatIf'
        $command.Parameters.Keys | Should -Contain 'Confirm'
    }
}

Describe 'Resize-CephSubvolume against the lab cluster' -Skip:(-not $ceph.IsAvailable) {
    BeforeAll {
        $cluster = Get-CephClusterParameter
        $name = (New-TestName) + '-resize'
        $null = Invoke-LabCeph fs subvolume create cephfs $name --size 10737418240
    }

    AfterAll {
        $null = Invoke-LabCeph fs subvolume rm cephfs $name
    }

    It 'shows old -> new with -WhatIf and changes nothing' {
        $messages = @(Get-WhatIfMessage { Resize-CephSubvolume $name 20G @cluster -WhatIf })

        $messages | Should -HaveCount 1
        $messages[0] | Should -BeLike '*Resize CephFS subvolume: 10 GiB (10737418240) -> 20 GiB (21474836480)*'
        (Invoke-LabCeph fs subvolume info cephfs $name --format json | ConvertFrom-Json).bytes_quota | Should -Be 10737418240
    }

    It 'resizes the subvolume piped from Get-CephSubvolume' {
        $resized = Get-CephSubvolume $name @cluster | Resize-CephSubvolume -Size 20GB @cluster -PassThru

        $resized.BytesQuota | Should -Be 21474836480
        (Invoke-LabCeph fs subvolume info cephfs $name --format json | ConvertFrom-Json).bytes_quota | Should -Be 21474836480
    }

    It 'removes the limit with a size of 0' {
        Resize-CephSubvolume $name 0 @cluster

        (Invoke-LabCeph fs subvolume info cephfs $name --format json | ConvertFrom-Json).bytes_quota | Should -Be 'infinite'
    }

    It 'writes CephCommandInvalid (InvalidArgument) with -NoShrink below the bytes used' {
        $info = Invoke-LabCeph fs subvolume info cephfs $name --format json | ConvertFrom-Json
        $dir = Join-Path (Get-LabSetting CEPHFS_MOUNT) $info.path
        $bytes = Write-TestFile -Path $dir -Count 1 -Size { 200000 }
        $null = Wait-Until -Because 'the subvolume shows its bytes' -Condition { (Invoke-LabCeph fs subvolume info cephfs $name --format json | ConvertFrom-Json).bytes_used -ge $bytes }

        Resize-CephSubvolume $name 1000 -NoShrink @cluster -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "CephCommandInvalid,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        (Invoke-LabCeph fs subvolume info cephfs $name --format json | ConvertFrom-Json).bytes_quota | Should -Be 'infinite'
    }

    It 'writes CephSubvolumeNotFound (ObjectNotFound) for a name that does not exist' {
        Resize-CephSubvolume "$name-missing" 1G @cluster -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "CephSubvolumeNotFound,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}
