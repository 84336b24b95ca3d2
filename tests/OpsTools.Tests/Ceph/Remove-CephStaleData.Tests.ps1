#Requires -Version 7.4
# Remove-CephStaleData: parameter surface, removal with the bytes reclaimed, -WhatIf, refusal of
# a directory a running Swarm service mounts (and -Force), a tree changed since the cutoff, and
# Docker out of reach (refused without -Force).

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
    $commandId = 'OpsTools.Commands.Ceph.RemoveCephStaleDataCommand'

    function New-StaleTree {
        # One tree of files per name, each under its own parent; waits once for all of their
        # statistics to settle, then takes a cutoff just after them.
        param([string[]] $Name)
        $trees = [ordered]@{}
        foreach ($item in $Name) {
            $parent = New-CephTestDirectory $item
            $tree = Join-Path $parent 'odoo_data_gone_0000dddd'
            $bytes = Write-TestFile -Path $tree -Count 6 -Size { param($i) 1500 + $i }
            $bytes += Write-TestFile -Path (Join-Path $tree 'filestore/ab') -Count 2 -Size { param($i) 4000 }
            $trees[$item] = [pscustomobject]@{ Parent = $parent; Tree = $tree; Bytes = $bytes; Files = 8; Cutoff = $null }
        }
        foreach ($stale in $trees.Values) {
            Wait-CephStatistics -Path $stale.Tree -Bytes $stale.Bytes -Files $stale.Files
        }
        Start-Sleep -Milliseconds 1100 # rctime has nanoseconds; a clear gap keeps the cutoff unambiguous
        $cutoff = [DateTimeOffset]::UtcNow
        foreach ($stale in $trees.Values) { $stale.Cutoff = $cutoff }
        $trees
    }
}

Describe 'Remove-CephStaleData parameters' {
    BeforeAll {
        $command = Get-Command -Name Remove-CephStaleData
        $surface = Get-ParameterSurface -Command Remove-CephStaleData
    }

    It 'has exactly the parameters Path, LiteralPath, OlderThan, Exclude, InputObject, Force, DockerHost, ThrottleLimit and Timeout' {
        $surface.Keys | Sort-Object | Should -Be @('DockerHost', 'Exclude', 'Force', 'InputObject', 'LiteralPath', 'OlderThan', 'Path', 'ThrottleLimit', 'Timeout')
    }

    It 'takes Find-CephStaleData results from the pipeline' {
        $surface.InputObject.Type | Should -Be 'OpsTools.Ceph.CephStaleDirectory[]'
        $surface.InputObject.ValueFromPipeline | Should -BeTrue
        $surface.InputObject.Mandatory | Should -BeTrue
    }

    It 'has the parameter sets Path (default), LiteralPath and InputObject' {
        $command.DefaultParameterSet | Should -Be 'Path'
        $command.ParameterSets.Name | Sort-Object | Should -Be @('InputObject', 'LiteralPath', 'Path')
    }

    It 'supports -WhatIf and -Confirm with a High confirm impact' {
        $command.Parameters.Keys | Should -Contain 'WhatIf'
        $command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact | Should -Be 'High'
    }

    It 'declares its output type as OpsTools.Ceph.CephStaleDataRemoval' {
        $command.OutputType.Name | Should -Be 'OpsTools.Ceph.CephStaleDataRemoval'
    }
}

