#Requires -Version 7.4
# Set-SwarmNode: parameter surface; labels, a brief Pause and -WhatIf on the lab's shared node
# (always restored to Active without the test labels); Drain -Wait on a private one-node swarm of
# a second dockerd, so draining never stops the services other test runs have on the lab node.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $lab = Get-LabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Swarm.SetSwarmNodeCommand'
}

Describe 'Set-SwarmNode parameters' {
    BeforeAll {
        $command = Get-Command -Name Set-SwarmNode
        $surface = Get-ParameterSurface -Command Set-SwarmNode
    }

    It 'has exactly the parameters Name, Availability, Label, RemoveLabel, Wait, Timeout and DockerHost' {
        $surface.Keys | Sort-Object | Should -Be @('Availability', 'DockerHost', 'Label', 'Name', 'RemoveLabel', 'Timeout', 'Wait')
    }

    It 'takes -Name from the pipeline by value and by hostname, with wildcards, and -Availability as the node enum' {
        $surface['Name'].Mandatory | Should -BeTrue
        $surface['Name'].Position | Should -Be 0
        $surface['Name'].ValueFromPipeline | Should -BeTrue
        $surface['Name'].ValueFromPipelineByPropertyName | Should -BeTrue
        $surface['Name'].SupportsWildcards | Should -BeTrue
        $surface['Name'].Aliases | Should -Be @('Hostname', 'Node')
        $surface['Availability'].Type | Should -Be 'System.Nullable`1[OpsTools.Swarm.SwarmNodeAvailability]'
        $surface['Label'].Type | Should -Be 'System.Collections.Hashtable'
        $surface['Timeout'].Type | Should -Be 'System.TimeSpan'
    }

    It 'supports -WhatIf and -Confirm with medium impact and returns SwarmNode objects' {
        $command.Parameters.Keys | Should -Contain 'WhatIf'
        $command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false).ConfirmImpact | Should -Be 'Medium'
        $command.OutputType.Name | Should -Be 'OpsTools.Swarm.SwarmNode'
    }

    It 'stops with <Id> (InvalidArgument) for <Case>' -ForEach @(
        @{ Case = 'nothing to change'; Id = 'SwarmNodeChangeMissing'; Script = { Set-SwarmNode -Name anything } }
        @{ Case = 'a label key with ='; Id = 'SwarmNodeLabelInvalid'; Script = { Set-SwarmNode -Name anything -Label @{ 'a=b' = 'c' } } }
        @{ Case = 'a label both set and removed'; Id = 'SwarmNodeLabelConflict'; Script = { Set-SwarmNode -Name anything -Label @{ db = 'true' } -RemoveLabel db } }
    ) {
        $problem = $Script | Should -Throw -PassThru

        $problem.FullyQualifiedErrorId | Should -Be "$Id,$commandId"
        $problem.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $problem.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
    }
}

