#!/usr/bin/env bash
# Installs SocketDaemon: the daemon into PREFIX/lib/socketdaemon, socketctl into PREFIX/bin, the systemd units,
# and /etc/socketdaemon/appsettings.json (never overwritten). Idempotent: running it again upgrades in place.
#
#   deploy/install.sh                                  # build with dotnet publish, install to /usr, start the socket
#   deploy/install.sh --destdir /tmp/stage --no-start  # stage for a package (DESTDIR=... works too)
#   deploy/install.sh --from DIR                       # install binaries published before (no dotnet SDK needed)
#   deploy/install.sh --jit                            # the framework-dependent daemon: drop-in Serilog sinks
#
# The daemon is published Native AOT (one executable, no runtime; starts in an eighth of the CPU and half the
# memory) when the native toolchain is there (clang or gcc, zlib1g-dev), framework-dependent otherwise. --jit
# asks for the framework-dependent build (it needs dotnet-runtime-10.0): the one that loads a sink assembly
# the Serilog section's Using names from a DLL dropped next to the daemon (docs/operations.md).
# --from DIR: a directory with the daemon's published files (the Native AOT `socketdaemon`, or socketdaemon with
# socketdaemon.dll, its .runtimeconfig.json, .deps.json and dependencies) and socketctl: either the Native AOT
# binary `socketctl`, or the framework-dependent socketctl (socketctl.dll beside it), which is then installed
# beside the daemon and linked from PREFIX/bin. Everything in DIR but debug symbols (*.dbg) is installed, so a
# `dotnet build` output of the daemon works too.
set -euo pipefail
umask 022

usage() {
  sed -n '2,19s/^# \{0,1\}//p' "$0"
  echo "options: --prefix DIR (/usr)  --destdir DIR (\$DESTDIR)  --from DIR  --unitdir DIR  --jit  --self-contained  --no-start"
}

prefix=/usr
destdir=${DESTDIR:-}
from=
unitdir=
self_contained=no
jit=no
start=yes
while (($#)); do
  case $1 in
    --prefix) prefix=${2:?--prefix needs a directory}; shift 2 ;;
    --prefix=*) prefix=${1#*=}; shift ;;
    --destdir) destdir=${2:?--destdir needs a directory}; shift 2 ;;
    --destdir=*) destdir=${1#*=}; shift ;;
    --from) from=${2:?--from needs a directory}; shift 2 ;;
    --from=*) from=${1#*=}; shift ;;
    --unitdir) unitdir=${2:?--unitdir needs a directory}; shift 2 ;;
    --unitdir=*) unitdir=${1#*=}; shift ;;
    --jit) jit=yes; shift ;;
    --self-contained) self_contained=yes; jit=yes; shift ;;
    --no-start) start=no; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "install.sh: unknown option '$1' (--help lists them)" >&2; exit 2 ;;
  esac
done

