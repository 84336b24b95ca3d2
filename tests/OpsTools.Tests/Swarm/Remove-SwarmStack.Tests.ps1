#Requires -Version 7.4
# Remove-SwarmStack: parameter surface, then removing stacks deployed by the docker CLI on the lab swarm.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $lab = Get-LabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Swarm.RemoveSwarmStackCommand'

    function Get-StackObject([string] $Stack) {
        foreach ($kind in 'service', 'secret', 'config', 'network') {
            (Invoke-LabDocker -ArgumentList $kind, 'ls', '--format', "$kind {{.Name}}", '--filter', "label=com.docker.stack.namespace=$Stack").Output
        }
    }

    function Deploy-TestStack([string] $Stack, [string] $Directory) {
        # Fixtures come from the docker CLI, not from the cmdlets under test.
        Set-Content -LiteralPath (Join-Path $Directory 'secret.txt') -Value 'lab-only' -NoNewline
        Set-Content -LiteralPath (Join-Path $Directory 'app.conf') -Value '[app]'
        Set-Content -LiteralPath (Join-Path $Directory 'compose.yml') -Value @"
version: "3.8"
services:
  web:
    image: lab/busybox:1
    init: true
    command: ["sh", "-c", "while true; do sleep 1; done"]
    networks: [backend]
    secrets: [password]
    configs: [app]
    deploy: {replicas: 2, endpoint_mode: dnsrr}
  worker:
    image: lab/busybox:1
    init: true
    command: ["sh", "-c", "while true; do sleep 1; done"]
    networks: [backend]
    deploy: {endpoint_mode: dnsrr}
networks:
  backend: {name: $Stack-net, driver: overlay}
secrets:
  password: {file: ./secret.txt}
configs:
  app: {file: ./app.conf}
"@
        $null = Invoke-LabDocker -ArgumentList 'stack', 'deploy', '--resolve-image', 'never', '--detach=true', '-c', (Join-Path $Directory 'compose.yml'), $Stack
        $null = Wait-Until -Because "stack $Stack runs" -TimeoutSeconds 60 -Condition {
            $replicas = (Invoke-LabDocker -ArgumentList 'service', 'ls', '--format', '{{.Replicas}}', '--filter', "label=com.docker.stack.namespace=$Stack").Output
            ($replicas -join ',') -eq '2/2,1/1'
        }
    }
}

Describe 'Remove-SwarmStack parameters' {
    BeforeAll {
        $command = Get-Command -Name Remove-SwarmStack
        $surface = Get-ParameterSurface -Command Remove-SwarmStack
    }

    It 'has exactly the parameters Name, Timeout, PassThru and DockerHost' {
        $surface.Keys | Sort-Object | Should -Be @('DockerHost', 'Name', 'PassThru', 'Timeout')
    }

    It 'takes -Name from the pipeline by value and by property name, without wildcards' {
        $surface['Name'].Type | Should -Be 'System.String[]'
        $surface['Name'].Mandatory | Should -BeTrue
        $surface['Name'].Position | Should -Be 0
        $surface['Name'].ValueFromPipeline | Should -BeTrue
        $surface['Name'].ValueFromPipelineByPropertyName | Should -BeTrue
        $surface['Name'].SupportsWildcards | Should -BeFalse
        $surface['Timeout'].Type | Should -Be 'System.TimeSpan'
    }

    It 'is destructive: ConfirmImpact High, -WhatIf and -Confirm, SwarmStack with -PassThru' {
        $command.Parameters.Keys | Should -Contain 'WhatIf'
        $command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false).ConfirmImpact | Should -Be 'High'
        $command.OutputType.Name | Should -Be 'OpsTools.Swarm.SwarmStack'
    }
}

Describe 'Remove-SwarmStack on the lab swarm' -Skip:(-not $lab.IsAvailable) {
    BeforeAll {
        $savedDockerHost = $env:DOCKER_HOST
        $env:DOCKER_HOST = Get-LabSetting DOCKER_HOST
        $prefix = 'opsstk-' + [guid]::NewGuid().ToString('n').Substring(0, 6)
        $stack = "$prefix-rm"
        $directory = Join-Path $TestDrive 'stack'
        $null = New-Item -ItemType Directory -Path $directory
        Deploy-TestStack -Stack $stack -Directory $directory
    }

    AfterAll {
        $null = Invoke-LabDocker -ArgumentList 'stack', 'rm', $stack -AllowFailure
        $null = Wait-Until -TimeoutSeconds 60 -Because "network $stack-net is gone" -Condition {
            -not (Invoke-LabDocker -ArgumentList 'network', 'ls', '--quiet', '--filter', "name=^$stack-net$").Output -or
            (Invoke-LabDocker -ArgumentList 'network', 'rm', "$stack-net" -AllowFailure).ExitCode -eq 0
        }
        $env:DOCKER_HOST = $savedDockerHost
    }

    It 'names every object it would remove with -WhatIf and removes nothing' {
        $before = Get-StackObject $stack
        $transcript = Join-Path $TestDrive 'whatif.txt'
        $null = Start-Transcript -LiteralPath $transcript
        try { $result = Remove-SwarmStack -Name $stack -WhatIf } finally { $null = Stop-Transcript }
        $whatIf = Get-Content -LiteralPath $transcript -Raw

        $result | Should -BeNullOrEmpty
        Get-StackObject $stack | Should -Be $before
        foreach ($name in "${stack}_web", "${stack}_worker", "${stack}_password", "${stack}_app", "$stack-net") {
            $whatIf | Should -BeLike "*Remove *$name of stack $stack on $(Get-LabSetting DOCKER_HOST)*"
        }
    }

    It 'removes services, secrets, configs and networks of a stack the CLI deployed and returns once they are gone' {
        $result = Get-SwarmStack -Name $stack | Remove-SwarmStack -PassThru -Timeout 60 -Confirm:$false -ErrorVariable problems

        $problems | Should -BeNullOrEmpty
        $result | Should -BeOfType ([OpsTools.Swarm.SwarmStack])
        $result.Name | Should -Be $stack
        $result.Services | Should -Be 2
        Get-StackObject $stack | Should -BeNullOrEmpty
        (Invoke-LabDocker -ArgumentList 'network', 'ls', '--quiet', '--filter', "name=^$stack-net$").Output | Should -BeNullOrEmpty
        (Invoke-LabDocker -ArgumentList 'ps', '--quiet', '--filter', "label=com.docker.stack.namespace=$stack").Output | Should -BeNullOrEmpty
    }

    It 'writes SwarmStackNotFound (ObjectNotFound) for a stack that does not exist and goes on' {
        $result = Remove-SwarmStack -Name "$prefix-nosuch" -PassThru -Confirm:$false -ErrorVariable problems -ErrorAction SilentlyContinue

        $result | Should -BeNullOrEmpty
        $problems | Should -HaveCount 1
        $problems[0].FullyQualifiedErrorId | Should -Be "SwarmStackNotFound,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].TargetObject | Should -Be "$prefix-nosuch"
        $problems[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
    }
}
