# test_cli_options.sh: the option table (src/cli/args.c, issue 14): every command that takes a
# shared option (-w, -q, --logs, --force, -o, --help, --stage-limit) parses it the same way,
# with the same messages and exit codes as the per-command loops it replaced; the usage errors
# of a command's own rows (db --rev/--page/--tombstone-rule, verify --against, history --terms)
# keep theirs. No input is read in any of these runs except where said.
. "$(dirname "$0")/lib.sh"

H=$FIXTURES/healthy
err_is() { # err_is DESCRIPTION WANT_EXIT WANT_STDERR COMMAND...: exit code and whole stderr
	local d=$1 want=$2 msg=$3; shift 3
	"$@" >"$TMP/out" 2>"$TMP/err"
	local got=$?
	if [ "$got" != "$want" ]; then fail "$d: exit $got, want $want"; return; fi
	if [ "$(cat "$TMP/err")" != "$msg" ]; then fail "$d: stderr '$(head -c 300 "$TMP/err")', want '$msg'"; return; fi
	ok
}

for c in diff history export report verify; do
	err_is "$c: unknown option" 2 "etcd-autopsy: unknown option --bogus (see --help)" "$EA" "$c" --bogus
	err_is "$c: -q takes no value" 2 "etcd-autopsy: option --quiet=1 takes no value" "$EA" "$c" --quiet=1
	expect_exit 0 "$c --help" "$EA" "$c" --help
	check "$c --help on stdout" grep -q "^usage: etcd-autopsy $c" "$TMP/out"
	expect_exit 0 "$c -h after another option" "$EA" "$c" -q -h
	check "$c -h on stdout" grep -q "^usage: etcd-autopsy $c" "$TMP/out"
	err_is "$c: --stage-limit needs a size" 2 \
		"etcd-autopsy: --stage-limit 'lots': expected a size such as 64G, 512M or 0 (no limit)" "$EA" "$c" --stage-limit lots
done
for c in diff history verify "snap ls" "db stat"; do
	# shellcheck disable=SC2086
	err_is "$c: -w yaml" 2 "etcd-autopsy: unknown output format 'yaml' (table|json)" "$EA" $c -w yaml
	# shellcheck disable=SC2086
	err_is "$c: -w without a value" 2 "etcd-autopsy: option -w needs a value" "$EA" $c -w
done
for c in export report; do
	err_is "$c: -w is not one of its options" 2 "etcd-autopsy: unknown option -w (see --help)" "$EA" "$c" -w json
	err_is "$c: -o without a value" 2 "etcd-autopsy: option -o needs a value" "$EA" "$c" -o
done
for c in verify "snap ls" "db stat"; do
	# shellcheck disable=SC2086
	err_is "$c: --logs is not one of its options" 2 "etcd-autopsy: unknown option --logs (see --help)" "$EA" $c --logs n1=x
	# shellcheck disable=SC2086
	err_is "$c: --force is not one of its options" 2 "etcd-autopsy: unknown option --force (see --help)" "$EA" $c --force
done

# --logs: at most one per node (16); export names itself in the message, the others do not
many=(); for i in $(seq 17); do many+=(--logs "n$i=x.log"); done
for c in diff history report; do
	err_is "$c: 17 --logs" 2 "etcd-autopsy: too many --logs" "$EA" "$c" "${many[@]}"
done
err_is "export: 17 --logs" 2 "etcd-autopsy export: too many --logs" "$EA" export -o "$TMP/x.sqlite" "${many[@]}"
ag=(); for i in $(seq 17); do ag+=(--against "n$i=x"); done
err_is "verify: 17 --against" 2 "etcd-autopsy verify: too many --against" "$EA" verify x "${ag[@]}"

# what each command needs besides options
expect_exit 2 "export without -o" "$EA" export "$H/n1.tar.gz"
check "export without -o: says so, then the help" grep -q "^etcd-autopsy export: -o FILE is required" "$TMP/err"
expect_exit 2 "report without -o" "$EA" report "$H/n1.tar.gz"
check "report without -o: says so, then the help" grep -q "^etcd-autopsy report: -o FILE is required" "$TMP/err"
expect_exit 2 "diff without a node" "$EA" diff -q
check "diff without a node: the help on stderr" grep -q "^usage: etcd-autopsy diff" "$TMP/err"
expect_exit 2 "verify with two paths" "$EA" verify a b
check "verify with two paths: the help on stderr" grep -q "^usage: etcd-autopsy verify" "$TMP/err"
err_is "history: --terms takes no value" 2 "etcd-autopsy: option --terms=yes takes no value" "$EA" history --terms=yes

