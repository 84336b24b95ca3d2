#Requires -Version 7.4
# The built module as a whole: manifest, exported cmdlets, help, output types and the isolation
# of the engine's dependencies from other modules' copies of the same libraries.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $lab = Get-LabStatus
    $manifestPath = Get-BuiltModulePath
    $exportedCmdlets = if (Test-Path -LiteralPath $manifestPath) {
        @((Import-PowerShellDataFile -LiteralPath $manifestPath).CmdletsToExport | ForEach-Object { @{ Name = $_ } })
    }
    else {
        @()
    }
    $outputTypes = @(
        'OpsTools.Swarm.SwarmService'
        'OpsTools.Swarm.SwarmTask'
        'OpsTools.Swarm.SwarmNode'
        'OpsTools.Swarm.SwarmStack'
        'OpsTools.Swarm.SwarmLogRecord'
        'OpsTools.Diagnostics.ModuleAssembly'
        'OpsTools.Postgres.DatabasePool'
        'OpsTools.Postgres.PoolHealthCheckResult'
        'OpsTools.Postgres.PostgresReadiness'
        'OpsTools.Postgres.PoolDatabase'
        'OpsTools.Postgres.PostgresSession'
        'OpsTools.Postgres.PostgresDatabaseActivity'
        'OpsTools.Postgres.PostgresLockWait'
        'OpsTools.Postgres.DatabasePoolRemoval'
        'OpsTools.Postgres.PostgresJobQueue'
        'OpsTools.Postgres.AlembicRevision'
        'OpsTools.Postgres.PostgresBackup'
        'OpsTools.Postgres.PostgresRestore'
        'OpsTools.Ceph.CephQuota'
        'OpsTools.Ceph.CephUsage'
        'OpsTools.Ceph.CephHealthCheck'
        'OpsTools.Ceph.CephPoolUsage'
        'OpsTools.Ceph.CephFileSystemState'
        'OpsTools.Ceph.CephMountTest'
        'OpsTools.Ceph.CephMountCheck'
        'OpsTools.Ceph.CephStaleDirectory'
        'OpsTools.Ceph.CephStaleDataRemoval'
        'OpsTools.Ceph.CephSubvolume'
    ) | ForEach-Object { @{ TypeName = $_ } }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $module = Import-BuiltModule
    $manifest = Import-PowerShellDataFile -LiteralPath (Get-BuiltModulePath)
    $cmdletTypes = @($module.ImplementingAssembly.GetTypes() | Where-Object { $_.IsDefined([System.Management.Automation.CmdletAttribute], $false) })
}

Describe 'The OpsTools manifest' {
    It 'exports exactly the cmdlets compiled into OpsTools.dll' {
        $compiled = $cmdletTypes | ForEach-Object {
            $attribute = $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]
            "$($attribute.VerbName)-$($attribute.NounName)"
        }

        $compiled | Should -Not -BeNullOrEmpty
        $manifest.CmdletsToExport | Sort-Object | Should -Be ($compiled | Sort-Object)
    }

    It 'makes those cmdlets, and nothing else, available on import' {
        $module.ExportedCmdlets.Keys | Sort-Object | Should -Be ($manifest.CmdletsToExport | Sort-Object)
        $module.ExportedFunctions.Keys | Should -BeNullOrEmpty
        $module.ExportedAliases.Keys | Should -BeNullOrEmpty
        $module.ExportedVariables.Keys | Should -BeNullOrEmpty
    }

    It 'declares no functions and no aliases to export' {
        $manifest.Keys | Should -Contain 'FunctionsToExport'
        $manifest.Keys | Should -Contain 'AliasesToExport'
        @($manifest.FunctionsToExport).Count | Should -Be 0
        @($manifest.AliasesToExport).Count | Should -Be 0
    }

    It 'carries the version the build stamped, not the 0.0.0 placeholder' {
        $manifest.ModuleVersion | Should -Not -Be '0.0.0'
        [version]$manifest.ModuleVersion | Should -BeGreaterThan ([version]'0.0.0')
        $module.Version | Should -Be ([version]$manifest.ModuleVersion)
    }

    It 'keeps every cmdlet class sealed and named <Verb><Noun>Command' {
        foreach ($type in $cmdletTypes) {
            $attribute = $type.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]
            $type.IsSealed | Should -BeTrue -Because $type.FullName
            $type.Name | Should -Be "$($attribute.VerbName)$($attribute.NounName)Command"
        }
    }
}

Describe 'Exported cmdlet <Name>' -ForEach $exportedCmdlets {
    BeforeAll {
        $help = Get-Help -Name $Name -Full
        $command = Get-Command -Name $Name
    }

    It 'uses an approved verb' {
        (Get-Verb).Verb | Should -Contain ($Name -split '-', 2)[0]
    }

    It 'declares an output type' {
        $command.OutputType | Should -Not -BeNullOrEmpty
    }

    It 'has help with a synopsis' {
        # Without a help file, Get-Help makes the synopsis up from the syntax.
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis.Trim() | Should -Not -Match "^$([regex]::Escape($Name))( |$)"
    }

    It 'has help with a description' {
        ($help.description.Text -join [Environment]::NewLine).Trim() | Should -Not -BeNullOrEmpty
    }

    It 'has help with at least one example that has code' {
        $examples = @($help.examples.example | Where-Object { $_ })

        $examples.Count | Should -BeGreaterOrEqual 1
        $examples | ForEach-Object { $_.code | Should -Not -BeNullOrEmpty }
    }

    It 'documents every parameter' {
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        foreach ($parameter in $command.Parameters.Keys | Where-Object { $_ -notin $common }) {
            $documented = $help.parameters.parameter | Where-Object name -EQ $parameter
            ($documented.description.Text -join '').Trim() | Should -Not -BeNullOrEmpty -Because "-$parameter of $Name needs a description"
        }
    }
}

