#!/usr/bin/env bash
# sandbox.sh: boots the machine's own systemd as PID 1 of a new PID and mount namespace, in a throwaway root, so the
# real-systemd tests (tests/SocketDaemon.Tests/RealSystemd) run units, socket activation, the watchdog and journald
# for real on a machine whose PID 1 is not systemd. Needs root with CAP_SYS_ADMIN (unshare, mount, overlay).
#
#   sandbox.sh check                  exit 0 if a sandbox can boot here, else print why and exit 1
#   sandbox.sh start NAME [SHARE]     boot; SHARE (a host directory) appears inside as /share; prints systemd's PID
#   sandbox.sh exec NAME CMD...       run CMD inside (its mounts, PIDs and root): systemctl, journalctl, dpkg...
#   sandbox.sh stop NAME              kill the sandbox (SIGKILL to its PID 1 ends every process in it)
#
# The sandbox's / is an overlay: the real / read-only underneath, a tmpfs on top, so nothing it writes (packages,
# units, users, /var/log) reaches the real disk; its units' cgroups are made in a cgroup of its own. /tmp, /run and
# /dev are its own: /dev holds only the usual character
# devices, so the sandbox's journald and a /dev/log socket unit never touch the machine's /dev. NEVER boot systemd on
# the real root instead: at boot systemd-tmpfiles empties /tmp (tmpfiles.d "D /tmp"), which deletes everything there.
set -euo pipefail
cmd=${1:?usage: sandbox.sh check|start|exec|stop NAME [...]}
shift
state_of() { echo "${SANDBOX_STATE_DIR:-/var/tmp}/socketdaemon-sandbox.$1"; }

case $cmd in
  check)
    [[ $EUID -eq 0 ]] || { echo "not root (uid $EUID)"; exit 1; }
    [[ -x /lib/systemd/systemd ]] || { echo "no /lib/systemd/systemd (apt-get install systemd)"; exit 1; }
    for tool in unshare nsenter chroot mount setsid; do
      command -v "$tool" >/dev/null || { echo "no $tool"; exit 1; }
    done
    # CAP_SYS_ADMIN: a PID and mount namespace with a tmpfs and an overlay in it.
    probe=$(mktemp -d /var/tmp/socketdaemon-sandbox-probe.XXXXXX)
    trap 'rm -rf "$probe"' EXIT
    if ! out=$(unshare --pid --fork --mount --propagation private sh -c "
        mount -t tmpfs tmpfs '$probe' && mkdir '$probe/u' '$probe/w' '$probe/r' &&
        mount -t overlay overlay -o lowerdir=/,upperdir='$probe/u',workdir='$probe/w' '$probe/r' && echo ok" 2>&1) ||
       [[ $out != *ok* ]]; then
      echo "cannot make a PID and mount namespace with an overlay of / (CAP_SYS_ADMIN?): $out"
      exit 1
    fi
    echo ok ;;
  start)
    name=${1:?name}; share=${2:-}
    state=$(state_of "$name")
    mkdir -p "$state"
    pid() { cat "$state/pid" 2>/dev/null; }
    [ -n "$(pid)" ] && kill -0 "$(pid)" 2>/dev/null && { pid; exit 0; }
    cat >"$state/boot" <<'B'
#!/bin/bash
set -e
state=$1 share=$2 phase=${3:-1}
if [ "$phase" = 1 ]; then
  # A cgroup of its own under this process's, and a cgroup namespace rooted there (phase 2 mounts it fresh), so
  # that the sandbox's systemd makes its units' cgroups inside it, apart from any other sandbox's. Only the
  # hierarchies systemd tracks processes with (name=systemd, cgroup2), never a resource controller's, so the
  # sandbox stays within whatever limits this process has. Where that cannot be done, it shares the tree.
  cg=$state/cgroups; : >"$cg"
  # Read at once: read(1) on /proc would see the file change under it as the loop moves this process.
  own=$(cat /proc/self/cgroup)
  # mount point, type, super options (mountinfo's fields after the optional ones' "-")
  mounts() { awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { print $5, $(i + 1), $NF; break } }' /proc/self/mountinfo; }
  while IFS=: read -r _ controllers path; do
    case $controllers in
      name=systemd) kind=systemd; mount=$(mounts | awk '$2 == "cgroup" && $3 ~ /name=systemd/ { print $1; exit }') ;;
      "") kind=unified; mount=$(mounts | awk '$2 == "cgroup2" { print $1; exit }') ;;
      *) continue ;;
    esac
    [ -n "$mount" ] || continue
    dir=$mount${path%/}/$(basename "$state")
    mkdir -p "$dir" 2>/dev/null || continue
    # 0: the writing process, this one (the sandbox's PID 1 to be).
    if echo 0 >"$dir/cgroup.procs" 2>/dev/null; then echo "$kind $dir" >>"$cg"; else rmdir "$dir" 2>/dev/null || true; fi
  done <<<"$own"
  if [ -s "$cg" ]; then exec unshare --cgroup "$0" "$state" "$share" 2; fi
  exec "$0" "$state" "$share" 0