prefix=${prefix%/}
[[ $prefix == /* ]] || { echo "install.sh: --prefix must be absolute: $prefix" >&2; exit 2; }
destdir=${destdir%/}
if [[ -n $destdir ]]; then
  mkdir -p "$destdir"
  destdir=$(cd "$destdir" && pwd)
fi
# systemd reads units from /lib/systemd/system (/usr/lib/... on merged-/usr systems: the same directory) and from
# /usr/local/lib/systemd/system; Debian's packages (dh_installsystemd on bookworm) ship in /lib/systemd/system.
# Another prefix gets PREFIX/lib/systemd/system, which systemd reads only for /usr/local: use --unitdir
# /etc/systemd/system for an /opt prefix.
if [[ -z $unitdir ]]; then
  if [[ $prefix == /usr ]]; then unitdir=/lib/systemd/system; else unitdir=$prefix/lib/systemd/system; fi
  if [[ $prefix != /usr && $prefix != /usr/local ]]; then
    echo "install.sh: note: systemd does not read $unitdir; pass --unitdir /etc/systemd/system to have it found" >&2
  fi
fi

if [[ -z $destdir && $EUID -ne 0 ]]; then
  echo "install.sh: installing into / needs root (sudo), or stage with --destdir DIR" >&2
  exit 1
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
libdir=$destdir$prefix/lib/socketdaemon
bindir=$destdir$prefix/bin
units=$destdir$unitdir
confdir=$destdir/etc/socketdaemon

run() { echo "+ $*"; "$@"; }
say() { echo "install.sh: $*"; }

# 1. The binaries: publish them, unless --from names them.
work=
cleanup() { if [[ -n $work ]]; then rm -rf "$work"; fi; }
trap cleanup EXIT
if [[ -z $from ]]; then
  command -v dotnet >/dev/null || { echo "install.sh: dotnet (the .NET 10 SDK) is needed to build; or pass --from DIR" >&2; exit 1; }
  case $(uname -m) in
    x86_64) rid=linux-x64 ;;
    aarch64) rid=linux-arm64 ;;
    *) echo "install.sh: no .NET runtime identifier known for $(uname -m)" >&2; exit 1 ;;
  esac
  work=$(mktemp -d)
  from=$work/publish
  if [[ $self_contained == yes ]]; then
    run dotnet publish -c Release -r "$rid" --self-contained true "$root/src/SocketDaemon" -o "$from"
  elif [[ $jit == yes ]] || ! run dotnet publish -c Release -r "$rid" -p:PublishAot=true "$root/src/SocketDaemon" -o "$work/daemon"; then
    [[ $jit == yes ]] || say "the Native AOT publish of the daemon failed (apt-get install clang zlib1g-dev); installing it framework-dependent"
    # Framework-dependent: the .NET runtime (dotnet-runtime-10.0) runs it.
    run dotnet publish -c Release -r "$rid" --self-contained false "$root/src/SocketDaemon" -o "$from"
  else
    run mkdir -p "$from"
    run cp "$work/daemon/socketdaemon" "$work/daemon/appsettings.json" "$from/"
  fi
  # Native AOT: one binary that needs no runtime. Should the native toolchain be missing (clang or gcc,
  # zlib1g-dev), socketctl is installed framework-dependent, beside the daemon.
  if run dotnet publish -c Release -r "$rid" "$root/src/SocketDaemon.Cli" -o "$work/socketctl"; then
    run cp "$work/socketctl/socketctl" "$from/socketctl"
  else
    say "the Native AOT publish of socketctl failed (apt-get install clang zlib1g-dev); installing it framework-dependent"
    run dotnet publish -c Release -r "$rid" --self-contained false -p:PublishAot=false "$root/src/SocketDaemon.Cli" -o "$from"
  fi
fi
from=$(cd "$from" && pwd)
for file in socketdaemon socketctl; do
  [[ -f $from/$file ]] || { echo "install.sh: $from has no $file: is it a published SocketDaemon?" >&2; exit 1; }
done

# 2. The daemon: PREFIX/lib/socketdaemon, replaced as a whole so no file of an older version stays behind.
say "installing the daemon into $libdir"
run rm -rf "$libdir.new"
run mkdir -p "$libdir.new"
native_socketctl=yes
[[ -f $from/socketctl.dll ]] && native_socketctl=no
shopt -s nullglob
for path in "$from"/*; do
  name=${path##*/}
  # The Native AOT socketctl goes to bin.
  [[ $native_socketctl == yes && $name == socketctl* ]] && continue
  [[ $name == *.dbg ]] && continue
  cp -R "$path" "$libdir.new/"
done
shopt -u nullglob
# Files as a package has them, whatever modes the NuGet cache gave them: 0644, the executables 0755.
chmod -R u=rwX,go=rX "$libdir.new"
find "$libdir.new" -type f -name '*.dll' -exec chmod 0644 {} +
chmod 0755 "$libdir.new/socketdaemon"
[[ $native_socketctl == yes ]] || chmod 0755 "$libdir.new/socketctl"
run rm -rf "$libdir"
run mv "$libdir.new" "$libdir"

# 3. socketctl: PREFIX/bin/socketctl.
run mkdir -p "$bindir"
run rm -f "$bindir/socketctl"
if [[ $native_socketctl == yes ]]; then
  run install -m 0755 "$from/socketctl" "$bindir/socketctl"
else
  # Framework-dependent: the apphost follows the link to find socketctl.dll beside it.
  run ln -s "../lib/socketdaemon/socketctl" "$bindir/socketctl"
fi

# 4. The units, their paths rewritten for another prefix.
run mkdir -p "$units"
# socketdaemon-syslog.socket and socketdaemon-devlog.socket (the system's syslog, docs/system-syslog.md) are
# installed, never enabled.
for unit in socketdaemon.service socketdaemon.socket socketdaemon-tcp.socket socketdaemon-syslog.socket socketdaemon-devlog.socket; do
  echo "+ install -m 0644 $here/systemd/$unit $units/$unit"
  sed "s#/usr/lib/socketdaemon/#$prefix/lib/socketdaemon/#g" "$here/systemd/$unit" > "$units/$unit.tmp"
  chmod 0644 "$units/$unit.tmp"
  mv "$units/$unit.tmp" "$units/$unit"
done

# 5. The configuration: installed once, an operator's file is never overwritten.
run mkdir -p "$confdir"
if [[ -e $confdir/appsettings.json ]]; then
  say "keeping the existing $confdir/appsettings.json (the shipped one is $libdir/appsettings.json.dist)"
else
  run install -m 0644 "$here/appsettings.json" "$confdir/appsettings.json"
fi
run install -m 0644 "$here/appsettings.json" "$libdir/appsettings.json.dist"

# 6. The documentation: the operator pages, the copyright file, the system-syslog examples and the man pages.
docdir=$destdir$prefix/share/doc/socketdaemon
run mkdir -p "$docdir" "$docdir/examples"
for page in "$root"/docs/*.md; do
  run install -m 0644 "$page" "$docdir/${page##*/}"
