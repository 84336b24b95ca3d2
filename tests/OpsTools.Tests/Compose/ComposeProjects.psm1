#Requires -Version 7.4
<#
Helpers of the compose cmdlet tests: start and remove compose projects with Debian's
docker-compose 1.29 (never with the cmdlets under test), find free loopback ports, and read what
docker-compose itself reports so the tests compare the cmdlets with it.
#>
Set-StrictMode -Version Latest

function Get-ComposeLabStatus {
    <# .SYNOPSIS Lab status (Get-LabStatus) plus the docker-compose binary; IsAvailable is false when either is missing. #>
    [CmdletBinding()]
    param()
    $lab = Get-LabStatus
    $compose = Get-LabSetting DOCKER_COMPOSE
    if (-not $compose) { $compose = (Get-Command docker-compose -CommandType Application -ErrorAction Ignore | Select-Object -First 1).Source }
    $available = $lab.IsAvailable -and $compose -and (Test-Path -LiteralPath $compose)
    if ($lab.IsAvailable -and -not $available) {
        $reason = "docker-compose is not installed: start the lab component 'compose' (tests/lab/up.sh)."
        if ($env:CI -eq 'true') { throw $reason }
        Write-Warning $reason
    }
    [pscustomobject]@{ IsAvailable = [bool]$available; DockerCompose = $compose; DockerHost = $lab.DockerHost; BusyboxImage = $lab.BusyboxImage }
}

function Get-FreeTcpPort {
    <# .SYNOPSIS A loopback TCP port nobody listens on now. #>
    [CmdletBinding()]
    [OutputType([int])]
    param()
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Any, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

function Invoke-DockerCompose {
    <#
    .SYNOPSIS
    Runs docker-compose -p <Project> -f <files> <arguments> in <Directory> with extra environment
    variables; returns the output lines, throws with the error text when it fails.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $Project,
        [Parameter(Mandatory)] [string] $Directory,
        [Parameter(Mandatory)] [string[]] $File,
        [Parameter(Mandatory)] [string[]] $ArgumentList,
        [hashtable] $Environment = @{},
        [int] $TimeoutSeconds = 180,
        [switch] $AllowFailure
    )
    $compose = (Get-ComposeLabStatus).DockerCompose
    $startInfo = [System.Diagnostics.ProcessStartInfo]::new($compose)
    $startInfo.WorkingDirectory = $Directory
    foreach ($argument in @('-p', $Project) + @($File | ForEach-Object { '-f', $_ }) + $ArgumentList) { $startInfo.ArgumentList.Add($argument) }
    foreach ($name in $Environment.Keys) { $startInfo.Environment[$name] = [string]$Environment[$name] }
    $dockerHost = Get-LabSetting DOCKER_HOST
    if ($dockerHost) { $startInfo.Environment['DOCKER_HOST'] = $dockerHost }
    $startInfo.UseShellExecute = $false
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    $process = [System.Diagnostics.Process]::Start($startInfo)
    try {
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
            $process.Kill($true)
            throw "docker-compose $($ArgumentList -join ' ') did not finish within $TimeoutSeconds s."
        }
        $process.WaitForExit()
        if ($process.ExitCode -ne 0 -and -not $AllowFailure) {
            throw "docker-compose -p $Project $($ArgumentList -join ' ') failed ($($process.ExitCode)): $($stderr.Result)"
        }
        @($stdout.Result -split '\r?\n' | Where-Object { $_ -ne '' })
    }
    finally {
        $process.Dispose()
    }
}

function Start-ComposeTestJob {
    <# .SYNOPSIS Starts `docker-compose up -d` in a thread job (several projects come up at once); Receive-ComposeTestJob waits for it. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $Project,
        [Parameter(Mandatory)] [string] $Directory,
        [Parameter(Mandatory)] [string[]] $File,
        [hashtable] $Environment = @{},
        [string[]] $Service = @()
    )
    $module = (Get-Module ComposeProjects).Path
    $support = (Get-Module TestSupport).Path
    Start-ThreadJob -ScriptBlock {
        Import-Module $using:support -Force
        Import-Module $using:module -Force
        Invoke-DockerCompose -Project $using:Project -Directory $using:Directory -File $using:File -Environment $using:Environment -ArgumentList (@('up', '-d') + $using:Service) -TimeoutSeconds 300
    }
}

