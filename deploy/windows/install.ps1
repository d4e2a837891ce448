<#
.SYNOPSIS
  Installs SocketDaemon as a Windows service.
.DESCRIPTION
  Publishes the daemon for win-x64 (or takes an already published directory), copies it to the install directory,
  puts the configuration in %ProgramData%\SocketDaemon\appsettings.json without overwriting an existing one, and
  registers and starts the service "SocketDaemon". Run again to upgrade; -Uninstall removes the service and binaries
  (the configuration and logs stay).
.EXAMPLE
  powershell -ExecutionPolicy Bypass -File deploy\windows\install.ps1
.EXAMPLE
  powershell -File deploy\windows\install.ps1 -From C:\build\socketdaemon -InstallDir "C:\Program Files\SocketDaemon"
#>
[CmdletBinding()]
param(
    [string] $InstallDir = (Join-Path $env:ProgramFiles 'SocketDaemon'),
    [string] $From,
    [switch] $Uninstall
)

$ErrorActionPreference = 'Stop'
$serviceName = 'SocketDaemon'
$dataDir = Join-Path $env:ProgramData 'SocketDaemon'
$repo = Resolve-Path (Join-Path $PSScriptRoot '..\..')

$existing = Get-Service -Name $serviceName -ErrorAction SilentlyContinue
if ($existing) {
    Write-Host "Stopping and removing the existing service $serviceName"
    if ($existing.Status -ne 'Stopped') { Stop-Service -Name $serviceName -Force }
    sc.exe delete $serviceName | Out-Null
}

if ($Uninstall) {
    if (Test-Path $InstallDir) { Remove-Item -Recurse -Force $InstallDir }
    Write-Host "Removed $InstallDir; $dataDir (configuration and logs) is kept."
    return
}

if (-not $From) {
    $From = Join-Path ([IO.Path]::GetTempPath()) 'socketdaemon-publish'
    Write-Host "Publishing the daemon for win-x64 to $From"
    dotnet publish (Join-Path $repo 'src\SocketDaemon') -c Release -r win-x64 --self-contained false -o $From
    if ($LASTEXITCODE -ne 0) { throw "dotnet publish failed with exit code $LASTEXITCODE" }
}

Write-Host "Installing to $InstallDir"
New-Item -ItemType Directory -Force -Path $InstallDir, (Join-Path $dataDir 'logs') | Out-Null
Copy-Item -Recurse -Force (Join-Path $From '*') $InstallDir

$config = Join-Path $dataDir 'appsettings.json'
if (-not (Test-Path $config)) {
    Write-Host "Writing $config"
    Copy-Item (Join-Path $repo 'deploy\appsettings.json') $config
}

# The daemon reads CONFIGURATION_DIRECTORY/appsettings.json and writes its logs to --log-dir.
$binary = '"{0}" --config "{1}" --log-dir "{2}"' -f (Join-Path $InstallDir 'socketdaemon.exe'), $config, (Join-Path $dataDir 'logs')
Write-Host "Registering the service $serviceName"
New-Service -Name $serviceName -BinaryPathName $binary -DisplayName 'SocketDaemon' `
    -Description 'Message ingestion daemon on Unix domain sockets and TCP' -StartupType Automatic | Out-Null
sc.exe failure $serviceName reset= 86400 actions= restart/5000/restart/5000/restart/30000 | Out-Null
Start-Service -Name $serviceName
Write-Host "Started. Status: socketctl status --endpoint tcp://127.0.0.1:7777, or curl http://127.0.0.1:7777/status"
