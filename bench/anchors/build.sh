#!/usr/bin/env bash
# bench/anchors/build.sh [OUTDIR]: builds the Go anchors (one program per .go file here, each
# linked with the shared *_lib.go files: package main helpers such as kvwalk_lib.go) with
# Debian's Go and etcd 3.4 / bbolt sources in GOPATH mode, no network:
#   apt-get install -y golang-go golang-etcd-server-dev golang-github-coreos-bbolt-dev
# Binaries go to OUTDIR (default build-bench/anchors). Exit 3 (and the reason on stderr) when
# Go or the packages are missing, so bench/run.sh can skip the anchors cleanly.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="${1:-$ROOT/build-bench/anchors}"
command -v go >/dev/null || { echo "no go (apt-get install golang-go)" >&2; exit 3; }
[ -d /usr/share/gocode/src/go.etcd.io/etcd/wal ] || { echo "no etcd 3.4 sources (apt-get install golang-etcd-server-dev)" >&2; exit 3; }
[ -d /usr/share/gocode/src/go.etcd.io/bbolt ] || { echo "no bbolt sources (apt-get install golang-github-coreos-bbolt-dev)" >&2; exit 3; }
mkdir -p "$OUT"
SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/ea-anchors-go.XXXXXX")"
trap 'rm -rf "$SCRATCH"' EXIT
# a persistent build cache next to the binaries keeps rebuilds fast
export GO111MODULE=off GOTOOLCHAIN=local GOFLAGS= GOPATH="/usr/share/gocode:$SCRATCH" \
       GOCACHE="$OUT/.gocache" CGO_ENABLED=0
for src in "$HERE"/*.go; do
  case "$src" in *_lib.go) continue ;; esac
  name="$(basename "$src" .go)"
  go build -trimpath -o "$OUT/$name" "$src" "$HERE"/*_lib.go || { echo "go build $name failed" >&2; exit 1; }
done
go version >"$OUT/go-version.txt"
