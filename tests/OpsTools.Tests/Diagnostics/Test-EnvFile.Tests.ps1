#Requires -Version 7.4
# Test-EnvFile: parameter surface, then env files and a git repository written to TestDrive.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../TestSupport.psm1') -Force
    $null = Import-BuiltModule
    $commandId = 'OpsTools.Commands.Diagnostics.TestEnvFileCommand'
    $secret = 'Pa55-never-printed-' + [guid]::NewGuid().ToString('n').Substring(0, 6)
}

Describe 'Test-EnvFile parameters' {
    It 'has exactly the parameters Path and Template' {
        $surface = Get-ParameterSurface -Command Test-EnvFile

        $surface.Keys | Sort-Object | Should -Be @('Path', 'Template')
        $surface['Path'].Mandatory | Should -BeTrue
        $surface['Path'].Aliases | Should -Be @('FullName')
        (Get-Command Test-EnvFile).OutputType.Name | Should -Be 'OpsTools.Diagnostics.EnvFileFinding'
    }
}

Describe 'Test-EnvFile on files' {
    BeforeAll {
        $project = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'project')
        Set-Content -LiteralPath (Join-Path $project '.env.example') -Value "DB_HOST=db`nDB_PASSWORD=changeme`nSMTP_PASSWORD=`nWORKERS=2" -Encoding utf8NoBOM
        Set-Content -LiteralPath (Join-Path $project '.env') -Value "DB_HOST=db`nDB_PASSWORD=$secret`nWORKERS=`nADMIN_PASSWORD=<set me>`nRAW=x`$HOME$secret" -Encoding utf8NoBOM
    }

    It 'uses .env.example as the template and reports one finding per key, with lines' {
        $findings = Test-EnvFile -Path (Join-Path $project '.env') -Verbose 4>&1 | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }

        ($findings | Where-Object Kind -eq MissingKey).Key | Should -Be 'SMTP_PASSWORD'
        ($findings | Where-Object Kind -eq EmptyValue).Key | Should -Be 'WORKERS'
        ($findings | Where-Object Kind -eq Placeholder).Key | Should -Be 'ADMIN_PASSWORD'
        ($findings | Where-Object Kind -eq Interpolation).Key | Should -Be 'RAW'
        ($findings | Where-Object Kind -eq Interpolation).Line | Should -Be 5
        @($findings | Where-Object Kind -eq ExtraKey).Key | Should -Be @('ADMIN_PASSWORD', 'RAW')
        ($findings | Where-Object Kind -eq MissingKey).Severity | Should -Be 'Error'
    }

    It 'never shows a value: not in the objects, the table, JSON or verbose output' {
        $all = Test-EnvFile -Path (Join-Path $project '.env') -Verbose 4>&1 *>&1 | Out-String -Width 400
        $json = Test-EnvFile -Path (Join-Path $project '.env') | ConvertTo-Json
        $table = Test-EnvFile -Path (Join-Path $project '.env') | Format-Table -AutoSize | Out-String -Width 400

        $all | Should -Not -Match $secret
        $json | Should -Not -Match $secret
        $table | Should -Not -Match $secret
        $table | Should -Match 'SEVERITY\s+KIND\s+KEY\s+LINE\s+MESSAGE'
    }

    It 'reports an env file committed to git as TrackedByGit (Error)' -Skip:(-not (Get-Command git -ErrorAction SilentlyContinue)) {
        $repository = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'repo')
        Set-Content -LiteralPath (Join-Path $repository '.env') -Value "TOKEN=$secret" -Encoding utf8NoBOM
        git -C $repository init -q
        git -C $repository add .env

        $finding = Test-EnvFile -Path (Join-Path $repository '.env') | Where-Object Kind -eq TrackedByGit

        $finding | Should -HaveCount 1
        $finding.Severity | Should -Be 'Error'
        $finding.Message | Should -Not -Match $secret
    }

    It 'writes EnvFileNotFound (ObjectNotFound) for a missing file, with the path as target' {
        $missing = Join-Path $TestDrive 'none.env'

        Test-EnvFile -Path $missing -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "EnvFileNotFound,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].TargetObject | Should -Be $missing
    }

    It 'writes ComposeEnvFileInvalid (InvalidData) naming the line, without the value' {
        $bad = Join-Path $TestDrive 'bad.env'
        Set-Content -LiteralPath $bad -Value "OK=1`nNOT VALID=$secret" -Encoding utf8NoBOM

        Test-EnvFile -Path $bad -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -Be "ComposeEnvFileInvalid,$commandId"
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidData'
        "$($problems[0])" | Should -Match ':2:'
        "$($problems[0])" | Should -Not -Match $secret
    }
}
