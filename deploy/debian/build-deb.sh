#!/usr/bin/env bash
# Builds socketdaemon_<version>_<arch>.deb with dpkg-deb from a staging tree made by deploy/install.sh.
#
#   deploy/debian/build-deb.sh [--from DIR] [--output DIR] [--arch ARCH] [--version VERSION] [--jit]
#
# --from DIR   binaries published before (see install.sh --from); without it install.sh runs dotnet publish.
# --output DIR where the .deb goes (default: artifacts/).
# --arch ARCH  the Debian architecture (default: dpkg --print-architecture).
# --version V  the package version (default: Directory.Build.props' <Version>), e.g. for a test of an upgrade.
# --jit        package the framework-dependent daemon (install.sh --jit), for drop-in Serilog sink assemblies.
#
# By default the daemon is Native AOT (as install.sh publishes it when clang and zlib1g-dev are there): one
# executable that needs libc and, for TLS, OpenSSL. A framework-dependent daemon (--jit, the fallback, or --from
# a framework-dependent publish) runs on the .NET runtime alone (Microsoft.NETCore.App), so that package depends
# on dotnet-runtime-10.0, and security fixes to the runtime arrive with apt
# like any library's. socketctl is Native AOT and needs only libc. The version is Directory.Build.props' <Version>.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
from=
output=$root/artifacts
arch=
version=
jit=no
while (($#)); do
  case $1 in
    --from) from=${2:?--from needs a directory}; shift 2 ;;
    --from=*) from=${1#*=}; shift ;;
    --output) output=${2:?--output needs a directory}; shift 2 ;;
    --output=*) output=${1#*=}; shift ;;
    --arch) arch=${2:?--arch needs an architecture}; shift 2 ;;
    --arch=*) arch=${1#*=}; shift ;;
    --version) version=${2:?--version needs a version}; shift 2 ;;
    --version=*) version=${1#*=}; shift ;;
    --jit) jit=yes; shift ;;
    -h | --help) sed -n '2,17s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "build-deb.sh: unknown option '$1' (--help lists them)" >&2; exit 2 ;;
  esac
done

command -v dpkg-deb >/dev/null || { echo "build-deb.sh: dpkg-deb is needed (apt-get install dpkg)" >&2; exit 1; }
command -v scdoc >/dev/null || { echo "build-deb.sh: scdoc is needed for the man pages (apt-get install scdoc)" >&2; exit 1; }
[[ -n $version ]] || version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$root/Directory.Build.props" | head -n 1)
[[ -n $version ]] || { echo "build-deb.sh: no <Version> in $root/Directory.Build.props" >&2; exit 1; }
[[ -n $arch ]] || arch=$(dpkg --print-architecture)

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
chmod 0755 "$stage"
echo "build-deb.sh: staging socketdaemon $version ($arch) in $stage"
install_args=(--prefix /usr --destdir "$stage" --no-start)
[[ -z $from ]] || install_args+=(--from "$from")
[[ $jit == no ]] || install_args+=(--jit)
# The package always has its man pages.
SOCKETDAEMON_REQUIRE_MAN=1 "$root/deploy/install.sh" "${install_args[@]}"
# What the daemon needs follows from what was staged: a socketdaemon.dll runs on the shared framework; the Native
# AOT executable needs libc, and OpenSSL for TLS listeners (loaded when one starts).
if [[ -f $stage/usr/lib/socketdaemon/socketdaemon.dll ]]; then
  depends="dotnet-runtime-10.0, libc6, adduser"
else
  depends="libc6, libssl3 | libssl3t64, adduser"
fi

mkdir -p "$stage/DEBIAN"
installed_size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
cat > "$stage/DEBIAN/control" <<CONTROL
Package: socketdaemon
Version: $version
Architecture: $arch
Maintainer: SocketDaemon contributors <socketdaemon@localhost>
Installed-Size: $installed_size
Depends: $depends
Section: admin
Priority: optional
Description: message-ingestion daemon for Unix domain sockets and TCP
 SocketDaemon accepts connections on Unix domain sockets and TCP, detects what
 each connection speaks (lines, RFC 6587 octet counting, length-prefixed
 frames, HTTP status requests, an acknowledged native protocol) and writes
 every message to a rolling log file. Runs as a systemd service, socket
 activated by socketdaemon.socket. Includes socketctl, its command-line client.
CONTROL
echo /etc/socketdaemon/appsettings.json > "$stage/DEBIAN/conffiles"
for script in postinst prerm postrm; do
  install -m 0755 "$here/$script" "$stage/DEBIAN/$script"
done

mkdir -p "$output"
deb=$output/socketdaemon_${version}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb"
echo "build-deb.sh: built $deb"
