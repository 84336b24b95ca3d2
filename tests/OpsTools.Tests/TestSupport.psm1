#Requires -Version 7.4
<#
Helpers shared by the OpsTools Pester tests: import the built module, read the lab settings,
decide whether the Docker lab is there, and create (then remove) the Swarm services a test
needs through the docker CLI, so the cmdlets under test are never used to set up their own
fixtures.
#>
Set-StrictMode -Version Latest

$script:RepositoryRoot = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../..'))
$script:BuiltManifestPath = Join-Path $script:RepositoryRoot 'out/OpsTools/OpsTools.psd1'
$script:LabEnvPath = Join-Path $script:RepositoryRoot 'tests/lab/.lab.env'
$script:LabUpScript = 'tests/lab/up.sh'
$script:TestNamePrefix = 'opstools-test-'
$script:CreatedServices = [System.Collections.Generic.List[string]]::new()

function Get-RepositoryRoot {
    <# .SYNOPSIS The root of the OpsTools checkout. #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $script:RepositoryRoot
}

function Get-BuiltModulePath {
    <# .SYNOPSIS Path of the built module's manifest, out/OpsTools/OpsTools.psd1. #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $script:BuiltManifestPath
}

function Import-BuiltModule {
    <#
    .SYNOPSIS
    Imports the built module from out/OpsTools into the global scope, so manifest, formats,
    help and load isolation are the ones users get.
    #>
    [CmdletBinding()]
    [OutputType([psmoduleinfo])]
    param()
    if (-not (Test-Path -LiteralPath $script:BuiltManifestPath)) {
        throw "The built module is missing: $script:BuiltManifestPath. Build it first: dotnet build src/OpsTools/OpsTools.csproj -c Release"
    }

    Import-Module -Name $script:BuiltManifestPath -Force -Global -PassThru -ErrorAction Stop
}

function Get-LabSetting {
    <#
    .SYNOPSIS
    Reads a lab setting: the environment variable OPSTOOLS_TEST_<Name>, else the line that
    tests/lab/up.sh wrote for it in tests/lab/.lab.env. Returns $null when neither has it.
    .EXAMPLE
    Get-LabSetting DOCKER_HOST      # OPSTOOLS_TEST_DOCKER_HOST
    Get-LabSetting IMAGE_BUSYBOX    # OPSTOOLS_TEST_IMAGE_BUSYBOX
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory, Position = 0)]
        [ValidateNotNullOrEmpty()]
        [string] $Name
    )

    $variable = 'OPSTOOLS_TEST_' + $Name.ToUpperInvariant()
    $value = [System.Environment]::GetEnvironmentVariable($variable)
    if (-not [string]::IsNullOrWhiteSpace($value)) {
        return $value
    }

    if (Test-Path -LiteralPath $script:LabEnvPath) {
        $pattern = '^\s*(?:export\s+)?' + [regex]::Escape($variable) + '=(?<value>.*)$'
        foreach ($line in Get-Content -LiteralPath $script:LabEnvPath) {
            if ($line -match $pattern) {
                return $Matches['value'].Trim().Trim('"', "'")
            }
        }
    }

    $null
}

function Invoke-LabDocker {
    <#
    .SYNOPSIS
    Runs the docker CLI against the lab daemon and returns ExitCode, Output (lines of stdout),
    StandardOutput and StandardError. Throws when docker fails, unless -AllowFailure.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0)]
        [string[]] $ArgumentList,

        [string] $DockerHost = (Get-LabSetting DOCKER_HOST),

        [int] $TimeoutSeconds = 60,

        [switch] $AllowFailure
    )

    $startInfo = [System.Diagnostics.ProcessStartInfo]::new('docker')
    if ($DockerHost) {
        $startInfo.ArgumentList.Add('--host')
        $startInfo.ArgumentList.Add($DockerHost)
    }
    foreach ($argument in $ArgumentList) {
        $startInfo.ArgumentList.Add($argument)
    }
    $startInfo.UseShellExecute = $false
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true

    $commandLine = "docker $($ArgumentList -join ' ')"
    $process = [System.Diagnostics.Process]::Start($startInfo)
    try {
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
            $process.Kill($true)
            throw "'$commandLine' did not finish within $TimeoutSeconds s."
        }
        $process.WaitForExit()
        $result = [pscustomobject]@{
            ExitCode       = $process.ExitCode
            Output         = @($stdout.Result -split '\r?\n' | Where-Object { $_ -ne '' })
            StandardOutput = $stdout.Result
            StandardError  = $stderr.Result.Trim()
        }
    }
    finally {
        $process.Dispose()
    }

    if ($result.ExitCode -ne 0 -and -not $AllowFailure) {
        throw "'$commandLine' failed with exit code $($result.ExitCode): $($result.StandardError)"
    }

    $result
}

