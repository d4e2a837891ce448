#!/usr/bin/env bash
# Removes what deploy/install.sh installed: the daemon, socketctl, the units and the documentation.
# Keeps /etc/socketdaemon (the configuration), /var/log/socketdaemon, /var/lib/socketdaemon and the socketdaemon
# user, unless --purge.
#
#   deploy/uninstall.sh [--prefix DIR] [--destdir DIR] [--unitdir DIR] [--purge]
set -euo pipefail

prefix=/usr
destdir=${DESTDIR:-}
unitdir=
purge=no
while (($#)); do
  case $1 in
    --prefix) prefix=${2:?--prefix needs a directory}; shift 2 ;;
    --prefix=*) prefix=${1#*=}; shift ;;
    --destdir) destdir=${2:?--destdir needs a directory}; shift 2 ;;
    --destdir=*) destdir=${1#*=}; shift ;;
    --unitdir) unitdir=${2:?--unitdir needs a directory}; shift 2 ;;
    --unitdir=*) unitdir=${1#*=}; shift ;;
    --purge) purge=yes; shift ;;
    -h | --help) sed -n '2,6s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "uninstall.sh: unknown option '$1' (--help lists them)" >&2; exit 2 ;;
  esac
done
prefix=${prefix%/}
destdir=${destdir%/}
if [[ -z $unitdir ]]; then
  if [[ $prefix == /usr ]]; then unitdir=/lib/systemd/system; else unitdir=$prefix/lib/systemd/system; fi
fi

run() { echo "+ $*"; "$@"; }
say() { echo "uninstall.sh: $*"; }
units=(socketdaemon.socket socketdaemon-tcp.socket socketdaemon-syslog.socket socketdaemon-devlog.socket socketdaemon.service)

systemd=no
if [[ -z $destdir && -d /run/systemd/system ]]; then systemd=yes; fi
if [[ $systemd == yes ]]; then
  # Stops the sockets first so no connection starts the service again.
  run systemctl disable --now "${units[@]}" || true
fi

for unit in "${units[@]}"; do
  run rm -f "$destdir$unitdir/$unit"
done
run rm -f "$destdir$prefix/bin/socketctl"
run rm -rf "$destdir$prefix/lib/socketdaemon" "$destdir$prefix/lib/socketdaemon.new"
run rm -rf "$destdir$prefix/share/doc/socketdaemon"
run rm -f "$destdir$prefix/share/man/man8/socketdaemon.8.gz" "$destdir$prefix/share/man/man1/socketctl.1.gz" \
  "$destdir$prefix/share/man/man5/socketdaemon.json.5.gz"
if [[ $systemd == yes ]]; then run systemctl daemon-reload; fi

if [[ $purge == yes ]]; then
  run rm -rf "$destdir/etc/socketdaemon" "$destdir/var/log/socketdaemon" "$destdir/var/lib/socketdaemon" "$destdir/run/socketdaemon"
  if [[ -z $destdir ]] && id -u socketdaemon >/dev/null 2>&1; then
    run userdel socketdaemon
  fi
else
  say "kept /etc/socketdaemon, /var/log/socketdaemon, /var/lib/socketdaemon and the socketdaemon user (--purge removes them)"
fi
say "done"
