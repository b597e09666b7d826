#!/usr/bin/env bash
# setup.sh: install what etcd-autopsy needs to build and test on Debian (12+).
#   scripts/setup.sh            build + test dependencies
#   scripts/setup.sh --etcd     also Debian's etcd 3.4 server/client, to regenerate fixtures
#   scripts/setup.sh --chromium also Debian's chromium: the report test then renders the HTML
#                               reports headless and saves screenshots (skipped without it)
set -euo pipefail
pkgs=(build-essential cmake pkg-config
      libprotobuf-c-dev protobuf-c-compiler
      libsqlite3-dev sqlite3 zlib1g-dev libarchive-dev libssl-dev libcmocka-dev
      jq python3 man-db valgrind strace)
for arg in "$@"; do
	case $arg in
	--etcd) pkgs+=(etcd-server etcd-client) ;;
	--chromium) pkgs+=(chromium fonts-dejavu-core) ;;
	*) echo "usage: $0 [--etcd] [--chromium]" >&2; exit 2 ;;
	esac
done
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	$SUDO apt-get update -q
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