fi
mount --make-rprivate /
mkdir -p "$state/mnt"
mount -t tmpfs -o size=4g tmpfs "$state/mnt"
mkdir -p "$state/mnt/upper" "$state/mnt/work" "$state/mnt/root"
mount -t overlay overlay -o "lowerdir=/,upperdir=$state/mnt/upper,workdir=$state/mnt/work" "$state/mnt/root"
R=$state/mnt/root
mount -t proc proc "$R/proc"
mount --rbind /sys "$R/sys"
if [ "$phase" = 2 ]; then
  # Mounted inside the cgroup namespace, each hierarchy's root is the sandbox's own cgroup.
  if grep -q '^systemd ' "$state/cgroups"; then
    mount -t tmpfs -o mode=0755 tmpfs "$R/sys/fs/cgroup"
    mkdir -p "$R/sys/fs/cgroup/systemd" "$R/sys/fs/cgroup/unified"
    mount -t cgroup -o none,name=systemd cgroup "$R/sys/fs/cgroup/systemd"
    if grep -q '^unified ' "$state/cgroups"; then mount -t cgroup2 cgroup2 "$R/sys/fs/cgroup/unified"; fi
  else
    mount -t cgroup2 cgroup2 "$R/sys/fs/cgroup"
  fi
fi
mount -t tmpfs -o mode=0755,nosuid tmpfs "$R/dev"
for d in null zero full random urandom tty kmsg fuse; do
  [ -e "/dev/$d" ] || continue
  touch "$R/dev/$d"
  mount --bind "/dev/$d" "$R/dev/$d"
done
mkdir -p "$R/dev/pts" "$R/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$R/dev/pts"
ln -s pts/ptmx "$R/dev/ptmx"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$R/dev/shm"
ln -s /proc/self/fd "$R/dev/fd"
ln -s /proc/self/fd/0 "$R/dev/stdin"
ln -s /proc/self/fd/1 "$R/dev/stdout"
ln -s /proc/self/fd/2 "$R/dev/stderr"
mount -t tmpfs tmpfs "$R/run"
mount -t tmpfs tmpfs "$R/tmp"
if [ -n "$share" ]; then
  mkdir -p "$R/share"
  mount --bind "$share" "$R/share"
fi
# Only what a test asks for: no services the host happens to have enabled.
for w in "$R"/etc/systemd/system/multi-user.target.wants/*; do
  case $(basename "$w") in systemd-*|remote-fs.target) ;; *) rm -f "$w" ;; esac
done
exec chroot "$R" /lib/systemd/systemd --system --unit=multi-user.target
B
    chmod +x "$state/boot"
    setsid unshare --pid --fork --mount --propagation private "$state/boot" "$state" "$share" >"$state/boot.log" 2>&1 </dev/null &
    u=$!
    for _ in $(seq 200); do
      # unshare's forked child becomes the sandbox's PID 1: the boot script, then (exec) chroot, then systemd
      p=$(pgrep -P "$u" || true)
      if [ -n "$p" ] && [ "$(cat "/proc/$p/comm" 2>/dev/null)" = systemd ]; then
        echo "$p" >"$state/pid"
        s=
        for _ in $(seq 300); do
          s=$(nsenter -t "$p" -m -p -r -w systemctl is-system-running 2>/dev/null || true)
          case $s in running|degraded) echo "$p"; exit 0 ;; esac
          sleep 0.1
        done
        echo "sandbox.sh: booted but not running: $s" >&2; exit 1
      fi
      kill -0 "$u" 2>/dev/null || break
      sleep 0.1
    done
    echo "sandbox.sh: systemd did not start: $(tail -5 "$state/boot.log")" >&2; exit 1 ;;
  exec)
    name=${1:?name}; shift
    p=$(cat "$(state_of "$name")/pid" 2>/dev/null || true)
    [ -n "$p" ] || { echo "sandbox.sh: $name is not running" >&2; exit 1; }
    exec nsenter -t "$p" -m -p -r -w "$@" ;;
  stop)
    name=${1:?name}
    state=$(state_of "$name")
    p=$(cat "$state/pid" 2>/dev/null || true)
    if [ -n "$p" ]; then
      kill -9 "$p" 2>/dev/null || true
      # PID 1 gone, the namespace's processes are killed; wait so nothing holds the mounts when the state goes.
      for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
    fi
    # The cgroups the sandbox's systemd made, deepest first (rmdir removes only empty ones).
    while read -r _ dir; do
      [ -d "$dir" ] || continue
      for _ in $(seq 100); do
        find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null || true
        [ -d "$dir" ] || break
        sleep 0.05
      done
    done <"$state/cgroups" 2>/dev/null || true
    rm -rf "$state" ;;
  *) echo "usage: sandbox.sh check|start|exec|stop NAME [...]" >&2; exit 2 ;;
esac
