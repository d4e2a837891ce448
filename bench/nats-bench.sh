#!/usr/bin/env bash
# End-to-end messages/s through NATS JetStream on this machine, against the same daemon writing its own log, in one run:
#   baseline: socketctl send (native protocol) -> daemon -> messages.log
#   relay:    socketctl send -> edge daemon (Forward step, Acknowledge: downstream) -> relay daemon (tcp://) -> messages.log
#   nats:     socketctl send -> edge daemon (Nats step, Acknowledge: nats) -> nats-server (JetStream, file store)
#             -> aggregator daemon (nats:// listener, durable consumer) -> messages.log
# and the ceilings, with nothing of the daemon in the way (bench/SocketDaemon.Ceilings):
#   tcp:       the relay's bytes (origin batches) over one loopback TCP connection, acknowledged per batch
#   jetstream: JetStream publishes to the same nats-server (file store), async with many in flight, with Nats-Msg-Id
#              (and once more with the origin headers the edge adds: the same bytes per message)
# Usage: bench/nats-bench.sh [MESSAGES] [SIZE]   (defaults 200000 messages of 64 bytes). Needs nats-server (apt).
# Uses the build that ships: socketdaemon and socketctl published as Native AOT (linux-x64); set DAEMON and SOCKETCTL
# to already published binaries to skip the publish. PATHS=relay runs only the baseline and the relay,
# PATHS=nats only the NATS path and its ceiling. ROUNDS=N measures the NATS path and its ceilings N times, each round on a
# fresh nats-server, and prints each round and the medians (one round's ratio moves by a quarter between runs).
# AGG_ACK_POLICY=All gives the aggregator's nats:// listener AckPolicy: All (one acknowledgement per batch; the bench's
# consumer has one reader), Explicit by default.
set -euo pipefail
cd "$(dirname "$0")/.."
messages=${1:-200000}
size=${2:-64}
paths=${PATHS:-all}
work=$(mktemp -d /tmp/nats-bench.XXXXXX)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

if [[ -z ${DAEMON:-} ]]; then
  dotnet publish -c Release -r linux-x64 -p:PublishAot=true -v q -nologo src/SocketDaemon -o "$work/publish/daemon" >/dev/null
  DAEMON=$work/publish/daemon/socketdaemon
fi
if [[ -z ${SOCKETCTL:-} ]]; then
  dotnet publish -c Release -r linux-x64 -p:PublishAot=true -v q -nologo src/SocketDaemon.Cli -o "$work/publish/cli" >/dev/null
  SOCKETCTL=$work/publish/cli/socketctl
fi
dotnet build -c Release -v q -nologo bench/SocketDaemon.Ceilings >/dev/null
daemon=("$DAEMON")
socketctl=("$SOCKETCTL")
ceilings=(dotnet bench/SocketDaemon.Ceilings/bin/Release/net10.0/SocketDaemon.Ceilings.dll)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
lines() { cat "$1"/messages*.log 2>/dev/null | wc -l; }
wait_for() { for _ in $(seq 1 600); do [[ -S $1 ]] && return; sleep 0.1; done; echo "no $1" >&2; exit 1; }
now() { date +%s.%N; }
# CPU seconds (user + system) a process has used: on a shared machine, what wall time alone does not tell.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat"; }
# drive SOCKET LOGDIR: sends the input to SOCKET, then waits until LOGDIR's log holds every message.
# Sets acked (seconds until socketctl returned: every message acknowledged), total (seconds until logged) and logged.
drive() {
  local start
  start=$(now)
  "${socketctl[@]}" send --endpoint "unix:$1" < "$work/input"
  acked=$(echo "$(now) - $start" | bc)
  # Polled every 10 ms: the relay's and the baseline's totals are a few tenths of a second.
  for _ in $(seq 1 30000); do (( $(lines "$2") >= messages )) && break; sleep 0.01; done
  total=$(echo "$(now) - $start" | bc)
  logged=$(lines "$2")
}

python3 -c "import sys; [print(f'{i:08d} ' + 'x' * ($size - 9)) for i in range($messages)]" > "$work/input"

rlogged=0
if [[ $paths != nats ]]; then
# Baseline: the daemon logs what it receives.
"${daemon[@]}" --log-dir "$work/base" --listen "unix:$work/base.sock" >/dev/null 2>&1 & pids+=($!)
wait_for "$work/base.sock"
drive "$work/base.sock" "$work/base"
base=$total

