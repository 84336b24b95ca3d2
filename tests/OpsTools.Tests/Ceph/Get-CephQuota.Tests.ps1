#Requires -Version 7.4
# Get-CephQuota: parameter surface, then the cmdlet as users run it against the lab's CephFS.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'CephTestSupport.psm1') -Force
    $ceph = Get-CephLabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'CephTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Ceph.GetCephQuotaCommand'
}

Describe 'Get-CephQuota parameters' {
    BeforeAll {
        $command = Get-Command -Name Get-CephQuota
        $surface = Get-ParameterSurface -Command Get-CephQuota
    }

    It 'has exactly the parameters Path, LiteralPath and Timeout' {
        $surface.Keys | Sort-Object | Should -Be @('LiteralPath', 'Path', 'Timeout')
    }

    It 'declares -<Name> as <Type>' -ForEach @(
        @{ Name = 'Path'; Type = 'System.String[]'; Mandatory = $false; Position = 0; ByValue = $true; ByPropertyName = $true; Wildcards = $true; Aliases = '' }
        @{ Name = 'LiteralPath'; Type = 'System.String[]'; Mandatory = $true; Position = $null; ByValue = $false; ByPropertyName = $true; Wildcards = $false; Aliases = 'LP,PSPath' }
        @{ Name = 'Timeout'; Type = 'System.TimeSpan'; Mandatory = $false; Position = $null; ByValue = $false; ByPropertyName = $false; Wildcards = $false; Aliases = '' }
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

    It 'declares its output type as OpsTools.Ceph.CephQuota' {
        $command.OutputType.Name | Should -Be 'OpsTools.Ceph.CephQuota'
    }

    It 'has the parameter sets Path (default) and LiteralPath' {
        $command.DefaultParameterSet | Should -Be 'Path'
        $command.ParameterSets.Name | Sort-Object | Should -Be @('LiteralPath', 'Path')
    }
}

Describe 'Get-CephQuota against the lab CephFS' -Skip:(-not $ceph.IsAvailable) {
    BeforeAll {
        $parent = New-CephTestDirectory 'get-quota'
        $limited = Join-Path $parent 'odoo_data_acme_3f9a1c2e'
        $unlimited = Join-Path $parent 'odoo_data_initech_0c5d93aa'
        $null = New-Item -ItemType Directory -Path $limited, $unlimited
        Set-Content -LiteralPath (Join-Path $parent 'stray-file.txt') -Value 'not a directory'
        Set-CephAttribute -Path $limited -Name ceph.quota.max_bytes -Value 10737418240
        Set-CephAttribute -Path $limited -Name ceph.quota.max_files -Value 100000
    }

    AfterAll {
        Remove-CephTestDirectory
    }

    It 'reads both limits that setfattr set' {
        $quota = Get-CephQuota -Path $limited

        $quota.Path | Should -Be $limited
        $quota.MaxBytes | Should -Be 10737418240
        $quota.MaxFiles | Should -Be 100000
        $quota.HasLimit | Should -BeTrue
    }

    It 'reports a directory without a quota with no limits, not an error' {
        $quota = Get-CephQuota -Path $unlimited -ErrorVariable problems

        $problems | Should -BeNullOrEmpty
        $quota.MaxBytes | Should -BeNullOrEmpty
        $quota.MaxFiles | Should -BeNullOrEmpty
        $quota.HasLimit | Should -BeFalse
    }

    It 'expands a wildcard to the matching directories only, in name order' {
        $quotas = Get-CephQuota -Path (Join-Path $parent '*')

        $quotas.Path | Should -Be @($limited, $unlimited)
    }

    It 'takes directories from Get-ChildItem by their PSPath' {
        $quotas = Get-ChildItem -LiteralPath $parent -Directory | Get-CephQuota

        $quotas.Path | Should -Be @($limited, $unlimited)
    }

    It 'resolves a relative path against the current location' {
        Push-Location -LiteralPath $parent
        try {
            (Get-CephQuota -Path './odoo_data_acme_3f9a1c2e').Path | Should -Be $limited
        }
        finally {
            Pop-Location
        }
    }

    It 'shows the limits like getfattr would, N/A for none' {
        $text = Get-CephQuota -Path (Join-Path $parent '*') | Format-Table | Out-String -Width 200

        $text | Should -Match 'MAX BYTES\s+MAX FILES\s+PATH'
        $text | Should -Match '10 GiB\s+100000\s+.*odoo_data_acme_3f9a1c2e'
        $text | Should -Match 'N/A\s+N/A\s+.*odoo_data_initech_0c5d93aa'
    }

    It 'exports plain byte counts to CSV' {
        $csv = Get-CephQuota -Path $limited | ConvertTo-Csv | ConvertFrom-Csv

        $csv.MaxBytes | Should -Be '10737418240'
        $csv.Path | Should -Be $limited
    }

    It 'writes CephPathNotFound (ObjectNotFound) for a missing directory and goes on' {
        $missing = Join-Path $parent 'no-such-dir'

        $quotas = Get-CephQuota -Path $missing, $limited -ErrorVariable problems -ErrorAction SilentlyContinue

        $quotas.Path | Should -Be $limited
        $problems | Should -HaveCount 1
        $problems[0].FullyQualifiedErrorId | Should -Be "CephPathNotFound,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].TargetObject | Should -Be $missing
    }

    It 'writes CephPathNotCephFs (InvalidArgument) for a path on another file system' {
        $null = Get-CephQuota -Path $TestDrive -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "CephPathNotCephFs,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $problems[0].Exception.Message | Should -Match 'not on CephFS'
        $problems[0].ErrorDetails.RecommendedAction | Should -Match 'Test-CephMount'
    }

    It 'writes CephPathNotDirectory (InvalidArgument) for a file' {
        $null = Get-CephQuota -LiteralPath (Join-Path $parent 'stray-file.txt') -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "CephPathNotDirectory,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
    }
}
