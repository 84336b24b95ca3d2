#Requires -Version 7.4
# Get-OpsToolsDependency: parameter surface, then what it reports about the built module.
# It needs no lab: it only looks at the assemblies shipped in out/OpsTools.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $module = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Diagnostics.GetOpsToolsDependencyCommand'
    $moduleDirectory = $module.ModuleBase
    $dependencyDirectory = Join-Path $moduleDirectory 'Dependencies'
}

Describe 'Get-OpsToolsDependency parameters' {
    BeforeAll {
        $command = Get-Command -Name Get-OpsToolsDependency
        $surface = Get-ParameterSurface -Command Get-OpsToolsDependency
    }

    It 'has exactly one parameter, Name' {
        $surface.Keys | Should -Be @('Name')
    }

    It 'declares -Name as a positional array of names with wildcards' {
        $parameter = $surface['Name']

        $parameter.Type | Should -Be 'System.String[]'
        $parameter.Mandatory | Should -BeFalse
        $parameter.Position | Should -Be 0
        $parameter.ValueFromPipeline | Should -BeFalse
        $parameter.ValueFromPipelineByPropertyName | Should -BeFalse
        $parameter.SupportsWildcards | Should -BeTrue
        $parameter.Aliases | Should -BeNullOrEmpty
    }

    It 'declares its output type as OpsTools.Diagnostics.ModuleAssembly' {
        $command.OutputType.Name | Should -Be 'OpsTools.Diagnostics.ModuleAssembly'
    }

    It 'has one parameter set, Default' {
        $command.DefaultParameterSet | Should -Be 'Default'
        $command.ParameterSets.Name | Should -Be 'Default'
    }
}

Describe 'Get-OpsToolsDependency on the built module' {
    BeforeAll {
        $assemblies = @(Get-OpsToolsDependency)
        $bundled = Get-ChildItem -LiteralPath $dependencyDirectory -Filter '*.dll' | ForEach-Object BaseName | Sort-Object
    }

    It 'lists the cmdlet and model assemblies first, loaded in the default context from the module folder' {
        $assemblies[0..1].Name | Should -Be @('OpsTools', 'OpsTools.Models')
        foreach ($assembly in $assemblies[0..1]) {
            $assembly | Should -BeOfType ([OpsTools.Diagnostics.ModuleAssembly])
            $assembly.LoadContext | Should -Be 'Default'
            $assembly.IsLoaded | Should -BeTrue
            Split-Path -Parent $assembly.Path | Should -Be $moduleDirectory.TrimEnd([System.IO.Path]::DirectorySeparatorChar)
        }
    }

    It 'lists every assembly of the Dependencies folder, the engine first, the others by name' {
        $engineSide = $assemblies | Select-Object -Skip 2

        $engineSide.Name | Sort-Object | Should -Be $bundled
        $engineSide[0].Name | Should -Be 'OpsTools.Engine'
        [string[]] $rest = ($engineSide | Select-Object -Skip 1).Name
        [string[]] $ordinal = $rest.Clone()
        [array]::Sort($ordinal, [System.StringComparer]::Ordinal)
        $rest | Should -Be $ordinal
    }

    It 'loads every bundled assembly into the OpsTools.Engine context, from the Dependencies folder' {
        foreach ($assembly in $assemblies | Select-Object -Skip 2) {
            $assembly.LoadContext | Should -Be 'OpsTools.Engine' -Because $assembly.Name
            $assembly.IsLoaded | Should -BeTrue -Because $assembly.Name
            Split-Path -Parent $assembly.Path | Should -Be $dependencyDirectory -Because $assembly.Name
        }
    }

    It 'reports the version of each assembly as its file says' {
        foreach ($assembly in $assemblies) {
            $assembly.Version | Should -Be ([System.Reflection.AssemblyName]::GetAssemblyName($assembly.Path).Version.ToString()) -Because $assembly.Name
        }
    }

    It 'reports the YamlDotNet the engine runs with, and its package version' {
        $yaml = Get-OpsToolsDependency -Name YamlDotNet

        $yaml | Should -HaveCount 1
        $yaml.Version | Should -BeLike '16.*'
        $yaml.FileVersion | Should -BeLike '16.*'
        $yaml.LoadContext | Should -Be 'OpsTools.Engine'
    }

    It 'matches names with wildcards, ignoring case, and takes them by position' {
        (Get-OpsToolsDependency 'docker.dotnet*').Name | Sort-Object | Should -Be ($bundled -like 'Docker.DotNet*')
        (Get-OpsToolsDependency 'OpsTools', 'OpsTools.Engine').Name | Should -Be @('OpsTools', 'OpsTools.Engine')
    }

    It 'returns nothing for a wildcard that matches no assembly' {
        Get-OpsToolsDependency -Name 'NoSuchLibrary*' | Should -BeNullOrEmpty
    }

    It 'exports to CSV with name, version and load context as columns' {
        $path = Join-Path $TestDrive 'dependencies.csv'
        Get-OpsToolsDependency | Export-Csv -LiteralPath $path
        $rows = Import-Csv -LiteralPath $path

        (Get-Content -LiteralPath $path -TotalCount 1) -replace '"', '' -split ',' |
            Should -Be @('Name', 'Version', 'FileVersion', 'LoadContext', 'IsLoaded', 'Path')
        $rows | Should -HaveCount $assemblies.Count
        ($rows | Where-Object Name -EQ 'YamlDotNet').LoadContext | Should -Be 'OpsTools.Engine'
        ($rows | Where-Object Name -EQ 'OpsTools').IsLoaded | Should -Be 'True'
    }

    It 'round-trips through ConvertTo-Json and ConvertFrom-Json' {
        $back = Get-OpsToolsDependency | ConvertTo-Json | ConvertFrom-Json

        $back.Name | Should -Be $assemblies.Name
        $back.LoadContext | Should -Be $assemblies.LoadContext
    }

    It 'formats as a table of name, version, load context and whether it is loaded' {
        $table = (Get-OpsToolsDependency -Name 'OpsTools*', 'YamlDotNet' | Format-Table | Out-String -Width 300) -replace '\e\[[0-9;]*m', ''
        $lines = $table -split '\r?\n'

        $lines | Where-Object { $_ -match '\S' } | Select-Object -First 1 | Should -Match '^NAME\s+VERSION\s+LOAD CONTEXT\s+LOADED\s*$'
        $lines -match '^OpsTools +\d+\.\d+\.\d+\.\d+ +Default +True *$' | Should -HaveCount 1
        $lines -match '^OpsTools\.Engine +\d+\.\d+\.\d+\.\d+ +OpsTools\.Engine +True *$' | Should -HaveCount 1
        $lines -match '^YamlDotNet +16\.\d+\.\d+\.\d+ +OpsTools\.Engine +True *$' | Should -HaveCount 1
    }

    It 'refuses an empty name at parameter binding' {
        $problem = { Get-OpsToolsDependency -Name '' } | Should -Throw -PassThru

        $problem.FullyQualifiedErrorId | Should -Be "ParameterArgumentValidationError,$commandId"
        $problem.CategoryInfo.Category | Should -Be 'InvalidData'
    }
}
