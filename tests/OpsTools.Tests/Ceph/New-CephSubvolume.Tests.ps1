#Requires -Version 7.4
# New-CephSubvolume: parameter surface, creation with a size as operators write it, -WhatIf,
# an existing name, bad sizes and a missing group.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'CephTestSupport.psm1') -Force
    $ceph = Get-CephLabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'CephTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Ceph.NewCephSubvolumeCommand'
}

Describe 'New-CephSubvolume parameters' {
    BeforeAll {
        $command = Get-Command -Name New-CephSubvolume
        $surface = Get-ParameterSurface -Command New-CephSubvolume
    }

    It 'has the parameters Name, Size, FileSystem, Group, Mode and the cluster connection' {
        $surface.Keys | Sort-Object | Should -Be @('Cluster', 'ConfigPath', 'FileSystem', 'Group', 'Id', 'Keyring', 'Mode', 'Name', 'Size', 'Timeout')
    }

    It 'takes -Name first (mandatory, from the pipeline) and -Size second as a ByteSize' {
        $surface.Name.Mandatory | Should -BeTrue
        $surface.Name.Position | Should -Be 0
        $surface.Name.ValueFromPipeline | Should -BeTrue
        $surface.Size.Type | Should -Be 'OpsTools.ByteSize'
        $surface.Size.Position | Should -Be 1
        $surface.Size.Aliases | Should -Be @('MaxBytes')
    }

    It 'supports -WhatIf and -Confirm' {
        $command.Parameters.Keys | Should -Contain 'WhatIf'
        $command.Parameters.Keys | Should -Contain 'Confirm'
    }
}

Describe 'New-CephSubvolume against the lab cluster' -Skip:(-not $ceph.IsAvailable) {
    BeforeAll {
        $cluster = Get-CephClusterParameter
        $prefix = New-TestName
        $created = [System.Collections.Generic.List[string]]::new()
    }

    AfterAll {
        $existing = @(Invoke-LabCeph fs subvolume ls cephfs --format json | ConvertFrom-Json).name
        foreach ($name in $existing | Where-Object { $_ -like "$prefix-*" }) {
            $null = Invoke-LabCeph fs subvolume rm cephfs $name
        }
    }

    It 'creates a subvolume of 10G as 10737418240 bytes, as the ceph CLI reads it' {
        $name = "$prefix-ten"

        $subvolume = New-CephSubvolume $name 10G @cluster

        $info = Invoke-LabCeph fs subvolume info cephfs $name --format json | ConvertFrom-Json
        $info.bytes_quota | Should -Be 10737418240
        $subvolume.BytesQuota | Should -Be 10737418240
        $subvolume.Path | Should -Be $info.path
    }

    It 'creates the subvolumes piped to it, without a size limit by default' {
        "$prefix-a", "$prefix-b" | New-CephSubvolume @cluster | Out-Null

        $names = @(Invoke-LabCeph fs subvolume ls cephfs --format json | ConvertFrom-Json).name
        $names | Should -Contain "$prefix-a"
        $names | Should -Contain "$prefix-b"
        (Invoke-LabCeph fs subvolume info cephfs "$prefix-a" --format json | ConvertFrom-Json).bytes_quota | Should -Be 'infinite'
    }

    It 'shows what it would create with -WhatIf and creates nothing' {
        $messages = @(Get-WhatIfMessage { New-CephSubvolume "$prefix-whatif" -Size 512Mi @cluster -WhatIf })

        $messages | Should -HaveCount 1
        $messages[0] | Should -BeLike "*Create CephFS subvolume (size 512 MiB (536870912))*$prefix-whatif in cephfs of cluster ceph*"
        @(Invoke-LabCeph fs subvolume ls cephfs --format json | ConvertFrom-Json).name | Should -Not -Contain "$prefix-whatif"
    }

    It 'writes CephSubvolumeExists (ResourceExists) for a name in use and leaves it as it was' {
        $name = "$prefix-taken"
        $null = Invoke-LabCeph fs subvolume create cephfs $name --size 1048576

        New-CephSubvolume $name -Size 1G @cluster -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "CephSubvolumeExists,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        (Invoke-LabCeph fs subvolume info cephfs $name --format json | ConvertFrom-Json).bytes_quota | Should -Be 1048576
    }

    It 'refuses a typo''d size at binding, naming it' {
        $failure = { New-CephSubvolume "$prefix-bad" -Size '10GG' @cluster } | Should -Throw -PassThru

        $failure.FullyQualifiedErrorId | Should -Be "CannotConvertArgumentNoMessage,$commandId"
        $failure.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $failure.Exception.Message | Should -BeLike "*'10GG'*"
    }

    It 'writes CephObjectNotFound (ObjectNotFound) for a group that does not exist' {
        New-CephSubvolume "$prefix-nogroup" -Group opstools-missing-group @cluster -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "CephObjectNotFound,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].Exception.Message | Should -Match 'opstools-missing-group'
    }
}
