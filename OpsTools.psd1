#
# Module manifest for OpsTools. The build stamps ModuleVersion and checks that
# CmdletsToExport lists exactly the cmdlets compiled into OpsTools.dll.
#
@{
    RootModule           = 'OpsTools.dll'
    ModuleVersion        = '0.0.0'
    CompatiblePSEditions = @('Core')
    GUID                 = '6f1d7c2e-3b8a-4e57-9a0c-5d2b7e41c9a3'
    Author               = 'OpsTools contributors'
    CompanyName          = 'OpsTools'
    Copyright            = '(c) 2026 OpsTools contributors. MIT License.'
    Description          = 'Typed cmdlets for operators of self-hosted platforms on Docker Swarm, CephFS and PostgreSQL.'
    PowerShellVersion    = '7.4'

    # Output types users name in scripts ([OpsTools.Swarm.SwarmService]) live here, in the default load context.
    RequiredAssemblies   = @('OpsTools.Models.dll')
    FormatsToProcess     = @('OpsTools.Format.ps1xml')

    CmdletsToExport      = @(
        'Backup-DockerVolume'
        'Backup-OdooInstance'
        'Backup-PostgresDatabase'
        'Backup-RedisData'
        'Build-DockerImage'
        'Deploy-SwarmStack'
        'Find-CephStaleData'
        'Get-AlembicRevision'
        'Get-CeleryQueue'
        'Get-CephHealth'
        'Get-CephQuota'
        'Get-CephStatus'
        'Get-CephSubvolume'
        'Get-CephUsage'
        'Get-ComposeConfig'
        'Get-ComposeContainer'
        'Get-ComposeProject'
        'Get-ComposeService'
        'Get-ComposeServiceLog'
        'Get-DatabasePool'
        'Get-DockerVolume'
        'Get-ListeningPort'
        'Get-OdooBackup'
        'Get-OdooInstance'
        'Get-OpsToolsDependency'
        'Get-PoolDatabase'
        'Get-PostgresActivity'
        'Get-PostgresJobQueue'
        'Get-PostgresLock'
        'Get-RedisInfo'
        'Get-SwarmConfig'
        'Get-SwarmNetwork'
        'Get-SwarmNode'
        'Get-SwarmSecret'
        'Get-SwarmService'
        'Get-SwarmServiceLog'
        'Get-SwarmStack'
        'Get-SwarmTask'
        'Invoke-DockerPrune'
        'Invoke-OpsHealthReport'
        'Invoke-PoolCleanup'
        'Invoke-PoolHealthCheck'
        'Invoke-PostgresQuery'
        'New-CephSubvolume'
        'New-DatabasePool'
        'New-SwarmConfig'
        'New-SwarmSecret'
        'Publish-DockerImage'
        'Remove-CephQuota'
        'Remove-CephStaleData'
        'Remove-ComposeProject'
        'Remove-DatabasePool'
        'Remove-OdooBackup'
        'Remove-SwarmConfig'
        'Remove-SwarmSecret'
        'Remove-SwarmStack'
        'Resize-CephSubvolume'
        'Restart-ComposeService'
        'Restart-SwarmService'
        'Restore-DockerVolume'
        'Restore-OdooInstance'
        'Restore-PostgresDatabase'
        'Set-CephQuota'
        'Set-ComposeService'
        'Set-SwarmNode'
        'Set-SwarmService'
        'Start-ComposeProject'
        'Start-ComposeService'
        'Stop-ComposeProject'
        'Stop-ComposeService'
        'Stop-PostgresSession'
        'Test-CephMount'
        'Test-EnvFile'
        'Test-OdooBackup'
        'Test-PortRegistry'
        'Test-PostgresReady'
        'Test-RedisReady'
        'Test-ServiceEndpoint'
        'Undo-SwarmServiceUpdate'
        'Undo-SwarmStackDeploy'
        'Update-SwarmConfig'
        'Update-SwarmSecret'
        'Update-SwarmServiceImage'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()

    PrivateData          = @{
        PSData = @{
            Tags       = @('Docker', 'Swarm', 'PostgreSQL', 'Ceph', 'Odoo', 'Operations')
            LicenseUri = 'https://opensource.org/licenses/MIT'
        }
    }
}
