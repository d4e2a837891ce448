#!/bin/bash
# The bench's --daemon: runs the JIT daemon (PROF_DAEMON, default /tmp/prof-jit/socketdaemon) and attaches one tool
# (PROF_MODE: trace, gc, counters, perf, strace, none) once its diagnostics port is up; on the bench's SIGTERM it stops
# the tool first (so that the trace gets its rundown), notes the daemon's utime/stime ticks, then stops the daemon.
# Output: PROF_OUT-<unix|tcp>-<pid>.{nettrace,counters.csv,perf.data,strace,stat}. The bench's CPU column is 0 with
# it (it reads this script's /proc entry); the .stat file has the daemon's.
#   PROF_MODE=trace PROF_OUT=/tmp/prof/x dotnet run -c Release --project bench/SocketDaemon.Bench -- \
#       --connections 4 --messages 5000000 --size 64 --framing lines --transport unix --reference none --daemon docs/dev/profiles/tools/wrap.sh
set -m
export PATH="$PATH:/root/.dotnet/tools"
out=${PROF_OUT:-/tmp/prof/out}-$(echo "$@" | grep -o "unix:\|tcp:" | head -1 | tr -d :)-$$
[ "$PROF_MODE" = perf ] && export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0
${PROF_DAEMON:-/tmp/prof-jit/socketdaemon} "$@" &
pid=$!
for _ in $(seq 300); do ls /tmp/dotnet-diagnostic-$pid-*-socket >/dev/null 2>&1 && break; sleep 0.01; done
case "$PROF_MODE" in
trace) dotnet-trace collect -p $pid --profile dotnet-sampled-thread-time -o $out.nettrace >$out.trace.log 2>&1 </dev/null & tool=$! ;;
gc) dotnet-trace collect -p $pid --profile gc-verbose -o $out.nettrace >$out.trace.log 2>&1 </dev/null & tool=$! ;;
counters) dotnet-counters collect -p $pid --counters System.Runtime,SocketDaemon --refresh-interval 1 --format csv -o $out.counters.csv >$out.counters.log 2>&1 </dev/null & tool=$! ;;
perf) perf record -F 999 -g -p $pid -o $out.perf.data >$out.perf.log 2>&1 & tool=$! ;;
strace) strace -c -f -p $pid -o $out.strace 2>$out.strace.log & tool=$! ;;
*) tool= ;;
esac
stop() {
  if [ -n "$tool" ]; then kill -INT $tool; wait $tool; fi
  awk '{print "utime_ticks", $14, "stime_ticks", $15}' /proc/$pid/stat > $out.stat
  kill -TERM $pid
}
trap stop TERM
wait $pid
wait $pid
