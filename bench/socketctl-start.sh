#!/usr/bin/env bash
# socketctl start-up against the C client (issue 8: `socketctl send` of one message at most 3x a C client).
#
#   bench/socketctl-start.sh [--runs N] [--daemon PATH] [--hello] [SOCKETCTL...]
#
# Starts the daemon (PATH, else a Release publish of src/SocketDaemon) on a temporary Unix socket, compiles
# sock-client.c of the tests with cc -O1, and runs, alternating, N times each (default 200): the C client sending one
# message, optionally a Native AOT "hello world" (--hello: published on the fly), and for each SOCKETCTL (default: a
# Native AOT publish of src/SocketDaemon.Cli) `--version`, `send -f seed` and `send` (native, acknowledged). Prints
# the median wall time of each and its ratio to the C client. Compare runs only within one table.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=200 daemon= hello=0 ctls=() pid=
while (($#)); do
    case $1 in
        --runs) runs=$2; shift 2 ;;
        --daemon) daemon=$2; shift 2 ;;
        --hello) hello=1; shift ;;
        *) ctls+=("$1"); shift ;;
    esac
done
work=$(mktemp -d /tmp/socketctl-start.XXXXXX)
trap 'kill "$pid" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
if [[ -z $daemon ]]; then
    dotnet publish -c Release -r linux-x64 "$root/src/SocketDaemon" -o "$work/daemon" >/dev/null
    daemon=$work/daemon/socketdaemon
fi
if ((${#ctls[@]} == 0)); then
    dotnet publish -c Release -r linux-x64 "$root/src/SocketDaemon.Cli" -o "$work/ctl" >/dev/null
    ctls=("$work/ctl/socketctl")
fi
cc -O1 -o "$work/sock-client" "$root/tests/SocketDaemon.Tests/Classic/sock-client.c"
socket=$work/d.sock
(cd "$work" && exec "$daemon" --listen "unix:$socket" --log-dir "$work/logs" >/dev/null 2>&1) &
pid=$!
for _ in $(seq 100); do [[ -S $socket ]] && break; sleep 0.1; done
[[ -S $socket ]] || { echo "the daemon did not create $socket" >&2; exit 1; }

sep=$'\x1f' label=$'\x1e'
commands=("C sock-client, one message${label}$work/sock-client${sep}$socket${sep}hello")
if ((hello)); then
    mkdir -p "$work/hello-src"
    printf '%s\n' '<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework>' \
        '<PublishAot>true</PublishAot><InvariantGlobalization>true</InvariantGlobalization></PropertyGroup></Project>' > "$work/hello-src/hello.csproj"
    echo 'System.Console.WriteLine("hello");' > "$work/hello-src/Program.cs"
    dotnet publish -c Release -r linux-x64 "$work/hello-src" -o "$work/hello" >/dev/null
    # The same program with socketctl's image settings (SocketDaemon.Cli.csproj): the floor socketctl can reach.
    cp -r "$work/hello-src" "$work/hello-hydrated-src"
    dotnet publish -c Release -r linux-x64 "$work/hello-hydrated-src" -o "$work/hello-hydrated" -p:IlcDehydrate=false \
        -p:PositionIndependentExecutable=false >/dev/null
    commands+=("Native AOT hello world${label}$work/hello/hello" "hello world, hydrated non-PIE${label}$work/hello-hydrated/hello")
fi
n=0
for ctl in "${ctls[@]}"; do
    n=$((n + 1))
    name="socketctl"; ((${#ctls[@]} > 1)) && name="socketctl #$n"
    commands+=("\`$name --version\`${label}$ctl${sep}--version"
        "\`$name send -f seed hello\`${label}$ctl${sep}send${sep}-e${sep}unix:$socket${sep}-f${sep}seed${sep}hello"
        "\`$name send hello\` (native, acknowledged)${label}$ctl${sep}send${sep}-e${sep}unix:$socket${sep}hello")
done
echo "$(date -u '+%F %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $runs runs each"
n=0
for ctl in "${ctls[@]}"; do n=$((n + 1)); echo "socketctl #$n: $ctl, $(stat -c %s "$ctl") bytes"; done
python3 "$root/bench/socketctl-start.py" "$runs" "${commands[@]}"
