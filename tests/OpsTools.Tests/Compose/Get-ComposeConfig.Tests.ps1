#Requires -Version 7.4
# Get-ComposeConfig: parameter surface, then the cmdlet as users run it on compose files. No Docker needed.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Compose.GetComposeConfigCommand'
    $stackDir = Join-Path (Get-RepositoryRoot) 'tests/OpsTools.Engine.Tests/Compose/Stack'
}

Describe 'Get-ComposeConfig parameters' {
    BeforeAll {
        $command = Get-Command -Name Get-ComposeConfig
        $surface = Get-ParameterSurface -Command Get-ComposeConfig
    }

    It 'has exactly the parameters Path, EnvFile, Variables, AsYaml and StackName' {
        $surface.Keys | Sort-Object | Should -Be @('AsYaml', 'EnvFile', 'Path', 'StackName', 'Variables')
    }

    It 'declares -<Name> as <Type>' -ForEach @(
        @{ Name = 'Path'; Type = 'System.String[]'; Mandatory = $true; Position = 0; ByValue = $true; ByPropertyName = $true; Aliases = 'FullName' }
        @{ Name = 'EnvFile'; Type = 'System.String[]'; Mandatory = $false; Position = $null; ByValue = $false; ByPropertyName = $false; Aliases = '' }
        @{ Name = 'Variables'; Type = 'System.Collections.Hashtable'; Mandatory = $false; Position = $null; ByValue = $false; ByPropertyName = $false; Aliases = '' }
        @{ Name = 'AsYaml'; Type = 'System.Management.Automation.SwitchParameter'; Mandatory = $false; Position = $null; ByValue = $false; ByPropertyName = $false; Aliases = '' }
        @{ Name = 'StackName'; Type = 'System.String'; Mandatory = $false; Position = $null; ByValue = $false; ByPropertyName = $false; Aliases = '' }
    ) {
        $parameter = $surface[$Name]
        $parameter.Type | Should -Be $Type
        $parameter.Mandatory | Should -Be $Mandatory
        $parameter.Position | Should -Be $Position
        $parameter.ValueFromPipeline | Should -Be $ByValue
        $parameter.ValueFromPipelineByPropertyName | Should -Be $ByPropertyName
        $parameter.Aliases -join ',' | Should -Be $Aliases
    }

    It 'declares its output types and one parameter set, Default' {
        $command.OutputType.Name | Should -Be @('OpsTools.Compose.ComposeProject', 'System.String')
        $command.ParameterSets.Name | Should -Be 'Default'
    }
}

Describe 'Get-ComposeConfig on the shop stack' {
    BeforeAll {
        $base = Join-Path $stackDir 'compose.yml'
        $override = Join-Path $stackDir 'compose.override.yml'
    }

    It 'returns one typed project with the merged services, sorted by name' {
        $project = Get-ComposeConfig -Path $base, $override -StackName shop

        $project | Should -BeOfType ([OpsTools.Compose.ComposeProject])
        $project.Name | Should -Be 'shop'
        $project.Services.Name | Should -Be @('api', 'beat', 'postgres', 'redis', 'worker')
        $project.Services[0] | Should -BeOfType ([OpsTools.Compose.ComposeService])
        $project.Files | Should -Be @($base, $override)
    }

    It 'reads the .env beside the first file and applies the override file and extends' {
        $project = Get-ComposeConfig -Path $base, $override
        $worker = $project.Services | Where-Object Name -EQ worker

        $project.EnvFiles | Should -Be (Join-Path $stackDir '.env')
        $worker.Replicas | Should -Be 2
        $worker.Hostname | Should -Be 'worker'
        $worker.Environment['LOG_LEVEL'] | Should -Be 'debug'
        $worker.Environment['DB_NAME'] | Should -Be 'shop'
        $worker.Deploy.Labels['shop.role'] | Should -Be 'worker'
    }

    It 'takes variables from -Variables before the environment and the env file' {
        $saved = $env:WORKER_REPLICAS
        try {
            $env:WORKER_REPLICAS = '4'
            $fromEnvironment = Get-ComposeConfig -Path $base, $override
            $fromVariables = Get-ComposeConfig -Path $base, $override -Variables @{ WORKER_REPLICAS = 5; DB_NAME = 'orders' }
        }
        finally {
            $env:WORKER_REPLICAS = $saved
        }

        ($fromEnvironment.Services | Where-Object Name -EQ worker).Replicas | Should -Be 4
        ($fromVariables.Services | Where-Object Name -EQ worker).Replicas | Should -Be 5
        ($fromVariables.Services | Where-Object Name -EQ api).Environment['DB_NAME'] | Should -Be 'orders'
    }

    It 'types durations, sizes and CPUs' {
        $api = (Get-ComposeConfig -Path $base).Services | Where-Object Name -EQ api

        $api.StopGracePeriod | Should -Be ([timespan]::FromSeconds(10))
        $api.Deploy.Resources.Limits.MemoryBytes | Should -Be 268435456
        $api.Deploy.Resources.Limits.Cpus | Should -Be 0.5
        $api.Healthcheck.Interval | Should -Be ([timespan]::FromSeconds(10))
        $api.Ports[0].Mode | Should -Be 'host'
    }

    It 'takes files from Get-ChildItem through the pipeline' {
        $project = Get-ChildItem -LiteralPath $base | Get-ComposeConfig

        $project.Files | Should -Be @($base)
    }

    It 'writes YAML with -AsYaml that loads back to the same model' {
        $yaml = Get-ComposeConfig -Path $base, $override -Variables @{ LOG_LEVEL = 'a $dollar' } -AsYaml
        $path = Join-Path $TestDrive 'merged.yml'
        Set-Content -LiteralPath $path -Value $yaml

        $yaml | Should -BeOfType ([string])
        $again = Get-ComposeConfig -Path $path -AsYaml
        $again | Should -Be $yaml
        $first = Get-ComposeConfig -Path $base, $override -Variables @{ LOG_LEVEL = 'a $dollar' }
        $second = Get-ComposeConfig -Path $path
        ($second.Services | ConvertTo-Json -Depth 8) | Should -Be ($first.Services | ConvertTo-Json -Depth 8)
        ($second.Services | Where-Object Name -EQ api).Environment['LOG_LEVEL'] | Should -Be 'a $dollar'
    }

    It 'formats a project and its services as tables' {
        $project = Get-ComposeConfig -Path $base -StackName shop
        $projectTable = ($project | Format-Table | Out-String -Width 200) -replace '\e\[[0-9;]*m', ''
        $serviceTable = ($project.Services | Format-Table | Out-String -Width 200) -replace '\e\[[0-9;]*m', ''

        $projectTable | Should -Match 'NAME\s+SERVICES\s+NETWORKS\s+VOLUMES\s+SECRETS\s+CONFIGS\s+FILES'
        $projectTable | Should -Match 'shop\s+5\s+1\s+1\s+1\s+1\s+compose\.yml'
        $serviceTable | Should -Match 'NAME\s+IMAGE\s+MODE\s+REPLICAS\s+PORTS'
        $serviceTable | Should -Match 'api\s+lab/busybox:1\s+replicated\s+1\s+18000:8000/tcp \(host\)'
        $serviceTable | Should -Match 'redis\s+lab/redis:7\s+global'
    }
}