done
run install -m 0644 "$here/copyright" "$docdir/copyright"
run install -m 0644 "$here/syslog/appsettings.json" "$docdir/examples/appsettings.syslog.json"
run install -m 0644 "$here/syslog/journald-forward-to-syslog.conf" "$docdir/examples/journald-forward-to-syslog.conf"
# Man pages, from docs/man/*.scd with scdoc (apt-get install scdoc); SOCKETDAEMON_REQUIRE_MAN=1 (build-deb.sh)
# makes a missing scdoc an error instead of a note.
mandir=$destdir$prefix/share/man
if command -v scdoc >/dev/null; then
  for source in "$root"/docs/man/*.scd; do
    page=${source##*/}
    page=${page%.scd}
    section=${page##*.}
    run mkdir -p "$mandir/man$section"
    echo "+ scdoc < $source | gzip -9n > $mandir/man$section/$page.gz"
    scdoc < "$source" | gzip -9n > "$mandir/man$section/$page.gz"
    chmod 0644 "$mandir/man$section/$page.gz"
  done
elif [[ ${SOCKETDAEMON_REQUIRE_MAN:-0} == 1 ]]; then
  echo "install.sh: scdoc is needed to build the man pages (apt-get install scdoc)" >&2
  exit 1
else
  say "note: scdoc is not installed, so the man pages are not (apt-get install scdoc, then run this again)"
fi

# 7. On the real system: the user, then systemd.
if [[ -n $destdir ]]; then
  say "staged in $destdir (DESTDIR set: no user created, systemd left alone)"
  exit 0
fi
if id -u socketdaemon >/dev/null 2>&1; then
  say "system user socketdaemon exists"
else
  nologin=/usr/sbin/nologin
  [[ -x $nologin ]] || nologin=/sbin/nologin
  run useradd --system --user-group --no-create-home --home-dir /var/lib/socketdaemon --shell "$nologin" \
    --comment "SocketDaemon message ingestion daemon" socketdaemon
fi
if [[ -d /run/systemd/system ]]; then  # sd_booted(3): systemd is PID 1
  run systemctl daemon-reload
  if [[ $start == yes ]]; then
    run systemctl enable --now socketdaemon.socket
    # An upgrade: a daemon already running picks up the new binaries.
    if systemctl is-active --quiet socketdaemon.service; then run systemctl try-restart socketdaemon.service; fi
  else
    say "--no-start: start it with: systemctl enable --now socketdaemon.socket"
  fi
else
  say "systemd is not PID 1: units installed, not enabled"
fi
say "done"