function Get-LabStatus {
    <#
    .SYNOPSIS
    Tells whether the Docker lab (a swarm manager with the lab images) is reachable.
    .DESCRIPTION
    Returns IsAvailable, Reason, DockerHost and BusyboxImage. When the lab is not there it
    throws in CI ($env:CI -eq 'true'), because a CI run that skips every integration test
    must not pass; elsewhere it writes a warning naming tests/lab/up.sh and the caller skips
    its integration tests:

        BeforeDiscovery { Import-Module "$PSScriptRoot/../TestSupport.psm1" -Force; $lab = Get-LabStatus }
        Describe 'against the lab' -Skip:(-not $lab.IsAvailable) { ... }
    #>
    [CmdletBinding()]
    param()

    $dockerHost = Get-LabSetting DOCKER_HOST
    $image = Get-LabSetting IMAGE_BUSYBOX
    $problem = $null
    if (-not $dockerHost) {
        $problem = "OPSTOOLS_TEST_DOCKER_HOST is not set and $script:LabEnvPath does not exist"
    }
    elseif (-not $image) {
        $problem = "OPSTOOLS_TEST_IMAGE_BUSYBOX is not set and $script:LabEnvPath does not name it"
    }
    elseif (-not (Get-Command -Name docker -CommandType Application -ErrorAction Ignore)) {
        $problem = 'the docker CLI is not on PATH'
    }
    else {
        $info = Invoke-LabDocker -DockerHost $dockerHost -ArgumentList 'info', '--format', '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}' -AllowFailure -TimeoutSeconds 20
        if ($info.ExitCode -ne 0) {
            $problem = "the Docker daemon at $dockerHost does not answer: $($info.StandardError)"
        }
        elseif ($info.StandardOutput.Trim() -ne 'active true') {
            $problem = "the Docker daemon at $dockerHost is not a swarm manager (swarm state: $($info.StandardOutput.Trim()))"
        }
        elseif ((Invoke-LabDocker -DockerHost $dockerHost -ArgumentList 'image', 'inspect', '--format', '{{.Id}}', $image -AllowFailure).ExitCode -ne 0) {
            $problem = "the lab image $image is missing from the daemon at $dockerHost"
        }
    }

    $reason = $null
    if ($problem) {
        $reason = "The Docker lab is not available: $($problem.TrimEnd('.', ' ')). Start it with '$script:LabUpScript' (as root)."
        if ($env:CI -eq 'true') {
            throw $reason
        }
        Write-Warning "$reason The integration tests that need it are skipped."
    }

    [pscustomobject]@{
        IsAvailable  = -not $problem
        Reason       = $reason
        DockerHost   = $dockerHost
        BusyboxImage = $image
    }
}

function New-TestName {
    <# .SYNOPSIS A name no other test run uses: opstools-test-<8 random hex digits>. #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $script:TestNamePrefix + [guid]::NewGuid().ToString('n').Substring(0, 8)
}