# Relay: edge -> Forward (native protocol over TCP) -> relay.
rport=$(free_port)
"${daemon[@]}" --log-dir "$work/relay" --SocketDaemon:Listeners:local:Endpoint="unix:$work/relay.sock" \
  --SocketDaemon:Listeners:net:Endpoint="tcp://127.0.0.1:$rport" >/dev/null 2>&1 & pids+=($!)
relay_pid=$!
"${daemon[@]}" --log-dir "$work/redge" --listen "unix:$work/redge.sock" --SocketDaemon:Pipeline:0:Handler=Forward \
  --SocketDaemon:Pipeline:0:Upstreams:0="tcp://127.0.0.1:$rport" >/dev/null 2>&1 & pids+=($!)
redge_pid=$!
wait_for "$work/relay.sock"; wait_for "$work/redge.sock"
redge_cpu0=$(cpu "$redge_pid") relay_cpu0=$(cpu "$relay_pid")
drive "$work/redge.sock" "$work/relay"
racked=$acked rtotal=$total rlogged=$logged
redge_cpu=$(echo "$(cpu "$redge_pid") - $redge_cpu0" | bc) relay_cpu=$(echo "$(cpu "$relay_pid") - $relay_cpu0" | bc)
fi

print_relay() {
  printf 'baseline  daemon -> messages.log:                  %6.2f s  %8.0f msg/s\n' "$base" "$(echo "$messages / $base" | bc -l)"
  printf 'relay     edge acked (relay logged):               %6.2f s  %8.0f msg/s\n' "$racked" "$(echo "$messages / $racked" | bc -l)"
  printf 'relay     end to end (in the relay'"'"'s log):         %6.2f s  %8.0f msg/s  (%.2fx the baseline'"'"'s time)\n' "$rtotal" "$(echo "$messages / $rtotal" | bc -l)" "$(echo "$rtotal / $base" | bc -l)"
  printf 'relay     CPU seconds: edge %.2f, relay %.2f\n' "$redge_cpu" "$relay_cpu"
}
if [[ $paths == relay ]]; then
  printf 'messages: %d of %d bytes; relay logged %d\n' "$messages" "$size" "$rlogged"
  print_relay
  exit 0
fi

# NATS: edge -> JetStream -> aggregator, ROUNDS times (each on a fresh nats-server, its ceilings measured just before).
# One round's ratio moves a lot: the ceiling alone varied by up to 25% between runs here. The medians are the result.
# TCP's ceiling once, between the relay and the NATS runs (the daemons of the relay run are idle by then).
if [[ $paths != nats ]]; then
  tcp_line=$("${ceilings[@]}" tcp "$messages" "$size")
  tcp_total=$(awk '/^tcp-relay-bytes /{print $2}' <<<"$tcp_line")
fi

median() { sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
rounds=${ROUNDS:-1}
results=()
for round in $(seq 1 "$rounds"); do
  rwork=$work/nats-$round
  port=$(free_port)
  mkdir -p "$rwork/js"
  nats-server -js -sd "$rwork/js" -a 127.0.0.1 -p "$port" >"$rwork/nats.log" 2>&1 & pids+=($!)
  nats_pid=$!
  sleep 1
  js_lines=$("${ceilings[@]}" nats "nats://127.0.0.1:$port" "$messages" "$size")
  js_plain=$(awk '/^jetstream-publish /{print $2}' <<<"$js_lines")
  js_total=$(awk '/^jetstream-publish-msgid /{print $2}' <<<"$js_lines")
  js_origin=$(awk '/^jetstream-publish-origin /{print $2}' <<<"$js_lines")
  "${daemon[@]}" --log-dir "$rwork/edge" --listen "unix:$rwork/edge.sock" --SocketDaemon:Nats:Url="nats://127.0.0.1:$port" \
    --SocketDaemon:Pipeline:0:Handler=Nats --SocketDaemon:Pipeline:0:Stream=BENCH >/dev/null 2>&1 & pids+=($!)
  edge_pid=$!
  "${daemon[@]}" --log-dir "$rwork/agg" --SocketDaemon:Listeners:local:Endpoint="unix:$rwork/agg.sock" \
    --SocketDaemon:Listeners:js:Endpoint="nats://127.0.0.1:$port" --SocketDaemon:Listeners:js:Stream=BENCH \
    --SocketDaemon:Listeners:js:Consumer=bench --SocketDaemon:Listeners:js:AckPolicy="${AGG_ACK_POLICY:-Explicit}" >/dev/null 2>&1 & pids+=($!)
  agg_pid=$!
  wait_for "$rwork/edge.sock"; wait_for "$rwork/agg.sock"
  edge_cpu0=$(cpu "$edge_pid") agg_cpu0=$(cpu "$agg_pid") nats_cpu0=$(cpu "$nats_pid")
  drive "$rwork/edge.sock" "$rwork/agg"
  edge_cpu=$(echo "$(cpu "$edge_pid") - $edge_cpu0" | bc) agg_cpu=$(echo "$(cpu "$agg_pid") - $agg_cpu0" | bc) nats_cpu=$(echo "$(cpu "$nats_pid") - $nats_cpu0" | bc)
  kill "$edge_pid" "$agg_pid" "$nats_pid"; wait "$edge_pid" "$agg_pid" "$nats_pid" 2>/dev/null || true
  # acked total logged ceiling(plain) ceiling(msgid) ceiling(origin) cpu(edge) cpu(aggregator) cpu(nats-server)
  results+=("$acked $total $logged $js_plain $js_total $js_origin $edge_cpu $agg_cpu $nats_cpu")
  if (( rounds > 1 )); then
    printf 'round %d: nats %.2f s (edge acked %.2f s), ceiling %.2f s (Nats-Msg-Id) %.2f s (+ origin headers): %.2fx, %.2fx; CPU s edge %.2f, aggregator %.2f, nats-server %.2f; logged %d\n' \
      "$round" "$total" "$acked" "$js_total" "$js_origin" "$(echo "$total / $js_total" | bc -l)" "$(echo "$total / $js_origin" | bc -l)" \
      "$edge_cpu" "$agg_cpu" "$nats_cpu" "$logged"
  fi
done
# column N of every round, and its median; the ratios are the medians of each round's own ratio.
column() { printf '%s\n' "${results[@]}" | awk -v c="$1" '{print $c}'; }
ratio() { printf '%s\n' "${results[@]}" | awk -v c="$1" '{print $2 / $c}' | median; }
acked=$(column 1 | median) total=$(column 2 | median) logged=$(column 3 | sort -n | head -1)
js_plain=$(column 4 | median) js_total=$(column 5 | median) js_origin=$(column 6 | median)
edge_cpu=$(column 7 | median) agg_cpu=$(column 8 | median) nats_cpu=$(column 9 | median)

(( rounds > 1 )) && printf 'medians of %d rounds (the ratios: the median of each round'"'"'s own):\n' "$rounds"
printf 'messages: %d of %d bytes; relay logged %d, aggregator logged %d (AckPolicy %s)\n' "$messages" "$size" "$rlogged" "$logged" "${AGG_ACK_POLICY:-Explicit}"
[[ $paths == nats ]] || print_relay
printf 'nats      edge acked (JetStream stored):           %6.2f s  %8.0f msg/s\n' "$acked" "$(echo "$messages / $acked" | bc -l)"
[[ $paths == nats ]] || printf 'ceiling   tcp, the relay'"'"'s bytes:                  %6.2f s  %8.0f msg/s\n' "$tcp_total" "$(echo "$messages / $tcp_total" | bc -l)"
printf 'ceiling   JetStream publishes (no msg id):        %6.2f s  %8.0f msg/s\n' "$js_plain" "$(echo "$messages / $js_plain" | bc -l)"
printf 'ceiling   JetStream publishes (Nats-Msg-Id):      %6.2f s  %8.0f msg/s\n' "$js_total" "$(echo "$messages / $js_total" | bc -l)"
printf 'ceiling   JetStream publishes (+ origin headers): %6.2f s  %8.0f msg/s\n' "$js_origin" "$(echo "$messages / $js_origin" | bc -l)"
if [[ $paths != nats ]]; then
  printf 'nats      end to end (in the aggregator'"'"'s log):    %6.2f s  %8.0f msg/s  (%.2fx the baseline'"'"'s time)\n' "$total" "$(echo "$messages / $total" | bc -l)" "$(echo "$total / $base" | bc -l)"
else
  printf 'nats      end to end (in the aggregator'"'"'s log):    %6.2f s  %8.0f msg/s\n' "$total" "$(echo "$messages / $total" | bc -l)"
fi
printf 'nats      end to end / JetStream ceiling (Nats-Msg-Id): %.2fx\n' "$(ratio 5)"
printf 'nats      end to end / the ceiling with the same headers: %.2fx\n' "$(ratio 6)"
printf 'nats      CPU seconds: edge %.2f, aggregator %.2f, nats-server %.2f\n' "$edge_cpu" "$agg_cpu" "$nats_cpu"
