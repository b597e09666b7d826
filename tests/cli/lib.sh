# lib.sh: shared helpers for CLI tests. ctest sets EA (the binary) and FIXTURES.
set -u
: "${EA:?EA must point at the etcd-autopsy binary}"
: "${FIXTURES:?FIXTURES must point at fixtures/}"
command -v jq >/dev/null || { echo "jq not installed: skipping"; exit 77; }
FAILS=0
PASSES=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ea-cli-XXXXXX")
trap 'rm -rf "$TMP"' EXIT

ok()   { PASSES=$((PASSES + 1)); }
fail() { FAILS=$((FAILS + 1)); echo "FAIL: $*" >&2; }
check() { # check DESCRIPTION COMMAND...: passes when the command succeeds
	local d=$1; shift
	if "$@"; then ok; else fail "$d"; fi
}
expect_exit() { # expect_exit CODE DESCRIPTION COMMAND...
	local want=$1 d=$2; shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	local got=$?
	if [ "$got" = "$want" ]; then ok; else fail "$d: exit $got, want $want ($(head -c 300 "$TMP/err"))"; fi
}
manifest() { # manifest SCENARIO KEY
	sed -n "s/^$2=//p" "$FIXTURES/$1/manifest.txt" | head -n 1
}
finish() {
	echo "$PASSES passed, $FAILS failed"
	[ "$FAILS" = 0 ]
}