function Wait-Until {
    <#
    .SYNOPSIS
    Polls a condition until it returns something truthy (which is returned), or throws after
    the timeout naming what was awaited. Tests poll; they do not sleep and hope.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0)]
        [scriptblock] $Condition,

        [Parameter(Mandatory)]
        [string] $Because,

        [double] $TimeoutSeconds = 60,

        [int] $IntervalMilliseconds = 250
    )

    $deadline = [datetime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ($true) {
        $result = & $Condition
        if ($result) {
            return $result
        }
        if ([datetime]::UtcNow -gt $deadline) {
            throw "Timed out after $TimeoutSeconds s waiting until $Because."
        }
        Start-Sleep -Milliseconds $IntervalMilliseconds
    }
}

function New-TestSwarmService {
    <#
    .SYNOPSIS
    Creates a Swarm service with the docker CLI and, unless -NoWait, waits until it has
    converged (ExpectedRunning of its replicas running). The service runs busybox `sh -c
    <Script>` under --init so that removal takes a second. Remove-TestSwarmService removes
    every service created here.
    .OUTPUTS
    Name, Id, Replicas (desired), ExpectedRunning.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0)]
        [ValidatePattern('^opstools-test-')]
        [string] $Name,

        [int] $Replicas = 1,

        [switch] $Global,

        [hashtable] $Label = @{},

        [hashtable] $Environment = @{},

        [string[]] $Constraint = @(),

        [string[]] $Publish = @(),

        [string[]] $AdditionalArgument = @(),

        [string] $Script = 'while true; do sleep 1; done',

        [string] $Image = (Get-LabSetting IMAGE_BUSYBOX),

        # Replicas expected to run once converged; defaults to all of them (0 with a placement
        # constraint no node meets).
        [int] $ExpectedRunning = -1,

        [switch] $NoWait
    )

    $arguments = [System.Collections.Generic.List[string]]@('service', 'create', '--detach', '--quiet', '--name', $Name, '--init', '--stop-grace-period', '2s')
    if ($Global) {
        $arguments.AddRange([string[]]@('--mode', 'global'))
        # One task per node: every node of the lab is eligible.
        $Replicas = @((Invoke-LabDocker -ArgumentList 'node', 'ls', '--quiet').Output).Count
    }
    else {
        $arguments.AddRange([string[]]@('--replicas', "$Replicas"))
    }
    foreach ($key in $Label.Keys) { $arguments.AddRange([string[]]@('--label', "$key=$($Label[$key])")) }
    foreach ($key in $Environment.Keys) { $arguments.AddRange([string[]]@('--env', "$key=$($Environment[$key])")) }
    foreach ($item in $Constraint) { $arguments.AddRange([string[]]@('--constraint', $item)) }
    foreach ($item in $Publish) { $arguments.AddRange([string[]]@('--publish', $item)) }
    $arguments.AddRange($AdditionalArgument)
    $arguments.AddRange([string[]]@($Image, 'sh', '-c', $Script))

    # Registered before creation: a create that fails half way still gets cleaned up.
    $script:CreatedServices.Add($Name)
    $created = Invoke-LabDocker -ArgumentList $arguments
    $service = [pscustomobject]@{
        Name            = $Name
        Id              = ($created.Output | Select-Object -Last 1).Trim()
        Replicas        = $Replicas
        ExpectedRunning = if ($ExpectedRunning -ge 0) { $ExpectedRunning } else { $Replicas }
    }

    if (-not $NoWait) {
        $service | Wait-TestSwarmService
    }
    $service
}

function Wait-TestSwarmService {
    <#
    .SYNOPSIS
    Waits until every service piped in shows ExpectedRunning/Replicas in `docker service ls`,
    and, for services expected to run nothing, until their pending task exists.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, ValueFromPipeline)]
        [psobject[]] $Service,

        [double] $TimeoutSeconds = 60
    )

    begin { $all = [System.Collections.Generic.List[psobject]]::new() }
    process { $all.AddRange($Service) }
    end {
        $names = $all.Name -join ', '
        $null = Wait-Until -TimeoutSeconds $TimeoutSeconds -Because "the services $names converge" -Condition {
            $replicas = @{}
            foreach ($line in (Invoke-LabDocker -ArgumentList 'service', 'ls', '--format', '{{.Name}} {{.Replicas}}').Output) {
                $name, $count = $line -split ' ', 2
                $replicas[$name] = $count
            }
            foreach ($item in $all) {
                if ($replicas[$item.Name] -ne "$($item.ExpectedRunning)/$($item.Replicas)") {
                    return $false
                }
                if ($item.ExpectedRunning -eq 0 -and -not (Invoke-LabDocker -ArgumentList 'service', 'ps', '--quiet', $item.Name).Output) {
                    return $false
                }
            }
            $true
        }
    }
}

