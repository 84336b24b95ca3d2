#Requires -Version 7.4
# Get-CephUsage: parameter surface, exact figures from the recursive statistics (not du's),
# quota use, -Depth, -Recurse off CephFS, the default view and the errors.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'CephTestSupport.psm1') -Force
    $ceph = Get-CephLabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'CephTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Ceph.GetCephUsageCommand'
}

Describe 'Get-CephUsage parameters' {
    BeforeAll {
        $command = Get-Command -Name Get-CephUsage
        $surface = Get-ParameterSurface -Command Get-CephUsage
    }

    It 'has exactly the parameters Path, LiteralPath, Depth, Recurse, ThrottleLimit and Timeout' {
        $surface.Keys | Sort-Object | Should -Be @('Depth', 'LiteralPath', 'Path', 'Recurse', 'ThrottleLimit', 'Timeout')
    }

    It 'declares -<Name> as <Type>' -ForEach @(
        @{ Name = 'Path'; Type = 'System.String[]'; Mandatory = $false; Position = 0; ByValue = $true; ByPropertyName = $true; Wildcards = $true }
        @{ Name = 'LiteralPath'; Type = 'System.String[]'; Mandatory = $true; Position = $null; ByValue = $false; ByPropertyName = $true; Wildcards = $false }
        @{ Name = 'Depth'; Type = 'System.Int32'; Mandatory = $false; Position = $null; ByValue = $false; ByPropertyName = $false; Wildcards = $false }
        @{ Name = 'Recurse'; Type = 'System.Management.Automation.SwitchParameter'; Mandatory = $false; Position = $null; ByValue = $false; ByPropertyName = $false; Wildcards = $false }
        @{ Name = 'ThrottleLimit'; Type = 'System.Int32'; Mandatory = $false; Position = $null; ByValue = $false; ByPropertyName = $false; Wildcards = $false }
    ) {
        $parameter = $surface[$Name]
        $parameter.Type | Should -Be $Type
        $parameter.Mandatory | Should -Be $Mandatory
        $parameter.Position | Should -Be $Position
        $parameter.ValueFromPipeline | Should -Be $ByValue
        $parameter.ValueFromPipelineByPropertyName | Should -Be $ByPropertyName
        $parameter.SupportsWildcards | Should -Be $Wildcards
    }

    It 'declares its output type as OpsTools.Ceph.CephUsage' {
        $command.OutputType.Name | Should -Be 'OpsTools.Ceph.CephUsage'
    }
}

Describe 'Get-CephUsage against the lab CephFS' -Skip:(-not $ceph.IsAvailable) {
    BeforeAll {
        $parent = New-CephTestDirectory 'usage'
        $small = Join-Path $parent 'odoo_data_small_00000001'
        $large = Join-Path $parent 'odoo_data_large_00000002'
        $smallBytes = Write-TestFile -Path $small -Count 10 -Size { param($i) 1000 + 13 * $i }
        $smallBytes += Write-TestFile -Path (Join-Path $small 'filestore/ab') -Count 7 -Size { param($i) 3333 }
        $null = New-Item -ItemType Directory -Path (Join-Path $small 'sessions')
        $largeBytes = Write-TestFile -Path $large -Count 4 -Size { param($i) 250000 }
        Set-CephAttribute -Path $small -Name ceph.quota.max_bytes -Value 1048576
        Set-CephAttribute -Path $large -Name ceph.quota.max_bytes -Value 1048576
        Wait-CephStatistics -Path $small -Bytes $smallBytes -Files 17
        Wait-CephStatistics -Path $large -Bytes $largeBytes -Files 4
    }

    AfterAll {
        Remove-CephTestDirectory
    }

    It 'reports exactly the bytes, files and directories written' {
        $usage = Get-CephUsage -Path $small

        $usage.Bytes | Should -Be $smallBytes
        $usage.Files | Should -Be 17
        $usage.Subdirectories | Should -Be 3
        $usage.Entries | Should -Be 20
        $usage.Source | Should -Be 'RecursiveStatistics'
        $usage.LastChange | Should -BeGreaterThan ([DateTimeOffset]::UtcNow.AddMinutes(-10))
    }

    It 'is not du: du -sb counts more than was written' {
        $du = [long]((du -sb $small) -split '\s+')[0]

        (Get-CephUsage -Path $small).Bytes | Should -BeLessThan $du
    }

    It 'reports the quota use of each directory' {
        $usage = Get-CephUsage -Path $large

        $usage.MaxBytes | Should -Be 1048576
        $usage.PercentUsed | Should -Be ([Math]::Round($largeBytes * 100 / 1048576, 2))
        $usage.FreeBytes | Should -Be (1048576 - $largeBytes)
        $usage.OverQuota | Should -BeFalse
    }

    It 'sorts the instances by quota use, as the operators'' report does' {
        $top = Get-CephUsage (Join-Path $parent '*') | Sort-Object PercentUsed -Descending | Select-Object -First 1

        $top.Path | Should -Be $large
    }

    It 'reports the subdirectories with -Depth, each after its parent' {
        $paths = (Get-CephUsage -Path $small -Depth 2).Path

        $paths | Should -Be @($small, "$small/filestore", "$small/filestore/ab", "$small/sessions")
    }

    It 'reads a directory off CephFS only with -Recurse, by walking it' {
        $null = New-Item -ItemType Directory -Path "$TestDrive/walk/sub" -Force
        Set-Content -LiteralPath "$TestDrive/walk/a.txt" -Value 'hello' -NoNewline
        Set-Content -LiteralPath "$TestDrive/walk/sub/b.txt" -Value 'world!' -NoNewline

        $null = Get-CephUsage -Path "$TestDrive/walk" -ErrorVariable problems -ErrorAction SilentlyContinue
        $walked = Get-CephUsage -Path "$TestDrive/walk" -Recurse

        $problems[0].FullyQualifiedErrorId | Should -Be "CephPathNotCephFs,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $problems[0].ErrorDetails.RecommendedAction | Should -Match '-Recurse'
        $walked.Bytes | Should -Be 11
        $walked.Files | Should -Be 2
        $walked.Subdirectories | Should -Be 1
        $walked.Source | Should -Be 'FileSystemWalk'
    }

    It 'writes CephPathNotFound (ObjectNotFound) for a missing directory and reports the others' {
        $usage = Get-CephUsage -Path (Join-Path $parent 'gone'), $small -ErrorVariable problems -ErrorAction SilentlyContinue

        $usage.Path | Should -Be $small
        $problems[0].FullyQualifiedErrorId | Should -Be "CephPathNotFound,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'shows a table like du with the quota columns' {
        $text = Get-CephUsage (Join-Path $parent '*') | Format-Table | Out-String -Width 250

        $text | Should -Match 'BYTES\s+FILES\s+SUBDIRS\s+MAX BYTES\s+%USED\s+LAST CHANGE\s+PATH'
        $text | Should -Match ('977 KiB\s+4\s+0\s+1 MiB\s+{0:0.00}\s' -f [Math]::Round($largeBytes * 100 / 1048576, 2))
    }

    It 'exports byte counts and times that sort without parsing' {
        $rows = Get-CephUsage (Join-Path $parent '*') | Select-Object Name, Bytes, PercentUsed, LastChange | ConvertTo-Csv | ConvertFrom-Csv

        $rows.Name | Should -Be @('odoo_data_large_00000002', 'odoo_data_small_00000001')
        [long]$rows[0].Bytes | Should -Be $largeBytes
    }
}
