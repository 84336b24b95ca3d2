#Requires -Version 7.4
# Set-CephQuota: parameter surface, sizes as operators write them, enforcement by CephFS, -WhatIf,
# and the errors for bad values, missing caps and wrong paths.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'CephTestSupport.psm1') -Force
    $ceph = Get-CephLabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'CephTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Ceph.SetCephQuotaCommand'
}

Describe 'Set-CephQuota parameters' {
    BeforeAll {
        $command = Get-Command -Name Set-CephQuota
        $surface = Get-ParameterSurface -Command Set-CephQuota
    }

    It 'has exactly the parameters Path, LiteralPath, MaxBytes, MaxFiles, PassThru and Timeout' {
        $surface.Keys | Sort-Object | Should -Be @('LiteralPath', 'MaxBytes', 'MaxFiles', 'PassThru', 'Path', 'Timeout')
    }

    It 'declares -<Name> as <Type>' -ForEach @(
        @{ Name = 'Path'; Type = 'System.String[]'; Mandatory = $true; Position = 0; ByValue = $true; ByPropertyName = $true; Wildcards = $true; Aliases = '' }
        @{ Name = 'LiteralPath'; Type = 'System.String[]'; Mandatory = $true; Position = $null; ByValue = $false; ByPropertyName = $true; Wildcards = $false; Aliases = 'LP,PSPath' }
        @{ Name = 'MaxBytes'; Type = 'OpsTools.ByteSize'; Mandatory = $false; Position = 1; ByValue = $false; ByPropertyName = $false; Wildcards = $false; Aliases = 'Size' }
        @{ Name = 'MaxFiles'; Type = 'System.Int64'; Mandatory = $false; Position = $null; ByValue = $false; ByPropertyName = $false; Wildcards = $false; Aliases = '' }
        @{ Name = 'PassThru'; Type = 'System.Management.Automation.SwitchParameter'; Mandatory = $false; Position = $null; ByValue = $false; ByPropertyName = $false; Wildcards = $false; Aliases = '' }
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

    It 'supports -WhatIf and -Confirm with a Medium confirm impact' {
        $command.Parameters.Keys | Should -Contain 'WhatIf'
        $command.Parameters.Keys | Should -Contain 'Confirm'
        $command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact | Should -Be 'Medium'
    }

    It 'declares its output type as OpsTools.Ceph.CephQuota' {
        $command.OutputType.Name | Should -Be 'OpsTools.Ceph.CephQuota'
    }
}

Describe 'Set-CephQuota against the lab CephFS' -Skip:(-not $ceph.IsAvailable) {
    AfterAll {
        Remove-CephTestDirectory
    }

    It 'sets <Size> as <Bytes> bytes, as getfattr reads it' -ForEach @(
        @{ Size = '10G'; Bytes = 10737418240 }
        @{ Size = 10GB; Bytes = 10737418240 }
        @{ Size = '20GiB'; Bytes = 21474836480 }
        @{ Size = '512Mi'; Bytes = 536870912 }
        @{ Size = '1.5TiB'; Bytes = 1649267441664 }
        @{ Size = 1048576; Bytes = 1048576 }
    ) {
        $dir = New-CephTestDirectory 'size'

        Set-CephQuota -Path $dir -MaxBytes $Size

        Get-CephAttribute -Path $dir -Name ceph.quota.max_bytes | Should -Be "$Bytes"
    }

    It 'round-trips both limits through Get-CephQuota, and -PassThru returns them' {
        $dir = New-CephTestDirectory 'both'

        $passed = Set-CephQuota $dir 10G -MaxFiles 2000 -PassThru
        $read = Get-CephQuota $dir

        $passed.MaxBytes | Should -Be 10737418240
        $passed.MaxFiles | Should -Be 2000
        $read.MaxBytes | Should -Be 10737418240
        $read.MaxFiles | Should -Be 2000
    }

    It 'leaves the limit it is not given as it is' {
        $dir = New-CephTestDirectory 'keep'
        Set-CephAttribute -Path $dir -Name ceph.quota.max_files -Value 777

        Set-CephQuota -Path $dir -MaxBytes 1MB

        Get-CephAttribute -Path $dir -Name ceph.quota.max_files | Should -Be '777'
    }

    It 'is enforced: a write past the limit fails with Disk quota exceeded' {
        $dir = New-CephTestDirectory 'enforced'
        Set-CephQuota -Path $dir -MaxBytes 1MB
        $chunk = [byte[]]::new(64KB)
        $written = 0

        $failure = try {
            $stream = [System.IO.File]::Create((Join-Path $dir 'big.bin'))
            try {
                while ($written -lt 16MB) {
                    $stream.Write($chunk, 0, $chunk.Length)
                    $stream.Flush($true)
                    $written += $chunk.Length
                }
            }
            finally {
                $stream.Dispose()
            }
            $null
        }
        catch {
            $_.Exception
        }

        $failure | Should -Not -BeNullOrEmpty -Because "writing $written bytes into a 1 MiB quota must fail"
        $failure.ToString() | Should -Match 'Disk quota exceeded'
        $written | Should -BeLessThan 2MB
    }

    It 'applies to every directory piped from Get-CephQuota' {
        $a = New-CephTestDirectory 'pipe'
        $b = New-CephTestDirectory 'pipe'
        Set-CephAttribute -Path $a -Name ceph.quota.max_bytes -Value 10737418240
        Set-CephAttribute -Path $b -Name ceph.quota.max_bytes -Value 10737418240

        Get-CephQuota $a, $b | Where-Object MaxBytes -EQ 10GB | Set-CephQuota -MaxBytes 20GB

        Get-CephAttribute -Path $a -Name ceph.quota.max_bytes | Should -Be '21474836480'
        Get-CephAttribute -Path $b -Name ceph.quota.max_bytes | Should -Be '21474836480'
    }

    It 'shows old -> new with -WhatIf and changes nothing' {
        $dir = New-CephTestDirectory 'whatif'
        Set-CephAttribute -Path $dir -Name ceph.quota.max_bytes -Value 10737418240

        $messages = @(Get-WhatIfMessage { Set-CephQuota -Path $dir -MaxBytes 20G -MaxFiles 500 -WhatIf })

        $messages | Should -HaveCount 1
        $messages[0] | Should -BeLike '*max_bytes 10 GiB (10737418240) -> 20 GiB (21474836480); max_files none -> 500*'
        $messages[0] | Should -BeLike "*$dir on *"
        Get-CephAttribute -Path $dir -Name ceph.quota.max_bytes | Should -Be '10737418240'
        Get-CephAttribute -Path $dir -Name ceph.quota.max_files | Should -Be '0'
    }

    It 'refuses <Size> at binding, naming it, with InvalidArgument, and changes nothing' -ForEach @(
        @{ Size = '-5G'; Reason = 'cannot be negative' }
        @{ Size = -5; Reason = 'cannot be negative' }
        @{ Size = '10X'; Reason = "unknown unit 'X'" }
        @{ Size = '10 gigs'; Reason = "unknown unit 'gigs'" }
    ) {
        $dir = New-CephTestDirectory 'bad'

        $failure = { Set-CephQuota -Path $dir -MaxBytes $Size } | Should -Throw -PassThru

        $failure.FullyQualifiedErrorId | Should -Be "CannotConvertArgumentNoMessage,$commandId"
        $failure.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $failure.Exception.Message | Should -BeLike "*'$Size'*$Reason*"
        Get-CephAttribute -Path $dir -Name ceph.quota | Should -BeNullOrEmpty
    }

    It 'stops with CephQuotaValueInvalid for a negative file limit' {
        $dir = New-CephTestDirectory 'badfiles'

        $failure = { Set-CephQuota -Path $dir -MaxFiles -1 } | Should -Throw -PassThru

        $failure.FullyQualifiedErrorId | Should -Be "CephQuotaValueInvalid,$commandId"
        $failure.CategoryInfo.Category | Should -Be 'InvalidArgument'
        Get-CephAttribute -Path $dir -Name ceph.quota | Should -BeNullOrEmpty
    }

    It 'stops with CephQuotaLimitMissing when no limit is given' {
        $dir = New-CephTestDirectory 'nolimit'

        $failure = { Set-CephQuota -Path $dir } | Should -Throw -PassThru

        $failure.FullyQualifiedErrorId | Should -Be "CephQuotaLimitMissing,$commandId"
        $failure.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'writes CephQuotaPermissionDenied with a hint about the p cap when the client lacks it' {
        $dir = New-CephTestDirectory 'nop'

        Set-CephQuota -Path (ConvertTo-NoQuotaPath $dir) -MaxBytes 1G -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems | Should -HaveCount 1
        $problems[0].FullyQualifiedErrorId | Should -Be "CephQuotaPermissionDenied,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $problems[0].Exception.Message | Should -BeLike "*'p' flag*client.fsnoquota*"
        $problems[0].ErrorDetails.RecommendedAction | Should -BeLike '*ceph auth*'
        Get-CephAttribute -Path $dir -Name ceph.quota | Should -BeNullOrEmpty
    }

    It 'writes CephPathNotCephFs for a path on another file system and CephPathNotFound for a missing one' {
        $missing = Join-Path (New-CephTestDirectory 'missing') 'nope'

        Set-CephQuota -Path $TestDrive, $missing -MaxBytes 1G -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems.FullyQualifiedErrorId | Should -Be @("CephPathNotCephFs,$commandId", "CephPathNotFound,$commandId")
        $problems.CategoryInfo.Category | Should -Be @('InvalidArgument', 'ObjectNotFound')
    }
}