function Remove-TestSwarmService {
    <#
    .SYNOPSIS
    Removes the services New-TestSwarmService created in this session (or the ones named),
    ignoring those already gone. Call it from AfterAll.
    #>
    [CmdletBinding()]
    param(
        [string[]] $Name = $script:CreatedServices.ToArray()
    )

    $existing = @((Invoke-LabDocker -ArgumentList 'service', 'ls', '--format', '{{.Name}}').Output)
    $toRemove = @($Name | Where-Object { $_ -in $existing })
    if ($toRemove.Count -gt 0) {
        $null = Invoke-LabDocker -ArgumentList (@('service', 'rm') + $toRemove) -AllowFailure
    }
    foreach ($item in $Name) {
        $null = $script:CreatedServices.Remove($item)
    }
}

function Start-TestDockerDaemon {
    <#
    .SYNOPSIS
    Starts a second, throw-away dockerd that is NOT in swarm mode (for SwarmNotManager tests)
    and returns DockerHost, ProcessId, Directory; or SkipReason when this machine cannot.
    .DESCRIPTION
    It has its own data root, exec root, pid file and socket, and runs in its own network
    namespace: with --bridge=none a dockerd deletes the host's docker0 bridge at start-up,
    which would break the lab daemon's containers. It starts in well under a second.
    #>
    [CmdletBinding()]
    param(
        [double] $TimeoutSeconds = 30,

        # Also listen on tcp://127.0.0.1:2376 inside the daemon's network namespace with
        # --tlsverify, using a throw-away CA and client certificate (CertPath of the result).
        [switch] $Tls
    )

    $missing = @('dockerd', 'unshare', 'sh') + @(if ($Tls) { 'openssl', 'nsenter', 'ip' }) | Where-Object { -not (Get-Command -Name $_ -CommandType Application -ErrorAction Ignore) }
    if (-not $IsLinux) {
        return [pscustomobject]@{ DockerHost = $null; SkipReason = 'a second dockerd is only started on Linux' }
    }
    if ((& id -u) -ne '0') {
        return [pscustomobject]@{ DockerHost = $null; SkipReason = 'starting a second dockerd needs root' }
    }
    if ($missing) {
        return [pscustomobject]@{ DockerHost = $null; SkipReason = "cannot start a second dockerd: $($missing -join ', ') not found" }
    }

    # Short path: a unix socket path must stay under 108 bytes.
    $directory = Join-Path ([System.IO.Path]::GetTempPath()) ('opstools-dockerd-' + [guid]::NewGuid().ToString('n').Substring(0, 8))
    $null = New-Item -ItemType Directory -Path $directory
    $socket = "unix://$directory/docker.sock"
    # Its own empty configuration file: settings of the lab daemon's /etc/docker/daemon.json must not apply.
    Set-Content -LiteralPath (Join-Path $directory 'daemon.json') -Value '{}' -Encoding utf8NoBOM
    $tlsArguments = ''
    if ($Tls) {
        New-TestTlsCertificate -Directory $directory
        $tlsArguments = '--host tcp://127.0.0.1:2376 --tlsverify --tlscacert "$1/ca.pem" --tlscert "$1/server-cert.pem" --tlskey "$1/server-key.pem" '
    }
    # The namespace's loopback starts down: bring it up for the TLS listener.
    $command = 'exec unshare --net --fork sh -c ''ip link set lo up 2>/dev/null; exec "$@"'' sh dockerd --config-file "$1/daemon.json" --data-root "$1/data" --exec-root "$1/exec" --pidfile "$1/dockerd.pid" ' +
    '--host "unix://$1/docker.sock" ' + $tlsArguments + '--bridge=none --iptables=false --ip6tables=false >"$1/dockerd.log" 2>&1 </dev/null'
    $startInfo = [System.Diagnostics.ProcessStartInfo]::new('sh')
    foreach ($argument in @('-c', $command, 'sh', $directory)) { $startInfo.ArgumentList.Add($argument) }
    $startInfo.UseShellExecute = $false
    $launcher = [System.Diagnostics.Process]::Start($startInfo)

    $daemon = [pscustomobject]@{
        DockerHost = $socket
        TcpHost    = if ($Tls) { 'tcp://127.0.0.1:2376' } else { $null }
        CertPath   = if ($Tls) { $directory } else { $null }
        ProcessId  = $null
        LauncherId = $launcher.Id
        Directory  = $directory
        SkipReason = $null
    }
    try {
        $null = Wait-Until -TimeoutSeconds $TimeoutSeconds -Because "the second dockerd answers on $socket" -Condition {
            if ($launcher.HasExited) {
                throw "The second dockerd exited at start-up: $(Get-Content -Raw -LiteralPath "$directory/dockerd.log" -ErrorAction Ignore)"
            }
            (Invoke-LabDocker -DockerHost $socket -ArgumentList 'info', '--format', '{{.Swarm.LocalNodeState}}' -AllowFailure -TimeoutSeconds 10).ExitCode -eq 0
        }
        $daemon.ProcessId = [int](Get-Content -Raw -LiteralPath "$directory/dockerd.pid").Trim()
    }
    catch {
        # A machine that cannot run a second daemon (no unshare rights, say) skips these tests.
        $daemon | Stop-TestDockerDaemon
        $daemon.DockerHost = $null
        $daemon.SkipReason = "a second dockerd could not be started: $_"
    }
    finally {
        $launcher.Dispose()
    }
    $daemon
}