Describe 'Output type [<TypeName>]' -ForEach $outputTypes {
    It 'resolves as a type literal in scripts' {
        $type = & ([scriptblock]::Create("[$TypeName]"))

        $type.FullName | Should -Be $TypeName
    }

    It 'lives in the default load context, so scripts and the engine share it' {
        $type = & ([scriptblock]::Create("[$TypeName]"))

        [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($type.Assembly).Name | Should -Be 'Default'
    }

    It 'has a default table view' {
        $view = Get-FormatData -TypeName $TypeName

        $view | Should -Not -BeNullOrEmpty
        $view.FormatViewDefinition.Control | Should -BeOfType ([System.Management.Automation.TableControl])
    }
}

Describe 'OpsTools imported beside another version of YamlDotNet' -ForEach @{ LabDockerHost = $(if ($lab.IsAvailable) { $lab.DockerHost } else { '' }) } {
    BeforeAll {
        # In a fresh process, as a session that already has powershell-yaml (YamlDotNet 11) would be.
        $script = @'
param([string] $ModulePath, [string] $YamlPath, [string] $DockerHost)
$ErrorActionPreference = 'Stop'
$result = [ordered]@{}
Add-Type -LiteralPath $YamlPath
$result.YamlBeforeImport = [YamlDotNet.Serialization.SerializerBuilder].Assembly.GetName().Version.ToString()

Import-Module -Name $ModulePath
$loaded = [AppDomain]::CurrentDomain.GetAssemblies() | ForEach-Object { $_.GetName().Name }
$result.LoadedAtImport = @($loaded | Where-Object { $_ -like 'OpsTools*' -or $_ -like 'Docker.DotNet*' -or $_ -eq 'Npgsql' })
$result.ContextsAtImport = @([System.Runtime.Loader.AssemblyLoadContext]::All | ForEach-Object Name)

if ($DockerHost) {
    $result.NodeCount = @(Get-SwarmNode -DockerHost $DockerHost).Count
    $result.Services = @(Get-SwarmService -DockerHost $DockerHost | ForEach-Object { $_.GetType().FullName } | Select-Object -Unique)
}
$result.Dependencies = @(Get-OpsToolsDependency | Select-Object Name, Version, LoadContext, IsLoaded)

$yamlIn = { param($context) @($context.Assemblies | Where-Object { $_.GetName().Name -eq 'YamlDotNet' } | ForEach-Object { $_.GetName().Version.ToString() }) }
$result.DefaultContextYaml = @(& $yamlIn ([System.Runtime.Loader.AssemblyLoadContext]::Default))
$engine = @([System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object Name -EQ 'OpsTools.Engine')
$result.EngineContexts = $engine.Count
$result.EngineContextYaml = @(& $yamlIn $engine[0])
$result.EngineContextAssemblies = @($engine[0].Assemblies | ForEach-Object { $_.GetName().Name })
$result.YamlAfterCommands = [YamlDotNet.Serialization.SerializerBuilder].Assembly.GetName().Version.ToString()
$result.YamlStillWorks = [YamlDotNet.Serialization.SerializerBuilder]::new().Build().Serialize(@{ answer = 42 }).Trim()
$result | ConvertTo-Json -Depth 4 -Compress
'@
        $output = Invoke-FreshPwsh -Script $script -Parameters @{
            ModulePath = Get-BuiltModulePath
            YamlPath   = Get-YamlDotNetAssemblyPath -Version 11.2.1
            DockerHost = $LabDockerHost
        }
        $result = $output | ConvertFrom-Json
    }

    It 'does not load the engine or any third-party assembly when the module is imported' {
        $result.LoadedAtImport | Sort-Object | Should -Be @('OpsTools', 'OpsTools.Models')
        $result.ContextsAtImport | Should -Not -Contain 'OpsTools.Engine'
    }

    It 'runs the Swarm cmdlets, loading the engine and Docker.DotNet into the engine''s context' -Skip:(-not $lab.IsAvailable) {
        $result.NodeCount | Should -BeGreaterOrEqual 1
        @($result.Services | Where-Object { $_ -ne 'OpsTools.Swarm.SwarmService' }) | Should -BeNullOrEmpty
        $result.EngineContextAssemblies | Should -Contain 'OpsTools.Engine'
        $result.EngineContextAssemblies | Should -Contain 'Docker.DotNet'
    }

    It 'loads every bundled assembly with Get-OpsToolsDependency' {
        $result.Dependencies | Should -Not -BeNullOrEmpty
        $result.Dependencies | Where-Object { -not $_.IsLoaded } | Should -BeNullOrEmpty
        ($result.Dependencies | Where-Object Name -EQ 'YamlDotNet').LoadContext | Should -Be 'OpsTools.Engine'
        ($result.Dependencies | Where-Object Name -EQ 'YamlDotNet').Version | Should -BeLike '16.*'
    }

    It 'creates one engine context holding its own YamlDotNet 16' {
        $result.EngineContexts | Should -Be 1
        $result.EngineContextYaml | Should -HaveCount 1
        $result.EngineContextYaml[0] | Should -BeLike '16.*'
    }

    It 'leaves YamlDotNet 11, loaded first, the only one in the default context' {
        $result.YamlBeforeImport | Should -BeLike '11.*'
        $result.DefaultContextYaml | Should -Be @($result.YamlBeforeImport)
    }

    It 'keeps [YamlDotNet...] type literals of other modules on YamlDotNet 11, and working' {
        $result.YamlAfterCommands | Should -Be $result.YamlBeforeImport
        $result.YamlStillWorks | Should -Be 'answer: 42'
    }
}
