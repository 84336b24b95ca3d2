#Requires -Version 7.4
# Deploy-SwarmStack: parameter surface, then deploys of the saas stack (tests/OpsTools.Engine.Tests/Swarm/Stack)
# and of small failing stacks on the lab swarm. Every stack, network and port is unique to this run.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $lab = Get-LabStatus
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Swarm.DeploySwarmStackCommand'
    $stackDir = Join-Path (Get-RepositoryRoot) 'tests/OpsTools.Engine.Tests/Swarm/Stack'

    function Get-StackState([string] $Stack) {
        # Everything a deploy could change: services (version and spec), secrets, configs, networks of the stack.
        $services = (Invoke-LabDocker -ArgumentList 'service', 'ls', '--quiet', '--filter', "label=com.docker.stack.namespace=$Stack").Output
        $specs = if ($services) { (Invoke-LabDocker -ArgumentList (@('service', 'inspect', '--format', '{{.Spec.Name}} {{.Version.Index}} {{json .Spec}}') + $services)).Output } else { @() }
        $objects = foreach ($kind in 'secret', 'config', 'network') {
            (Invoke-LabDocker -ArgumentList $kind, 'ls', '--format', '{{.ID}} {{.Name}}', '--filter', "label=com.docker.stack.namespace=$Stack").Output
        }
        (@($specs | Sort-Object) + @($objects | Sort-Object)) -join "`n"
    }

    function Wait-StackSettled([string] $Stack) {
        # A rollout still finishing bumps service versions (update status changes): wait it out before comparing states.
        $null = Wait-Until -TimeoutSeconds 60 -Because "the rollouts of stack $Stack finished" -Condition {
            $services = (Invoke-LabDocker -ArgumentList 'service', 'ls', '--quiet', '--filter', "label=com.docker.stack.namespace=$Stack").Output
            $states = (Invoke-LabDocker -ArgumentList (@('service', 'inspect', '--format', '{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}') + $services)).Output
            -not ($states -match 'updating|rollback_started')
        }
    }

    function Remove-TestStack([string[]] $Stack, [string[]] $Network) {
        foreach ($name in $Stack) { $null = Invoke-LabDocker -ArgumentList 'stack', 'rm', $name -AllowFailure }
        foreach ($name in $Network) {
            $null = Wait-Until -TimeoutSeconds 60 -Because "network $name is removed" -Condition {
                if (-not (Invoke-LabDocker -ArgumentList 'network', 'ls', '--quiet', '--filter', "name=^$name$").Output) { return $true }
                (Invoke-LabDocker -ArgumentList 'network', 'rm', $name -AllowFailure).ExitCode -eq 0
            }
        }
    }
}

Describe 'Deploy-SwarmStack parameters' {
    BeforeAll {
        $command = Get-Command -Name Deploy-SwarmStack
        $surface = Get-ParameterSurface -Command Deploy-SwarmStack
    }

    It 'has exactly the parameters of docker stack deploy plus the loader and wait parameters' {
        $surface.Keys | Sort-Object | Should -Be @('DockerHost', 'EnvFile', 'Name', 'Path', 'Prune', 'ResolveImage', 'Timeout', 'Variables', 'Wait', 'WithRegistryAuth')
    }

    It 'declares -<Name> as <Type>' -ForEach @(
        @{ Name = 'Name'; Type = 'System.String'; Mandatory = $true; Position = 0; ByValue = $false; ByPropertyName = $false; Aliases = 'Stack' }
        @{ Name = 'Path'; Type = 'System.String[]'; Mandatory = $true; Position = 1; ByValue = $true; ByPropertyName = $true; Aliases = 'FullName' }
        @{ Name = 'EnvFile'; Type = 'System.String[]'; Mandatory = $false; Position = $null; ByValue = $false; ByPropertyName = $false; Aliases = '' }
        @{ Name = 'Variables'; Type = 'System.Collections.Hashtable'; Mandatory = $false; Position = $null; ByValue = $false; ByPropertyName = $false; Aliases = '' }
        @{ Name = 'ResolveImage'; Type = 'OpsTools.Swarm.SwarmResolveImage'; Mandatory = $false; Position = $null; ByValue = $false; ByPropertyName = $false; Aliases = '' }
        @{ Name = 'Timeout'; Type = 'System.TimeSpan'; Mandatory = $false; Position = $null; ByValue = $false; ByPropertyName = $false; Aliases = '' }
    ) {
        $parameter = $surface[$Name]
        $parameter.Type | Should -Be $Type
        $parameter.Mandatory | Should -Be $Mandatory
        $parameter.Position | Should -Be $Position
        $parameter.ValueFromPipeline | Should -Be $ByValue
        $parameter.ValueFromPipelineByPropertyName | Should -Be $ByPropertyName
        $parameter.Aliases -join ',' | Should -Be $Aliases
    }

    It 'supports -WhatIf and -Confirm with medium impact, waits by default and returns SwarmService objects' {
        $command.Parameters.Keys | Should -Contain 'WhatIf'
        $command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false).ConfirmImpact | Should -Be 'Medium'
        $command.ImplementingType::new().Wait.IsPresent | Should -BeTrue
        $command.OutputType.Name | Should -Be 'OpsTools.Swarm.SwarmService'
        [enum]::GetNames([OpsTools.Swarm.SwarmResolveImage]) | Should -Be @('Always', 'Changed', 'Never')
    }
}