function New-TestTlsCertificate {
    <# .SYNOPSIS Writes a throw-away CA, a server certificate for 127.0.0.1 and a client certificate (ca.pem, cert.pem, key.pem) into a directory. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [string] $Directory)

    $script = @'
set -e
cd "$1"
openssl genrsa -out ca-key.pem 2048
openssl req -new -x509 -days 1 -key ca-key.pem -subj /CN=opstools-test-ca -out ca.pem
openssl genrsa -out server-key.pem 2048
openssl req -new -key server-key.pem -subj /CN=127.0.0.1 -out server.csr
printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > server.ext
openssl x509 -req -days 1 -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -out server-cert.pem -extfile server.ext
openssl genrsa -out key.pem 2048
openssl req -new -key key.pem -subj /CN=opstools-test-client -out client.csr
printf 'extendedKeyUsage=clientAuth\n' > client.ext
openssl x509 -req -days 1 -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -out cert.pem -extfile client.ext
'@
    $output = & sh -c $script sh $Directory 2>&1
    if ($LASTEXITCODE -ne 0) { throw "openssl failed: $output" }
}

function Invoke-InDaemonNetwork {
    <#
    .SYNOPSIS
    Runs a script in a fresh pwsh inside the network namespace of a daemon from Start-TestDockerDaemon,
    with the built module imported and the given environment; returns its output as objects (CliXml).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [psobject] $Daemon,
        [Parameter(Mandatory)] [string] $Script,
        [hashtable] $Environment = @{}
    )

    $manifest = Get-BuiltModulePath
    $outFile = Join-Path $Daemon.Directory ('out-' + [guid]::NewGuid().ToString('n') + '.xml')
    $wrapped = "Import-Module '$manifest'; & { $Script } *>&1 | Export-Clixml -Depth 4 -LiteralPath '$outFile'"
    $startInfo = [System.Diagnostics.ProcessStartInfo]::new('nsenter')
    $startInfo.ArgumentList.Add("--net=/proc/$($Daemon.ProcessId)/ns/net")
    # Under `dotnet pwsh` this process is the dotnet host running pwsh.dll.
    $startInfo.ArgumentList.Add([System.Environment]::ProcessPath)
    if ([System.IO.Path]::GetFileNameWithoutExtension([System.Environment]::ProcessPath) -eq 'dotnet') {
        $startInfo.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll'))
    }
    foreach ($argument in @('-NoProfile', '-NonInteractive', '-Command', $wrapped)) { $startInfo.ArgumentList.Add($argument) }
    foreach ($name in $Environment.Keys) { $startInfo.Environment[$name] = [string]$Environment[$name] }
    $startInfo.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($startInfo)
    try {
        if (-not $process.WaitForExit(60000)) { $process.Kill($true); throw 'pwsh in the daemon network namespace did not finish in 60 s' }
    }
    finally { $process.Dispose() }
    Import-Clixml -LiteralPath $outFile
}