Describe 'Set-SwarmNode against the lab swarm' -Skip:(-not $lab.IsAvailable) {
    BeforeAll {
        $savedDockerHost = $env:DOCKER_HOST
        $env:DOCKER_HOST = Get-LabSetting DOCKER_HOST
        $hostname = (Invoke-LabDocker -ArgumentList 'node', 'inspect', '--format', '{{.Description.Hostname}}', 'self').StandardOutput.Trim()
        $nodeId = (Invoke-LabDocker -ArgumentList 'node', 'inspect', '--format', '{{.ID}}', 'self').StandardOutput.Trim()
        $prefix = 'opssec-' + [guid]::NewGuid().ToString('n').Substring(0, 8)

        function Get-NodeState { (Invoke-LabDocker -ArgumentList 'node', 'inspect', '--format', '{{.Version.Index}} {{json .Spec}}', $nodeId).StandardOutput.Trim() }
    }

    AfterAll {
        # The node is shared: whatever happened, it goes back to Active without the test labels.
        $null = Invoke-LabDocker -ArgumentList 'node', 'update', '--availability', 'active', $nodeId -AllowFailure
        foreach ($label in "$prefix.rack", "$prefix.db") {
            $null = Invoke-LabDocker -ArgumentList 'node', 'update', '--label-rm', $label, $nodeId -AllowFailure
        }
        $env:DOCKER_HOST = $savedDockerHost
    }

    It 'sets and removes labels of a node piped from Get-SwarmNode in one update and returns it' {
        $null = Invoke-LabDocker -ArgumentList 'node', 'update', '--label-add', "$prefix.rack=b2", $nodeId

        $result = Get-SwarmNode -Name $hostname | Set-SwarmNode -Label @{ "$prefix.db" = 'true' } -RemoveLabel "$prefix.rack" -Confirm:$false

        $result.Id | Should -Be $nodeId
        $result.Labels["$prefix.db"] | Should -Be 'true'
        $result.Labels.ContainsKey("$prefix.rack") | Should -BeFalse
        $labels = (Invoke-LabDocker -ArgumentList 'node', 'inspect', '--format', '{{json .Spec.Labels}}', $nodeId).StandardOutput | ConvertFrom-Json -AsHashtable
        $labels["$prefix.db"] | Should -Be 'true'
        $labels.ContainsKey("$prefix.rack") | Should -BeFalse
    }

    It 'pauses the node for a moment and makes it Active again' {
        try {
            $paused = Set-SwarmNode -Name $hostname -Availability Pause -Confirm:$false
            $pausedSpec = (Invoke-LabDocker -ArgumentList 'node', 'inspect', '--format', '{{.Spec.Availability}}', $nodeId).StandardOutput.Trim()
        }
        finally {
            $active = Set-SwarmNode -Name $nodeId -Availability Active -Confirm:$false
        }

        $paused.Availability | Should -Be 'Pause'
        $pausedSpec | Should -Be 'pause'
        $active.Availability | Should -Be 'Active'
        (Invoke-LabDocker -ArgumentList 'node', 'inspect', '--format', '{{.Spec.Availability}}', $nodeId).StandardOutput.Trim() | Should -Be 'active'
    }

    It 'changes nothing with -WhatIf, even Drain, and names node, host and old -> new' {
        $before = Get-NodeState
        $transcript = Join-Path $TestDrive 'whatif.txt'
        $null = Start-Transcript -LiteralPath $transcript
        try { $result = Set-SwarmNode -Name $hostname -Availability Drain -Label @{ "$prefix.db" = 'false' } -Wait -WhatIf } finally { $null = Stop-Transcript }
        $whatIf = Get-Content -LiteralPath $transcript -Raw

        $result | Should -BeNullOrEmpty
        Get-NodeState | Should -Be $before
        $whatIf | Should -BeLike "*Availability: active -> drain*"
        $whatIf | Should -BeLike "*$hostname on $(Get-LabSetting DOCKER_HOST)*"
    }

    It 'writes SwarmNodeNotFound (ObjectNotFound) for an unknown name and changes nothing' {
        $before = Get-NodeState

        $result = Set-SwarmNode -Name "$prefix-nosuch" -Availability Pause -Confirm:$false -ErrorVariable problems -ErrorAction SilentlyContinue

        $result | Should -BeNullOrEmpty
        $problems[0].FullyQualifiedErrorId | Should -Be "SwarmNodeNotFound,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].TargetObject | Should -Be "$prefix-nosuch"
        Get-NodeState | Should -Be $before
    }

    Context 'on a private one-node swarm' {
        BeforeAll {
            $daemon = Start-TestDockerDaemon
            if ($daemon.SkipReason -and $env:CI -eq 'true') { throw $daemon.SkipReason }
            if (-not $daemon.SkipReason) {
                $private = $daemon.DockerHost
                $null = Invoke-LabDocker -DockerHost $private -ArgumentList 'swarm', 'init', '--advertise-addr', '127.0.0.1'
                $image = Get-LabSetting IMAGE_BUSYBOX
                $load = & sh -c 'docker save "$1" | docker -H "$2" load' sh $image $private 2>&1
                if ($LASTEXITCODE -ne 0) { throw "Could not copy $image to the private swarm: $load" }
                $privateNode = (Invoke-LabDocker -DockerHost $private -ArgumentList 'node', 'inspect', '--format', '{{.Description.Hostname}} {{.ID}}', 'self').StandardOutput.Trim() -split ' '
                $null = Invoke-LabDocker -DockerHost $private -ArgumentList 'service', 'create', '--detach', '--quiet', '--no-resolve-image', '--name', 'drained', '--init', '--stop-grace-period', '2s', '--replicas', '2', $image, 'sh', '-c', 'while true; do sleep 1; done'
                $null = Wait-Until -Because 'both tasks run on the private swarm' -TimeoutSeconds 60 -Condition {
                    (Invoke-LabDocker -DockerHost $private -ArgumentList 'service', 'ls', '--format', '{{.Replicas}}').StandardOutput.Trim() -eq '2/2'
                }
            }
        }

        AfterAll {
            $daemon | Stop-TestDockerDaemon
        }

        BeforeEach {
            if ($daemon.SkipReason) { Set-ItResult -Skipped -Because $daemon.SkipReason }
        }

        It 'drains the node and with -Wait returns once none of its tasks runs any more' {
            $clock = [System.Diagnostics.Stopwatch]::StartNew()
            $result = Set-SwarmNode -DockerHost $private -Name $privateNode[0] -Availability Drain -Wait -Timeout 60 -Confirm:$false -Verbose 4>&1
            $clock.Stop()
            $node = $result | Where-Object { $_ -is [OpsTools.Swarm.SwarmNode] }
            $verbose = $result | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
            $states = (Invoke-LabDocker -DockerHost $private -ArgumentList 'node', 'ps', '--format', '{{.CurrentState}}', $privateNode[1]).Output

            $node.Availability | Should -Be 'Drain'
            $node.DockerHost | Should -Be $private
            $states | Should -Not -BeNullOrEmpty
            $states | ForEach-Object { $_ | Should -Not -BeLike 'Running*' }
            ($verbose | Out-String) | Should -BeLike "*$($privateNode[0]): drained in *"
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 60
        }

        It 'reports SwarmNodeDrainTimeout (OperationTimeout) naming the node when its tasks outlast the timeout' {
            $null = Invoke-LabDocker -DockerHost $private -ArgumentList 'node', 'update', '--availability', 'active', $privateNode[1]
            # A task that ignores SIGTERM holds the drain for its 8 s grace period, beyond a 2 s timeout.
            $null = Invoke-LabDocker -DockerHost $private -ArgumentList 'service', 'create', '--detach', '--quiet', '--no-resolve-image', '--name', 'stubborn', '--stop-grace-period', '8s', (Get-LabSetting IMAGE_BUSYBOX), 'sh', '-c', 'trap "" TERM; while true; do sleep 1; done'
            $null = Wait-Until -Because 'the stubborn task runs' -TimeoutSeconds 60 -Condition {
                (Invoke-LabDocker -DockerHost $private -ArgumentList 'service', 'ls', '--filter', 'name=stubborn', '--format', '{{.Replicas}}').StandardOutput.Trim() -eq '1/1'
            }

            $result = Set-SwarmNode -DockerHost $private -Name $privateNode[1] -Availability Drain -Wait -Timeout 2 -Confirm:$false -ErrorVariable problems -ErrorAction SilentlyContinue

            $result.Availability | Should -Be 'Drain'
            $problems | Should -HaveCount 1
            $problems[0].FullyQualifiedErrorId | Should -Be "SwarmNodeDrainTimeout,$commandId"
            $problems[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
            $problems[0].TargetObject | Should -Be $privateNode[0]
        }

        It 'stops waiting promptly on Ctrl+C and leaves the node drained' {
            $null = Invoke-LabDocker -DockerHost $private -ArgumentList 'node', 'update', '--availability', 'active', $privateNode[1]
            $null = Wait-Until -Because 'the stubborn task runs again' -TimeoutSeconds 60 -Condition {
                (Invoke-LabDocker -DockerHost $private -ArgumentList 'service', 'ls', '--filter', 'name=stubborn', '--format', '{{.Replicas}}').StandardOutput.Trim() -eq '1/1'
            }
            $ps = [powershell]::Create()
            try {
                $null = $ps.AddScript({
                        param($Manifest, $DockerHost, $Node)
                        Import-Module $Manifest
                        Set-SwarmNode -DockerHost $DockerHost -Name $Node -Availability Drain -Wait -Timeout 300 -Confirm:$false
                    }).AddArgument((Get-BuiltModulePath)).AddArgument($private).AddArgument($privateNode[1])
                $async = $ps.BeginInvoke()
                $null = Wait-Until -Because 'the node is set to Drain' -TimeoutSeconds 60 -Condition {
                    (Invoke-LabDocker -DockerHost $private -ArgumentList 'node', 'inspect', '--format', '{{.Spec.Availability}}', $privateNode[1]).StandardOutput.Trim() -eq 'drain'
                }
                $clock = [System.Diagnostics.Stopwatch]::StartNew()
                $ps.Stop()

                $clock.Elapsed.TotalSeconds | Should -BeLessThan 5
                $async.IsCompleted | Should -BeTrue
                (Invoke-LabDocker -DockerHost $private -ArgumentList 'node', 'inspect', '--format', '{{.Spec.Availability}}', $privateNode[1]).StandardOutput.Trim() | Should -Be 'drain'
            }
            finally {
                $ps.Dispose()
            }
        }
    }
}
