#!/bin/bash
# Back-to-back CPU comparison: base, new, new, base ... for one framing/transport; prints the daemon's CPU s and msg/s.
# usage: ab.sh FRAMING TRANSPORT MESSAGES ROUNDS [base-dir new-dir]
B=/work/wt-profile/bench/SocketDaemon.Bench/bin/Release/net10.0/SocketDaemon.Bench
f=$1; t=$2; m=$3; r=$4; base=${5:-/tmp/prof-jit}; new=${6:-/tmp/prof-new}
for i in $(seq $r); do
  for d in $base $new $new $base; do
    line=$($B --connections 4 --messages $m --size 64 --framing $f --transport $t --reference none --daemon $d/socketdaemon --out /tmp/prof/ab 2>&1 | grep "| socketdaemon | ")
    echo "$(basename $d) $(echo "$line" | awk -F'|' '{gsub(/ /,"",$6); gsub(/ /,"",$10); gsub(/ /,"",$11); print "msg/s="$6, "cpu="$10, "rss="$11}') load=$(cut -d' ' -f1 /proc/loadavg)"
  done
done
