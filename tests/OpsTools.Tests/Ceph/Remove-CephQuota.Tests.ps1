#Requires -Version 7.4
# Remove-CephQuota: parameter surface, removal of both limits, -WhatIf, and the errors.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'CephTestSupport.psm1') -Force
    $ceph = Get-CephLabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'CephTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Ceph.RemoveCephQuotaCommand'
}

Describe 'Remove-CephQuota parameters' {
    BeforeAll {
        $command = Get-Command -Name Remove-CephQuota
        $surface = Get-ParameterSurface -Command Remove-CephQuota
    }

    It 'has exactly the parameters Path, LiteralPath, PassThru and Timeout' {
        $surface.Keys | Sort-Object | Should -Be @('LiteralPath', 'PassThru', 'Path', 'Timeout')
    }

    It 'declares -<Name> as <Type>' -ForEach @(
        @{ Name = 'Path'; Type = 'System.String[]'; Mandatory = $true; Position = 0; ByValue = $true; ByPropertyName = $true; Wildcards = $true; Aliases = '' }
        @{ Name = 'LiteralPath'; Type = 'System.String[]'; Mandatory = $true; Position = $null; ByValue = $false; ByPropertyName = $true; Wildcards = $false; Aliases = 'LP,PSPath' }
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

    It 'supports -WhatIf and -Confirm with a High confirm impact' {
        $command.Parameters.Keys | Should -Contain 'WhatIf'
        $command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact | Should -Be 'High'
    }
}

Describe 'Remove-CephQuota against the lab CephFS' -Skip:(-not $ceph.IsAvailable) {
    BeforeEach {
        $dir = New-CephTestDirectory 'remove-quota'
        Set-CephAttribute -Path $dir -Name ceph.quota.max_bytes -Value 10737418240
        Set-CephAttribute -Path $dir -Name ceph.quota.max_files -Value 1000
    }

    AfterAll {
        Remove-CephTestDirectory
    }

    It 'removes both limits without asking when -Confirm:$false' {
        $after = Remove-CephQuota -Path $dir -Confirm:$false -PassThru

        $after.HasLimit | Should -BeFalse
        Get-CephAttribute -Path $dir -Name ceph.quota | Should -BeNullOrEmpty
    }

    It 'removes the quotas piped from Get-CephQuota' {
        Get-CephQuota $dir | Where-Object HasLimit | Remove-CephQuota -Confirm:$false

        (Get-CephQuota $dir).HasLimit | Should -BeFalse
    }

    It 'passes over a directory without a quota, without error' {
        $empty = New-CephTestDirectory 'no-quota'

        Remove-CephQuota -Path $empty -Confirm:$false -ErrorVariable problems

        $problems | Should -BeNullOrEmpty
    }

    It 'shows what it would remove with -WhatIf and keeps the quota' {
        $messages = @(Get-WhatIfMessage { Remove-CephQuota -Path $dir -WhatIf })

        $messages | Should -HaveCount 1
        $messages[0] | Should -BeLike '*Remove CephFS quota: max_bytes 10 GiB (10737418240) -> none; max_files 1000 -> none*'
        Get-CephAttribute -Path $dir -Name ceph.quota.max_bytes | Should -Be '10737418240'
    }

    It 'writes CephQuotaPermissionDenied (PermissionDenied) through a client without the p cap' {
        Remove-CephQuota -Path (ConvertTo-NoQuotaPath $dir) -Confirm:$false -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "CephQuotaPermissionDenied,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        Get-CephAttribute -Path $dir -Name ceph.quota.max_bytes | Should -Be '10737418240'
    }

    It 'writes CephPathNotFound (ObjectNotFound) for a missing directory' {
        Remove-CephQuota -LiteralPath (Join-Path $dir 'nope') -Confirm:$false -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "CephPathNotFound,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}