Describe 'Deploy-SwarmStack of the saas stack on the lab swarm' -Skip:(-not $lab.IsAvailable) {
    BeforeAll {
        $savedDockerHost = $env:DOCKER_HOST
        $env:DOCKER_HOST = Get-LabSetting DOCKER_HOST
        $prefix = 'opsstk-' + [guid]::NewGuid().ToString('n').Substring(0, 6)
        $stack = "$prefix-app"
        $network = "$prefix-net"
        $files = (Join-Path $stackDir 'compose.yml'), (Join-Path $stackDir 'compose.override.yml')
        $variables = @{ NETWORK_NAME = $network; API_PORT = Get-Random -Minimum 40000 -Maximum 44000; PG_PORT = Get-Random -Minimum 44000 -Maximum 48000 }
        $names = 'api', 'beat', 'mailer', 'postgres', 'redis', 'worker' | ForEach-Object { "${stack}_$_" }
    }

    AfterAll {
        Remove-TestStack -Stack $stack -Network $network
        $env:DOCKER_HOST = $savedDockerHost
    }

    It 'changes nothing with -WhatIf on a stack that does not exist yet, and names what it would create' {
        $transcript = Join-Path $TestDrive 'whatif-new.txt'
        $null = Start-Transcript -LiteralPath $transcript
        try { $result = Deploy-SwarmStack -Name $stack -Path $files -Variables $variables -ResolveImage Never -WhatIf } finally { $null = Stop-Transcript }
        $whatIf = Get-Content -LiteralPath $transcript -Raw

        $result | Should -BeNullOrEmpty
        Get-StackState $stack | Should -BeNullOrEmpty
        (Invoke-LabDocker -ArgumentList 'network', 'ls', '--quiet', '--filter', "name=^$network$").Output | Should -BeNullOrEmpty
        $whatIf | Should -BeLike "*Create network*$network of stack $stack on $(Get-LabSetting DOCKER_HOST)*"
        $whatIf | Should -BeLike "*Create secret*${stack}_db_password*"
        $whatIf | Should -BeLike "*Create service*${stack}_mailer*"
    }

    It 'deploys the files with the override, waits until every service converged and returns them' {
        $result = Deploy-SwarmStack -Name $stack -Path $files -Variables $variables -ResolveImage Never -Timeout 120 -Confirm:$false -ErrorVariable problems

        $problems | Should -BeNullOrEmpty
        $result | Should -HaveCount 6
        $result[0] | Should -BeOfType ([OpsTools.Swarm.SwarmService])
        $result.Name | Sort-Object | Should -Be $names
        $result | ForEach-Object { $_.RunningReplicas | Should -Be $_.DesiredReplicas -Because $_.Name }
        $result.Stack | Select-Object -Unique | Should -Be $stack
        ($result | Where-Object Name -EQ "${stack}_mailer").Labels['saas.role'] | Should -Be 'mailer'
        ($result | ConvertTo-Csv | ConvertFrom-Csv).Name | Sort-Object | Should -Be $names
        (Invoke-LabDocker -ArgumentList 'service', 'inspect', '--format', '{{index .Spec.Labels "com.docker.stack.image"}}', "${stack}_api").StandardOutput.Trim() | Should -Be 'lab/busybox:1'
    }

    It 'prints the plan of a changed variable with -WhatIf and changes nothing' {
        Wait-StackSettled $stack
        $before = Get-StackState $stack
        $transcript = Join-Path $TestDrive 'whatif-change.txt'
        $null = Start-Transcript -LiteralPath $transcript
        try { $null = Deploy-SwarmStack -Name $stack -Path $files -Variables ($variables + @{ APP_VERSION = '2.0.0' }) -ResolveImage Never -WhatIf } finally { $null = Stop-Transcript }
        $whatIf = Get-Content -LiteralPath $transcript -Raw

        Get-StackState $stack | Should -Be $before
        $whatIf | Should -Match ([regex]::Escape('Update service (Env[APP_VERSION]: 1.0.0 -> 2.0.0)') + '.*' + [regex]::Escape("${stack}_api of stack $stack"))
        $whatIf | Should -Not -BeLike "*${stack}_postgres*"
        (Invoke-LabDocker -ArgumentList 'config', 'ls', '--quiet', '--filter', 'label=org.opstools.stack.previous', '--filter', "label=com.docker.stack.namespace=$stack").Output | Should -BeNullOrEmpty
    }

    It 'rolls only the services a changed variable touches and keeps the previous definition' {
        $postgresVersion = (Invoke-LabDocker -ArgumentList 'service', 'inspect', '--format', '{{.Version.Index}}', "${stack}_postgres").StandardOutput.Trim()

        $result = Deploy-SwarmStack -Name $stack -Path $files -Variables ($variables + @{ APP_VERSION = '2.0.0' }) -ResolveImage Never -Timeout 120 -Confirm:$false -ErrorVariable problems

        $problems | Should -BeNullOrEmpty
        $result | Should -HaveCount 6
        foreach ($service in 'api', 'beat', 'mailer', 'worker') {
            (Invoke-LabDocker -ArgumentList 'service', 'inspect', '--format', '{{json .Spec.TaskTemplate.ContainerSpec.Env}}', "${stack}_$service").StandardOutput | Should -BeLike '*APP_VERSION=2.0.0*'
        }
        (Invoke-LabDocker -ArgumentList 'service', 'inspect', '--format', '{{.Version.Index}}', "${stack}_postgres").StandardOutput.Trim() | Should -Be $postgresVersion
        (Invoke-LabDocker -ArgumentList 'config', 'ls', '--format', '{{.Name}}', '--filter', 'label=org.opstools.stack.previous=1', '--filter', "label=com.docker.stack.namespace=$stack").Output | Should -Be "${stack}_opstools-previous-1"
    }

    It 'stops with SwarmStackContentChanged naming the secret when its file changed, and changes nothing' {
        Wait-StackSettled $stack
        $before = Get-StackState $stack
        $secretFile = Join-Path $TestDrive 'other-password.txt'
        Set-Content -LiteralPath $secretFile -Value 'a-new-password' -NoNewline

        $problem = { Deploy-SwarmStack -Name $stack -Path $files -Variables ($variables + @{ DB_PASSWORD_FILE = $secretFile; LOG_LEVEL = 'debug' }) -ResolveImage Never -Confirm:$false } | Should -Throw -PassThru

        $problem.FullyQualifiedErrorId | Should -Be "SwarmStackContentChanged,$commandId"
        $problem.CategoryInfo.Category | Should -Be 'InvalidOperation'
        $problem.TargetObject | Should -Be "secret ${stack}_db_password"
        $problem.ErrorDetails.RecommendedAction | Should -BeLike '*new name*'
        "$problem" | Should -Not -BeLike '*a-new-password*'
        Get-StackState $stack | Should -Be $before
    }

    It 'stops with <Id> (<Category>) on <Case> and deploys nothing' -ForEach @(
        @{ Case = 'invalid YAML'; Id = 'ComposeYamlInvalid'; Category = 'InvalidData'; Yaml = "services:`n  app:`n    image: [lab/busybox:1`n" }
        @{ Case = 'a missing required variable'; Id = 'ComposeVariableMissing'; Category = 'InvalidData'; Yaml = "services:`n  app:`n    image: `${OPSSTK_UNSET_IMAGE:?set the image}`n" }
        @{ Case = 'an unknown key'; Id = 'ComposeKeyUnknown'; Category = 'InvalidData'; Yaml = "services:`n  app:`n    image: lab/busybox:1`n    replica: 2`n" }
    ) {
        $file = Join-Path $TestDrive 'bad.yml'
        Set-Content -LiteralPath $file -Value $Yaml
        $badStack = "$prefix-bad"

        $problem = { Deploy-SwarmStack -Name $badStack -Path $file -ResolveImage Never -Confirm:$false } | Should -Throw -PassThru

        $problem.FullyQualifiedErrorId | Should -Be "$Id,$commandId"
        $problem.CategoryInfo.Category | Should -Be $Category
        $problem.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        Get-StackState $badStack | Should -BeNullOrEmpty
    }
}