function Stop-TestDockerDaemon {
    <# .SYNOPSIS Stops a dockerd started by Start-TestDockerDaemon (by its pid) and removes its directory. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, ValueFromPipeline)]
        [AllowNull()]
        [psobject] $Daemon
    )

    process {
        if ($null -eq $Daemon -or -not $Daemon.DockerHost) {
            return
        }

        $kill = (Get-Command -Name kill -CommandType Application | Select-Object -First 1).Source
        $ids = @($Daemon.ProcessId, $Daemon.LauncherId) | Where-Object { $_ }
        foreach ($id in $ids) {
            $process = Get-Process -Id $id -ErrorAction Ignore
            if ($process) {
                # SIGTERM lets dockerd stop its containerd and clean up; Stop-Process would send SIGKILL.
                & $kill -TERM $id 2>$null
                if (-not $process.WaitForExit(15000)) {
                    $process.Kill($true)
                    $null = $process.WaitForExit(5000)
                }
                $process.Dispose()
            }
        }

        $stillMounted = (Get-Content -Raw -LiteralPath '/proc/mounts' -ErrorAction Ignore) -match [regex]::Escape($Daemon.Directory)
        if (-not $stillMounted) {
            Remove-Item -LiteralPath $Daemon.Directory -Recurse -Force -ErrorAction Ignore
        }
    }
}

function Get-ParameterSurface {
    <#
    .SYNOPSIS
    Describes a command's own parameters (common parameters left out) as flat objects keyed
    by name: Type, Mandatory, Position, ValueFromPipeline, ValueFromPipelineByPropertyName,
    SupportsWildcards, Aliases.
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory, Position = 0)]
        [string] $Command
    )

    $info = Get-Command -Name $Command -ErrorAction Stop
    $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
    $surface = [ordered]@{}
    foreach ($parameter in $info.Parameters.Values | Where-Object Name -NotIn $common) {
        $declarations = @($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] })
        $surface[$parameter.Name] = [pscustomobject]@{
            Name                            = $parameter.Name
            Type                            = $parameter.ParameterType.ToString()
            Mandatory                       = [bool]($declarations.Mandatory -contains $true)
            Position                        = $declarations.Position | Where-Object { $_ -ge 0 } | Select-Object -First 1
            ValueFromPipeline               = [bool]($declarations.ValueFromPipeline -contains $true)
            ValueFromPipelineByPropertyName = [bool]($declarations.ValueFromPipelineByPropertyName -contains $true)
            SupportsWildcards               = [bool]@($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }).Count
            Aliases                         = @($parameter.Aliases | Sort-Object)
        }
    }
    $surface
}