Describe 'Get-ComposeConfig warnings and errors' {
    It 'writes one warning per key swarm ignores and still returns the project' {
        $path = Join-Path $TestDrive 'ignored.yml'
        Set-Content -LiteralPath $path -Value "services:`n  api:`n    image: x`n    build: .`n    depends_on: [db]`n  db:`n    image: y`n"

        $project = Get-ComposeConfig -Path $path -WarningVariable warnings -WarningAction SilentlyContinue

        $project.Services.Name | Should -Be @('api', 'db')
        $warnings | Should -HaveCount 2
        $warnings[0].Message | Should -BeLike "Ignoring unsupported option 'build' of service 'api'*"
    }

    It 'stops with ObjectNotFound naming the path of a missing file' {
        $missing = Join-Path $TestDrive 'nope.yml'

        $problem = { Get-ComposeConfig -Path $missing -ErrorAction SilentlyContinue } | Should -Throw -PassThru

        $problem.FullyQualifiedErrorId | Should -Be "ComposeFileNotFound,$commandId"
        $problem.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problem.TargetObject | Should -Be $missing
        $problem.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
    }

    It 'stops with InvalidData giving file, line and column for invalid YAML' {
        $path = Join-Path $TestDrive 'broken.yml'
        Set-Content -LiteralPath $path -Value "services:`n  api:`n    image: x`n   ports: ['80']`n"

        $problem = { Get-ComposeConfig -Path $path } | Should -Throw -PassThru

        $problem.FullyQualifiedErrorId | Should -Be "ComposeYamlInvalid,$commandId"
        $problem.CategoryInfo.Category | Should -Be 'InvalidData'
        $problem.ToString() | Should -Match "^$([regex]::Escape($path)):4:\d+: invalid YAML"
    }

    It 'stops with InvalidData naming the variable, file and line of a missing required variable' {
        $path = Join-Path $TestDrive 'required.yml'
        Set-Content -LiteralPath $path -Value "services:`n  db:`n    image: postgres`n    environment:`n      PASSWORD: `${OPSTOOLS_TEST_UNSET_PASSWORD:?set it in .env.swarm}`n"

        $problem = { Get-ComposeConfig -Path $path } | Should -Throw -PassThru

        $problem.FullyQualifiedErrorId | Should -Be "ComposeVariableMissing,$commandId"
        $problem.CategoryInfo.Category | Should -Be 'InvalidData'
        $problem.TargetObject | Should -Be 'OPSTOOLS_TEST_UNSET_PASSWORD'
        $problem.ToString() | Should -BeLike "$($path):5:*required variable 'OPSTOOLS_TEST_UNSET_PASSWORD'*set it in .env.swarm"
    }

    It 'stops with InvalidData for an unknown key and shows no .NET stack trace' {
        $path = Join-Path $TestDrive 'unknown.yml'
        Set-Content -LiteralPath $path -Value "services:`n  api:`n    image: x`n    replicas: 2`n"

        $problem = { Get-ComposeConfig -Path $path } | Should -Throw -PassThru

        $problem.FullyQualifiedErrorId | Should -Be "ComposeKeyUnknown,$commandId"
        $problem.CategoryInfo.Category | Should -Be 'InvalidData'
        $problem.ToString() | Should -Be "$($path):4:5: unknown key 'replicas' in service 'api'."
        $problem.ToString() | Should -Not -Match '\bat OpsTools\.'
    }

    It 'stops with ObjectNotFound for a missing -EnvFile' {
        $problem = { Get-ComposeConfig -Path (Join-Path $stackDir 'compose.yml') -EnvFile (Join-Path $TestDrive 'none.env') } | Should -Throw -PassThru

        $problem.FullyQualifiedErrorId | Should -Be "ComposeEnvFileNotFound,$commandId"
        $problem.CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}
