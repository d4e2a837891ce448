#!/bin/bash
# Attaches `strace -c -f` to every new socketdaemon (of DIR) and refserver process until killed.
dir=$1; out=$2; seen=" "
while true; do
  for p in $(pgrep -f "^$dir/socketdaemon" ; pgrep -x refserver); do
    case "$seen" in *" $p "*) continue ;; esac
    seen="$seen$p "
    name=$(cat /proc/$p/comm 2>/dev/null)
    strace -c -f -p $p -o $out/$name-$p.txt 2>/dev/null &
  done
  sleep 0.05
done
