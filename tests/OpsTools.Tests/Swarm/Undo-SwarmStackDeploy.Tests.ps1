#Requires -Version 7.4
# Undo-SwarmStackDeploy: parameter surface, then rolling a stack deployed twice by Deploy-SwarmStack back on the lab swarm.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $lab = Get-LabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Swarm.UndoSwarmStackDeployCommand'

    function Get-StackState([string] $Stack) {
        $services = (Invoke-LabDocker -ArgumentList 'service', 'ls', '--quiet', '--filter', "label=com.docker.stack.namespace=$Stack").Output
        $specs = if ($services) { (Invoke-LabDocker -ArgumentList (@('service', 'inspect', '--format', '{{.Spec.Name}} {{json .Spec}}') + $services)).Output } else { @() }
        $configs = (Invoke-LabDocker -ArgumentList 'config', 'ls', '--format', '{{.Name}}', '--filter', "label=com.docker.stack.namespace=$Stack").Output
        (@($specs | Sort-Object) + @($configs | Sort-Object)) -join "`n"
    }

    function Get-ServiceEnv([string] $Service) {
        (Invoke-LabDocker -ArgumentList 'service', 'inspect', '--format', '{{json .Spec.TaskTemplate.ContainerSpec.Env}}', $Service).StandardOutput | ConvertFrom-Json
    }
}

Describe 'Undo-SwarmStackDeploy parameters' {
    BeforeAll {
        $command = Get-Command -Name Undo-SwarmStackDeploy
        $surface = Get-ParameterSurface -Command Undo-SwarmStackDeploy
    }

    It 'has exactly the parameters Name, Wait, Timeout and DockerHost' {
        $surface.Keys | Sort-Object | Should -Be @('DockerHost', 'Name', 'Timeout', 'Wait')
        $surface['Name'].Type | Should -Be 'System.String'
        $surface['Name'].Mandatory | Should -BeTrue
        $surface['Name'].Position | Should -Be 0
        $surface['Name'].ValueFromPipelineByPropertyName | Should -BeTrue
        $surface['Name'].Aliases | Should -Be 'Stack'
    }

    It 'asks first (ConfirmImpact High), waits by default and returns SwarmService objects' {
        $command.Parameters.Keys | Should -Contain 'WhatIf'
        $command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false).ConfirmImpact | Should -Be 'High'
        $command.ImplementingType::new().Wait.IsPresent | Should -BeTrue
        $command.OutputType.Name | Should -Be 'OpsTools.Swarm.SwarmService'
    }
}

Describe 'Undo-SwarmStackDeploy on the lab swarm' -Skip:(-not $lab.IsAvailable) {
    BeforeAll {
        $savedDockerHost = $env:DOCKER_HOST
        $env:DOCKER_HOST = Get-LabSetting DOCKER_HOST
        $prefix = 'opsstk-' + [guid]::NewGuid().ToString('n').Substring(0, 6)
        $stack = "$prefix-undo"
        $base = Join-Path $TestDrive 'compose.yml'
        $extra = Join-Path $TestDrive 'extra.yml'
        Set-Content -LiteralPath $base -Value @'
version: "3.8"
services:
  web:
    image: lab/busybox:1
    init: true
    command: ["sh", "-c", "touch /tmp/ok; while true; do sleep 1; done"]
    environment: {APP_VERSION: "${APP_VERSION:-1}"}
    healthcheck: {test: ["CMD", "test", "-f", "/tmp/ok"], interval: 1s}
    deploy: {endpoint_mode: dnsrr, update_config: {order: stop-first}}
'@
        Set-Content -LiteralPath $extra -Value @'
version: "3.8"
services:
  extra:
    image: lab/busybox:1
    init: true
    command: ["sh", "-c", "while true; do sleep 1; done"]
    deploy: {endpoint_mode: dnsrr}
'@
        $null = Deploy-SwarmStack -Name $stack -Path $base -ResolveImage Never -Timeout 60 -Confirm:$false
        $null = Deploy-SwarmStack -Name $stack -Path $base, $extra -Variables @{ APP_VERSION = '2' } -ResolveImage Never -Timeout 60 -Confirm:$false
    }

    AfterAll {
        $null = Invoke-LabDocker -ArgumentList 'stack', 'rm', $stack -AllowFailure
        $env:DOCKER_HOST = $savedDockerHost
    }

    It 'says what it would restore with -WhatIf and changes nothing' {
        $before = Get-StackState $stack
        $transcript = Join-Path $TestDrive 'whatif.txt'
        $null = Start-Transcript -LiteralPath $transcript
        try { $result = Undo-SwarmStackDeploy -Name $stack -WhatIf } finally { $null = Stop-Transcript }
        $whatIf = Get-Content -LiteralPath $transcript -Raw

        $result | Should -BeNullOrEmpty
        Get-StackState $stack | Should -Be $before
        $whatIf | Should -Match ([regex]::Escape('Update service to revision 1 (Env[APP_VERSION]: 2 -> 1)') + '.*' + [regex]::Escape("${stack}_web of stack $stack on $(Get-LabSetting DOCKER_HOST)"))
        $whatIf | Should -Match ([regex]::Escape('Remove service to revision 1') + '.*' + [regex]::Escape("${stack}_extra of stack $stack"))
    }

    It 'restores every service of the stack, removes the one the deploy added, waits and returns the services' {
        $result = Get-SwarmStack -Name $stack | Undo-SwarmStackDeploy -Timeout 60 -Confirm:$false -ErrorVariable problems

        $problems | Should -BeNullOrEmpty
        $result.Name | Should -Be "${stack}_web"
        $result.Replicas | Should -Be '1/1'
        Get-ServiceEnv "${stack}_web" | Should -Be 'APP_VERSION=1'
        (Invoke-LabDocker -ArgumentList 'service', 'ls', '--quiet', '--filter', "name=${stack}_extra").Output | Should -BeNullOrEmpty
        (Invoke-LabDocker -ArgumentList 'config', 'ls', '--quiet', '--filter', 'label=org.opstools.stack.previous', '--filter', "label=com.docker.stack.namespace=$stack").Output | Should -BeNullOrEmpty
    }

    It 'writes SwarmStackNoPreviousDeploy (ObjectNotFound) once every kept definition was restored' {
        $before = Get-StackState $stack

        $result = Undo-SwarmStackDeploy -Name $stack -Confirm:$false -ErrorVariable problems -ErrorAction SilentlyContinue

        $result | Should -BeNullOrEmpty
        $problems | Should -HaveCount 1
        $problems[0].FullyQualifiedErrorId | Should -Be "SwarmStackNoPreviousDeploy,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].TargetObject | Should -Be $stack
        $problems[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        Get-StackState $stack | Should -Be $before
    }
}