# db's own rows
err_is "db ls --rev x" 2 "etcd-autopsy db: 'x' is not a valid number" "$EA" db ls p --rev x
err_is "db ls --rev beyond int64" 2 "etcd-autopsy db: '9223372036854775808' is not a valid number" \
	"$EA" db ls p --rev 9223372036854775808
err_is "db pages --page -1" 2 "etcd-autopsy db: '-1' is not a valid number" "$EA" db pages p --page -1
err_is "db hash --tombstone-rule never" 2 "etcd-autopsy db: --tombstone-rule is classic, skip or auto" \
	"$EA" db hash p --tombstone-rule never
err_is "db stat --rev" 2 "etcd-autopsy db stat: --rev applies to db ls, db get and db hash" "$EA" db stat p --rev 3
err_is "db ls --page" 2 "etcd-autopsy db ls: --page applies to db pages" "$EA" db ls p --page 3
err_is "db ls --tombstone-rule" 2 "etcd-autopsy db ls: --tombstone-rule applies to db hash, db stat and db space" \
	"$EA" db ls p --tombstone-rule skip
err_is "db hash --prefix" 2 "etcd-autopsy db hash: --salvage and --prefix apply to db ls" "$EA" db hash p --prefix /a
err_is "db ls --salvage --rev" 2 "etcd-autopsy db ls: --salvage lists every revision found; --rev does not apply" \
	"$EA" db ls p --salvage --rev 2
err_is "db history without KEY" 2 "etcd-autopsy db history: expected PATH KEY (see --help)" "$EA" db history p
err_is "snap ls with two paths" 2 "etcd-autopsy snap ls: expected exactly one PATH (see --help)" "$EA" snap ls a b

# NOUN VERB commands: the verb first, then the same table
err_is "db: unknown verb" 2 "etcd-autopsy db: unknown subcommand 'dump' (stat|check|ls|history|hash|pages|space|get)" "$EA" db dump
err_is "wal: unknown verb" 2 "etcd-autopsy wal: unknown subcommand 'cat' (ls|stat)" "$EA" wal cat
err_is "snap: unknown verb" 2 "etcd-autopsy snap: unknown subcommand 'stat' (ls)" "$EA" snap stat
for c in db wal snap; do
	expect_exit 2 "$c alone" "$EA" "$c"
	check "$c alone: the help on stderr" grep -q "^usage: etcd-autopsy $c" "$TMP/err"
done
err_is "wal ls --from x" 2 "etcd-autopsy wal: 'x' is not a number" "$EA" wal ls p --from x
err_is "wal stat --no-crc=1" 2 "etcd-autopsy: option --no-crc=1 takes no value" "$EA" wal stat p --no-crc=1
err_is "wal ls with two paths" 2 "etcd-autopsy wal ls: expected exactly one PATH (see --help)" "$EA" wal ls a b

# and the options reach the command: -q silences, -w json is JSON, --rev and --prefix filter
mkdir -p "$TMP/n1" && tar -xzf "$H/n1.tar.gz" -C "$TMP/n1"
N1=$(find "$TMP/n1" -mindepth 1 -maxdepth 1 | head -1)
expect_exit 0 "db ls --prefix of no key" "$EA" db ls "$N1" -w json --prefix /no-such-prefix/
check "db ls --prefix of no key: said on stderr" grep -q "no live key starts with the prefix" "$TMP/err"
expect_exit 0 "db ls --prefix of no key -q" "$EA" db ls "$N1" -w json --prefix /no-such-prefix/ -q
check "db ls -q: nothing on stderr" test ! -s "$TMP/err"
check "db ls -w json --prefix: no line" test ! -s "$TMP/out"
expect_exit 0 "snap ls -w json" "$EA" snap ls "$N1" -w json
is_json() { jq -e . "$1" >/dev/null; }
check "snap ls -w json: JSON Lines" is_json "$TMP/out"
finish