function Get-DockerComposePs {
    <#
    .SYNOPSIS
    Parses `docker-compose ps` (v1 table): one object per container with Name, State (e.g.
    `Up (healthy)`, `Exit 0`) and Ports (published ports as `host->target/proto`, addresses dropped).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $Project,
        [Parameter(Mandatory)] [string] $Directory,
        [Parameter(Mandatory)] [string[]] $File,
        [hashtable] $Environment = @{},
        [string[]] $ArgumentList = @()
    )
    $lines = Invoke-DockerCompose -Project $Project -Directory $Directory -File $File -Environment $Environment -ArgumentList (@('ps') + $ArgumentList)
    # Columns are separated by runs of spaces: Name, Command (truncated with ' ...', which may itself hold
    # a run of spaces), State, Ports (may be empty). State is the first field that reads like one.
    foreach ($line in $lines | Select-Object -Skip 2) {
        $fields = @($line.Trim() -split '\s{2,}')
        $stateAt = 1
        while ($stateAt -lt $fields.Count -and $fields[$stateAt] -notmatch '^(Up|Exit|Restarting|Paused|Created|Dead)\b') { $stateAt++ }
        $portsText = if ($fields.Count -gt $stateAt + 1) { $fields[$stateAt + 1] } else { '' }
        [pscustomobject]@{
            Name  = $fields[0]
            State = $fields[$stateAt]
            Ports = @($portsText -split ',' | Where-Object { $_ } | ForEach-Object { ($_ -replace '^.*:(\d+->)', '$1').Trim() } | Sort-Object -Unique)
        }
    }
}

function ConvertTo-DockerComposeState {
    <# .SYNOPSIS The State column docker-compose 1.29 ps prints for a ComposeContainer. #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory, ValueFromPipeline)] $Container)
    process {
        switch ($Container.State.ToString()) {
            'Running' {
                switch ($Container.Health.ToString()) {
                    'Healthy' { 'Up (healthy)' }
                    'Unhealthy' { 'Up (unhealthy)' }
                    'Starting' { 'Up (health: starting)' }
                    default { 'Up' }
                }
            }
            'Exited' { "Exit $($Container.ExitCode)" }
            'Created' { 'Exit 0' }
            default { $_ }
        }
    }
}

function New-TinyComposeProject {
    <#
    .SYNOPSIS
    Starts the small project of tests/OpsTools.Tests/Compose/tiny with docker-compose under a new
    name opstools-cr-<suffix>-<random> and a free port; returns Name, Directory, File, Environment.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [string] $Suffix)
    $project = [pscustomobject]@{
        Name        = "opstools-cr-$Suffix-" + [guid]::NewGuid().ToString('n').Substring(0, 6)
        Directory   = Join-Path $PSScriptRoot 'tiny'
        File        = @('docker-compose.yml')
        Environment = @{ WEB_PORT = Get-FreeTcpPort; BUSYBOX_IMAGE = (Get-LabSetting IMAGE_BUSYBOX) }
    }
    $null = Invoke-DockerCompose -Project $project.Name -Directory $project.Directory -File $project.File -Environment $project.Environment -ArgumentList 'up', '-d'
    $project
}

function Remove-ComposeTestProject {
    <# .SYNOPSIS docker-compose down -v -t 1 for a project of New-TinyComposeProject (or any with Name, Directory, File, Environment); never fails. #>
    [CmdletBinding()]
    param([Parameter(Mandatory, ValueFromPipeline)] [AllowNull()] $Project)
    process {
        if ($Project) {
            $null = Invoke-DockerCompose -Project $Project.Name -Directory $Project.Directory -File $Project.File -Environment $Project.Environment -ArgumentList 'down', '-v', '-t', '1', '--remove-orphans' -AllowFailure
            $null = Invoke-LabDocker -ArgumentList 'volume', 'rm', "$($Project.Name)_data" -AllowFailure
        }
    }
}

function Get-ProjectObject {
    <# .SYNOPSIS Names of the project's containers, networks or volumes as docker lists them (by the compose project label). #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [string] $Project, [Parameter(Mandatory)] [ValidateSet('container', 'network', 'volume')] [string] $Kind)
    $arguments = switch ($Kind) {
        'container' { 'ps', '-a', '--format', '{{.Names}}' }
        'network' { 'network', 'ls', '--format', '{{.Name}}' }
        'volume' { 'volume', 'ls', '--format', '{{.Name}}' }
    }
    @((Invoke-LabDocker -ArgumentList ($arguments + @('--filter', "label=com.docker.compose.project=$Project"))).Output | Sort-Object)
}

Export-ModuleMember -Function New-TinyComposeProject, Remove-ComposeTestProject, Get-ProjectObject, Get-ComposeLabStatus, Get-FreeTcpPort, Invoke-DockerCompose, Start-ComposeTestJob, Get-DockerComposePs, ConvertTo-DockerComposeState