function Invoke-FreshPwsh {
    <#
    .SYNOPSIS
    Runs a script in a new pwsh process (the same PowerShell as this one, without profile)
    and returns its standard output; throws with its error output when it fails.
    .DESCRIPTION
    For what one process can only show once: what importing a module loads, or a library
    version loaded before the module.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)]
        [string] $Script,

        [hashtable] $Parameters = @{},

        [int] $TimeoutSeconds = 120
    )

    $scriptPath = Join-Path ([System.IO.Path]::GetTempPath()) ("opstools-test-$([guid]::NewGuid().ToString('n')).ps1")
    Set-Content -LiteralPath $scriptPath -Value $Script -Encoding utf8NoBOM
    try {
        # Under `dotnet pwsh` this process is the dotnet host running pwsh.dll.
        $executable = [System.Environment]::ProcessPath
        $startInfo = [System.Diagnostics.ProcessStartInfo]::new($executable)
        if ([System.IO.Path]::GetFileNameWithoutExtension($executable) -eq 'dotnet') {
            $startInfo.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll'))
        }
        foreach ($argument in @('-NoProfile', '-NonInteractive', '-File', $scriptPath)) { $startInfo.ArgumentList.Add($argument) }
        foreach ($key in $Parameters.Keys) {
            $startInfo.ArgumentList.Add("-$key")
            $startInfo.ArgumentList.Add([string]$Parameters[$key])
        }
        $startInfo.UseShellExecute = $false
        $startInfo.RedirectStandardOutput = $true
        $startInfo.RedirectStandardError = $true
        $process = [System.Diagnostics.Process]::Start($startInfo)
        try {
            $stdout = $process.StandardOutput.ReadToEndAsync()
            $stderr = $process.StandardError.ReadToEndAsync()
            if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
                $process.Kill($true)
                throw "The fresh pwsh process did not finish within $TimeoutSeconds s."
            }
            $process.WaitForExit()
            if ($process.ExitCode -ne 0) {
                throw "The fresh pwsh process failed with exit code $($process.ExitCode): $($stderr.Result)$($stdout.Result)"
            }
            $stdout.Result
        }
        finally {
            $process.Dispose()
        }
    }
    finally {
        Remove-Item -LiteralPath $scriptPath -ErrorAction Ignore
    }
}

function Get-YamlDotNetAssemblyPath {
    <#
    .SYNOPSIS
    Path of YamlDotNet.dll of a given NuGet version (netstandard2.1 build), from the NuGet
    cache, restoring the package into a temporary folder when the cache does not have it.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [string] $Version = '11.2.1',

        # NuGet package folders to look in first.
        [string[]] $PackageCache = @($env:NUGET_PACKAGES, (Join-Path $HOME '.nuget/packages'))
    )

    $relative = "yamldotnet/$Version/lib/netstandard2.1/YamlDotNet.dll"
    foreach ($cache in $PackageCache | Where-Object { $_ }) {
        $candidate = Join-Path $cache $relative
        if (Test-Path -LiteralPath $candidate) {
            return $candidate
        }
    }

    $directory = Join-Path ([System.IO.Path]::GetTempPath()) "opstools-yamldotnet-$Version"
    $candidate = Join-Path $directory "packages/$relative"
    if (-not (Test-Path -LiteralPath $candidate)) {
        $null = New-Item -ItemType Directory -Path $directory -Force
        Set-Content -LiteralPath (Join-Path $directory 'download.csproj') -Encoding utf8NoBOM -Value @"
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net8.0</TargetFramework></PropertyGroup>
  <ItemGroup><PackageDownload Include="YamlDotNet" Version="[$Version]" /></ItemGroup>
</Project>
"@
        $output = & dotnet restore (Join-Path $directory 'download.csproj') --packages (Join-Path $directory 'packages') 2>&1
        if ($LASTEXITCODE -ne 0 -or -not (Test-Path -LiteralPath $candidate)) {
            throw "Could not restore YamlDotNet $Version from NuGet: $($output -join [Environment]::NewLine)"
        }
    }
    $candidate
}

Export-ModuleMember -Function @(
    'Invoke-InDaemonNetwork'
    'New-TestTlsCertificate'
    'Get-RepositoryRoot'
    'Get-BuiltModulePath'
    'Import-BuiltModule'
    'Get-LabSetting'
    'Get-LabStatus'
    'Invoke-LabDocker'
    'New-TestName'
    'Wait-Until'
    'New-TestSwarmService'
    'Wait-TestSwarmService'
    'Remove-TestSwarmService'
    'Start-TestDockerDaemon'
    'Stop-TestDockerDaemon'
    'Get-ParameterSurface'
    'Invoke-FreshPwsh'
    'Get-YamlDotNetAssemblyPath'
)