Describe 'Deploy-SwarmStack reports failing services on the lab swarm' -Skip:(-not $lab.IsAvailable) {
    BeforeAll {
        $savedDockerHost = $env:DOCKER_HOST
        $env:DOCKER_HOST = Get-LabSetting DOCKER_HOST
        $prefix = 'opsstk-' + [guid]::NewGuid().ToString('n').Substring(0, 6)
        $stack = "$prefix-fail"
        $slowStack = "$prefix-slow"
        $file = Join-Path $TestDrive 'failing.yml'
        Set-Content -LiteralPath $file -Value @'
version: "3.8"
services:
  noimage:
    image: lab/opsstk-does-not-exist:1
    deploy: {endpoint_mode: dnsrr}
  unhealthy:
    image: lab/busybox:1
    init: true
    command: ["sh", "-c", "while true; do sleep 1; done"]
    healthcheck: {test: ["CMD", "false"], interval: 1s, retries: 1, start_period: 0s}
    deploy: {endpoint_mode: dnsrr, restart_policy: {condition: any, delay: 0s}}
  nowhere:
    image: lab/busybox:1
    init: true
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
    deploy: {endpoint_mode: dnsrr, placement: {constraints: [node.labels.opsstk-never == 1]}}
  oneshot:
    image: lab/busybox:1
    command: ["true"]
    deploy: {endpoint_mode: dnsrr, restart_policy: {condition: none}}
'@
        $slowFile = Join-Path $TestDrive 'slow.yml'
        Set-Content -LiteralPath $slowFile -Value @'
version: "3.8"
services:
  starting:
    image: lab/busybox:1
    init: true
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
    healthcheck: {test: ["CMD", "false"], interval: 1s, start_period: 10m}
    deploy: {endpoint_mode: dnsrr}
'@
    }

    AfterAll {
        Remove-TestStack -Stack $stack, $slowStack -Network "${stack}_default", "${slowStack}_default"
        $env:DOCKER_HOST = $savedDockerHost
    }

    It 'names each failed service and why within the timeout, and counts a one-shot service that completed as converged' {
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        $result = Deploy-SwarmStack -Name $stack -Path $file -ResolveImage Never -Timeout 90 -Confirm:$false -ErrorVariable problems -ErrorAction SilentlyContinue
        $clock.Stop()

        $clock.Elapsed.TotalSeconds | Should -BeLessThan 90
        $byService = @{}
        foreach ($problem in $problems) { $byService[$problem.TargetObject.Service] = $problem }
        $byService.Keys | Sort-Object | Should -Be @("${stack}_noimage", "${stack}_nowhere", "${stack}_unhealthy")
        $byService["${stack}_noimage"].FullyQualifiedErrorId | Should -Be "SwarmServiceImageNotFound,$commandId"
        $byService["${stack}_noimage"].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $byService["${stack}_nowhere"].FullyQualifiedErrorId | Should -Be "SwarmServiceUnschedulable,$commandId"
        $byService["${stack}_nowhere"].CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        $byService["${stack}_unhealthy"].FullyQualifiedErrorId | Should -Be "SwarmServiceTasksFailing,$commandId"
        "$($byService["${stack}_unhealthy"])" | Should -BeLike '*unhealthy*'
        $result.Name | Sort-Object | Should -Be @("${stack}_noimage", "${stack}_nowhere", "${stack}_oneshot", "${stack}_unhealthy")
    }

    It 'stops waiting promptly on Ctrl+C and leaves the deployment running' {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                    param($Manifest, $Stack, $File)
                    Import-Module $Manifest
                    Deploy-SwarmStack -Name $Stack -Path $File -ResolveImage Never -Timeout 300 -Confirm:$false
                }).AddArgument((Get-BuiltModulePath)).AddArgument($slowStack).AddArgument($slowFile)
            $async = $ps.BeginInvoke()
            $null = Wait-Until -Because 'the service is created' -TimeoutSeconds 60 -Condition {
                (Invoke-LabDocker -ArgumentList 'service', 'ls', '--quiet', '--filter', "name=${slowStack}_starting").Output
            }
            Start-Sleep -Seconds 1
            $clock = [System.Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()

            $clock.Elapsed.TotalSeconds | Should -BeLessThan 10
            $async.IsCompleted | Should -BeTrue
            (Invoke-LabDocker -ArgumentList 'service', 'ps', '--quiet', '--filter', 'desired-state=running', "${slowStack}_starting").Output | Should -Not -BeNullOrEmpty
        }
        finally {
            $ps.Dispose()
        }
    }
}