Describe 'Remove-CephStaleData against the lab CephFS' -Skip:(-not $ceph.IsAvailable) {
    BeforeAll {
        $savedDockerHost = $env:DOCKER_HOST
        # Docker is asked through DOCKER_HOST, as operators have it set.
        $env:DOCKER_HOST = Get-LabSetting DOCKER_HOST
        $trees = New-StaleTree 'remove', 'remove-path', 'whatif', 'in-use', 'changed', 'no-docker', 'no-docker-force', 'table'
    }

    AfterAll {
        $env:DOCKER_HOST = $savedDockerHost
        Remove-TestSwarmService
        Remove-CephTestDirectory
    }

    It 'removes the stale tree and reports the bytes it reclaimed' {
        $stale = $trees['remove']

        $removed = Find-CephStaleData -Path $stale.Parent -OlderThan $stale.Cutoff -WarningAction SilentlyContinue |
            Remove-CephStaleData -Confirm:$false -WarningAction SilentlyContinue

        $removed.Path | Should -Be $stale.Tree
        $removed.BytesReclaimed | Should -Be $stale.Bytes
        $removed.FilesRemoved | Should -Be $stale.Files
        $removed.DirectoriesRemoved | Should -Be 3
        Test-Path -LiteralPath $stale.Tree | Should -BeFalse
        Wait-CephStatistics -Path $stale.Parent -Bytes 0 -Files 0
    }

    It 'finds and removes in one command from -Path and -OlderThan' {
        $stale = $trees['remove-path']

        $removed = Remove-CephStaleData -Path $stale.Parent -OlderThan $stale.Cutoff -Confirm:$false -WarningAction SilentlyContinue

        $removed.BytesReclaimed | Should -Be $stale.Bytes
        Test-Path -LiteralPath $stale.Tree | Should -BeFalse
    }

    It 'shows what it would remove with -WhatIf and removes nothing' {
        $stale = $trees['whatif']

        $messages = @(Get-WhatIfMessage { Remove-CephStaleData -Path $stale.Parent -OlderThan $stale.Cutoff -WhatIf -WarningAction SilentlyContinue })

        $messages | Should -HaveCount 1
        $messages[0] | Should -BeLike "*Remove stale CephFS directory (*, $($stale.Files) files, unchanged since *)*$($stale.Tree) on *"
        (Get-ChildItem -LiteralPath $stale.Tree -Recurse -File).Count | Should -Be $stale.Files
    }

    It 'refuses with CephStaleDataInUse (ResourceBusy) a directory a running service mounts, and removes it with -Force' -Skip:(-not $lab.IsAvailable) {
        $stale = $trees['in-use']
        $service = New-TestName
        $null = New-TestSwarmService -Name $service -NoWait -AdditionalArgument '--mount', "type=bind,source=$($stale.Tree)/filestore,target=/data"

        $refused = Remove-CephStaleData -Path $stale.Parent -OlderThan $stale.Cutoff -Confirm:$false -ErrorVariable problems -ErrorAction SilentlyContinue
        $treeKept = Test-Path -LiteralPath $stale.Tree
        Remove-TestSwarmService -Name $service
        $forced = Remove-CephStaleData -Path $stale.Parent -OlderThan $stale.Cutoff -Confirm:$false -Force

        $refused | Should -BeNullOrEmpty
        $treeKept | Should -BeTrue
        $problems | Should -HaveCount 1
        $problems[0].FullyQualifiedErrorId | Should -Be "CephStaleDataInUse,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ResourceBusy'
        $problems[0].Exception.Message | Should -BeLike "*$service*"
        $problems[0].ErrorDetails.RecommendedAction | Should -Match '-Force'
        $forced.BytesReclaimed | Should -Be $stale.Bytes
    }

    It 'refuses with CephStaleDataChanged a tree written to after it was found' {
        $stale = $trees['changed']
        $found = Find-CephStaleData -Path $stale.Parent -OlderThan $stale.Cutoff -WarningAction SilentlyContinue
        $moreBytes = Write-TestFile -Path (Join-Path $stale.Tree 'late') -Count 1
        Wait-CephStatistics -Path $stale.Tree -Bytes ($stale.Bytes + $moreBytes) -Files ($stale.Files + 1)

        $found | Remove-CephStaleData -Confirm:$false -ErrorVariable problems -ErrorAction SilentlyContinue -WarningAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "CephStaleDataChanged,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        Test-Path -LiteralPath $stale.Tree | Should -BeTrue
    }

    It 'stops with CephStaleDataMountsUnknown (ResourceUnavailable) and removes nothing when Docker is out of reach' {
        $stale = $trees['no-docker']

        $problem = $null
        try {
            Remove-CephStaleData -Path $stale.Parent -OlderThan $stale.Cutoff -DockerHost unix:///nonexistent/docker.sock -Confirm:$false -ErrorAction Stop
        }
        catch {
            $problem = $_
        }

        $problem.FullyQualifiedErrorId | Should -Be "CephStaleDataMountsUnknown,$commandId"
        $problem.CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        $problem.TargetObject | Should -Be 'unix:///nonexistent/docker.sock'
        $problem.ErrorDetails.RecommendedAction | Should -Match '-Force'
        Test-Path -LiteralPath $stale.Tree | Should -BeTrue
        (Get-ChildItem -LiteralPath $stale.Tree -Recurse -File).Count | Should -Be $stale.Files
    }

    It 'removes without the check, with a warning, when Docker is out of reach and -Force is given' {
        $stale = $trees['no-docker-force']

        $removed = Remove-CephStaleData -Path $stale.Parent -OlderThan $stale.Cutoff -DockerHost unix:///nonexistent/docker.sock -Force -Confirm:$false -WarningVariable warnings -WarningAction SilentlyContinue

        $warnings | Should -HaveCount 1
        $warnings[0] | Should -Match 'Cannot ask Docker.*-Force: directories are removed without that check'
        $removed.BytesReclaimed | Should -Be $stale.Bytes
        Test-Path -LiteralPath $stale.Tree | Should -BeFalse
    }

    It 'shows the space reclaimed in a table' {
        $stale = $trees['table']

        $text = Remove-CephStaleData -Path $stale.Parent -OlderThan $stale.Cutoff -Confirm:$false -WarningAction SilentlyContinue | Format-Table | Out-String -Width 250

        $text | Should -Match 'RECLAIMED\s+FILES\s+DIRS\s+DURATION\s+PATH'
        $text | Should -Match ('{0}\s+{1}\s+3\s+[\d.]+ s\s+.*odoo_data_gone_0000dddd' -f [regex]::Escape([OpsTools.ByteSize]::Format($stale.Bytes)), $stale.Files)
    }
}
