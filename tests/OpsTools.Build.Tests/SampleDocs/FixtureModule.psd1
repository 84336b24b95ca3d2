# Module manifest for the build tool's fixture module.
# ModuleVersion = '9.9.9' in a comment must stay untouched.
@{
    RootModule        = 'OpsTools.Build.Fixture.dll'
    ModuleVersion     = '0.0.0'
    GUID              = '6f0b0d4e-9a53-4f2e-9d1c-3b1c8f1e2a10'
    Author            = 'OpsTools contributors'
    Description       = "Fixture module; it ""tests"" the build."
    PowerShellVersion = '7.4'
    RequiredModules   = @()
    FunctionsToExport = @()
    CmdletsToExport   = @(
        'Get-Widget', # read
        "Remove-Widget"
    )
    AliasesToExport   = @()
    VariablesToExport = @()
    PrivateData       = @{
        PSData = @{
            Tags = @('fixture')
        }
    }
}
