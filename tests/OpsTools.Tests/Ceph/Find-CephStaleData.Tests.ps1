#Requires -Version 7.4
# Find-CephStaleData: parameter surface, stale versus recent trees by rctime, -Exclude, the
# durations operators type (30d), the running services that mount a directory, and the errors.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'CephTestSupport.psm1') -Force
    $ceph = Get-CephLabStatus
    $lab = Get-LabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'CephTestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Ceph.FindCephStaleDataCommand'
}

Describe 'Find-CephStaleData parameters' {
    BeforeAll {
        $command = Get-Command -Name Find-CephStaleData
        $surface = Get-ParameterSurface -Command Find-CephStaleData
    }

    It 'has exactly the parameters Path, LiteralPath, OlderThan, Exclude, DockerHost, ThrottleLimit and Timeout' {
        $surface.Keys | Sort-Object | Should -Be @('DockerHost', 'Exclude', 'LiteralPath', 'OlderThan', 'Path', 'ThrottleLimit', 'Timeout')
    }

    It 'declares -<Name> as <Type>' -ForEach @(
        @{ Name = 'Path'; Type = 'System.String[]'; Mandatory = $true; Position = 0; ByValue = $true; Wildcards = $true }
        @{ Name = 'OlderThan'; Type = 'System.DateTimeOffset'; Mandatory = $true; Position = 1; ByValue = $false; Wildcards = $false }
        @{ Name = 'Exclude'; Type = 'System.String[]'; Mandatory = $false; Position = $null; ByValue = $false; Wildcards = $true }
        @{ Name = 'DockerHost'; Type = 'System.String'; Mandatory = $false; Position = $null; ByValue = $false; Wildcards = $false }
    ) {
        $parameter = $surface[$Name]
        $parameter.Type | Should -Be $Type
        $parameter.Mandatory | Should -Be $Mandatory
        $parameter.Position | Should -Be $Position
        $parameter.ValueFromPipeline | Should -Be $ByValue
        $parameter.SupportsWildcards | Should -Be $Wildcards
    }

    It 'declares its output type as OpsTools.Ceph.CephStaleDirectory' {
        $command.OutputType.Name | Should -Be 'OpsTools.Ceph.CephStaleDirectory'
    }
}

Describe 'Find-CephStaleData against the lab CephFS' -Skip:(-not $ceph.IsAvailable) {
    BeforeAll {
        $savedDockerHost = $env:DOCKER_HOST
        # Docker is asked through DOCKER_HOST, as operators have it set.
        $env:DOCKER_HOST = Get-LabSetting DOCKER_HOST
        $parent = New-CephTestDirectory 'find'
        $old = Join-Path $parent 'odoo_data_old_0000aaaa'
        $oldBytes = Write-TestFile -Path $old -Count 5 -Size { param($i) 2000 + $i }
        $template = Join-Path $parent 'odoo_data_template_0000bbbb'
        $null = Write-TestFile -Path $template -Count 1
        Wait-CephStatistics -Path $old -Bytes $oldBytes -Files 5
        Start-Sleep -Milliseconds 1100 # rctime has nanoseconds, but leave a clear gap for the cutoff
        $cutoff = [DateTimeOffset]::UtcNow
        $recent = Join-Path $parent 'odoo_data_new_0000cccc'
        $recentBytes = Write-TestFile -Path $recent -Count 2
        Wait-CephStatistics -Path $recent -Bytes $recentBytes -Files 2
    }

    AfterAll {
        $env:DOCKER_HOST = $savedDockerHost
        Remove-TestSwarmService
        Remove-CephTestDirectory
    }

    It 'finds the trees unchanged since the cutoff, with their size' {
        $stale = Find-CephStaleData -Path $parent -OlderThan $cutoff -WarningAction SilentlyContinue

        $stale.Path | Should -Be @($old, $template)
        $first = $stale | Where-Object Path -EQ $old
        $first.Bytes | Should -Be $oldBytes
        $first.Files | Should -Be 5
        $first.Parent | Should -Be $parent
        $first.Cutoff | Should -Be $cutoff
        $first.LastChange | Should -BeLessThan $cutoff
    }

    It 'leaves out the names -Exclude matches' {
        (Find-CephStaleData -Path $parent -OlderThan $cutoff -Exclude 'odoo_data_template_*' -WarningAction SilentlyContinue).Path | Should -Be @($old)
    }

    It 'takes 30d as thirty days: nothing written today is stale' {
        Find-CephStaleData $parent -OlderThan 30d -WarningAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'names the running Swarm services that bind-mount a stale directory' -Skip:(-not $lab.IsAvailable) {
        $service = New-TestName
        $null = New-TestSwarmService -Name $service -NoWait -AdditionalArgument '--mount', "type=bind,source=$template,target=/data"

        $stale = Find-CephStaleData -Path $parent -OlderThan $cutoff

        ($stale | Where-Object Path -EQ $template).MountedBy | Should -Be @($service)
        ($stale | Where-Object Path -EQ $old).MountedBy | Should -BeNullOrEmpty
        $stale.MountsChecked | Should -Not -Contain $false
    }

    It 'warns when Docker cannot tell which directories are mounted' {
        $stale = Find-CephStaleData -Path $parent -OlderThan $cutoff -DockerHost unix:///nonexistent/docker.sock -WarningVariable warnings -WarningAction SilentlyContinue

        $stale | Should -HaveCount 2
        $warnings | Should -HaveCount 1
        $warnings[0] | Should -Match 'Cannot ask Docker'
        $stale.MountsChecked | Should -Not -Contain $true
    }

    It 'shows a table with the age, size and users of each directory' {
        $text = Find-CephStaleData -Path $parent -OlderThan $cutoff -WarningAction SilentlyContinue | Format-Table | Out-String -Width 250

        $text | Should -Match 'LAST CHANGE\s+AGE \(DAYS\)\s+SIZE\s+FILES\s+MOUNTED BY\s+PATH'
        $text | Should -Match '9.8 KiB\s+5\s+.*odoo_data_old_0000aaaa'
    }

    It 'writes CephPathNotFound (ObjectNotFound) for a missing directory' {
        $null = Find-CephStaleData -LiteralPath (Join-Path $parent 'missing') -OlderThan 1d -ErrorVariable problems -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "CephPathNotFound,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'refuses an -OlderThan that is not a time' {
        $failure = { Find-CephStaleData -Path $parent -OlderThan 'last tuesday' } | Should -Throw -PassThru

        $failure.FullyQualifiedErrorId | Should -Be "ParameterArgumentTransformationError,$commandId"
        $failure.Exception.Message | Should -Match "'last tuesday' is not a time"
    }
}
